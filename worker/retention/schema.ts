import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * A deleted project whose R2 objects and Durable Object storage are still being removed. Its D1 rows are gone
 * already (cascade), so this row has no foreign key: it outlives the project until the scheduled job has
 * finished what the request could not.
 */
export const deletions = sqliteTable("deletions", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  projectId: integer("project_id").notNull(),
  /** Cron monitors of the project whose objects still hold state (their rows are gone, so the ids are kept here). */
  cronIds: text("cron_ids", { mode: "json" }).$type<number[]>().notNull(),
  /** Which R2 prefix (index into `PREFIXES`) is being emptied, and where its listing stopped. */
  step: integer("step").notNull().default(0),
  cursor: text("cursor"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** Where a long R2 sweep (a walk over a whole prefix, a page per tick) stopped: the last key it looked at. */
export const sweeps = sqliteTable("sweeps", {
  name: text("name").primaryKey(),
  after: text("after").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});
