import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { LEVELS } from "./model";

export const LogLevelSchema = z.enum(LEVELS).openapi("LogLevel");

const AttributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);

export const LogLineSchema = z
  .object({
    id: z.string().openapi({ description: "Orders lines by time; also the paging cursor", example: "3548323479552001234" }),
    timestamp: z.string().openapi({ description: "RFC 3339 with nanoseconds", example: "2026-11-24T01:48:25.123456789Z" }),
    level: LogLevelSchema,
    severity: z.number().int().openapi({ description: "OpenTelemetry severity number, 1–24" }),
    severityText: z.string().openapi({ description: "The severity as the sender wrote it" }),
    body: z.string(),
    logger: z.string().nullable(),
    service: z.string().nullable(),
    host: z.string().nullable(),
    source: z.string().nullable(),
    traceId: z.string().nullable(),
    spanId: z.string().nullable(),
    attributes: z.record(z.string(), AttributeValue),
  })
  .openapi("LogLine");

const range = {
  from: z.string().max(40).optional().openapi({ description: "ISO 8601 or Unix seconds; default 24 h before `to`" }),
  to: z.string().max(40).optional().openapi({ description: "ISO 8601 or Unix seconds; default now" }),
};

const q = z
  .string()
  .max(1000)
  .optional()
  .openapi({
    description:
      'Words, "quoted phrases", prefix*, level:error (or warn+), logger:, service:, host:, source: (exact, or prefix*), trace:, span:, attr.key:value; a leading - excludes. All terms must match.',
    example: 'level:error+ logger:django.* -"health check"',
  });

export const LogSearchQuery = z.object({
  q,
  level: z.string().max(100).optional().openapi({ description: "Comma-separated levels, e.g. `warn,error,fatal` (same as level: in q)" }),
  logger: z.string().max(256).optional(),
  service: z.string().max(256).optional(),
  host: z.string().max(256).optional(),
  trace_id: z.string().max(64).optional(),
  ...range,
  cursor: z.string().regex(/^\d{1,17}$/, "cursor: use the nextCursor of the previous page.").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const LogSearchSchema = z
  .object({
    from: isoDate,
    to: isoDate,
    data: z.array(LogLineSchema),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for older lines; null when there are none" }),
    archive: z.object({
      chunksScanned: z.number().int().openapi({ description: "Archived chunks (lines past the hot window) read for this page" }),
      stoppedAt: isoDate.nullable().openapi({ description: "The search stopped at its budget here; the cursor continues from it" }),
    }),
  })
  .openapi("LogSearch");

export const LogHistogramQuery = z.object({ q, level: LogSearchQuery.shape.level, ...range });

export const LogHistogramSchema = z
  .object({
    from: isoDate,
    to: isoDate,
    bucketSeconds: z.number().int(),
    buckets: z.array(z.object({ t: isoDate, counts: z.partialRecord(LogLevelSchema, z.number().int()) })),
    partial: z.boolean().openapi({ description: "True when some archived lines could not be counted for a text search" }),
  })
  .openapi("LogHistogram");

export const LineParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 42 }),
  lineId: z
    .string()
    .regex(/^\d{1,17}$/, "Log line ids are numbers.")
    .openapi({ param: { name: "lineId", in: "path" } }),
});

export const ContextQuery = z.object({
  before: z.coerce.number().int().min(0).max(200).default(25),
  after: z.coerce.number().int().min(0).max(200).default(25),
});

export const LogContextSchema = z
  .object({ line: LogLineSchema, before: z.array(LogLineSchema), after: z.array(LogLineSchema) })
  .openapi("LogContext", { description: "Lines before and after one, from the same service, host and source (within an hour)" });

export const TailQuery = z.object({ q });

export const SavedSearchSchema = z
  .object({ id: z.string(), name: z.string(), query: z.string(), createdAt: isoDate })
  .openapi("SavedSearch");

export const NewSavedSearchBody = z
  .strictObject({
    name: z.string().trim().min(1, "Give the search a name.").max(100),
    query: z.string().trim().min(1, "Save a search with something in it.").max(1000),
  })
  .openapi("NewSavedSearchRequest");

export const SavedSearchParam = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 42 }),
  searchId: z
    .string()
    .max(40)
    .openapi({ param: { name: "searchId", in: "path" } }),
});
