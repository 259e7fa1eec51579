import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { LogLevelSchema } from "../logs/schemas";

const Band = z.object({ from: isoDate, to: isoDate.nullable().openapi({ description: "Null while it lasts" }) });

export const TimelineQuery = z.object({
  from: z.string().max(40).optional().openapi({ description: "ISO 8601 or Unix seconds; default 24 h before `to`" }),
  to: z.string().max(40).optional().openapi({ description: "ISO 8601 or Unix seconds; default now" }),
});

export const TimelineSchema = z
  .object({
    from: isoDate,
    to: isoDate,
    bucketSeconds: z.number().int().openapi({ description: "Width of each bucket of the per-bucket series: 60–120 buckets over the range" }),
    buckets: z.array(isoDate).openapi({ description: "Start of each bucket; every per-bucket array below has one value per bucket" }),
    monitors: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        url: z.string(),
        incidents: z.array(Band.extend({ id: z.number().int(), regions: z.array(z.string()), cause: z.string() })).openapi({ description: "Confirmed outages overlapping the range" }),
        regions: z
          .array(z.object({ region: z.string(), failing: z.array(Band) }))
          .openapi({ description: "Per region: runs of failing checks (raw checks are kept 48 h; older ranges show incidents only)" }),
      }),
    ),
    crons: z.array(
      z.object({
        id: z.number().int(),
        slug: z.string(),
        name: z.string(),
        runs: z.array(z.object({ id: z.string(), at: isoDate, status: z.string(), durationMs: z.number().int().nullable() })),
      }),
    ),
    errors: z.object({
      total: z.array(z.number().int()).openapi({ description: "Error events per bucket" }),
      issues: z
        .array(z.object({ id: z.number().int(), title: z.string(), level: z.string(), counts: z.array(z.number().int()) }))
        .openapi({ description: "The busiest issues of the range (up to 5), events per bucket" }),
      marks: z
        .array(z.object({ at: isoDate, kind: z.enum(["new", "regressed"]), issueId: z.number().int(), title: z.string() }))
        .openapi({ description: "Issues first seen, or regressed, in the range" }),
    }),
    logs: z.object({
      counts: z.array(z.partialRecord(LogLevelSchema, z.number().int())).openapi({ description: "Log lines per bucket, per level" }),
    }),
    requests: z.object({
      count: z.array(z.number().int()).openapi({ description: "Transactions per bucket" }),
      failures: z.array(z.number().int()),
      p95: z.array(z.number().nullable()).openapi({ description: "p95 duration (ms) per bucket, all routes; for ranges over 6 h, the p95 of the hour the bucket is in" }),
      slowest: z
        .array(z.string().nullable())
        .openapi({ description: "Trace id of the slowest stored transaction per bucket; for ranges up to 6 h (longer ones: all null, zoom in)" }),
    }),
    releases: z.array(z.object({ version: z.string(), firstSeen: isoDate })).openapi({ description: "Releases first seen in the range" }),
  })
  .openapi("Timeline");

export const ReleaseSchema = z
  .object({
    version: z.string(),
    firstSeen: isoDate,
    newIssues: z.number().int().openapi({ description: "Issues first seen in this release" }),
  })
  .openapi("Release");

export const ReleaseParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 42 }),
  version: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "version", in: "path" }, example: "shop@1.4.2" }),
});

const Window = z.object({ count: z.number().int(), p50: z.number().nullable(), p95: z.number().nullable(), failureRate: z.number().nullable() });

export const ReleaseDetailSchema = ReleaseSchema.extend({
  issues: z.array(z.object({ id: z.number().int(), title: z.string(), level: z.string(), count: z.number().int(), firstSeen: isoDate })),
  performance: z
    .object({ before: Window, after: Window })
    .openapi({ description: "All routes, the 24 h before the release was first seen and the 24 h after (up to now)" }),
  routes: z
    .array(z.object({ transaction: z.string(), before: Window, after: Window }))
    .openapi({ description: "The busiest routes (up to 10), before and after" }),
}).openapi("ReleaseDetail");
