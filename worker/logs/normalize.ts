/**
 * What every log wire-format reader shares: reading timestamps and levels however senders write them, turning JSON
 * objects into typed attributes, and building the one `LogLine` shape with `LIMITS` applied.
 */
import type { AttributeValue, Attributes, DecodedLogs, Level, LogLine } from "./model";
import { LEVELS, LIMITS, ORIGINAL_TIMESTAMP } from "./model";

/** A point in time: epoch milliseconds and the nanoseconds within that millisecond (0–999,999). */
export interface Instant {
  ts: number;
  ns: number;
}

/** A line stamped further ahead of its arrival than this has a wrong clock: it is placed at its arrival. */
export const MAX_FUTURE_MS = 60 * 60 * 1000;
/** A line stamped further back than this before its arrival has a wrong clock (or is a replay): placed at its arrival. */
export const MAX_PAST_MS = 30 * 24 * 60 * 60 * 1000;

/** Largest epoch milliseconds a Date can hold; beyond it a timestamp is unreadable. */
const MAX_DATE_MS = 8_640_000_000_000_000;
const NS_PER_MS = 1_000_000n;

// ---- timestamps ----

/** An instant from nanoseconds since the epoch (exact); null for 0 (OTLP's "not set"), negatives and the absurdly large. */
export function instantFromNanos(total: bigint): Instant | null {
  if (total <= 0n) return null;
  const ms = total / NS_PER_MS;
  if (ms > BigInt(MAX_DATE_MS)) return null;
  return { ts: Number(ms), ns: Number(total % NS_PER_MS) };
}

/** Seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by magnitude (any date after 1973). */
const UNITS = [
  { below: 100_000_000_000n, ns: 1_000_000_000n, fractionDigits: 9 }, // seconds until the year 5138
  { below: 100_000_000_000_000n, ns: 1_000_000n, fractionDigits: 6 }, // milliseconds
  { below: 100_000_000_000_000_000n, ns: 1_000n, fractionDigits: 3 }, // microseconds
  { below: null, ns: 1n, fractionDigits: 0 }, // nanoseconds
] as const;

function unitOf(whole: bigint) {
  return UNITS.find((u) => u.below === null || whole < u.below)!;
}

/** A decimal epoch (digits, optional fraction) read exactly, in the unit its magnitude says. */
function fromDecimal(intDigits: string, fraction: string): Instant | null {
  const digits = intDigits.replace(/^0+/, "");
  if (digits.length > 21) return null;
  const whole = BigInt(digits || "0");
  const unit = unitOf(whole);
  const fractionNs = unit.fractionDigits === 0 ? 0n : BigInt(fraction.padEnd(unit.fractionDigits, "0").slice(0, unit.fractionDigits));
  return instantFromNanos(whole * unit.ns + fractionNs);
}

/**
 * A JSON number. A double holds about 16 significant digits, so epoch seconds, milliseconds and microseconds are
 * rounded to the microsecond (Python's `int(t * 1e9) / 1e9` turns 10.25 s into 10.2499998 s; this reads 10.25);
 * nanoseconds beyond 2^53 are taken as the double holds them (to ~256 ns).
 */
function fromNumber(n: number): Instant | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  if (n >= 1e17) return instantFromNanos(BigInt(Math.round(n)));
  const perMicro = n < 1e11 ? 1e6 : n < 1e14 ? 1e3 : 1;
  return instantFromNanos(BigInt(Math.round(n * perMicro)) * 1_000n);
}

const DECIMAL = /^(\d+)(?:\.(\d*))?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** RFC 3339 / ISO 8601 with 0–9 (or more, cut) fractional digits; an offset or Z, or none (read as UTC). */
function fromIso(text: string): Instant | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return null; // 30 February
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) {
    // Date.UTC reads years 0–99 as 1900–1999.
    const date = new Date(ms);
    date.setUTCFullYear(year);
    ms = date.getTime();
  }
  if (m[9]) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = Number(m[11] ?? "0");
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    ms -= (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  const fraction = (m[7] ?? "").padEnd(9, "0").slice(0, 9);
  const ts = ms + Number(fraction.slice(0, 3));
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_DATE_MS) return null;
  return { ts, ns: Number(fraction.slice(3)) };
}

function fromSecondsNanos(value: Record<string, unknown>): Instant | null {
  const { seconds, nanos = 0 } = value;
  let whole: bigint;
  if (typeof seconds === "bigint") whole = seconds;
  else if (typeof seconds === "number" && Number.isSafeInteger(seconds)) whole = BigInt(seconds);
  else if (typeof seconds === "string" && /^\d{1,19}$/.test(seconds)) whole = BigInt(seconds);
  else return null;
  if (typeof nanos !== "number" || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) return null;
  return instantFromNanos(whole * 1_000_000_000n + BigInt(nanos));
}

/**
 * Read a timestamp however it was sent: an epoch number or numeric string in seconds (float), milliseconds,
 * microseconds or nanoseconds (chosen by magnitude; decimal strings are exact, so Loki's nanosecond strings keep
 * every digit); an RFC 3339 / ISO 8601 string with any offset and up to 9 fractional digits; `{seconds, nanos}`.
 * Null for anything unreadable (including 0, negative epochs and dates beyond what a Date holds).
 */
export function parseTimestamp(value: unknown): Instant | null {
  switch (typeof value) {
    case "number":
      return fromNumber(value);
    case "bigint":
      return value > 0n ? fromDecimal(value.toString(), "") : null;
    case "string": {
      const text = value.trim();
      if (text.length === 0 || text.length > 64) return null;
      // YYYY-MM-…: a date, the usual case (no number looks like this).
      if (text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) return fromIso(text);
      const decimal = DECIMAL.exec(text);
      if (decimal) return fromDecimal(decimal[1]!, decimal[2] ?? "");
      if (/^\d[\d.]*e[+-]?\d+$/i.test(text)) return fromNumber(Number(text));
      return fromIso(text);
    }
    case "object":
      return value !== null && !Array.isArray(value) ? fromSecondsNanos(value as Record<string, unknown>) : null;
    default:
      return null;
  }
}

/** `2019-01-01T00:00:00.123456789Z`: an instant with all nine fractional digits. */
export function formatInstant(t: Instant): string {
  return new Date(t.ts).toISOString().replace(/Z$/, `${String(t.ns).padStart(6, "0")}Z`);
}

/**
 * Where a line goes in time: its own timestamp when it has a believable one; otherwise when it arrived. A timestamp
 * more than MAX_FUTURE_MS ahead or MAX_PAST_MS behind the arrival is kept as attribute `vigil.original_timestamp`.
 */
export function placeInTime(t: Instant | null, receivedAt: number, attributes: Attributes): Instant {
  const arrival = { ts: Math.floor(receivedAt), ns: 0 };
  if (!t) return arrival;
  if (t.ts > receivedAt + MAX_FUTURE_MS || t.ts < receivedAt - MAX_PAST_MS) {
    attributes[ORIGINAL_TIMESTAMP] = formatInstant(t);
    return arrival;
  }
  return t;
}

// ---- levels ----

export interface LevelInfo {
  level: Level;
  severity: number;
  severityText: string;
}

const TEXT_LEVELS: Record<string, Level> = {
  trace: "trace",
  debug: "debug",
  dbg: "debug",
  d: "debug",
  info: "info",
  information: "info",
  informational: "info",
  notice: "info",
  i: "info",
  warn: "warn",
  warning: "warn",
  w: "warn",
  error: "error",
  err: "error",
  exception: "error",
  e: "error",
  critical: "fatal",
  crit: "fatal",
  fatal: "fatal",
  alert: "fatal",
  emerg: "fatal",
  emergency: "fatal",
  panic: "fatal",
  f: "fatal",
};

/** The OpenTelemetry severity number a level's range starts at. */
export const SEVERITY_OF: Record<Level, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

/**
 * A level from what the sender wrote: an OpenTelemetry severity number (1–24) decides when there is one; otherwise
 * the text (case-insensitive names and abbreviations, also OTel's `INFO2`-style short names). Anything else is info,
 * with the sender's text kept as `severityText`.
 */
export function levelOf(text: string | null | undefined, severityNumber?: number | null): LevelInfo {
  const severityText = typeof text === "string" ? text : "";
  if (typeof severityNumber === "number" && Number.isInteger(severityNumber) && severityNumber >= 1 && severityNumber <= 24) {
    return { level: LEVELS[Math.floor((severityNumber - 1) / 4)]!, severity: severityNumber, severityText };
  }
  const key = severityText.trim().toLowerCase();
  const named = Object.hasOwn(TEXT_LEVELS, key) ? TEXT_LEVELS[key] : undefined;
  if (named) return { level: named, severity: SEVERITY_OF[named], severityText };
  const short = /^(trace|debug|info|warn|error|fatal)([1-4])$/.exec(key);
  if (short) {
    const level = short[1] as Level;
    return { level, severity: SEVERITY_OF[level] + Number(short[2]) - 1, severityText };
  }
  return { level: "info", severity: SEVERITY_OF.info, severityText };
}

// ---- attributes ----

/** Nested objects deeper than this are kept as one JSON string instead of more dotted keys. */
const MAX_FLATTEN_DEPTH = 8;

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** JSON text of any value, never throwing (a structure too deep for the JSON writer becomes a placeholder). */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
  } catch {
    return "[value nested too deeply to show]";
  }
}

/** An array of one scalar type is kept (numbers may mix integers and doubles); any other array becomes JSON text. */
function arrayValue(items: unknown[]): AttributeValue {
  const first = items[0];
  if (items.length === 0 || (isScalar(first) && items.every((item) => typeof item === typeof first))) {
    return items.slice(0, LIMITS.arrayItems) as Scalar[];
  }
  return safeStringify(items);
}

/**
 * Add one JSON value under `key`: scalars as they are, null dropped, arrays per `arrayValue`, objects flattened to
 * dotted keys (`a.b.c`), bigints as numbers when exact or else decimal strings.
 */
export function flattenInto(into: Map<string, AttributeValue>, key: string, value: unknown, depth = 0): void {
  if (value === null || value === undefined) return;
  if (isScalar(value)) into.set(key, value);
  else if (typeof value === "bigint") into.set(key, Number.isSafeInteger(Number(value)) ? Number(value) : value.toString());
  else if (Array.isArray(value)) into.set(key, arrayValue(value));
  else if (isPlainObject(value)) {
    if (depth >= MAX_FLATTEN_DEPTH) into.set(key, safeStringify(value));
    else for (const [k, v] of Object.entries(value)) flattenInto(into, key === "" ? k : `${key}.${k}`, v, depth + 1);
  } else into.set(key, String(value));
}

/** A plain JSON object as typed attributes (see `flattenInto`), in a Map as `makeLine` takes them. */
export function attributesFrom(object: Record<string, unknown>): Map<string, AttributeValue> {
  const into = new Map<string, AttributeValue>();
  flattenInto(into, "", object);
  return into;
}

// ---- lines ----

/** Cut to `max` characters with an ellipsis, never between the halves of a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * 32 lowercase hex, or null. Also taken: a dashed UUID (older Sentry SDKs), a 64-bit id (16 hex, left-padded as
 * W3C trace context and Jaeger do). All zeros is "no trace".
 */
export function normalizeTraceId(value: unknown): string | null {
  if (typeof value !== "string") return null;
  let hex = value.trim().toLowerCase();
  if (UUID.test(hex)) hex = hex.replaceAll("-", "");
  else if (HEX16.test(hex)) hex = hex.padStart(32, "0");
  return HEX32.test(hex) && !/^0+$/.test(hex) ? hex : null;
}

/** 16 lowercase hex, or null (all zeros too). */
export function normalizeSpanId(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const hex = value.trim().toLowerCase();
  return HEX16.test(hex) && !/^0+$/.test(hex) ? hex : null;
}

/** What a reader found for one line; `makeLine` fills in the rest and applies the limits. */
export interface LinePartial {
  /** The sender's timestamp, if it had a readable one. */
  time?: Instant | null;
  level?: LevelInfo;
  body?: string;
  logger?: string | null;
  service?: string | null;
  host?: string | null;
  source?: string | null;
  traceId?: string | null;
  spanId?: string | null;
  attributes?: Attributes | ReadonlyMap<string, AttributeValue>;
  /** Attributes the sender already dropped (OTLP `dropped_attributes_count`), added to `vigil.dropped_attributes`. */
  droppedAttributes?: number;
}

function label(value: string | null | undefined): string | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  return cut(value, LIMITS.labelChars);
}

function scalarWithin(value: Scalar): Scalar {
  if (typeof value === "string") return cut(value, LIMITS.attributeValueChars);
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

function valueWithin(value: AttributeValue): AttributeValue | undefined {
  if (Array.isArray(value)) {
    if (!value.every(isScalar)) return cut(safeStringify(value), LIMITS.attributeValueChars);
    return value.slice(0, LIMITS.arrayItems).map(scalarWithin);
  }
  if (isScalar(value)) return scalarWithin(value);
  if (value === null || value === undefined) return undefined;
  return cut(safeStringify(value), LIMITS.attributeValueChars);
}

/** One `LogLine` from what a reader found: placed in time, ids normalized, everything cut to `LIMITS`. */
export function makeLine(partial: LinePartial, receivedAt: number): LogLine {
  const entries = partial.attributes instanceof Map ? partial.attributes.entries() : Object.entries(partial.attributes ?? {});
  const kept: Array<[string, AttributeValue]> = [];
  let dropped = partial.droppedAttributes ?? 0;
  for (const [key, raw] of entries) {
    const value = valueWithin(raw);
    if (value === undefined) continue;
    if (key === "" || kept.length >= LIMITS.attributes) dropped++;
    else kept.push([cut(key, LIMITS.attributeKeyChars), value]);
  }
  const attributes: Attributes = Object.fromEntries(kept);
  const { ts, ns } = placeInTime(partial.time ?? null, receivedAt, attributes);
  if (dropped > 0) attributes["vigil.dropped_attributes"] = dropped;
  const level = partial.level ?? levelOf(null);
  return {
    ts,
    ns,
    level: level.level,
    severity: level.severity,
    severityText: cut(level.severityText, LIMITS.labelChars),
    body: cut(partial.body ?? "", LIMITS.bodyChars),
    logger: label(partial.logger),
    service: label(partial.service),
    host: label(partial.host),
    source: label(partial.source),
    traceId: normalizeTraceId(partial.traceId),
    spanId: normalizeSpanId(partial.spanId),
    attributes,
  };
}

/** Reasons kept per request: enough to see what is wrong, not one per line. */
export const MAX_ERRORS = 5;

/** Gathers a reader's lines, refusing those past `LIMITS.linesPerRequest`, and its rejections with a few reasons. */
export class LineCollector {
  readonly lines: LogLine[] = [];
  private rejected = 0;
  private overLimit = 0;
  private readonly errors: string[] = [];

  constructor(private readonly receivedAt: number) {}

  /** True once the request's line budget is spent: further lines are only counted. */
  get full(): boolean {
    return this.lines.length >= LIMITS.linesPerRequest;
  }

  add(partial: LinePartial): void {
    if (this.full) this.overLimit++;
    else this.lines.push(makeLine(partial, this.receivedAt));
  }

  /** Count one more line past the limit without reading it. */
  refuse(): void {
    this.overLimit++;
  }

  reject(reason: string): void {
    this.rejected++;
    if (this.errors.length < MAX_ERRORS && !this.errors.includes(reason)) this.errors.push(reason);
  }

  result(): DecodedLogs {
    const errors = [...this.errors];
    if (this.overLimit > 0) {
      errors.push(`Only ${LIMITS.linesPerRequest} lines are taken from one request; ${this.overLimit} more were refused.`);
    }
    return { lines: this.lines, rejected: this.rejected + this.overLimit, errors };
  }
}

/** A short, printable rendering of an unexpected value for an error message. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return cut(safeStringify(value), 40);
}
