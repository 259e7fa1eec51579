import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "../projects/schema";

/** Each release a project has sent (on an error event or a transaction), with when it was first seen: a deploy marker. */
export const releases = sqliteTable(
  "releases",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    firstSeen: integer("first_seen", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.version] })],
);
