import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

const Parts = z
  .object({ db: z.number(), cache: z.number(), template: z.number(), http: z.number(), other: z.number().openapi({ description: "Python: the time in none of the others" }) })
  .openapi("TimeBreakdown", { description: "Milliseconds per part of a request" });

const Summary = {
  count: z.number().int(),
  tpm: z.number().openapi({ description: "Transactions per minute" }),
  p50: z.number().nullable(),
  p75: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  avg: z.number().nullable(),
  failureRate: z.number().openapi({ description: "Share of requests with a status other than ok, cancelled, unknown" }),
  apdex: z.number().nullable(),
  breakdown: Parts.openapi({ description: "Average ms per part" }),
  breakdownP95: Parts.openapi({ description: "p95 ms per part" }),
};

const { breakdownP95: _p95, ...ListSummary } = Summary;
/** The routes table leaves out the p95 per part (it is on the route page): reading it is most of the list's work. */
export const RouteRowSchema = z.object({ transaction: z.string(), ...ListSummary }).openapi("RoutePerformance");

export const RangeQuery = z.object({
  from: z.string().max(40).optional().openapi({ description: "ISO 8601 or Unix seconds; default 24 h before `to`" }),
  to: z.string().max(40).optional().openapi({ description: "ISO 8601 or Unix seconds; default now" }),
});

export const RouteQuery = RangeQuery.extend({ transaction: z.string().min(1).max(200).openapi({ description: "The route, as in the routes table" }) });

export const TransactionIndexSchema = z
  .object({
    eventId: z.string(),
    traceId: z.string(),
    transaction: z.string(),
    start: isoDate,
    durationMs: z.number(),
    status: z.string(),
    httpStatus: z.number().int().nullable(),
    environment: z.string().nullable(),
    release: z.string().nullable(),
    spanCount: z.number().int(),
    breakdown: Parts,
  })
  .openapi("TransactionSummary");

export const RouteDetailSchema = z
  .object({
    transaction: z.string(),
    from: isoDate,
    to: isoDate,
    resolution: z.enum(["minute", "hour", "day"]),
    summary: z.object(Summary),
    series: z.array(z.object({ t: isoDate, ...Summary })),
    queries: z.array(
      z.object({
        hash: z.string(),
        sql: z.string().openapi({ description: "Normalized: literals and IN lists as ?" }),
        count: z.number().int(),
        perRequest: z.number(),
        totalMs: z.number(),
        p95: z.number().nullable(),
        slowestMs: z.number().nullable(),
        slowestEventId: z.string(),
      }),
    ),
    slowest: z.array(TransactionIndexSchema),
  })
  .openapi("RoutePerformanceDetail");

const SpanSchema = z.object({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  op: z.string(),
  description: z.string().nullable(),
  start: isoDate,
  durationMs: z.number(),
  offsetMs: z.number().openapi({ description: "Start relative to its transaction's start" }),
  status: z.string().nullable(),
});

export const TraceSchema = z
  .object({
    traceId: z.string(),
    transactions: z.array(TransactionIndexSchema.extend({ spanId: z.string(), op: z.string(), spans: z.array(SpanSchema) })),
    errors: z.array(z.object({ eventId: z.string(), issueId: z.number().int().nullable(), title: z.string(), level: z.string(), timestamp: isoDate })).openapi({
      description: "Error events of the same trace",
    }),
  })
  .openapi("Trace");

export const TraceParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" } }),
  traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, "A trace id is 32 hex characters.").openapi({ param: { name: "traceId", in: "path" } }),
});
