import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { DEFAULT_REGIONS, INTERVALS_SECONDS, REGIONS } from "./schema";

const RegionSchema = z.enum(REGIONS).openapi("Region", { description: "Durable Object location hint the checks run from" });
const StateSchema = z.enum(["pending", "up", "degraded", "down", "paused", "maintenance"]).openapi("MonitorState");
const ErrorClassSchema = z.enum(["dns", "connect", "tls", "timeout", "status", "keyword", "assertion", "internal"]);

const MaintenanceSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("once"), startsAt: isoDate, endsAt: isoDate, note: z.string().max(200).optional() }),
    z.strictObject({
      kind: z.literal("recurring"),
      cron: z.string().trim().min(9).max(100).openapi({ description: "When each window starts, as a crontab line", example: "0 3 * * 0" }),
      durationMinutes: z.number().int().min(1).max(24 * 60),
      timezone: z.string().max(64).default("UTC"),
      note: z.string().max(200).optional(),
    }),
  ])
  .openapi("MaintenanceWindow");

const JsonAssertionSchema = z
  .strictObject({
    path: z.string().trim().regex(/^\$(\.[^.[\]]+|\[\d+\]|\["[^"]*"\])*$/, "Write the path like $.checks.database or $.items[0].status.").max(200),
    equals: z.unknown().openapi({ description: "The JSON value expected at the path" }),
  })
  .openapi("JsonAssertion");

const statusCode = z
  .union([z.number().int().min(100).max(599), z.string().trim().toLowerCase().regex(/^([1-5]xx|[1-5]\d\d)$/, 'Use a code like 200 or a class like "2xx".')])
  .transform(String);

const monitorFields = {
  name: z.string().trim().min(1, "Give the monitor a name.").max(100),
  type: z.enum(["http", "tcp"]).default("http"),
  url: z.string().trim().min(1, "Enter the URL to check.").max(2000).openapi({ description: "http(s) URL; for `tcp`, `host:port`", example: "https://shop.example.com/health-check/" }),
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "Not a valid header name.").max(100), z.string().max(2000))
    .refine((h) => Object.keys(h).length <= 20, "At most 20 headers.")
    .default({}),
  body: z.string().max(10_000).nullable().default(null),
  expectedStatus: z.array(statusCode).max(20).default(["2xx", "3xx"]).openapi({ description: 'Accepted status codes or classes; default `["2xx","3xx"]`' }),
  keyword: z.string().min(1).max(200).nullable().default(null),
  keywordMode: z.enum(["present", "absent"]).default("present"),
  jsonAssertion: z.union([JsonAssertionSchema, z.null()]).default(null),
  maxResponseMs: z.number().int().min(1).max(60_000).nullable().default(null).openapi({ description: "Slower than this is `degraded`" }),
  followRedirects: z.boolean().default(true),
  timeoutMs: z.number().int().min(500).max(30_000).default(10_000),
  intervalSeconds: z
    .number()
    .int()
    .refine((v) => (INTERVALS_SECONDS as readonly number[]).includes(v), `Choose one of ${INTERVALS_SECONDS.join(", ")} seconds.`)
    .default(60),
  regions: z
    .array(RegionSchema)
    .min(1, "Choose at least one region.")
    .max(5)
    .refine((r) => new Set(r).size === r.length, "Each region once.")
    .default([...DEFAULT_REGIONS]),
  confirmRounds: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 2 && v <= 10), "0 (re-check at once) or 2 to 10 rounds.")
    .default(0)
    .openapi({ description: "0: a failing round is re-checked at once and must fail again; 2–10: that many failing rounds in a row" }),
  public: z.boolean().default(false).openapi({ description: "Show on the organization's public status page and badge" }),
  paused: z.boolean().default(false),
  maintenance: z.array(MaintenanceSchema).max(20).default([]),
};

export const NewMonitorBody = z.strictObject(monitorFields).openapi("NewMonitorRequest");
export type NewMonitor = z.infer<typeof NewMonitorBody>;

/** A field's schema without its default: in a PATCH, a missing field stays as it is. */
const withoutDefault = <T extends z.ZodType>(field: T): z.ZodType => (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field);

export const UpdateMonitorBody = z
  .strictObject(Object.fromEntries(Object.entries(monitorFields).map(([k, v]) => [k, withoutDefault(v).optional()])) as { [K in keyof typeof monitorFields]: z.ZodOptional<z.ZodType<z.output<(typeof monitorFields)[K]>>> })
  .openapi("UpdateMonitorRequest");

export const MonitorIdParam = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 7 }) });

const FirstErrorSchema = z.object({
  region: RegionSchema,
  errorClass: ErrorClassSchema,
  message: z.string(),
  httpStatus: z.number().int().nullable(),
  excerpt: z.string().nullable(),
});

export const CheckSchema = z
  .object({
    region: RegionSchema,
    roundAt: isoDate,
    checkedAt: isoDate,
    status: z.enum(["up", "degraded", "down"]),
    httpStatus: z.number().int().nullable(),
    latencyMs: z.number().int().nullable(),
    errorClass: ErrorClassSchema.nullable(),
    error: z.string().nullable(),
    excerpt: z.string().nullable(),
  })
  .openapi("Check");

export const IncidentSchema = z
  .object({
    id: z.number().int(),
    monitorId: z.number().int(),
    startedAt: isoDate.openapi({ description: "Time of the first failing check" }),
    confirmedAt: isoDate.openapi({ description: "When the outage was confirmed (and alerted)" }),
    endedAt: isoDate.nullable().openapi({ description: "Time of the first check that passed again; null while ongoing" }),
    durationSeconds: z.number().int(),
    failingRegions: z.array(RegionSchema),
    firstError: FirstErrorSchema,
  })
  .openapi("Incident");

const DayBarSchema = z.object({ date: z.string(), uptime: z.number().nullable(), downMs: z.number().int(), incidents: z.number().int() }).openapi("UptimeDay");

export const MonitorSchema = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    ...Object.fromEntries(Object.entries(monitorFields).map(([k, v]) => [k, v])),
    name: z.string(),
    type: z.enum(["http", "tcp"]),
    url: z.string(),
    method: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.string().nullable(),
    expectedStatus: z.array(z.string()),
    keyword: z.string().nullable(),
    keywordMode: z.enum(["present", "absent"]),
    jsonAssertion: z.object({ path: z.string(), equals: z.unknown() }).nullable(),
    maxResponseMs: z.number().int().nullable(),
    followRedirects: z.boolean(),
    timeoutMs: z.number().int(),
    intervalSeconds: z.number().int(),
    regions: z.array(RegionSchema),
    confirmRounds: z.number().int(),
    public: z.boolean(),
    paused: z.boolean(),
    maintenance: z.array(MaintenanceSchema),
    state: StateSchema,
    stateSince: isoDate,
    lastCheckAt: isoDate.nullable(),
    lastLatencyMs: z.number().int().nullable(),
    nextCheckAt: isoDate,
    openIncidentId: z.number().int().nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi("Monitor");

export const MonitorListItemSchema = MonitorSchema.extend({
  uptime24h: z.number().nullable(),
  sparkline: z.array(z.object({ t: isoDate, ms: z.number().nullable() })).openapi({ description: "Average response time per 30 minutes over the last 24 h" }),
  bars: z.array(DayBarSchema).openapi({ description: "Uptime per UTC day over the last 90 days, oldest first" }),
}).openapi("MonitorListItem");

export const MonitorDetailSchema = MonitorSchema.extend({
  uptime: z.object({ "24h": z.number().nullable(), "7d": z.number().nullable(), "30d": z.number().nullable(), "90d": z.number().nullable() }),
  bars: z.array(DayBarSchema),
  openIncident: z.union([IncidentSchema, z.null()]),
  recentFailures: z.array(CheckSchema).openapi({ description: "The last failing checks, newest first, with the response excerpt" }),
  gaps: z.array(z.object({ from: isoDate, to: isoDate })).openapi({ description: "Times in the last 90 days Vigil did not check (not counted as up or down)" }),
}).openapi("MonitorDetail");

const timeParam = z
  .string()
  .max(40)
  .optional()
  .openapi({ description: "ISO 8601 or Unix seconds" });

export const ChecksQuery = z.object({
  from: timeParam,
  to: timeParam,
  region: RegionSchema.optional(),
  status: z.enum(["up", "degraded", "down"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(200).optional(),
});

export const ResponseTimesQuery = z.object({ from: timeParam, to: timeParam });

export const ResponseTimesSchema = z
  .object({
    from: isoDate,
    to: isoDate,
    bucketSeconds: z.number().int(),
    source: z.enum(["checks", "hourly"]).openapi({ description: "`checks`: per region, when the range is inside the 48 h of raw checks; `hourly`: one line for all regions per hour (rollups, and recent checks folded the same way)" }),
    series: z.array(
      z.object({
        region: z.union([RegionSchema, z.literal("all")]),
        points: z.array(z.object({ t: isoDate, avgMs: z.number().nullable(), p95Ms: z.number().nullable(), failures: z.number().int(), checks: z.number().int() })),
      }),
    ),
  })
  .openapi("ResponseTimes");

export const TestMonitorResultSchema = z
  .object({ data: z.array(CheckSchema.omit({ roundAt: true })) })
  .openapi("MonitorTestResult");
