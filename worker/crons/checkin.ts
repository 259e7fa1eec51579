import { z } from "zod";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { ApiError } from "../lib/errors";
import { isolateAllowances } from "../ingest/allowance";
import { rateLimitHeader } from "../ingest/categories";
import type { IngestKey } from "../ingest/auth";
import type { CheckinInput } from "./machine";
import { scheduleProblem } from "./schedule";
import { cronMonitors, type Schedule } from "./schema";

type MonitorRow = typeof cronMonitors.$inferSelect;

/** The settings a job can send with its check-in (Sentry's `monitor_config`), in Vigil's words. */
export interface MonitorConfig {
  schedule: Schedule;
  timezone?: string;
  checkinMargin?: number;
  maxRuntime?: number;
  failureThreshold?: number;
  recoveryThreshold?: number;
}

/** A job's reported duration (Sentry sends seconds) in ms, when it is a believable one: 0 to 30 days. */
export function durationMsFromSeconds(value: unknown): number | null {
  const seconds = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds > 30 * 86_400) return null;
  return Math.round(seconds * 1000);
}

/** Slugs as Sentry and Healthchecks use them: lower case, digits, `-` and `_`. */
export function cronSlug(raw: string): string | null {
  const slug = raw.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
  return slug || null;
}

// The same bounds as the API's (a week of minutes).
const positive = z.coerce.number().int().min(1).max(10_080);
const SentryMonitorConfig = z.object({
  schedule: z.union([
    z.object({ type: z.literal("crontab"), value: z.string().min(9).max(100) }),
    z.object({ type: z.literal("interval"), value: z.coerce.number().int().min(1).max(10_000), unit: z.enum(["minute", "hour", "day", "week", "month"]) }),
  ]),
  checkin_margin: positive.nullish(),
  max_runtime: positive.nullish(),
  timezone: z.string().max(64).nullish(),
  failure_issue_threshold: positive.nullish(),
  recovery_threshold: positive.nullish(),
});

/** Sentry's `monitor_config` as Vigil's settings; null when absent; 400 with the reason when it is wrong. */
export function monitorConfigFromSentry(raw: unknown): MonitorConfig | null {
  if (raw === undefined || raw === null) return null;
  const parsed = SentryMonitorConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError("malformed_body", `monitor_config.${issue.path.join(".")}: ${issue.message}`);
  }
  const c = parsed.data;
  const s = c.schedule;
  // Weeks and months become days: Vigil's intervals are minutes, hours and days.
  const schedule: Schedule =
    s.type === "crontab" ? s : s.unit === "week" ? { type: "interval", value: s.value * 7, unit: "day" } : s.unit === "month" ? { type: "interval", value: s.value * 30, unit: "day" } : { type: "interval", value: s.value, unit: s.unit };
  const config: MonitorConfig = {
    schedule,
    ...(c.timezone ? { timezone: c.timezone } : {}),
    ...(c.checkin_margin ? { checkinMargin: c.checkin_margin } : {}),
    ...(c.max_runtime ? { maxRuntime: c.max_runtime } : {}),
    ...(c.failure_issue_threshold ? { failureThreshold: c.failure_issue_threshold } : {}),
    ...(c.recovery_threshold ? { recoveryThreshold: c.recovery_threshold } : {}),
  };
  const problem = scheduleProblem(config.schedule, config.timezone ?? "UTC");
  if (problem) throw new ApiError("malformed_body", `monitor_config: ${problem}`);
  return config;
}

/** A heartbeat created by its first ping (`?create=1`), as Healthchecks does: once a day, an hour of grace. */
const AUTO_CREATED: MonitorConfig = { schedule: { type: "interval", value: 1, unit: "day" }, checkinMargin: 60 };

export interface CheckinRequest {
  projectId: number;
  slug: string;
  input: Omit<CheckinInput, "checkinId"> & { checkinId?: string };
  config?: MonitorConfig | null;
  autoCreate?: boolean;
}

export type CheckinOutcome = { kind: "recorded"; monitorId: number; checkinId: string } | { kind: "unknown_monitor" } | { kind: "other_environment"; monitorId: number };

function differs(m: MonitorRow, c: MonitorConfig): boolean {
  return (
    JSON.stringify(m.schedule) !== JSON.stringify(c.schedule) ||
    (c.timezone !== undefined && c.timezone !== m.timezone) ||
    (c.checkinMargin !== undefined && c.checkinMargin !== m.checkinMargin) ||
    (c.maxRuntime !== undefined && c.maxRuntime !== m.maxRuntime) ||
    (c.failureThreshold !== undefined && c.failureThreshold !== m.failureThreshold) ||
    (c.recoveryThreshold !== undefined && c.recoveryThreshold !== m.recoveryThreshold)
  );
}

/** Cron monitors per project, however they are created (API, monitor_config, `?create=1`): a bound on one list request's work. */
export const MAX_CRONS_PER_PROJECT = 500;

/** The monitor of a slug, created or updated from the job's own config like Sentry does (or auto-created by a ping). */
async function monitorFor(db: Db, projectId: number, slug: string, config: MonitorConfig | null | undefined, autoCreate: boolean): Promise<MonitorRow | null> {
  const existing = await db.select().from(cronMonitors).where(and(eq(cronMonitors.projectId, projectId), eq(cronMonitors.slug, slug))).get();
  const now = new Date();
  if (existing) {
    if (!config || !differs(existing, config)) return existing;
    return db.update(cronMonitors).set({ ...config, updatedAt: now }).where(eq(cronMonitors.id, existing.id)).returning().get();
  }
  const settings = config ?? (autoCreate ? AUTO_CREATED : null);
  if (!settings) return null;
  // The DSN key is public (browsers see it): without this cap, pings with made-up slugs could create monitors without end.
  if ((await db.$count(cronMonitors, eq(cronMonitors.projectId, projectId))) >= MAX_CRONS_PER_PROJECT) {
    throw new ApiError("conflict", `This project already has ${MAX_CRONS_PER_PROJECT} cron monitors, the most it can have; "${slug}" was not created.`);
  }
  return db
    .insert(cronMonitors)
    .values({ projectId, slug, name: slug, ...settings, stateSince: now, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [cronMonitors.projectId, cronMonitors.slug], set: { updatedAt: now } })
    .returning()
    .get();
}

export const cronObject = (env: Env, monitorId: number) => env.CRON_MONITOR.get(env.CRON_MONITOR.idFromName(`cron:${monitorId}`));

/** Record one check-in from any of the three ways in: Sentry envelopes, Sentry's HTTP route, Healthchecks-style pings. */
export async function recordCheckin(env: Env, db: Db, req: CheckinRequest): Promise<CheckinOutcome> {
  const monitor = await monitorFor(db, req.projectId, req.slug, req.config, req.autoCreate ?? false);
  if (!monitor) return { kind: "unknown_monitor" };
  if (monitor.environment && req.input.environment && monitor.environment !== req.input.environment) return { kind: "other_environment", monitorId: monitor.id };
  const checkinId = req.input.checkinId ?? crypto.randomUUID().replaceAll("-", "");
  await cronObject(env, monitor.id).checkin(monitor.id, { ...req.input, checkinId });
  return { kind: "recorded", monitorId: monitor.id, checkinId };
}

/** Count a check-in against the project's `monitor` rate limit and quota; 429 with the wait when over. */
export async function admitCheckin(env: Env, key: IngestKey): Promise<void> {
  const result = await isolateAllowances.admit(env.INGEST_GATE, key.projectId, { monitor: 1 }, { perMinute: key.rateLimitPerMinute, monthlyQuota: key.monthlyQuota });
  if (result.accepted.length) return;
  const retryAfter = Math.max(1, ...result.limited.map((l) => l.retryAfter));
  throw new ApiError("too_many_requests", "This project sends check-ins too fast; slow down.", undefined, {
    "Retry-After": String(retryAfter),
    "X-Sentry-Rate-Limits": rateLimitHeader(result.limited),
  });
}
