import { createRoute, z } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, json, newRouter } from "../lib/openapi";
import { ProjectIdParam } from "../projects/schemas";
import type { Breakdown } from "./breakdown";
import type { perfTransactions } from "./schema";
import { RangeQuery, RouteDetailSchema, RouteQuery, RouteRowSchema, TraceParam, TraceSchema } from "./schemas";

const security = cookieAuth;
const tags = ["Performance"];
const iso = (ms: number) => new Date(ms).toISOString();
const parts = (b: Breakdown) => ({ db: b.db, cache: b.cache, template: b.template, http: b.http, other: b.python });

const presentIndex = (t: typeof perfTransactions.$inferSelect) => ({
  eventId: t.eventId,
  traceId: t.traceId,
  transaction: t.transaction,
  start: iso(t.start),
  durationMs: Math.round(t.durationMs * 10) / 10,
  status: t.status,
  httpStatus: t.httpStatus,
  environment: t.environment,
  release: t.release,
  spanCount: t.spanCount,
  breakdown: parts(t.breakdown),
});

const listRoutes = createRoute({
  method: "get",
  path: "/projects/{id}/performance",
  tags,
  security,
  summary: "Per-route performance over a time range",
  description: "One row per transaction name (route): throughput, exact percentiles from merged histograms, failure rate, Apdex, and where the time went. Default range: the last 24 h.",
  request: { params: ProjectIdParam, query: RangeQuery },
  responses: { 200: json(z.object({ from: z.string(), to: z.string(), data: z.array(RouteRowSchema) }), "Routes"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const getRoute = createRoute({
  method: "get",
  path: "/projects/{id}/performance/route",
  tags,
  security,
  summary: "One route: percentiles and breakdown over time, its queries, its slowest requests",
  request: { params: ProjectIdParam, query: RouteQuery },
  responses: { 200: json(RouteDetailSchema, "Route"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const getTrace = createRoute({
  method: "get",
  path: "/projects/{id}/traces/{traceId}",
  tags,
  security,
  summary: "The spans of one trace, for the waterfall",
  description: "Its transactions with their spans (times relative to each transaction's start), and the error events of the same trace.",
  request: { params: TraceParam },
  responses: { 200: json(TraceSchema, "Trace"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

export const performanceRoutes = newRouter()
  .openapi(listRoutes, async (c) => {
    const r = await c.get("services").performance.routes(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json({ from: iso(r.from), to: iso(r.to), data: r.rows }, 200);
  })
  .openapi(getRoute, async (c) => {
    const r = await c.get("services").performance.route(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json(
      { ...r, from: iso(r.from), to: iso(r.to), series: r.series.map((p) => ({ ...p, t: iso(p.t) })), slowest: r.slowest.map(presentIndex) },
      200,
    );
  })
  .openapi(getTrace, async (c) => {
    const { id, traceId } = c.req.valid("param");
    const r = await c.get("services").performance.trace(id, requireViewer(c).userId, traceId);
    return c.json(
      {
        traceId: r.traceId,
        transactions: r.transactions.map(({ index, record }) => ({
          ...presentIndex(index),
          spanId: record?.spanId ?? "",
          op: record?.op ?? "",
          spans: (record?.spans ?? []).map((s) => ({
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            op: s.op,
            description: s.description,
            start: iso(s.start),
            durationMs: Math.round((s.end - s.start) * 10) / 10,
            offsetMs: Math.round((s.start - (record?.start ?? s.start)) * 10) / 10,
            status: s.status,
          })),
        })),
        errors: r.errors.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() })),
      },
      200,
    );
  });
