import { tsOfId, type Level, type StoredLine } from "./model";

/**
 * Lines' rows, read from a JSON array of rows `[id, shift, ns, level, …]` (in `FROM jsonb_each(…)` after it).
 * `jsonb_each` hands each row over already parsed (binary JSON), so its 14 fields are read without parsing the row's
 * text 14 times, which `json_each` did: the insert took half as long.
 */
export const INSERT_LINES = `INSERT INTO lines (id, shift, ns, level, severity, severity_text, body, logger, service, host, source, trace_id, span_id, attributes)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, value ->> 13`;

/** Adds per-minute counts given as JSON `[[minute, level, n], …]` (the expression `json`). */
const addMinutes = (json: string) => `INSERT INTO minutes (minute, level, n) SELECT value ->> 0, value ->> 1, value ->> 2 FROM jsonb_each(${json}) WHERE true
  ON CONFLICT (minute, level) DO UPDATE SET n = n + excluded.n`;
export const ADD_MINUTES = addMinutes("?");

/**
 * The LogStore's own SQLite (one per project, inside its Durable Object):
 * - `lines`: the hot window, one row per line, keyed by a time-ordered id (see `lineId` in model.ts), so a time
 *   range is a primary-key range and newest-first is a backwards walk of the table.
 * - `lines_fts`: a contentless FTS5 index of each line's body and labels (logger, service, host, source), same
 *   rowid; contentless because the text is already in `lines`, and `contentless_delete` so compaction can drop rows.
 * - `minutes`: lines per minute per level, hot and archived alike, for histograms without reading lines.
 * - `chunks`: the archive index, one row per gzip NDJSON object in R2, with what a search needs to skip it.
 * - `fts_backlog`: ids of lines stored but not yet in `lines_fts` (one row per append, a JSON array), indexed
 *   together once there are 2,000 of them or before anything reads the index.
 * - `seen`: a hash of every batch stored in the last two days (by its earliest millisecond), so a batch sent again
 *   (an agent retrying after a timeout that hid a success) is not stored twice.
 * - `batches`: not a table. Inserting a row into this view runs the trigger `store_batch_v1`, which stores a batch —
 *   its identity in `seen` (failing on its key if it was stored before), its rows, its ids in the full-text backlog,
 *   its per-minute counts — in one call into SQLite. Each call from the object into SQLite costs 40–80 µs in
 *   workerd beyond its work (five more `SELECT 1` per append added 0.2–0.4 ms per request), and this is the one
 *   write every append makes. (A trigger keeps its SQL as created: a change to it needs a new name.)
 */
export const STORE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS lines (
     id INTEGER PRIMARY KEY,
     shift INTEGER NOT NULL DEFAULT 0,
     ns INTEGER NOT NULL,
     level TEXT NOT NULL,
     severity INTEGER NOT NULL,
     severity_text TEXT NOT NULL,
     body TEXT NOT NULL,
     logger TEXT,
     service TEXT,
     host TEXT,
     source TEXT,
     trace_id TEXT,
     span_id TEXT,
     attributes TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS lines_trace ON lines (trace_id) WHERE trace_id IS NOT NULL`,
  `CREATE VIRTUAL TABLE IF NOT EXISTS lines_fts USING fts5 (body, meta, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
  `CREATE TABLE IF NOT EXISTS minutes (minute INTEGER NOT NULL, level TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (minute, level)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS chunks (
     key TEXT PRIMARY KEY,
     first_id INTEGER NOT NULL,
     last_id INTEGER NOT NULL,
     lines INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     levels TEXT NOT NULL,
     labels TEXT NOT NULL,
     created_at INTEGER NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS chunks_last ON chunks (last_id)`,
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS fts_backlog (seq INTEGER PRIMARY KEY, ids TEXT NOT NULL, n INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS seen (ms INTEGER NOT NULL, hash INTEGER NOT NULL, PRIMARY KEY (ms, hash)) WITHOUT ROWID`,
  `CREATE VIEW IF NOT EXISTS batches AS SELECT NULL AS ms, NULL AS hash, NULL AS rows, NULL AS ids, NULL AS n, NULL AS minutes`,
  `CREATE TRIGGER IF NOT EXISTS store_batch_v1 INSTEAD OF INSERT ON batches BEGIN
     INSERT INTO seen (ms, hash) VALUES (NEW.ms, NEW.hash);
     ${INSERT_LINES} FROM jsonb_each(NEW.rows);
     INSERT INTO fts_backlog (ids, n) VALUES (NEW.ids, NEW.n);
     ${addMinutes("NEW.minutes")};
   END`,
];

/** Row of `lines` as SQLite returns it. */
export interface LineRow {
  id: number;
  shift: number;
  ns: number;
  level: string;
  severity: number;
  severity_text: string;
  body: string;
  logger: string | null;
  service: string | null;
  host: string | null;
  source: string | null;
  trace_id: string | null;
  span_id: string | null;
  attributes: string;
  [key: string]: SqlStorageValue;
}

export interface ChunkRow {
  key: string;
  first_id: number;
  last_id: number;
  lines: number;
  bytes: number;
  /** JSON `{level: count}`. */
  levels: string;
  /** JSON `{logger: [...], service: [...], host: [...], source: [...]}`: the distinct values, up to 100 each (null: more). */
  labels: string;
  created_at: number;
  [key: string]: SqlStorageValue;
}

export function rowToLine(r: LineRow): StoredLine {
  return {
    id: r.id,
    ts: tsOfId(r.id) - r.shift,
    ns: r.ns,
    level: r.level as Level,
    severity: r.severity,
    severityText: r.severity_text,
    body: r.body,
    logger: r.logger,
    service: r.service,
    host: r.host,
    source: r.source,
    traceId: r.trace_id,
    spanId: r.span_id,
    attributes: JSON.parse(r.attributes),
  };
}
