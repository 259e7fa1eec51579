import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { projects } from "../projects/schema";

export type IssueStatus = "unresolved" | "resolved" | "ignored";
/** Why an unresolved issue is shown as it is: first seen, back after being resolved, or back after being ignored. */
export type IssueSubstatus = "new" | "ongoing" | "regressed" | "unignored";
export type Level = "fatal" | "error" | "warning" | "info" | "debug";

/** Events grouped by their grouping hash. */
export const issues = sqliteTable(
  "issues",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    kind: text("kind").$type<"error" | "performance">().notNull().default("error"),
    hash: text("hash").notNull(),
    /** Which grouping rule made the hash, with its version: `v1:fingerprint`, `v1:exception`, `v1:message`. */
    groupingAlgorithm: text("grouping_algorithm").notNull(),
    title: text("title").notNull(),
    culprit: text("culprit").notNull(),
    type: text("type").notNull(),
    value: text("value").notNull(),
    level: text("level").$type<Level>().notNull(),
    status: text("status").$type<IssueStatus>().notNull().default("unresolved"),
    substatus: text("substatus").$type<IssueSubstatus>().notNull().default("new"),
    /** Resolved "in the next release": events from this release (or none) do not reopen the issue. */
    resolvedInRelease: text("resolved_in_release"),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    ignoredUntil: integer("ignored_until", { mode: "timestamp_ms" }),
    /** Ignored until this many more events arrive: the event count at which it reopens. */
    ignoredUntilCount: integer("ignored_until_count"),
    firstSeen: integer("first_seen", { mode: "timestamp_ms" }).notNull(),
    lastSeen: integer("last_seen", { mode: "timestamp_ms" }).notNull(),
    /** When the issue last came back after being resolved (a regression), for the timeline's markers. */
    regressedAt: integer("regressed_at", { mode: "timestamp_ms" }),
    firstRelease: text("first_release"),
    lastRelease: text("last_release"),
    count: integer("count").notNull().default(0),
    userCount: integer("user_count").notNull().default(0),
  },
  (t) => [
    uniqueIndex("issues_project_hash_idx").on(t.projectId, t.hash),
    index("issues_project_last_seen_idx").on(t.projectId, t.lastSeen),
  ],
);

/** One row per stored event; the full event lives in R2 at `r2Key`. */
export const events = sqliteTable(
  "events",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    issueId: integer("issue_id").references(() => issues.id, { onDelete: "cascade" }),
    timestamp: integer("timestamp", { mode: "timestamp_ms" }).notNull(),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
    level: text("level").$type<Level>().notNull(),
    title: text("title").notNull(),
    release: text("release"),
    environment: text("environment"),
    userLabel: text("user_label"),
    url: text("url"),
    r2Key: text("r2_key").notNull(),
    /** The trace the event happened in (`contexts.trace.trace_id`): links it to the request's waterfall and logs. */
    traceId: text("trace_id"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.eventId] }),
    index("events_issue_time_idx").on(t.issueId, t.timestamp),
    index("events_trace_idx").on(t.projectId, t.traceId),
    index("events_project_time_idx").on(t.projectId, t.timestamp),
  ],
);

/** Events per issue per hour, for histograms and sparklines. */
export const issueHourly = sqliteTable(
  "issue_hourly",
  {
    issueId: integer("issue_id")
      .notNull()
      .references(() => issues.id, { onDelete: "cascade" }),
    /** Epoch hour: floor(ms / 3,600,000). */
    hour: integer("hour").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.hour] })],
);

/** Distinct users per issue (a hash of id, email, username or IP), for "users affected". */
export const issueUsers = sqliteTable(
  "issue_users",
  {
    issueId: integer("issue_id")
      .notNull()
      .references(() => issues.id, { onDelete: "cascade" }),
    userHash: text("user_hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.userHash] })],
);

/** Tag value counts per issue (browser, os, release, environment, server, url …). */
export const issueTags = sqliteTable(
  "issue_tags",
  {
    issueId: integer("issue_id")
      .notNull()
      .references(() => issues.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    value: text("value").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.key, t.value] })],
);
