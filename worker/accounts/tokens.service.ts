import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { newId, newSecret, sha256Hex } from "../lib/encoding";
import { notFound } from "../lib/errors";
import { apiTokens, users, type TokenScope } from "./schema";

export const TOKEN_PREFIX = "vgl_";

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

const columns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  scopes: apiTokens.scopes,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
};

/** API tokens for scripts: `Authorization: Bearer vgl_...`. Stored hashed, shown once. */
export class TokenService {
  constructor(private readonly db: Db) {}

  async list(userId: string): Promise<ApiTokenView[]> {
    return this.db.select(columns).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt)).all();
  }

  async create(userId: string, name: string, scopes: TokenScope[] = ["read", "write"]): Promise<ApiTokenView & { token: string }> {
    const token = TOKEN_PREFIX + newSecret();
    const row = {
      id: newId(),
      userId,
      name,
      tokenHash: await sha256Hex(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      scopes,
      createdAt: new Date(),
      lastUsedAt: null,
    };
    await this.db.insert(apiTokens).values(row);
    return { id: row.id, name, prefix: row.prefix, scopes, createdAt: row.createdAt, lastUsedAt: null, token };
  }

  async revoke(userId: string, id: string): Promise<void> {
    const gone = await this.db
      .delete(apiTokens)
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)))
      .returning({ id: apiTokens.id });
    if (gone.length === 0) throw notFound("API token");
  }

  /**
   * The user a bearer token belongs to and what it may do, or undefined (unknown or revoked: a revoked
   * token's row is gone, so it fails from the next request on). Records when it was last used (at most once a minute).
   */
  async authenticate(token: string, now = new Date()) {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.db
      .select({ user: users, tokenId: apiTokens.id, scopes: apiTokens.scopes, lastUsedAt: apiTokens.lastUsedAt })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.tokenHash, await sha256Hex(token)))
      .get();
    if (!row) return undefined;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
      await this.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
    }
    return { user: row.user, scopes: row.scopes };
  }
}
