import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "../projects/schema";
import type { Breakdown } from "./breakdown";
import type { Histogram } from "./histogram";

export type Resolution = "minute" | "hour" | "day";

/**
 * Per route per minute (kept 2 days), per hour (kept 35 days) and per day (kept 400 days): counts, Apdex
 * classes, and mergeable histograms of the duration and of each part of it, so any range's percentiles
 * are exact merges.
 */
export const perfRollups = sqliteTable(
  "perf_rollups",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    resolution: text("resolution").$type<Resolution>().notNull(),
    start: integer("start").notNull(),
    transaction: text("transaction").notNull(),
    count: integer("count").notNull(),
    failures: integer("failures").notNull(),
    satisfied: integer("satisfied").notNull(),
    tolerating: integer("tolerating").notNull(),
    durationSum: real("duration_sum").notNull(),
    histogram: text("histogram", { mode: "json" }).$type<Histogram>().notNull(),
    partSums: text("part_sums", { mode: "json" }).$type<Breakdown>().notNull(),
    partHistograms: text("part_histograms", { mode: "json" }).$type<Record<keyof Breakdown, Histogram>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.resolution, t.start, t.transaction] }), index("perf_rollups_retention_idx").on(t.resolution, t.start)],
);

/** Queries per route per day, by normalized SQL: how many, in how many requests, how long, the slowest one. */
export const perfQueries = sqliteTable(
  "perf_queries",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    day: integer("day").notNull(),
    transaction: text("transaction").notNull(),
    hash: text("hash").notNull(),
    sql: text("sql").notNull(),
    count: integer("count").notNull(),
    requests: integer("requests").notNull(),
    totalMs: real("total_ms").notNull(),
    histogram: text("histogram", { mode: "json" }).$type<Histogram>().notNull(),
    slowestMs: real("slowest_ms").notNull(),
    slowestEventId: text("slowest_event_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.day, t.transaction, t.hash] }), index("perf_queries_day_idx").on(t.day)],
);

/** Every stored transaction (the SDK samples them): the index of the traces kept in R2. */
export const perfTransactions = sqliteTable(
  "perf_transactions",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    traceId: text("trace_id").notNull(),
    transaction: text("transaction").notNull(),
    start: integer("start").notNull(),
    durationMs: real("duration_ms").notNull(),
    status: text("status").notNull(),
    httpStatus: integer("http_status"),
    environment: text("environment"),
    release: text("release"),
    spanCount: integer("span_count").notNull(),
    breakdown: text("breakdown", { mode: "json" }).$type<Breakdown>().notNull(),
    r2Key: text("r2_key").notNull(),
    /** Counted in the rollups; a transaction whose batch failed midway is counted when the batch is retried. */
    aggregated: integer("aggregated", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.eventId] }),
    index("perf_transactions_route_duration_idx").on(t.projectId, t.transaction, t.durationMs),
    index("perf_transactions_trace_idx").on(t.projectId, t.traceId),
    index("perf_transactions_start_idx").on(t.projectId, t.start),
    index("perf_transactions_retention_idx").on(t.start),
  ],
);
