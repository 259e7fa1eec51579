import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

const ScheduleSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("crontab"), value: z.string().trim().min(9, "Write a crontab line such as 0 3 * * *.").max(100) }),
    z.strictObject({ type: z.literal("interval"), value: z.number().int().min(1).max(10_000), unit: z.enum(["minute", "hour", "day"]) }),
  ])
  .openapi("CronSchedule", { description: 'A crontab line (`{"type":"crontab","value":"0 3 * * *"}`) or an interval (`{"type":"interval","value":6,"unit":"hour"}`)' });

const StateSchema = z.enum(["new", "ok", "late", "missed", "in_progress", "timeout", "error", "paused"]).openapi("CronState");
const CheckinStatusSchema = z.enum(["in_progress", "ok", "error", "missed", "timeout", "unknown"]);

const cronFields = {
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "Use lower-case letters, digits, - and _ (at most 64).")
    .openapi({ description: "Used in the ping URL and as Sentry's monitor_slug", example: "nightly-report" }),
  name: z.string().trim().min(1).max(100).optional(),
  schedule: ScheduleSchema,
  timezone: z.string().max(64).default("UTC").openapi({ description: "IANA timezone of a crontab schedule", example: "Europe/Paris" }),
  checkinMargin: z.number().int().min(1).max(10_080).default(1).openapi({ description: "Minutes after the expected time before a run counts as missed" }),
  maxRuntime: z.number().int().min(1).max(10_080).default(30).openapi({ description: "Minutes a started run may take before it counts as timed out" }),
  failureThreshold: z.number().int().min(1).max(100).default(1).openapi({ description: "Failures in a row before alerting" }),
  recoveryThreshold: z.number().int().min(1).max(100).default(1).openapi({ description: "Successes in a row before `cron.recovered`" }),
  environment: z.string().trim().min(1).max(64).nullable().default(null).openapi({ description: "Only check-ins of this environment count" }),
  paused: z.boolean().default(false),
};

export const NewCronBody = z.strictObject(cronFields).openapi("NewCronRequest");
export type NewCron = z.infer<typeof NewCronBody>;

const unwrapDefault = (field: z.ZodType): z.ZodType => (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field);
export const UpdateCronBody = z
  .strictObject(Object.fromEntries(Object.entries(cronFields).map(([k, v]) => [k, unwrapDefault(v).optional()])) as { [K in keyof typeof cronFields]: z.ZodOptional<z.ZodType<z.output<(typeof cronFields)[K]>>> })
  .openapi("UpdateCronRequest");

export const CronIdParam = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: "id", in: "path" }, example: 3 }) });

export const CheckinSchema = z
  .object({
    id: z.string(),
    status: CheckinStatusSchema,
    runId: z.string().nullable(),
    source: z.enum(["sentry", "http", "ping", "vigil"]).openapi({ description: "How the run checked in; `vigil`: a missed run, recorded by Vigil itself" }),
    environment: z.string().nullable(),
    startedAt: isoDate.openapi({ description: "When the run started; for a missed run, when it was expected" }),
    finishedAt: isoDate.nullable(),
    durationMs: z.number().int().nullable(),
    exitCode: z.number().int().nullable(),
    log: z.string().nullable().openapi({ description: "The job's output, as pinged (at most 10,000 characters)" }),
    receivedAt: isoDate,
  })
  .openapi("CronCheckin");

export const CronSchema = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    slug: z.string(),
    name: z.string(),
    schedule: ScheduleSchema,
    scheduleText: z.string().openapi({ example: "every day at 03:00 Europe/Paris" }),
    timezone: z.string(),
    checkinMargin: z.number().int(),
    maxRuntime: z.number().int(),
    failureThreshold: z.number().int(),
    recoveryThreshold: z.number().int(),
    environment: z.string().nullable(),
    paused: z.boolean(),
    state: StateSchema,
    stateSince: isoDate,
    lastCheckinAt: isoDate.nullable(),
    lastDurationMs: z.number().int().nullable(),
    nextExpectedAt: isoDate.nullable(),
    pingUrl: z.string().openapi({ description: "Healthchecks-style ping URL with the project's first DSN key; empty when the project has none" }),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi("Cron");

export const CronListItemSchema = CronSchema.extend({
  recent: z.array(CheckinSchema.pick({ id: true, status: true, startedAt: true, durationMs: true })).openapi({ description: "The last 20 runs, oldest first" }),
}).openapi("CronListItem");

export const CheckinsQuery = z.object({
  status: CheckinStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});
