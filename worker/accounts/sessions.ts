import { and, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { newSecret, sha256Hex } from "../lib/encoding";
import { sessions, users } from "./schema";

export const SESSION_COOKIE = "vigil_session";
/** Sessions live 30 days after the last refresh. */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
/** A session used after this much of its life has passed gets a fresh expiry (sliding refresh). */
export const SESSION_REFRESH_AFTER_MS = 24 * 3600 * 1000;

export interface SessionUser {
  user: typeof users.$inferSelect;
  idHash: string;
  expiresAt: Date;
  /** True when the expiry was just pushed forward and the cookie should be re-sent. */
  refreshed: boolean;
}

export class SessionStore {
  constructor(private readonly db: Db) {}

  /** Create a session; returns the cookie value (256 random bits), which is never stored. */
  async create(userId: string, userAgent: string | undefined, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const token = newSecret();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.db.insert(sessions).values({
      idHash: await sha256Hex(token),
      userId,
      createdAt: now,
      expiresAt,
      userAgent: userAgent?.slice(0, 300) ?? null,
    });
    return { token, expiresAt };
  }

  /** Resolve a cookie value to its user, refreshing the expiry when due. Undefined when unknown or expired. */
  async resolve(token: string, now = new Date()): Promise<SessionUser | undefined> {
    const idHash = await sha256Hex(token);
    const row = await this.db
      .select({ user: users, expiresAt: sessions.expiresAt })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now)))
      .get();
    if (!row) return undefined;
    const age = SESSION_TTL_MS - (row.expiresAt.getTime() - now.getTime());
    if (age < SESSION_REFRESH_AFTER_MS) return { user: row.user, idHash, expiresAt: row.expiresAt, refreshed: false };
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.db.update(sessions).set({ expiresAt }).where(eq(sessions.idHash, idHash));
    return { user: row.user, idHash, expiresAt, refreshed: true };
  }

  async delete(idHash: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.idHash, idHash));
  }

  /** Remove expired sessions; run by the cron trigger. */
  async deleteExpired(now = new Date()): Promise<number> {
    const gone = await this.db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ idHash: sessions.idHash });
    return gone.length;
  }
}
