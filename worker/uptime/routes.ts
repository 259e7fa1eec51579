import { createRoute, z } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { conflict, cookieAuth, errors, iso, isoOrNull, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { ProjectIdParam } from "../projects/schemas";
import type { CheckResult } from "./check";
import type { incidents, monitorChecks, monitors } from "./schema";
import {
  CheckSchema,
  ChecksQuery,
  IncidentSchema,
  MonitorDetailSchema,
  MonitorIdParam,
  MonitorListItemSchema,
  MonitorSchema,
  NewMonitorBody,
  ResponseTimesQuery,
  ResponseTimesSchema,
  TestMonitorResultSchema,
  UpdateMonitorBody,
} from "./schemas";
import type { DayBar } from "./availability";

const security = cookieAuth;
const tags = ["Uptime"];

export const presentMonitor = ({ suspectSince: _s, suspectError: _e, leaseUntil: _l, failStreak: _f, ...m }: typeof monitors.$inferSelect) => ({
  ...m,
  stateSince: iso(m.stateSince),
  lastCheckAt: isoOrNull(m.lastCheckAt),
  nextCheckAt: iso(m.nextCheckAt),
  createdAt: iso(m.createdAt),
  updatedAt: iso(m.updatedAt),
});

export const presentIncident = (i: typeof incidents.$inferSelect, now = Date.now()) => ({
  id: i.id,
  monitorId: i.monitorId,
  startedAt: iso(i.startedAt),
  confirmedAt: iso(i.confirmedAt),
  endedAt: isoOrNull(i.endedAt),
  durationSeconds: Math.round(((i.endedAt?.getTime() ?? now) - i.startedAt.getTime()) / 1000),
  failingRegions: i.failingRegions,
  firstError: i.firstError,
});

const presentCheck = (c: typeof monitorChecks.$inferSelect) => ({
  region: c.region,
  roundAt: iso(c.roundAt),
  checkedAt: iso(c.checkedAt),
  status: c.status,
  httpStatus: c.httpStatus,
  latencyMs: c.latencyMs,
  errorClass: c.errorClass,
  error: c.error,
  excerpt: c.excerpt,
});

const presentResult = ({ monitorId: _m, checkedAt, ...r }: CheckResult) => ({ ...r, checkedAt: new Date(checkedAt).toISOString() });
const presentBar = (b: DayBar) => b;

const listMonitors = createRoute({
  method: "get",
  path: "/projects/{id}/monitors",
  tags,
  security,
  summary: "Uptime monitors of a project",
  description: "Each with its state, last check, a 24 h response-time sparkline and 90 daily uptime bars.",
  request: { params: ProjectIdParam },
  responses: { 200: json(listOf(MonitorListItemSchema), "Monitors"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const createMonitor = createRoute({
  method: "post",
  path: "/projects/{id}/monitors",
  tags,
  security,
  summary: "Create an uptime monitor",
  description: "Checked from each of `regions` every `intervalSeconds`; down when at least half the regions fail and the failure is confirmed.",
  request: { params: ProjectIdParam, body: jsonBody(NewMonitorBody) },
  responses: { 201: json(MonitorSchema, "Created"), ...errors, ...conflict },
});

const testMonitor = createRoute({
  method: "post",
  path: "/projects/{id}/monitors/test",
  tags,
  security,
  summary: "Test a monitor definition now",
  description: "Runs one check from every region of the definition and answers the results. Nothing is saved.",
  request: { params: ProjectIdParam, body: jsonBody(NewMonitorBody) },
  responses: { 200: json(TestMonitorResultSchema, "One result per region"), ...errors },
});

const getMonitor = createRoute({
  method: "get",
  path: "/monitors/{id}",
  tags,
  security,
  summary: "A monitor with its uptime, open incident and recent failures",
  request: { params: MonitorIdParam },
  responses: { 200: json(MonitorDetailSchema, "Monitor"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const updateMonitor = createRoute({
  method: "patch",
  path: "/monitors/{id}",
  tags,
  security,
  summary: "Change, pause or resume a monitor",
  request: { params: MonitorIdParam, body: jsonBody(UpdateMonitorBody) },
  responses: { 200: json(MonitorSchema, "Updated"), ...errors },
});

const deleteMonitor = createRoute({
  method: "delete",
  path: "/monitors/{id}",
  tags,
  security,
  summary: "Delete a monitor and its history",
  request: { params: MonitorIdParam },
  responses: { ...noContent, ...errors },
});

const listChecks = createRoute({
  method: "get",
  path: "/monitors/{id}/checks",
  tags,
  security,
  summary: "Check results per region, newest first",
  description: "Raw results are kept 48 hours; older history is in hourly rollups (see `/response-times`). Default range: the last 24 h.",
  request: { params: MonitorIdParam, query: ChecksQuery },
  responses: {
    200: json(z.object({ data: z.array(CheckSchema), nextCursor: z.string().optional() }), "Checks"),
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});

const responseTimes = createRoute({
  method: "get",
  path: "/monitors/{id}/response-times",
  tags,
  security,
  summary: "Response times for a chart",
  description: "Average (and, at one-minute resolution, slowest) response time per region per bucket; hourly rollups beyond the 48 h raw window.",
  request: { params: MonitorIdParam, query: ResponseTimesQuery },
  responses: { 200: json(ResponseTimesSchema, "Series"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const listIncidents = createRoute({
  method: "get",
  path: "/monitors/{id}/incidents",
  tags,
  security,
  summary: "Outages of a monitor, newest first",
  request: { params: MonitorIdParam },
  responses: { 200: json(listOf(IncidentSchema), "Incidents"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

export const uptimeRoutes = newRouter()
  .openapi(listMonitors, async (c) => {
    const list = await c.get("services").monitors.list(c.req.valid("param").id, requireViewer(c).userId);
    return c.json(
      { data: list.map(({ uptime24h, sparkline, bars, ...m }) => ({ ...presentMonitor(m), uptime24h, sparkline: sparkline.map((p) => ({ t: iso(p.t), ms: p.ms })), bars: bars.map(presentBar) })) },
      200,
    );
  })
  .openapi(createMonitor, async (c) => {
    const m = await c.get("services").monitors.create(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentMonitor(m), 201);
  })
  .openapi(testMonitor, async (c) => {
    const results = await c.get("services").monitors.test(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json({ data: results.map(presentResult) }, 200);
  })
  .openapi(getMonitor, async (c) => {
    const d = await c.get("services").monitors.get(c.req.valid("param").id, requireViewer(c).userId);
    return c.json(
      {
        ...presentMonitor(d.monitor),
        uptime: d.uptime,
        bars: d.bars,
        openIncident: d.openIncident ? presentIncident(d.openIncident) : null,
        recentFailures: d.recentFailures.map(presentCheck),
        gaps: d.gaps.map((g) => ({ from: iso(g.from), to: iso(g.to) })),
      },
      200,
    );
  })
  .openapi(updateMonitor, async (c) => {
    const m = await c.get("services").monitors.update(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentMonitor(m), 200);
  })
  .openapi(deleteMonitor, async (c) => {
    await c.get("services").monitors.delete(c.req.valid("param").id, requireViewer(c).userId);
    return c.body(null, 204);
  })
  .openapi(listChecks, async (c) => {
    const r = await c.get("services").monitors.checks(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json({ data: r.rows.map(presentCheck), ...(r.nextCursor ? { nextCursor: r.nextCursor } : {}) }, 200);
  })
  .openapi(responseTimes, async (c) => {
    const r = await c.get("services").monitors.responseTimes(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json(
      { ...r, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), series: r.series.map((s) => ({ ...s, points: s.points.map((p) => ({ ...p, t: iso(p.t) })) })) },
      200,
    );
  })
  .openapi(listIncidents, async (c) => {
    const list = await c.get("services").monitors.incidents(c.req.valid("param").id, requireViewer(c).userId);
    return c.json({ data: list.map((i) => presentIncident(i)) }, 200);
  });
