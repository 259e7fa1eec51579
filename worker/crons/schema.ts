import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { projects } from "../projects/schema";

export type Schedule = { type: "crontab"; value: string } | { type: "interval"; value: number; unit: "minute" | "hour" | "day" };

/** What the list shows. `new`: no check-in yet, so nothing is expected. */
export type CronState = "new" | "ok" | "late" | "missed" | "in_progress" | "timeout" | "error" | "paused";

/** One run's outcome. `missed`: no check-in by the deadline; `unknown`: missed while Vigil itself received almost nothing. */
export type CheckinStatus = "in_progress" | "ok" | "error" | "missed" | "timeout" | "unknown";
export type CheckinSource = "sentry" | "http" | "ping" | "vigil";

/** A cron or heartbeat monitor: when a job should run, and what happened when it did (or did not). */
export const cronMonitors = sqliteTable(
  "cron_monitors",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    schedule: text("schedule", { mode: "json" }).$type<Schedule>().notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    /** Minutes after the expected time before a run counts as missed (Sentry's `checkin_margin`). */
    checkinMargin: integer("checkin_margin").notNull().default(1),
    /** Minutes a started run may take before it counts as timed out (Sentry's `max_runtime`). */
    maxRuntime: integer("max_runtime").notNull().default(30),
    /** Failures in a row before alerting, and successes in a row before `cron.recovered`. */
    failureThreshold: integer("failure_threshold").notNull().default(1),
    recoveryThreshold: integer("recovery_threshold").notNull().default(1),
    /** Only check-ins of this environment count, when set. */
    environment: text("environment"),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    state: text("state").$type<CronState>().notNull().default("new"),
    stateSince: integer("state_since", { mode: "timestamp_ms" }).notNull(),
    lastCheckinAt: integer("last_checkin_at", { mode: "timestamp_ms" }),
    lastDurationMs: integer("last_duration_ms"),
    /** When the next run should start (null until the first check-in). */
    nextExpectedAt: integer("next_expected_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("cron_monitors_project_slug_idx").on(t.projectId, t.slug)],
);

/** One run (or a missed one): from its start check-in to its finish, with the job's output when it was pinged with a body. */
export const cronCheckins = sqliteTable(
  "cron_checkins",
  {
    id: text("id").primaryKey(),
    monitorId: integer("monitor_id")
      .notNull()
      .references(() => cronMonitors.id, { onDelete: "cascade" }),
    status: text("status").$type<CheckinStatus>().notNull(),
    /** The run id that pairs a start with its finish (`?rid=` or Sentry's `check_in_id`). */
    runId: text("run_id"),
    source: text("source").$type<CheckinSource>().notNull(),
    environment: text("environment"),
    /** When the run started (or, for a missed run, when it was expected). */
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    durationMs: integer("duration_ms"),
    exitCode: integer("exit_code"),
    /** The job's output as pinged (truncated). */
    log: text("log"),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("cron_checkins_monitor_started_idx").on(t.monitorId, t.startedAt), index("cron_checkins_received_idx").on(t.receivedAt)],
);

/**
 * Check-in ids come from clients (Sentry's `check_in_id`, `?rid=`) or from the schedule (`missed-<time>`), so two
 * monitors can use the same one — the same schedule missing at the same minute, or one project reusing another's
 * id. Stored with the monitor's id in front they never meet; the API shows them without it.
 */
export const storedCheckinId = (monitorId: number, id: string) => `${monitorId}:${id}`;
export const publicCheckinId = (stored: string) => stored.slice(stored.indexOf(":") + 1);
