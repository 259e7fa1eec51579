import { DurableObject } from "cloudflare:workers";
import { archiveKey, compactOnce, deleteArchive, dropExpired, readChunk } from "./archive";
import { ID_SPACE, idFloor, LEVEL_BITS, LEVELS, levelCode, SEQUENCES, unpackLine, type Level, type PackedLines, type StoredLine } from "./model";
import { matcher, parseQuery, requiredLabels, toSql, type Query } from "./query";
import { ADD_MINUTES, INSERT_LINES, rowToLine, STORE_SCHEMA, type ChunkRow, type LineRow } from "./store-schema";
import { tailSocket, TailHub } from "./tail";
import { withFaults } from "../lib/faults";

/** How often the alarm compacts and expires while the store has lines. */
const HOUSEKEEPING_MS = 60 * 60_000;
/** How long a stored batch's hash is kept to recognise the same batch sent again (by its lines' own time). */
const SEEN_MS = 2 * 86_400_000;
/** When housekeeping failed (R2 or D1 unavailable), the next try. */
const RETRY_MS = 5 * 60_000;
/**
 * Lines stored but not yet full-text indexed, at most: an append adds its lines to the index backlog, and the
 * append that takes it past this indexes it all at once. Every commit that touched the index makes FTS5 write a
 * new segment (and merge), which cost as much as the rest of a 100-line append together. Per 100 lines, indexing
 * (in `node:sqlite`) cost 0.70 ms 100 lines at a time, 0.49 ms 1,000 at a time, 0.40 ms 2,000 at a time and no less
 * beyond. A search, count or housekeeping run indexes the backlog first, so nothing is missed; that adds at most a
 * few milliseconds to it.
 */
export const FTS_BACKLOG_LINES = 2000;
/** Each packed row is `[ns, …]`: `[id, shift, ns, …]` in front of it makes the table's row. */
const tableRows = (batch: PackedLines, placed: Placed[]) => `[${placed.map((p) => `[${p.id},${p.shift},${batch.rows[p.index]!.slice(1)}`).join(",")}]`;
/** Lines of a batch given an id (all of them, unless `insertAround` gave up on some after its rounds). */
const stored = (ids: (number | undefined)[]) => ids.filter((id) => id !== undefined).length;
/** Segments FTS5 merges at a time (its default is 4). */
const FTS_AUTOMERGE = 16;
/** Archived chunks a search may open before it answers with a cursor to continue. */
export const CHUNKS_PER_SEARCH = 6;

export interface RetentionSettings {
  /** Days a line stays in the hot store (full-text indexed). */
  hotDays: number;
  /** Days a line is kept at all (the archive in R2 holds it after the hot window). */
  retentionDays: number;
}

export interface SearchInput {
  q: string;
  from: number;
  to: number;
  /** Only lines with a smaller id (the `nextCursor` of the previous page). */
  before?: number;
  limit: number;
}

export interface SearchOutput {
  lines: StoredLine[];
  /** Pass as `before` for the next page; null when nothing older matches. */
  nextCursor: number | null;
  /** Archived chunks opened for this page, and whether the search stopped at its budget before the range's start. */
  archive: { chunksScanned: number; stoppedAt: number | null };
}

export interface HistogramOutput {
  bucketMs: number;
  buckets: { t: number; counts: Partial<Record<Level, number>> }[];
  /** True when archived lines matched a text query could not all be read (the counts are a lower bound). */
  partial: boolean;
}

export interface AppendResult {
  /** Lines stored now. */
  stored: number;
  /** Lines recognised as sent before (already stored) and not stored again. */
  duplicates: number;
}

/** A line of a batch (by its index) waiting for an id, moved `shift` milliseconds on; and once it has one. */
interface Pending {
  index: number;
  shift: number;
}
interface Placed extends Pending {
  id: number;
}

interface LabelSet {
  logger: string[] | null;
  service: string[] | null;
  host: string[] | null;
  source: string[] | null;
}

/**
 * One per project: the project's log lines. Lines arrive through `append` (the ingest routes, already
 * normalized), are kept full-text indexed for the hot window, then an hourly alarm moves them into gzip NDJSON
 * chunks in R2 (`archive.ts`) and, after the retention period, deletes them. Search and the histogram read
 * both; the live tail is a hibernating WebSocket per viewer (`tail.ts`).
 */
export class LogStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly tail = new TailHub();
  /** Whether this instance has made sure the housekeeping alarm is set (saves a storage call per append). */
  private alarmSet = false;
  /** The project this store belongs to (once known). */
  private projectId: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, withFaults(env));
    this.sql = ctx.storage.sql;
    this.prepare();
  }

  /**
   * The schema, and the full-text index's merge setting: FTS5 merges its segments 16 at a time instead of 4, which
   * cuts the merging every append pays for by about a fifth; searches read a few more segments (not measurably
   * slower over a million lines). Set once per store (it is kept in the index's own config).
   */
  private prepare() {
    for (const statement of STORE_SCHEMA) this.sql.exec(statement);
    if (this.meta("ftsAutomerge") !== String(FTS_AUTOMERGE)) {
      this.sql.exec(`INSERT INTO lines_fts (lines_fts, rank) VALUES ('automerge', ${FTS_AUTOMERGE})`);
      this.setMeta("ftsAutomerge", String(FTS_AUTOMERGE));
    }
  }

  private meta(key: string): string | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row?.value ?? null;
  }

  private setMeta(key: string, value: string) {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  /**
   * Store lines (already normalized and bounded) in one transaction, with how many. The write is synchronous and the
   * answer leaves only once SQLite has it on disk (the object's output gate), so an accepted line is a stored line.
   * (Waiting a turn so concurrent appends could share a transaction was tried: the timer cost more than the commits.
   * So was grouping concurrent requests into one call in the Worker, twice: with a wait, the clients waited longer
   * than the shared call saved; without one, a call was almost always over before the next batch was read — 1.1
   * batches per call — and the bookkeeping cost more than it saved.)
   */
  async append(projectId: number, batch: PackedLines): Promise<AppendResult> {
    const count = batch.rows.length;
    if (count === 0) return { stored: 0, duplicates: 0 };
    if (this.projectId === null) {
      this.projectId = projectId;
      if (this.meta("projectId") === null) this.setMeta("projectId", String(projectId));
    }
    const ids = this.transaction(() => {
      const ids = this.insertAll(batch);
      if (ids === null) return null;
      this.backlog = this.backlogLines() + stored(ids);
      if (this.backlog >= FTS_BACKLOG_LINES) this.indexBacklog();
      return ids;
    });
    if (ids === null) return { stored: 0, duplicates: count };
    const viewers = this.ctx.getWebSockets();
    if (viewers.length) this.tail.broadcast(viewers, ids.map((id, i) => unpackLine(batch.rows[i]!, batch.ts[i]!, id)));
    if (!this.alarmSet) {
      this.alarmSet = true;
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + HOUSEKEEPING_MS);
    }
    return { stored: stored(ids), duplicates: 0 };
  }

  /** Lines per minute and level, for the histogram: the batch's counts, as JSON `[[minute, level, n], …]`. */
  private perMinute({ ts, levels }: PackedLines): string {
    const counts = new Map<number, [number, Level, number]>();
    levels.forEach((level, i) => {
      const minute = Math.floor(ts[i]! / 60_000);
      const key = minute * 8 + levelCode(level);
      const count = counts.get(key);
      if (count) count[2]++;
      else counts.set(key, [minute, level, 1]);
    });
    return JSON.stringify([...counts.values()]);
  }

  /** A synchronous transaction; if it fails, what this instance remembers of the backlog is read again. */
  private transaction<T>(body: () => T): T {
    try {
      return this.ctx.storage.transactionSync(body);
    } catch (e) {
      this.backlog = null;
      throw e;
    }
  }

  /** How many stored lines wait for the full-text index (remembered; read once per instance). */
  private backlog: number | null = null;

  private backlogLines(): number {
    return (this.backlog ??= this.sql.exec<{ n: number | null }>("SELECT sum(n) AS n FROM fts_backlog").one().n ?? 0);
  }

  /**
   * Put the backlog's lines into the full-text index, in the caller's transaction. The text indexed is the line's
   * body and its labels, as `searchableText` gives them (labels are null or non-blank, so concat_ws joins the same).
   */
  private indexBacklog(): void {
    this.sql.exec(
      `INSERT INTO lines_fts (rowid, body, meta)
       SELECT l.id, l.body, concat_ws(' ', l.logger, l.service, l.host, l.source)
       FROM fts_backlog b, json_each(b.ids) j JOIN lines l ON l.id = j.value`,
    );
    this.sql.exec("DELETE FROM fts_backlog");
    this.backlog = 0;
  }

  /** Before anything reads or changes the full-text index: index the backlog. */
  private catchUp(): void {
    if (this.backlogLines() > 0) this.transaction(() => this.indexBacklog());
  }

  /**
   * The highest id stored (or more: ids of a rolled-back batch, or of lines since compacted or expired). A
   * millisecond past it holds no line yet, so its sequence numbers start at 0 without a look-up: lines arriving
   * in time order — most of them — cost no query. Loaded on the first append of this instance.
   */
  private top: number | null = null;

  /**
   * Ids for a batch: per millisecond and level, the sequence numbers after the highest one taken (one statement
   * looks up the milliseconds that may hold lines already); past the last number, the next millisecond (the true
   * time is kept in `shift`).
   */
  private allocate(batch: PackedLines, items: Pending[]): Placed[] {
    this.top ??= this.sql.exec<{ top: number | null }>("SELECT max(id) AS top FROM lines").one().top ?? -1;
    // Keyed by millisecond and level: ms * 8 + level code (exact: ms * 8 stays below 2^53).
    const keys = new Map<number, [number, number]>();
    const next = new Map<number, number>();
    const taken = new Map<number, [number, number]>();
    const itemKeys = items.map((it) => {
      const ms = Math.floor(batch.ts[it.index]!) + it.shift;
      const code = levelCode(batch.levels[it.index]!);
      const key = ms * 8 + code;
      if (!keys.has(key)) {
        keys.set(key, [ms, code]);
        if (idFloor(ms) > this.top!) next.set(key, 0);
        else taken.set(key, [ms, code]);
      }
      return key;
    });
    if (taken.size) {
      const tops = this.sql.exec<{ ms: number; code: number; top: number | null }>(
        `SELECT j.value ->> 0 AS ms, j.value ->> 1 AS code,
           (SELECT max(id) FROM lines WHERE id BETWEEN (j.value ->> 0) * ${ID_SPACE} AND (j.value ->> 0) * ${ID_SPACE} + ${ID_SPACE - 1} AND (id & 7) = (j.value ->> 1)) AS top
         FROM json_each(?) j`,
        JSON.stringify([...taken.values()]),
      );
      for (const t of tops) next.set(t.ms * 8 + t.code, t.top === null ? 0 : ((t.top - idFloor(t.ms)) >> LEVEL_BITS) + 1);
    }
    const placed: Placed[] = [];
    const overflow: Pending[] = [];
    items.forEach((it, i) => {
      const key = itemKeys[i]!;
      const seq = next.get(key) ?? 0;
      if (seq >= SEQUENCES) overflow.push({ index: it.index, shift: it.shift + 1 });
      else {
        next.set(key, seq + 1);
        const [ms, code] = keys.get(key)!;
        placed.push({ index: it.index, shift: it.shift, id: idFloor(ms) + (seq << LEVEL_BITS) + code });
      }
    });
    return overflow.length ? [...placed, ...this.allocate(batch, overflow)] : placed;
  }

  /**
   * Store a batch in one statement (`store_batch`, see `store-schema.ts`): its identity, its rows, their ids in the
   * full-text backlog and the per-minute counts; each line's id, or null when the batch was stored before.
   *
   * A batch whose identity is already in `seen` is a resend (an agent retrying a push whose answer it never got):
   * the statement fails on `seen`'s key and stores nothing. One identity per batch, not per line: retries resend the
   * same body. Repeats inside one batch are all kept — the same message logged twice in a millisecond happens.
   * Ids are free when allocated; were one taken after all (a bug), the statement fails on `lines`' key instead, and
   * `insertAround` puts the batch in around the taken ids.
   */
  private insertAll(batch: PackedLines): number[] | null {
    const pending = this.allocate(
      batch,
      batch.rows.map((_, index) => ({ index, shift: 0 })),
    );
    const minutes = this.perMinute(batch);
    const [ms, hash] = batch.identity;
    try {
      this.sql.exec(
        "INSERT INTO batches (ms, hash, rows, ids, n, minutes) VALUES (?, ?, ?, ?, ?, ?)",
        ms,
        hash,
        tableRows(batch, pending),
        JSON.stringify(pending.map((p) => p.id)),
        pending.length,
        minutes,
      );
    } catch (e) {
      const message = String(e);
      if (message.includes("UNIQUE constraint failed: seen.")) return null;
      if (!message.includes("UNIQUE constraint failed: lines.")) throw e;
      return this.insertAround(batch, pending, minutes);
    }
    const ids = new Array<number>(batch.rows.length);
    for (const p of pending) {
      ids[p.index] = p.id;
      if (p.id > this.top!) this.top = p.id;
    }
    return ids;
  }

  /** The rows around ids taken behind the store's back: those that went in, then new ids for the others. */
  private insertAround(batch: PackedLines, placed: Placed[], minutes: string): number[] {
    this.sql.exec("INSERT INTO seen (ms, hash) VALUES (?, ?)", ...batch.identity);
    const ids = new Array<number>(batch.rows.length);
    let pending = placed;
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      const inserted = new Set(
        this.sql
          .exec<{ id: number }>(`${INSERT_LINES} FROM jsonb_each(?) WHERE true ON CONFLICT (id) DO NOTHING RETURNING id`, tableRows(batch, pending))
          .toArray()
          .map((r) => r.id),
      );
      const done = pending.filter((p) => inserted.has(p.id));
      if (done.length) this.sql.exec("INSERT INTO fts_backlog (ids, n) VALUES (?, ?)", JSON.stringify(done.map((p) => p.id)), done.length);
      for (const p of done) ids[p.index] = p.id;
      // Forget the remembered top: the taken ids are above it, and allocation must look them up.
      this.top = null;
      pending = this.allocate(
        batch,
        pending.filter((p) => !inserted.has(p.id)),
      );
    }
    this.sql.exec(ADD_MINUTES, minutes);
    return ids;
  }

  private hotQuery(query: Query, lower: number, upper: number, limit: number): LineRow[] {
    const { match, where, params } = toSql(query, query.clauses.some((c) => c.kind === "text" && !c.negate) ? "f.rowid" : "l.id");
    const conditions = where.length ? ` AND ${where.join(" AND ")}` : "";
    if (match) {
      return this.sql
        .exec<LineRow>(
          `SELECT l.* FROM lines_fts f JOIN lines l ON l.id = f.rowid
           WHERE lines_fts MATCH ? AND f.rowid BETWEEN ? AND ?${conditions} ORDER BY f.rowid DESC LIMIT ?`,
          match,
          lower,
          upper,
          ...params,
          limit,
        )
        .toArray();
    }
    return this.sql.exec<LineRow>(`SELECT l.* FROM lines l WHERE l.id BETWEEN ? AND ?${conditions} ORDER BY l.id DESC LIMIT ?`, lower, upper, ...params, limit).toArray();
  }

  /** Archived chunks that overlap [lower, upper] and could hold a match, newest first. */
  private candidateChunks(query: Query, lower: number, upper: number): ChunkRow[] {
    const chunks = this.sql.exec<ChunkRow>("SELECT * FROM chunks WHERE last_id >= ? AND first_id <= ? ORDER BY last_id DESC", lower, upper).toArray();
    const { levels, labels } = requiredLabels(query);
    return chunks.filter((c) => {
      if (levels) {
        const counts = JSON.parse(c.levels) as Record<string, number>;
        if (!levels.some((l) => counts[l])) return false;
      }
      const known = JSON.parse(c.labels) as LabelSet;
      for (const [field, value] of Object.entries(labels)) {
        const values = known[field as keyof LabelSet];
        if (values && !values.includes(value)) return false;
      }
      return true;
    });
  }

  /** Newest first: the hot lines, and the archived chunks the range reaches (a bounded number per call). */
  async search(projectId: number, input: SearchInput): Promise<SearchOutput> {
    this.catchUp();
    const query = parseQuery(input.q);
    const lower = idFloor(input.from);
    const upper = Math.min(idFloor(input.to) + ID_SPACE - 1, (input.before ?? Number.MAX_SAFE_INTEGER) - 1);
    if (upper < lower) return { lines: [], nextCursor: null, archive: { chunksScanned: 0, stoppedAt: null } };
    const hot = this.hotQuery(query, lower, upper, input.limit).map(rowToLine);
    // Archived lines can only be in the page if they are newer than the page's oldest hot line.
    const floor = hot.length === input.limit ? hot[hot.length - 1]!.id : lower;
    const chunks = this.candidateChunks(query, floor, upper);
    const matches = matcher(query);
    const found: StoredLine[] = [...hot];
    let scanned = 0;
    let stoppedAt: number | null = null;
    for (const chunk of chunks) {
      if (scanned === CHUNKS_PER_SEARCH) {
        stoppedAt = chunk.last_id;
        break;
      }
      scanned += 1;
      for (const line of await readChunk(this.env, chunk.key)) {
        if (line.id >= floor && line.id <= upper && matches(line)) found.push(line);
      }
    }
    found.sort((a, b) => b.id - a.id);
    // Unopened chunks hold nothing newer than their last id: the page stops above it, and the cursor resumes there.
    const complete = stoppedAt === null ? found : found.filter((l) => l.id > stoppedAt!);
    const page = complete.slice(0, input.limit);
    let nextCursor: number | null = null;
    if (page.length === input.limit) nextCursor = page[page.length - 1]!.id;
    else if (stoppedAt !== null) nextCursor = stoppedAt + 1;
    return { lines: page, nextCursor, archive: { chunksScanned: scanned, stoppedAt: stoppedAt === null ? null : Math.floor(stoppedAt / ID_SPACE) } };
  }

  /** Lines per bucket per level. Without a text or field query, from the per-minute counts (hot and archived). */
  async histogram(projectId: number, q: string, from: number, to: number, bucketMs: number): Promise<HistogramOutput> {
    this.catchUp();
    const query = parseQuery(q);
    const start = Math.floor(from / bucketMs) * bucketMs;
    const counts = new Map<number, Partial<Record<Level, number>>>();
    const add = (t: number, level: Level, n: number) => {
      const bucket = counts.get(t) ?? {};
      bucket[level] = (bucket[level] ?? 0) + n;
      counts.set(t, bucket);
    };
    let partial = false;
    const onlyLevels = query.clauses.every((c) => c.kind === "level");
    if (onlyLevels) {
      const { levels } = requiredLabels(query);
      const excluded = query.clauses.filter((c) => c.kind === "level" && c.negate).flatMap((c) => (c.kind === "level" ? c.levels : []));
      const bucketMin = bucketMs / 60_000;
      const rows = this.sql
        .exec<{ b: number; level: Level; n: number }>(
          "SELECT (minute / CAST(? AS INTEGER)) * ? AS b, level, sum(n) AS n FROM minutes WHERE minute BETWEEN ? AND ? GROUP BY b, level",
          bucketMin,
          bucketMs,
          Math.floor(from / 60_000),
          Math.floor(to / 60_000),
        )
        .toArray();
      for (const r of rows) if ((!levels || levels.includes(r.level)) && !excluded.includes(r.level)) add(r.b, r.level, r.n);
    } else {
      const lower = idFloor(from);
      const upper = idFloor(to) + ID_SPACE - 1;
      for (const r of this.countHot(query, lower, upper, bucketMs * ID_SPACE)) add(r.b * bucketMs, LEVELS[r.code] ?? "info", r.n);
      const chunks = this.candidateChunks(query, lower, upper);
      const matches = matcher(query);
      for (const chunk of chunks.slice(0, CHUNKS_PER_SEARCH)) {
        for (const line of await readChunk(this.env, chunk.key)) {
          if (line.id >= lower && line.id <= upper && matches(line)) add(Math.floor(line.ts / bucketMs) * bucketMs, line.level, 1);
        }
      }
      partial = chunks.length > CHUNKS_PER_SEARCH;
    }
    const buckets: HistogramOutput["buckets"] = [];
    for (let t = start; t <= to; t += bucketMs) buckets.push({ t, counts: counts.get(t) ?? {} });
    return { bucketMs, buckets, partial };
  }

  /**
   * Matching hot lines in [lower, upper], counted per bucket of `bucketIds` ids and per level code (with
   * `bucketIds` 0, one total: no grouping, which is most of the cost of counting a common word). A text query
   * without conditions on other columns is counted from the FTS index alone: time and level are in the rowid.
   */
  private countHot(query: Query, lower: number, upper: number, bucketIds: number): { b: number; code: number; n: number }[] {
    const text = query.clauses.some((c) => c.kind === "text" && !c.negate);
    const id = text ? "f.rowid" : "l.id";
    const { match, where, params, readsLines } = toSql(query, id);
    const tables = !text ? "lines l" : readsLines ? "lines_fts f JOIN lines l ON l.id = f.rowid" : "lines_fts f";
    const conditions = where.map((w) => ` AND ${w}`).join("");
    const filter = `FROM ${tables} WHERE ${text ? "lines_fts MATCH ? AND " : ""}${id} BETWEEN ? AND ?${conditions}`;
    const bound = [...(text ? [match!] : []), lower, upper, ...params];
    if (bucketIds === 0) return [{ b: 0, code: 0, n: this.sql.exec<{ n: number }>(`SELECT count(*) AS n ${filter}`, ...bound).one().n }];
    // Bound numbers arrive as REAL: the division casts, so it stays an integer division.
    return this.sql.exec<{ b: number; code: number; n: number }>(`SELECT ${id} / CAST(? AS INTEGER) AS b, ${id} & 7 AS code, count(*) AS n ${filter} GROUP BY b, code`, bucketIds, ...bound).toArray();
  }

  /** How many lines match a query in [from, to]: the log alerts' measure (hot lines only; alert windows are minutes). */
  async count(projectId: number, q: string, from: number, to: number): Promise<number> {
    this.catchUp();
    const lower = idFloor(from);
    const upper = idFloor(to) + ID_SPACE - 1;
    return this.countHot(parseQuery(q), lower, upper, 0)[0]!.n;
  }

  /** One line by id, hot or archived. */
  async line(projectId: number, id: number): Promise<StoredLine | null> {
    const row = this.sql.exec<LineRow>("SELECT * FROM lines WHERE id = ?", id).toArray()[0];
    if (row) return rowToLine(row);
    const chunk = this.sql.exec<ChunkRow>("SELECT * FROM chunks WHERE first_id <= ? AND last_id >= ? ORDER BY last_id LIMIT 8", id, id).toArray();
    for (const c of chunk) {
      const found = (await readChunk(this.env, c.key)).find((l) => l.id === id);
      if (found) return found;
    }
    return null;
  }

  /** Lines just before and after one, from the same stream (same service, host and source), within an hour of it. */
  async context(projectId: number, id: number, before: number, after: number): Promise<{ line: StoredLine; before: StoredLine[]; after: StoredLine[] } | null> {
    const line = await this.line(projectId, id);
    if (!line) return null;
    const same = "l.service IS ? AND l.host IS ? AND l.source IS ?";
    const labels = [line.service, line.host, line.source];
    const hour = 3_600_000 * ID_SPACE;
    const older = this.sql.exec<LineRow>(`SELECT l.* FROM lines l WHERE l.id < ? AND l.id >= ? AND ${same} ORDER BY l.id DESC LIMIT ?`, id, id - hour, ...labels, before).toArray();
    const newer = this.sql.exec<LineRow>(`SELECT l.* FROM lines l WHERE l.id > ? AND l.id <= ? AND ${same} ORDER BY l.id ASC LIMIT ?`, id, id + hour, ...labels, after).toArray();
    let olderLines = older.map(rowToLine);
    let newerLines = newer.map(rowToLine);
    if (olderLines.length < before || newerLines.length < after) {
      // Some of the neighbours may be archived: read the chunks around the line.
      const chunks = this.sql.exec<ChunkRow>("SELECT * FROM chunks WHERE last_id >= ? AND first_id <= ?", id - hour, id + hour).toArray();
      const sameStream = (l: StoredLine) => l.service === line.service && l.host === line.host && l.source === line.source;
      for (const c of chunks.slice(0, CHUNKS_PER_SEARCH)) {
        for (const l of await readChunk(this.env, c.key)) {
          if (!sameStream(l) || l.id === id) continue;
          if (l.id < id && l.id >= id - hour) olderLines.push(l);
          if (l.id > id && l.id <= id + hour) newerLines.push(l);
        }
      }
      olderLines = olderLines.sort((a, b) => b.id - a.id).slice(0, before);
      newerLines = newerLines.sort((a, b) => a.id - b.id).slice(0, after);
    }
    return { line, before: olderLines.reverse(), after: newerLines };
  }

  /** Live tail: a WebSocket upgrade from the API route (already authorized), with the viewer's query. */
  override async fetch(request: Request): Promise<Response> {
    return tailSocket(this.ctx, request, this.tail);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.tail.onMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.tail.forget(ws);
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.tail.forget(ws);
  }

  /** The project's retention settings, or null when the project no longer exists. */
  private async settings(): Promise<{ projectId: number; retention: RetentionSettings } | null> {
    const projectId = Number(this.meta("projectId"));
    if (!projectId) return null;
    const row = await this.env.DB.prepare("SELECT logs_hot_days AS hot, logs_retention_days AS keep FROM projects WHERE id = ?")
      .bind(projectId)
      .first<{ hot: number; keep: number }>();
    return row ? { projectId, retention: { hotDays: row.hot, retentionDays: row.keep } } : null;
  }

  /**
   * Housekeeping, hourly while there are lines: compact lines older than the hot window into R2, drop what is past
   * retention; a project that was deleted loses everything. `now` is for tests.
   */
  async housekeeping(now = Date.now()): Promise<{ compacted: number; expired: number; more: boolean }> {
    const found = await this.settings();
    if (!found) {
      await this.destroy();
      return { compacted: 0, expired: 0, more: false };
    }
    const { projectId, retention } = found;
    this.catchUp();
    const hotCutoff = idFloor(now - retention.hotDays * 86_400_000);
    let compacted = 0;
    let more = false;
    for (let i = 0; i < 20; i++) {
      const n = await compactOnce(this.ctx, this.env, projectId, Math.min(hotCutoff, Number.MAX_SAFE_INTEGER));
      compacted += n;
      if (n === 0) break;
      if (i === 19) more = true;
    }
    const expired = await dropExpired(this.ctx, this.env, now - retention.retentionDays * 86_400_000);
    this.sql.exec("DELETE FROM seen WHERE ms < ?", now - SEEN_MS);
    return { compacted, expired, more };
  }

  override async alarm(): Promise<void> {
    this.alarmSet = false;
    let more: boolean;
    try {
      ({ more } = await this.housekeeping());
    } catch (e) {
      // R2 or D1 unavailable: what was archived stays archived, the rest stays hot; try again in a few minutes
      // rather than rely on the platform's alarm retries (which give up after a few).
      console.error("log housekeeping failed; retrying in 5 minutes:", e);
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      return;
    }
    const empty = this.sql.exec<{ n: number }>("SELECT (SELECT count(*) FROM (SELECT 1 FROM lines LIMIT 1)) + (SELECT count(*) FROM (SELECT 1 FROM chunks LIMIT 1)) AS n").one().n === 0;
    if (this.meta("projectId") === null) return;
    if (more) await this.ctx.storage.setAlarm(Date.now() + 1000);
    else if (!empty) await this.ctx.storage.setAlarm(Date.now() + HOUSEKEEPING_MS);
  }

  /** Forget the project's logs: the archive in R2, then everything here. */
  async destroy(): Promise<void> {
    const projectId = Number(this.meta("projectId"));
    for (const ws of this.ctx.getWebSockets()) ws.close(1000, "project deleted");
    if (projectId) await deleteArchive(this.env, projectId);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.top = null;
    this.backlog = null;
    this.prepare();
  }

  /** For tests and the archive key layout. */
  static archiveKey = archiveKey;
}
