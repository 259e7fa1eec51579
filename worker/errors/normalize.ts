import type { Level } from "./schema";

/** A Sentry event after normalization: known fields have known shapes; everything else is kept as sent. */
export interface SentryFrame {
  filename?: string;
  abs_path?: string;
  module?: string;
  function?: string;
  lineno?: number;
  colno?: number;
  pre_context?: string[];
  context_line?: string;
  post_context?: string[];
  vars?: Record<string, unknown>;
  in_app?: boolean;
  [k: string]: unknown;
}

export interface SentryException {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: { type?: string; handled?: boolean; [k: string]: unknown };
  stacktrace?: { frames: SentryFrame[] };
  [k: string]: unknown;
}

export interface ProcessingNote {
  type: string;
  name: string;
  value?: unknown;
}

export interface NormalizedEvent {
  event_id: string;
  timestamp: number; // epoch seconds (float)
  received: number; // epoch seconds
  level: Level;
  platform: string;
  message?: string;
  /** A logged message's template and parameters, when the SDK sent them. */
  logentry?: { message: string; params?: unknown };
  logger?: string;
  transaction?: string;
  release?: string;
  environment?: string;
  server_name?: string;
  fingerprint?: string[];
  exception?: { values: SentryException[] };
  request?: Record<string, unknown>;
  user?: Record<string, unknown>;
  tags: [string, string][];
  contexts: Record<string, Record<string, unknown>>;
  breadcrumbs: { values: Record<string, unknown>[] };
  extra?: Record<string, unknown>;
  sdk?: Record<string, unknown>;
  _meta?: unknown;
  /** What normalization changed: trimmed values, replaced timestamps. Shown with the event. */
  errors: ProcessingNote[];
  [k: string]: unknown;
}

const LEVELS: Record<string, Level> = { fatal: "fatal", critical: "fatal", error: "error", warning: "warning", warn: "warning", info: "info", log: "info", debug: "debug" };

export const MAX_STRING = 8 * 1024;
const MAX_FRAMES = 250;
const MAX_BREADCRUMBS = 100;
const MAX_DEPTH = 8;
const MAX_ITEMS = 100;
/** Timestamps further than this from the time of arrival are replaced by the time of arrival. */
const MAX_FUTURE_MS = 60 * 60 * 1000;
const MAX_PAST_MS = 30 * 24 * 3600 * 1000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length ? v : typeof v === "number" ? String(v) : undefined);

/** Parse RFC 3339 strings and epoch seconds (floats) into epoch milliseconds. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value > 1e11 ? value : value * 1000;
  if (typeof value === "string" && value) {
    if (/^\d+(\.\d+)?$/.test(value)) return parseTimestamp(Number(value));
    const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
    const ms = Date.parse(withZone);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** Trim long strings, deep nesting and long lists so one event cannot blow up storage or the page. */
function trim(value: unknown, path: string, notes: ProcessingNote[], depth = 0): unknown {
  if (typeof value === "string") {
    if (value.length <= MAX_STRING) return value;
    notes.push({ type: "value_too_long", name: path, value: value.length });
    return `${value.slice(0, MAX_STRING)}…`;
  }
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return "[…]";
    let items = value;
    if (path.endsWith(".frames") && value.length > MAX_FRAMES) {
      // Keep the first frames (entry point) and the last ones (where it crashed).
      items = [...value.slice(0, 50), ...value.slice(-(MAX_FRAMES - 50))];
      notes.push({ type: "too_many_frames", name: path, value: value.length });
    } else if (!path.endsWith(".frames") && value.length > MAX_ITEMS) {
      items = value.slice(0, MAX_ITEMS);
      notes.push({ type: "too_many_items", name: path, value: value.length });
    }
    return items.map((v, i) => trim(v, `${path}.${i}`, notes, depth + 1));
  }
  if (isObject(value)) {
    if (depth >= MAX_DEPTH) return "{…}";
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(value)) {
      if (++n > MAX_ITEMS * 2) {
        notes.push({ type: "too_many_items", name: path });
        break;
      }
      out[k] = trim(v, path ? `${path}.${k}` : k, notes, depth + 1);
    }
    return out;
  }
  return value;
}

function message(event: Record<string, unknown>): string | undefined {
  if (typeof event.message === "string") return event.message;
  const entry = isObject(event.logentry) ? event.logentry : isObject(event.message) ? event.message : undefined;
  if (!entry) return undefined;
  if (typeof entry.formatted === "string") return entry.formatted;
  if (typeof entry.message !== "string") return undefined;
  const params = Array.isArray(entry.params) ? entry.params : [];
  let i = 0;
  return entry.message.replace(/%[sdrif]/g, (m) => (i < params.length ? String(params[i++]) : m));
}

function exceptions(raw: unknown): SentryException[] {
  const values = Array.isArray(raw) ? raw : isObject(raw) && Array.isArray(raw.values) ? raw.values : [];
  return values.filter(isObject).map((e) => {
    const ex = { ...e } as SentryException;
    if (e.type !== undefined) ex.type = str(e.type) ?? "Error";
    if (e.value !== undefined) ex.value = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
    const st = isObject(e.stacktrace) ? e.stacktrace : undefined;
    const frames = Array.isArray(st?.frames) ? st.frames.filter(isObject) : [];
    if (frames.length) {
      ex.stacktrace = { frames: frames.map((f) => ({ ...f, lineno: typeof f.lineno === "number" ? f.lineno : undefined }) as SentryFrame) };
    } else {
      delete ex.stacktrace;
    }
    return ex;
  });
}

function tags(raw: unknown): [string, string][] {
  const pairs: [unknown, unknown][] = Array.isArray(raw)
    ? raw.filter((p): p is [unknown, unknown] => Array.isArray(p) && p.length === 2)
    : isObject(raw)
      ? Object.entries(raw)
      : [];
  return pairs
    .filter(([k, v]) => typeof k === "string" && k.length > 0 && v !== null && v !== undefined)
    .map(([k, v]) => [String(k).slice(0, 200), String(v).slice(0, 200)] as [string, string]);
}

/**
 * Bring an event sent by any SDK version into one shape: timestamps (RFC 3339 or epoch seconds, absurd ones
 * replaced by the arrival time, with a note), level, message, exceptions, tags, breadcrumbs; and trim what
 * is too big, noting what was cut. `_meta` is kept as sent.
 */
export function normalizeEvent(raw: Record<string, unknown>, eventId: string, receivedAtMs: number): NormalizedEvent {
  const errors: ProcessingNote[] = [];
  const trimmed = trim(raw, "", errors) as Record<string, unknown>;
  let ts = parseTimestamp(raw.timestamp);
  if (ts === undefined) {
    if (raw.timestamp !== undefined) errors.push({ type: "invalid_data", name: "timestamp", value: String(raw.timestamp).slice(0, 100) });
    ts = receivedAtMs;
  } else if (ts > receivedAtMs + MAX_FUTURE_MS) {
    errors.push({ type: "future_timestamp", name: "timestamp", value: raw.timestamp });
    ts = receivedAtMs;
  } else if (ts < receivedAtMs - MAX_PAST_MS) {
    errors.push({ type: "past_timestamp", name: "timestamp", value: raw.timestamp });
    ts = receivedAtMs;
  }
  // Own keys only: "__proto__" or "constructor" as a level must not become an object (it broke the event insert).
  const levelKey = String(raw.level ?? "").toLowerCase();
  const level = (Object.hasOwn(LEVELS, levelKey) ? LEVELS[levelKey] : undefined) ?? (raw.exception ? "error" : "info");
  const ex = exceptions(trimmed.exception);
  const breadcrumbsRaw = Array.isArray(trimmed.breadcrumbs) ? trimmed.breadcrumbs : isObject(trimmed.breadcrumbs) ? trimmed.breadcrumbs.values : [];
  const breadcrumbs = (Array.isArray(breadcrumbsRaw) ? breadcrumbsRaw.filter(isObject) : []).slice(-MAX_BREADCRUMBS);
  const contexts = isObject(trimmed.contexts) ? (Object.fromEntries(Object.entries(trimmed.contexts).filter(([, v]) => isObject(v))) as NormalizedEvent["contexts"]) : {};
  const fingerprint = Array.isArray(raw.fingerprint) ? raw.fingerprint.map((f) => String(f)).slice(0, 20) : undefined;
  const msg = message(trimmed);
  const event: NormalizedEvent = {
    ...trimmed,
    event_id: eventId,
    timestamp: ts / 1000,
    received: receivedAtMs / 1000,
    level,
    platform: str(raw.platform) ?? "other",
    tags: tags(trimmed.tags),
    contexts,
    breadcrumbs: { values: breadcrumbs },
    errors: [...(Array.isArray(raw.errors) ? (raw.errors.filter(isObject) as unknown as ProcessingNote[]) : []), ...errors],
  };
  // Keep the template of a logged message ("Import failed for %s"): grouping uses it, so the parameters don't split issues.
  const entry = isObject(trimmed.logentry) ? trimmed.logentry : isObject(trimmed.message) ? trimmed.message : undefined;
  if (entry && typeof entry.message === "string") event.logentry = { message: entry.message.slice(0, MAX_STRING), params: entry.params };
  else delete event.logentry;
  if (msg !== undefined) event.message = msg.slice(0, MAX_STRING);
  else delete event.message;
  if (ex.length) event.exception = { values: ex };
  else delete event.exception;
  if (fingerprint?.length) event.fingerprint = fingerprint;
  else delete event.fingerprint;
  for (const key of ["release", "environment", "transaction", "server_name", "logger"] as const) {
    const v = str(trimmed[key]);
    if (v) event[key] = v.slice(0, 200);
    else delete event[key];
  }
  if (!isObject(event.request)) delete event.request;
  if (!isObject(event.user)) delete event.user;
  return event;
}
