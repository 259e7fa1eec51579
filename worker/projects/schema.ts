import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { organizations } from "../orgs/schema";

export const projects = sqliteTable(
  "projects",
  {
    /** Numeric, because the Sentry DSN format requires an integer project id. */
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    platform: text("platform").$type<"django">().notNull(),
    /** Items accepted per minute per category (errors, transactions, logs …) before 429. */
    rateLimitPerMinute: integer("rate_limit_per_minute").notNull().default(60_000),
    /** Items accepted per calendar month (UTC) per category before 429. */
    monthlyQuota: integer("monthly_quota").notNull().default(10_000_000),
    /** Keep the client IP on events (`user.ip_address`). Off by default: an IP is personal data. */
    storeIp: integer("store_ip", { mode: "boolean" }).notNull().default(false),
    /** Extra field names to scrub, beyond the built-in list (password, token, secret, cookie …). */
    scrubFields: text("scrub_fields", { mode: "json" }).$type<string[]>().notNull().default([]),
    /** Apdex T: requests up to this many ms satisfy, up to 4T are tolerated, slower ones frustrate. */
    apdexThresholdMs: integer("apdex_threshold_ms").notNull().default(300),
    /** Days log lines stay in the hot store (full-text search, live tail), before they move to the R2 archive. */
    logsHotDays: integer("logs_hot_days").notNull().default(7),
    /** Days log lines are kept at all, hot and archived. */
    logsRetentionDays: integer("logs_retention_days").notNull().default(30),
    /** Days error and performance events (and their attachments) are kept; an issue goes with its last event. */
    eventsRetentionDays: integer("events_retention_days").notNull().default(90),
    /** Days the hourly uptime check history is kept (raw checks are folded into it after 48 hours). */
    checksRetentionDays: integer("checks_retention_days").notNull().default(91),
    /** Days stored transactions (the traces behind the performance pages) are kept; rollups are kept by resolution. */
    transactionsRetentionDays: integer("transactions_retention_days").notNull().default(14),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("projects_org_slug_idx").on(t.orgId, t.slug)],
);

/** DSN keys. A revoked key is kept (so old events still resolve to it) but stops authenticating. */
export const projectKeys = sqliteTable(
  "project_keys",
  {
    id: text("id").primaryKey(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** 32 hex chars, the `KEY` part of `http://KEY@host/PROJECT_ID`. */
    publicKey: text("public_key").notNull().unique(),
    label: text("label").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("project_keys_project_idx").on(t.projectId)],
);
