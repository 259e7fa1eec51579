import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** An API token reads (GET, HEAD) and, with `write`, changes things. */
export type TokenScope = "read" | "write";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Stored lower-cased and trimmed; unique. */
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /** `pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>` (Django's format). */
  passwordHash: text("password_hash").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the cookie value; the cookie itself is never stored. */
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** SHA-256 of the token; the token is shown once at creation. */
    tokenHash: text("token_hash").notNull().unique(),
    /** First characters of the token, to recognise it in a list. */
    prefix: text("prefix").notNull(),
    /** What the token may do: `["read"]` (GET and HEAD only) or `["read","write"]`. JSON text. */
    scopes: text("scopes", { mode: "json" }).$type<TokenScope[]>().notNull().default(["read", "write"]),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);
