import { createRoute, z } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { conflict, cookieAuth, errors, iso, isoOrNull, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { ProjectIdParam } from "../projects/schemas";
import { publicCheckinId, type cronCheckins } from "./schema";
import { CheckinSchema, CheckinsQuery, CronIdParam, CronListItemSchema, CronSchema, NewCronBody, UpdateCronBody } from "./schemas";
import type { CronView } from "./service";

const security = cookieAuth;
const tags = ["Crons"];

const presentCron = (m: CronView) => ({
  id: m.id,
  projectId: m.projectId,
  slug: m.slug,
  name: m.name,
  schedule: m.schedule,
  scheduleText: m.scheduleText,
  timezone: m.timezone,
  checkinMargin: m.checkinMargin,
  maxRuntime: m.maxRuntime,
  failureThreshold: m.failureThreshold,
  recoveryThreshold: m.recoveryThreshold,
  environment: m.environment,
  paused: m.paused,
  state: m.state,
  stateSince: iso(m.stateSince),
  lastCheckinAt: isoOrNull(m.lastCheckinAt),
  lastDurationMs: m.lastDurationMs,
  nextExpectedAt: isoOrNull(m.nextExpectedAt),
  pingUrl: m.pingUrl,
  createdAt: iso(m.createdAt),
  updatedAt: iso(m.updatedAt),
});

const presentCheckin = (c: typeof cronCheckins.$inferSelect) => ({
  id: publicCheckinId(c.id),
  status: c.status,
  runId: c.runId,
  source: c.source,
  environment: c.environment,
  startedAt: iso(c.startedAt),
  finishedAt: isoOrNull(c.finishedAt),
  durationMs: c.durationMs,
  exitCode: c.exitCode,
  log: c.log,
  receivedAt: iso(c.receivedAt),
});

const listCrons = createRoute({
  method: "get",
  path: "/projects/{id}/crons",
  tags,
  security,
  summary: "Cron and heartbeat monitors of a project",
  description: "Each with its state, schedule in words, next expected run, last duration and its last 20 runs.",
  request: { params: ProjectIdParam },
  responses: { 200: json(listOf(CronListItemSchema), "Cron monitors"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const createCron = createRoute({
  method: "post",
  path: "/projects/{id}/crons",
  tags,
  security,
  summary: "Create a cron monitor",
  description:
    "A job then checks in by Sentry (`monitor_slug` = `slug`), by Sentry's HTTP route, or by pinging `pingUrl` (`/start`, `/fail`, `/{exit code}`, `?rid=`). " +
    "Jobs that send a `monitor_config` create their monitor themselves.",
  request: { params: ProjectIdParam, body: jsonBody(NewCronBody) },
  responses: { 201: json(CronSchema, "Created"), ...errors, ...conflict },
});

const getCron = createRoute({
  method: "get",
  path: "/crons/{id}",
  tags,
  security,
  summary: "A cron monitor",
  request: { params: CronIdParam },
  responses: { 200: json(CronSchema, "Cron monitor"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const updateCron = createRoute({
  method: "patch",
  path: "/crons/{id}",
  tags,
  security,
  summary: "Change, pause or resume a cron monitor",
  request: { params: CronIdParam, body: jsonBody(UpdateCronBody) },
  responses: { 200: json(CronSchema, "Updated"), ...errors, ...conflict },
});

const deleteCron = createRoute({
  method: "delete",
  path: "/crons/{id}",
  tags,
  security,
  summary: "Delete a cron monitor and its runs",
  request: { params: CronIdParam },
  responses: { ...noContent, ...errors },
});

const listCheckins = createRoute({
  method: "get",
  path: "/crons/{id}/checkins",
  tags,
  security,
  summary: "Runs of a cron monitor, newest first",
  description: "Check-ins paired into runs (start → finish), with missed and timed-out runs recorded by Vigil and the job's output when it was pinged with a body.",
  request: { params: CronIdParam, query: CheckinsQuery },
  responses: {
    200: json(z.object({ data: z.array(CheckinSchema), nextCursor: z.string().optional() }), "Runs"),
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});

export const cronRoutes = newRouter()
  .openapi(listCrons, async (c) => {
    const list = await c.get("services").crons.list(c.req.valid("param").id, requireViewer(c).userId);
    return c.json({ data: list.map(({ recent, ...m }) => ({ ...presentCron(m), recent: recent.map((r) => ({ ...r, startedAt: iso(r.startedAt) })) })) }, 200);
  })
  .openapi(createCron, async (c) => {
    const m = await c.get("services").crons.create(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentCron(m), 201);
  })
  .openapi(getCron, async (c) => c.json(presentCron(await c.get("services").crons.get(c.req.valid("param").id, requireViewer(c).userId)), 200))
  .openapi(updateCron, async (c) => {
    const m = await c.get("services").crons.update(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentCron(m), 200);
  })
  .openapi(deleteCron, async (c) => {
    await c.get("services").crons.delete(c.req.valid("param").id, requireViewer(c).userId);
    return c.body(null, 204);
  })
  .openapi(listCheckins, async (c) => {
    const r = await c.get("services").crons.checkins(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json({ data: r.rows.map(presentCheckin), ...(r.nextCursor ? { nextCursor: r.nextCursor } : {}) }, 200);
  });
