/**
 * The archive: lines past the hot window, as gzip NDJSON objects in R2 (`logs/{project}/{firstId}-{lastId}.ndjson.gz`,
 * one JSON line per log line, id included), indexed in the LogStore's `chunks` table by id range, counts per level
 * and the distinct labels, so a search opens only the chunks that can hold a match.
 */
import { gunzipSync } from "node:zlib";
import { gzip } from "../lib/encoding";
import { idFloor, LEVELS, type StoredLine } from "./model";
import { rowToLine, type ChunkRow, type LineRow } from "./store-schema";

/** Lines per chunk, and the most JSON text one may hold before it is cut early. */
export const CHUNK_LINES = 5000;
const CHUNK_CHARS = 4 * 1024 * 1024;
/** Distinct values of a label kept in a chunk's index; more and the index says "any" (null). */
const LABEL_VALUES = 100;

export const archivePrefix = (projectId: number) => `logs/${projectId}/`;
export const archiveKey = (projectId: number, firstId: number, lastId: number) => `${archivePrefix(projectId)}${firstId}-${lastId}.ndjson.gz`;

function labelsOf(lines: StoredLine[]) {
  const sets = { logger: new Set<string>(), service: new Set<string>(), host: new Set<string>(), source: new Set<string>() };
  for (const l of lines) for (const k of Object.keys(sets) as (keyof typeof sets)[]) if (l[k] !== null) sets[k].add(l[k]!);
  return Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.size > LABEL_VALUES ? null : [...v]]));
}

/**
 * Move the oldest hot lines below `cutoffId` into one chunk. Returns how many lines moved (0: nothing to do).
 * The R2 put comes first; lines are deleted by their ids only after it, so lines that arrive meanwhile stay,
 * and a crash in between leaves the lines hot to be compacted again (the key is the same, the object replaced).
 */
export async function compactOnce(ctx: DurableObjectState, env: Env, projectId: number, cutoffId: number): Promise<number> {
  const sql = ctx.storage.sql;
  const rows = sql.exec<LineRow>("SELECT * FROM lines WHERE id < ? ORDER BY id LIMIT ?", cutoffId, CHUNK_LINES).toArray();
  if (rows.length === 0) return 0;
  const lines: StoredLine[] = [];
  let chars = 0;
  const texts: string[] = [];
  for (const row of rows) {
    const line = rowToLine(row);
    const text = JSON.stringify(line);
    if (lines.length > 0 && chars + text.length > CHUNK_CHARS) break;
    chars += text.length + 1;
    lines.push(line);
    texts.push(text);
  }
  const first = lines[0]!.id;
  const last = lines[lines.length - 1]!.id;
  const body = await gzip(texts.join("\n") + "\n");
  const key = archiveKey(projectId, first, last);
  await env.BLOBS.put(key, body, { httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" } });
  const levels: Record<string, number> = {};
  for (const l of lines) levels[l.level] = (levels[l.level] ?? 0) + 1;
  ctx.storage.transactionSync(() => {
    sql.exec(
      `INSERT INTO chunks (key, first_id, last_id, lines, bytes, levels, labels, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET lines = excluded.lines, bytes = excluded.bytes, levels = excluded.levels, labels = excluded.labels`,
      key,
      first,
      last,
      lines.length,
      body.byteLength,
      JSON.stringify(levels),
      JSON.stringify(labelsOf(lines)),
      Date.now(),
    );
    for (const l of lines) {
      sql.exec("DELETE FROM lines WHERE id = ?", l.id);
      sql.exec("DELETE FROM lines_fts WHERE rowid = ?", l.id);
    }
  });
  cache.delete(key);
  return lines.length;
}

/** Drop what is older than `cutoff` (epoch ms): archived chunks wholly before it, hot lines and minute counts. */
export async function dropExpired(ctx: DurableObjectState, env: Env, cutoff: number): Promise<number> {
  const sql = ctx.storage.sql;
  const cutoffId = idFloor(cutoff);
  let expired = 0;
  for (;;) {
    const old = sql.exec<ChunkRow>("SELECT * FROM chunks WHERE last_id < ? ORDER BY last_id LIMIT 500", cutoffId).toArray();
    if (old.length === 0) break;
    await env.BLOBS.delete(old.map((c) => c.key));
    ctx.storage.transactionSync(() => {
      for (const c of old) sql.exec("DELETE FROM chunks WHERE key = ?", c.key);
    });
    expired += old.reduce((n, c) => n + c.lines, 0);
    if (old.length < 500) break;
  }
  ctx.storage.transactionSync(() => {
    const ids = sql.exec<{ id: number }>("SELECT id FROM lines WHERE id < ? LIMIT 10000", cutoffId).toArray();
    for (const { id } of ids) {
      sql.exec("DELETE FROM lines WHERE id = ?", id);
      sql.exec("DELETE FROM lines_fts WHERE rowid = ?", id);
    }
    expired += ids.length;
    sql.exec("DELETE FROM minutes WHERE minute < ?", Math.floor(cutoff / 60_000));
  });
  return expired;
}

/** Every archived object of a project (when the project is deleted). */
export async function deleteArchive(env: Env, projectId: number): Promise<void> {
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const listed = await env.BLOBS.list({ prefix: archivePrefix(projectId), cursor, limit: 1000 });
    if (listed.objects.length) await env.BLOBS.delete(listed.objects.map((o) => o.key));
    if (!listed.truncated) return;
    cursor = listed.cursor;
  }
}

/** A few recently read chunks, decoded: paging through a search reopens the same ones. Chunks never change under a key. */
const cache = new Map<string, StoredLine[]>();
const CACHED_CHUNKS = 4;

export async function readChunk(env: Env, key: string): Promise<StoredLine[]> {
  const hit = cache.get(key);
  if (hit) return hit;
  const object = await env.BLOBS.get(key);
  if (!object) return [];
  const text = gunzipSync(new Uint8Array(await object.arrayBuffer())).toString("utf8");
  const lines: StoredLine[] = [];
  for (const row of text.split("\n")) {
    if (!row) continue;
    const line = JSON.parse(row) as StoredLine;
    if (LEVELS.includes(line.level)) lines.push(line);
  }
  cache.set(key, lines);
  if (cache.size > CACHED_CHUNKS) cache.delete(cache.keys().next().value!);
  return lines;
}
