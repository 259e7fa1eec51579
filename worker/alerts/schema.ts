import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { organizations } from "../orgs/schema";
import { projects } from "../projects/schema";

export type ChannelType = "slack" | "webhook" | "email";

export const ALERT_TYPES = [
  "issue.new",
  "issue.regressed",
  "issue.frequency",
  "monitor.down",
  "monitor.up",
  "cron.missed",
  "cron.failed",
  "cron.timeout",
  "cron.recovered",
  "logs.threshold",
  "performance.issue",
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Where alerts go: a Slack incoming webhook, a signed webhook, or an email address. One set per organization. */
export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    type: text("type").$type<ChannelType>().notNull(),
    name: text("name").notNull(),
    url: text("url"),
    email: text("email"),
    /** `whsec_…` signing secret of a webhook channel; shown once, kept to sign deliveries. */
    secret: text("secret"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("channels_org_idx").on(t.orgId)],
);

/** Which alert types of a project go to which channels, optionally only for one environment or level and up. */
export const alertRules = sqliteTable(
  "alert_rules",
  {
    id: text("id").primaryKey(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    events: text("events", { mode: "json" }).$type<AlertType[]>().notNull(),
    channelIds: text("channel_ids", { mode: "json" }).$type<string[]>().notNull(),
    environment: text("environment"),
    /** Only issues at this level or worse (fatal > error > warning > info > debug). */
    minLevel: text("min_level").$type<"fatal" | "error" | "warning" | "info" | "debug">(),
    /** issue.frequency: more than `frequencyCount` events in `frequencyMinutes` minutes. */
    frequencyCount: integer("frequency_count"),
    frequencyMinutes: integer("frequency_minutes"),
    /** logs.threshold: the log search counted (more than `frequencyCount` matching lines in `frequencyMinutes`). */
    logQuery: text("log_query"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("alert_rules_project_idx").on(t.projectId)],
);

export type DeliveryStatus = "pending" | "sent" | "failed";

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  latencyMs: number;
  error?: string;
}

/** The delivery log: one row per alert sent (or tried) to one channel, with every attempt. */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Null for test alerts, which belong to the organization and show in every project's log. */
    projectId: integer("project_id").references(() => projects.id, { onDelete: "cascade" }),
    ruleId: text("rule_id"),
    /** Null once the channel is deleted; its name and type stay below, so the history stays readable. */
    channelId: text("channel_id").references(() => channels.id, { onDelete: "set null" }),
    channelName: text("channel_name").notNull(),
    channelType: text("channel_type").$type<ChannelType>().notNull(),
    type: text("type").$type<AlertType | "test">().notNull(),
    alertKey: text("alert_key").notNull(),
    summary: text("summary").notNull(),
    url: text("url").notNull(),
    status: text("status").$type<DeliveryStatus>().notNull(),
    attempts: text("attempts", { mode: "json" }).$type<DeliveryAttempt[]>().notNull(),
    /** Repeats of the same alert held back by deduplication since this one was sent. */
    suppressed: integer("suppressed").notNull().default(0),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("alerts_project_created_idx").on(t.projectId, t.createdAt), index("alerts_org_created_idx").on(t.orgId, t.createdAt)],
);
