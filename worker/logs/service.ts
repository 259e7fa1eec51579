import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { ApiError, notFound } from "../lib/errors";
import { newId } from "../lib/encoding";
import { timeRange } from "../lib/time";
import type { ProjectService } from "../projects/service";
import { parseQuery } from "./query";
import { savedSearches } from "./schema";
import { logStore } from "./storage";

const HOUR = 3_600_000;
const DEFAULT_RANGE = 24 * HOUR;
/** Histogram buckets: whole minutes (the per-minute counts), about 60–120 of them per range. */
const BUCKETS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60_000);

export function bucketFor(rangeMs: number): number {
  return BUCKETS_MS.find((b) => rangeMs / b <= 120) ?? BUCKETS_MS[BUCKETS_MS.length - 1]!;
}

const quoted = (value: string) => `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

/** The `q` of a request with its shortcut parameters (`level=`, `logger=`, ...) folded in, checked. */
export function queryOf(params: { q?: string; level?: string; logger?: string; service?: string; host?: string; trace_id?: string }): string {
  const parts = [params.q?.trim() ?? ""];
  if (params.level) parts.push(`level:${params.level.replaceAll(" ", "")}`);
  for (const field of ["logger", "service", "host"] as const) if (params[field]) parts.push(`${field}:${quoted(params[field]!)}`);
  if (params.trace_id) parts.push(`trace:${params.trace_id}`);
  const q = parts.filter(Boolean).join(" ");
  parseQuery(q); // a clear 400 here, before the store is asked
  return q;
}

/**
 * Lines past retention are not shown, even while the archived chunk holding them waits for its newest line to
 * expire too (chunks are deleted whole).
 */
function kept(range: { from: number; to: number }, retentionDays: number, now = Date.now()) {
  const from = Math.max(range.from, now - retentionDays * 86_400_000);
  return { from: Math.min(from, range.to), to: range.to };
}

export class LogService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly projects: ProjectService,
  ) {}

  async search(projectId: number, userId: string, params: Parameters<typeof queryOf>[0] & { from?: string; to?: string; cursor?: string; limit: number }) {
    const { project } = await this.projects.access(projectId, userId);
    const q = queryOf(params);
    const { from, to } = kept(timeRange(params, DEFAULT_RANGE), project.logsRetentionDays);
    const r = await logStore(this.env, projectId).search(projectId, { q, from, to, limit: params.limit, ...(params.cursor ? { before: Number(params.cursor) } : {}) });
    return { from, to, ...r };
  }

  async histogram(projectId: number, userId: string, params: { q?: string; level?: string; from?: string; to?: string }) {
    const { project } = await this.projects.access(projectId, userId);
    const q = queryOf(params);
    const { from, to } = kept(timeRange(params, DEFAULT_RANGE), project.logsRetentionDays);
    const bucketMs = bucketFor(to - from);
    const r = await logStore(this.env, projectId).histogram(projectId, q, from, to, bucketMs);
    return { from, to, ...r };
  }

  async line(projectId: number, userId: string, lineId: number) {
    await this.projects.access(projectId, userId);
    const line = await logStore(this.env, projectId).line(projectId, lineId);
    if (!line) throw notFound("Log line");
    return line;
  }

  async context(projectId: number, userId: string, lineId: number, before: number, after: number) {
    await this.projects.access(projectId, userId);
    const r = await logStore(this.env, projectId).context(projectId, lineId, before, after);
    if (!r) throw notFound("Log line");
    return r;
  }

  /** Hand an authorized WebSocket upgrade to the project's store, which keeps the viewer. */
  async tail(projectId: number, userId: string, request: Request, q: string): Promise<Response> {
    await this.projects.access(projectId, userId);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("validation_failed", "The live tail is a WebSocket: connect with `Upgrade: websocket` (the dashboard's Live button does).");
    }
    parseQuery(q);
    const url = new URL("https://log-store/tail");
    url.searchParams.set("q", q);
    return logStore(this.env, projectId).fetch(new Request(url, { headers: request.headers }));
  }

  async savedSearches(projectId: number, userId: string) {
    await this.projects.access(projectId, userId);
    return this.db.select().from(savedSearches).where(eq(savedSearches.projectId, projectId)).orderBy(asc(savedSearches.name)).all();
  }

  async saveSearch(projectId: number, userId: string, input: { name: string; query: string }) {
    await this.projects.access(projectId, userId);
    parseQuery(input.query);
    const count = (await this.db.select({ id: savedSearches.id }).from(savedSearches).where(eq(savedSearches.projectId, projectId)).all()).length;
    if (count >= 100) throw new ApiError("conflict", "A project keeps at most 100 saved searches; delete one first.");
    const row = { id: newId(), projectId, name: input.name, query: input.query, createdBy: userId, createdAt: new Date() };
    await this.db.insert(savedSearches).values(row);
    return row;
  }

  async deleteSearch(projectId: number, userId: string, searchId: string) {
    await this.projects.access(projectId, userId);
    const gone = await this.db
      .delete(savedSearches)
      .where(and(eq(savedSearches.projectId, projectId), eq(savedSearches.id, searchId)))
      .returning({ id: savedSearches.id });
    if (gone.length === 0) throw notFound("Saved search");
  }
}
