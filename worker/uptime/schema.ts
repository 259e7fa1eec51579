import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "../projects/schema";

/** Durable Object location hints a probe can run from. */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof REGIONS)[number];
export const DEFAULT_REGIONS: Region[] = ["wnam", "weur", "apac"];
export const INTERVALS_SECONDS = [60, 120, 300, 600, 1800, 3600] as const;

export type MonitorType = "http" | "tcp";
/** What the list shows. `pending`: created, not checked yet. */
export type MonitorState = "pending" | "up" | "degraded" | "down" | "paused" | "maintenance";
/** Why a check failed. */
export type ErrorClass = "dns" | "connect" | "tls" | "timeout" | "status" | "keyword" | "assertion" | "internal";
/** One region's verdict on one check. */
export type CheckStatus = "up" | "degraded" | "down";

export interface JsonAssertion {
  /** `$.checks.database` style path into the JSON body. */
  path: string;
  /** The value found there must equal this (compared as JSON). */
  equals: unknown;
}

/** A one-off window (`startsAt`..`endsAt`) or a recurring one (`cron` in `timezone`, lasting `durationMinutes`). */
export type MaintenanceWindow =
  | { kind: "once"; startsAt: string; endsAt: string; note?: string }
  | { kind: "recurring"; cron: string; durationMinutes: number; timezone: string; note?: string };

/** An uptime monitor: what to check, how often, from where, and its current state. */
export const monitors = sqliteTable(
  "monitors",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type").$type<MonitorType>().notNull(),
    /** http(s) URL, or `host:port` for TCP. */
    url: text("url").notNull(),
    method: text("method").notNull().default("GET"),
    headers: text("headers", { mode: "json" }).$type<Record<string, string>>().notNull(),
    body: text("body"),
    /** Accepted status codes; `["2xx","3xx"]` style classes or exact codes. */
    expectedStatus: text("expected_status", { mode: "json" }).$type<string[]>().notNull(),
    keyword: text("keyword"),
    keywordMode: text("keyword_mode").$type<"present" | "absent">().notNull().default("present"),
    jsonAssertion: text("json_assertion", { mode: "json" }).$type<JsonAssertion | null>(),
    /** Slower than this (ms) is `degraded`. */
    maxResponseMs: integer("max_response_ms"),
    followRedirects: integer("follow_redirects", { mode: "boolean" }).notNull().default(true),
    timeoutMs: integer("timeout_ms").notNull(),
    intervalSeconds: integer("interval_seconds").notNull(),
    regions: text("regions", { mode: "json" }).$type<Region[]>().notNull(),
    /** 0: a failing round is re-checked at once and down only if the re-check fails too; N ≥ 2: N failing rounds in a row. */
    confirmRounds: integer("confirm_rounds").notNull().default(0),
    public: integer("public", { mode: "boolean" }).notNull().default(false),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    maintenance: text("maintenance", { mode: "json" }).$type<MaintenanceWindow[]>().notNull(),
    state: text("state").$type<MonitorState>().notNull().default("pending"),
    stateSince: integer("state_since", { mode: "timestamp_ms" }).notNull(),
    /** Failing rounds in a row not yet confirmed as an outage, and the time of the first failing check. */
    failStreak: integer("fail_streak").notNull().default(0),
    suspectSince: integer("suspect_since", { mode: "timestamp_ms" }),
    suspectError: text("suspect_error", { mode: "json" }).$type<FirstError | null>(),
    openIncidentId: integer("open_incident_id"),
    lastCheckAt: integer("last_check_at", { mode: "timestamp_ms" }),
    lastLatencyMs: integer("last_latency_ms"),
    nextCheckAt: integer("next_check_at", { mode: "timestamp_ms" }).notNull(),
    /** A round holds the monitor until this time; a round that dies leaves it to be picked up again. */
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("monitors_project_idx").on(t.projectId), index("monitors_due_idx").on(t.paused, t.nextCheckAt)],
);

/** One region's result of one check; kept for a bounded window, then folded into `monitor_hourly`. */
export const monitorChecks = sqliteTable(
  "monitor_checks",
  {
    id: text("id").primaryKey(),
    monitorId: integer("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    /** The scheduled time of the round; a confirmation re-check has its own round time. */
    roundAt: integer("round_at", { mode: "timestamp_ms" }).notNull(),
    region: text("region").$type<Region>().notNull(),
    status: text("status").$type<CheckStatus>().notNull(),
    httpStatus: integer("http_status"),
    latencyMs: integer("latency_ms"),
    errorClass: text("error_class").$type<ErrorClass>(),
    error: text("error"),
    /** The first bytes of a failing response body. */
    excerpt: text("excerpt"),
    checkedAt: integer("checked_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("monitor_checks_monitor_time_idx").on(t.monitorId, t.checkedAt), index("monitor_checks_time_idx").on(t.checkedAt)],
);

/** Per monitor per hour: what is left of the raw checks after the raw window. */
export const monitorHourly = sqliteTable(
  "monitor_hourly",
  {
    monitorId: integer("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    hour: integer("hour", { mode: "timestamp_ms" }).notNull(),
    checks: integer("checks").notNull(),
    failures: integer("failures").notNull(),
    degraded: integer("degraded").notNull(),
    minMs: integer("min_ms"),
    avgMs: real("avg_ms"),
    p95Ms: integer("p95_ms"),
  },
  (t) => [primaryKey({ columns: [t.monitorId, t.hour] })],
);

export interface FirstError {
  region: Region;
  errorClass: ErrorClass;
  message: string;
  httpStatus: number | null;
  excerpt: string | null;
}

/** A confirmed outage: from the first failing check to the first check that passed again. */
export const incidents = sqliteTable(
  "monitor_incidents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    monitorId: integer("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }).notNull(),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
    failingRegions: text("failing_regions", { mode: "json" }).$type<Region[]>().notNull(),
    firstError: text("first_error", { mode: "json" }).$type<FirstError>().notNull(),
  },
  (t) => [index("monitor_incidents_monitor_idx").on(t.monitorId, t.startedAt), index("monitor_incidents_project_idx").on(t.projectId, t.startedAt)],
);

/** Time Vigil itself did not check a monitor (no round ran): recorded, shown, and not counted as up or down. */
export const monitorGaps = sqliteTable(
  "monitor_gaps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    monitorId: integer("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    from: integer("from", { mode: "timestamp_ms" }).notNull(),
    to: integer("to", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("monitor_gaps_monitor_idx").on(t.monitorId, t.from)],
);
