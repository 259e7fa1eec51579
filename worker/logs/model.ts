/**
 * One log line as Vigil keeps it, whatever it arrived as (Sentry `log` item, OTLP log record, Loki entry,
 * a JSON object posted by Vector or Fluent Bit). Every wire format is read into this shape at the edge;
 * the LogStore stores, searches and archives only this.
 */

/** Levels, lowest first. Severity numbers follow OpenTelemetry: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal. */
export const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type Level = (typeof LEVELS)[number];

/** Attribute values keep their JSON type: strings, integers and doubles, booleans, and arrays of those. */
export type AttributeValue = string | number | boolean | Array<string | number | boolean>;
export type Attributes = Record<string, AttributeValue>;

export interface LogLine {
  /** When it happened: epoch milliseconds. */
  ts: number;
  /** Nanoseconds within that millisecond (0–999,999): with `ts`, nanosecond precision. */
  ns: number;
  level: Level;
  /** OpenTelemetry severity number, 1–24 (the sender's own, or the one its level maps to). */
  severity: number;
  /** The severity as the sender wrote it ("WARNING", "err", "E"...), "" when it sent only a number. */
  severityText: string;
  body: string;
  /** Python logger name (`django.request`), OTel instrumentation scope, ... */
  logger: string | null;
  /** `service.name`, Loki `service_name`/`app`/`job`... */
  service: string | null;
  /** `host.name`, `server_name`, Loki `host`/`instance`... */
  host: string | null;
  /** Which stream the line came from: a file path, `stderr`, `nginx`, `gunicorn.access`... */
  source: string | null;
  /** 32 lowercase hex, or null. */
  traceId: string | null;
  /** 16 lowercase hex, or null. */
  spanId: string | null;
  attributes: Attributes;
}

/** A stored line: its id orders lines by time (see `lineId`). */
export interface StoredLine extends LogLine {
  id: number;
}

/** Bounds on what one line may carry; longer values are cut, extra attributes dropped (and counted in `vigil.dropped_attributes`). */
export const LIMITS = {
  bodyChars: 16 * 1024,
  labelChars: 256,
  attributes: 64,
  attributeKeyChars: 128,
  attributeValueChars: 2048,
  arrayItems: 32,
  /** Lines taken from one request; the rest are refused (partial success) so one push cannot stall a project. */
  linesPerRequest: 10_000,
} as const;

/** What a wire-format reader returns: the lines it could read, and how many it refused and why. */
export interface DecodedLogs {
  lines: LogLine[];
  rejected: number;
  /** Human-readable reasons for the rejected ones (a few, not one per line). */
  errors: string[];
}

/**
 * Line ids are time-ordered: `ts * 2048 + sequence * 8 + level`, so newest-first is descending id, a time range is
 * an id range (which FTS5 can scan by rowid directly), the level is `id & 7` (a full-text match is filtered and
 * counted per level from its rowids alone, without reading the lines), and ids stay exact in a JavaScript number
 * until 2109. 256 sequence numbers per millisecond: further lines of the same millisecond are moved to the next
 * one (their true time kept in the row's `shift`).
 */
export const ID_SPACE = 2048;
export const LEVEL_BITS = 3;
export const SEQUENCES = ID_SPACE >> LEVEL_BITS;
export const idFloor = (ts: number) => Math.floor(ts) * ID_SPACE;
export const tsOfId = (id: number) => Math.floor(id / ID_SPACE);
export const levelCode = (level: Level) => LEVELS.indexOf(level);
export const levelOfId = (id: number): Level => LEVELS[id % 8] ?? "info";

/** Attribute holding a line's own timestamp when it was too far off to be used (the line is placed at its arrival). */
export const ORIGINAL_TIMESTAMP = "vigil.original_timestamp";

/**
 * A batch as the Worker hands it to the project's LogStore: each line's stored fields already written as JSON text,
 * and the batch's identity already computed. The encoding is done by the Worker, which runs in as many copies as
 * there are requests, rather than by the one object that stores the project's lines; and handing over 100 strings
 * costs a fraction of handing over 100 objects.
 */
export interface PackedLines {
  /** Each line's time: epoch milliseconds. */
  ts: number[];
  levels: Level[];
  /**
   * Each line's stored fields as a JSON array: nanoseconds, level, severity, severity text, body, logger, service,
   * host, source, trace id, span id, and the attributes as JSON text (the columns of `lines` after `id` and `shift`).
   */
  rows: string[];
  /** What identifies the batch when it is sent again (see `batchIdentity`). */
  identity: [ms: number, hash: number];
}

export function packLines(lines: LogLine[]): PackedLines {
  const rows = lines.map((l) =>
    JSON.stringify([l.ns, l.level, l.severity, l.severityText, l.body, l.logger, l.service, l.host, l.source, l.traceId, l.spanId, JSON.stringify(l.attributes)]),
  );
  return { ts: lines.map((l) => l.ts), levels: lines.map((l) => l.level), rows, identity: batchIdentity(lines, rows) };
}

/** A stored line from its packed row, time and id. */
export function unpackLine(row: string, ts: number, id: number): StoredLine {
  const [ns, level, severity, severityText, body, logger, service, host, source, traceId, spanId, attributes] = JSON.parse(row) as [
    number, Level, number, string, string, string | null, string | null, string | null, string | null, string | null, string | null, string,
  ];
  return { id, ts, ns, level, severity, severityText, body, logger, service, host, source, traceId, spanId, attributes: JSON.parse(attributes) as Attributes };
}

/**
 * What identifies a batch sent twice: its earliest millisecond and a 53-bit hash of everything its lines say, in
 * order (time, and the packed row: nanoseconds, level, body, labels, trace, attributes). Agents retry a failed or
 * timed-out push with the same body, so a resend is the same lines in the same order. A line placed at its arrival
 * because its own clock was off has no stable millisecond: it counts by its arrival hour (its own timestamp is in
 * its attributes), so a resend within the hour is recognised. (cyrb53: fast, well mixed, exact in a JavaScript number.)
 */
export function batchIdentity(lines: LogLine[], rows: string[]): [ms: number, hash: number] {
  let earliest = Number.POSITIVE_INFINITY;
  const when = lines.map((l) => {
    const ms = l.attributes[ORIGINAL_TIMESTAMP] !== undefined ? Math.floor(l.ts / 3_600_000) * 3_600_000 : Math.floor(l.ts);
    if (ms < earliest) earliest = ms;
    return ms;
  });
  return [earliest, cyrb53(`${when.join(",")}\n${rows.join("\n")}`)];
}

function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
