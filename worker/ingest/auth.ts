import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { ApiError } from "../lib/errors";
import { projectKeys, projects } from "../projects/schema";

/** Where an ingest request's public key came from, per Sentry's conventions. */
export function keyFromRequest(req: Request): string | undefined {
  const auth = req.headers.get("x-sentry-auth") ?? req.headers.get("authorization") ?? "";
  const sentry = /^\s*sentry\s+(.*)$/i.exec(auth);
  if (sentry) {
    for (const pair of sentry[1]!.split(",")) {
      const [k, v] = pair.split("=").map((s) => s.trim());
      if (k === "sentry_key" && v) return v;
    }
  }
  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(auth);
  if (bearer) return bearer[1];
  return new URL(req.url).searchParams.get("sentry_key") ?? undefined;
}

/** The key inside an envelope header's `dsn` (`scheme://KEY@host/ID`). */
export function keyFromDsn(dsn: unknown): string | undefined {
  if (typeof dsn !== "string") return undefined;
  try {
    return new URL(dsn).username || undefined;
  } catch {
    return undefined;
  }
}

export interface IngestKey {
  keyId: string;
  projectId: number;
  revoked: boolean;
  rateLimitPerMinute: number;
  monthlyQuota: number;
}

const TTL_MS = 60_000;
const MISS_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;
const cache = new Map<string, { value: IngestKey | null; expires: number }>();

/**
 * Look a public key up, cached in this isolate for a minute (ten seconds for unknown keys) so the accept
 * path does not read D1 on every request. Revoking a key therefore takes up to a minute everywhere.
 */
export async function lookupKey(db: Db, publicKey: string, now = Date.now()): Promise<IngestKey | null> {
  const hit = cache.get(publicKey);
  if (hit && hit.expires > now) return hit.value;
  const row = await db
    .select({
      keyId: projectKeys.id,
      projectId: projectKeys.projectId,
      revokedAt: projectKeys.revokedAt,
      rateLimitPerMinute: projects.rateLimitPerMinute,
      monthlyQuota: projects.monthlyQuota,
    })
    .from(projectKeys)
    .innerJoin(projects, eq(projects.id, projectKeys.projectId))
    .where(and(eq(projectKeys.publicKey, publicKey)))
    .get();
  const value = row
    ? { keyId: row.keyId, projectId: row.projectId, revoked: row.revokedAt !== null, rateLimitPerMinute: row.rateLimitPerMinute, monthlyQuota: row.monthlyQuota }
    : null;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(publicKey, { value, expires: now + (value ? TTL_MS : MISS_TTL_MS) });
  return value;
}

/** Forget cached keys (after a key is revoked or rotated in this isolate). */
export function forgetKey(publicKey: string): void {
  cache.delete(publicKey);
}

/** Check that `publicKey` may send to `projectId`; 401 otherwise, with a message that says why. */
export async function authorize(db: Db, projectId: number, publicKey: string | undefined): Promise<IngestKey> {
  if (!publicKey) {
    throw new ApiError("invalid_key", "No DSN key: send X-Sentry-Auth: Sentry sentry_key=<key>, ?sentry_key=, or a dsn in the envelope header.");
  }
  if (!/^[0-9a-f]{32}$/i.test(publicKey)) throw new ApiError("invalid_key", "This DSN key is not valid.");
  const key = await lookupKey(db, publicKey.toLowerCase());
  if (!key) throw new ApiError("invalid_key", "This DSN key is not valid.");
  if (key.revoked) throw new ApiError("invalid_key", "This DSN key was revoked; copy the current DSN from the project settings.");
  if (key.projectId !== projectId) throw new ApiError("invalid_key", `This DSN key belongs to another project, not ${projectId}.`);
  return key;
}
