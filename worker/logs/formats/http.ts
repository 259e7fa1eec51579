/**
 * Log lines posted as plain JSON to `POST /api/{id}/logs/`, by whatever ships them:
 * - Vector's `http` sink: a JSON array of events, or NDJSON (`message`, `timestamp` in RFC 3339 with up to 9
 *   fractional digits, `host`, `source_type`, `file`, and whatever the pipeline added);
 * - Fluent Bit's `http` output: `json` (an array) or `json_lines` (NDJSON), the record under `log`, its time under
 *   `date` (float seconds by default, or ISO 8601 / `java_sql_timestamp` per `json_date_format`);
 * - a Python logging handler posting a LogRecord's fields as JSON (`levelname`, `levelno`, `name`, `msg`, `message`,
 *   `created`, `pathname`, `lineno`, `funcName`, `process`, `thread`…), and the standard library's own
 *   `logging.handlers.HTTPHandler`, which posts the same fields urlencoded (`application/x-www-form-urlencoded`,
 *   every value a string, Python's `None` as the text "None").
 * The body is one JSON object, a JSON array of objects, or one object per line (NDJSON: blank lines skipped, a bad
 * line rejected and the others kept). A line that is a JSON string is a body. Fields are guessed by name (first found
 * wins; a dotted name matches a flat key `"log.level"` or a nested `{"log": {"level": …}}`); every other field becomes
 * an attribute, nested objects flattened to dotted keys. A body that is itself JSON text stays text.
 */
import { ApiError } from "../../lib/errors";
import type { DecodedLogs } from "../model";
import {
  attributesFrom,
  type Instant,
  isPlainObject,
  levelOf,
  LineCollector,
  type LinePartial,
  normalizeSpanId,
  normalizeTraceId,
  parseTimestamp,
  safeStringify,
  show,
} from "../normalize";

const malformed = (message: string) => new ApiError("malformed_body", message);

/** Field names, in the order they are tried. */
export const FIELD_NAMES = {
  time: ["timestamp", "time", "@timestamp", "ts", "date", "created", "datetime"],
  body: ["message", "msg", "body", "log", "line", "text"],
  level: ["level", "severity", "levelname", "lvl", "log.level", "loglevel"],
  pythonLevel: ["levelno"],
  severityNumber: ["severity_number", "severityNumber"],
  logger: ["logger", "logger_name", "name", "logger.name"],
  service: ["service", "service.name", "app", "application"],
  host: ["host", "hostname", "host.name", "server_name"],
  source: ["source", "file", "filename", "source_type", "stream"],
  traceId: ["trace_id", "traceId", "trace"],
  spanId: ["span_id", "spanId"],
} as const;

const NDJSON_TYPES = new Set([
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/json-lines",
  "application/jsonlines",
]);

export function decodeJsonLines(bytes: Uint8Array, contentType: string, receivedAt: number): DecodedLogs {
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  const out = new LineCollector(receivedAt);
  if (mediaType === "application/x-www-form-urlencoded") {
    readForm(bytes, out);
    return out.result();
  }
  if (!NDJSON_TYPES.has(mediaType)) {
    const whole = parseWhole(bytes);
    if (whole.ok) {
      readValue(whole.value, out);
      return out.result();
    }
    // Not one JSON document: NDJSON, if there is more than one line.
    if (!severalLines(bytes)) {
      if (whole.empty) return out.result();
      throw malformed(`The body is not ${whole.reason}: send a JSON object, a JSON array of objects, or one JSON object per line (NDJSON).`);
    }
  }
  readLines(bytes, out);
  return out.result();
}

// ---- framing ----

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const NEWLINE = 0x0a;

type Whole = { ok: true; value: unknown } | { ok: false; empty: boolean; reason: string };

function parseWhole(bytes: Uint8Array): Whole {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, empty: false, reason: "valid UTF-8" };
  }
  if (text.trim() === "") return { ok: false, empty: true, reason: "JSON" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, empty: false, reason: "valid JSON" };
  }
}

/** More than one non-blank line. */
function severalLines(bytes: Uint8Array): boolean {
  let lines = 0;
  let start = 0;
  while (start <= bytes.length) {
    const end = bytes.indexOf(NEWLINE, start);
    const stop = end === -1 ? bytes.length : end;
    for (let i = start; i < stop; i++) {
      const b = bytes[i]!;
      if (b !== 0x20 && b !== 0x09 && b !== 0x0d) {
        if (++lines > 1) return true;
        break;
      }
    }
    if (end === -1) break;
    start = end + 1;
  }
  return false;
}

function readValue(value: unknown, out: LineCollector): void {
  if (Array.isArray(value)) value.forEach((item, i) => readItem(item, `Item ${i + 1} of the array`, out));
  else if (isPlainObject(value) || typeof value === "string") readItem(value, "The line", out);
  else throw malformed(`The body must be a JSON object, an array of objects, or one object per line (NDJSON), not ${show(value)}.`);
}

function readItem(value: unknown, where: string, out: LineCollector): void {
  if (out.full) return out.refuse();
  if (typeof value === "string") return out.add({ body: value });
  if (!isPlainObject(value)) return out.reject(`${where} is ${show(value)}; a log line must be a JSON object or a string.`);
  out.add(fromRecord(value));
}

/**
 * NDJSON: each line read on its own, so a bad line is rejected and the others kept. The body is decoded as a whole
 * when it is all valid UTF-8 (one call instead of one per line); otherwise line by line, to name the bad ones.
 */
function readLines(bytes: Uint8Array, out: LineCollector): void {
  let whole: string;
  try {
    whole = strictUtf8.decode(bytes);
  } catch {
    return readLinesOfBytes(bytes, out);
  }
  let n = 0;
  for (const raw of whole.split("\n")) {
    n++;
    const text = raw.trim();
    if (text !== "") readLine(text, n, out);
  }
}

function readLine(text: string, n: number, out: LineCollector): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return out.reject(`Line ${n} is not valid JSON.`);
  }
  if (Array.isArray(value)) value.forEach((item, i) => readItem(item, `Line ${n}, item ${i + 1}`, out));
  else readItem(value, `Line ${n}`, out);
}

function readLinesOfBytes(bytes: Uint8Array, out: LineCollector): void {
  let start = 0;
  for (let n = 1; start <= bytes.length; n++) {
    const end = bytes.indexOf(NEWLINE, start);
    const stop = end === -1 ? bytes.length : end;
    const line = bytes.subarray(start, stop);
    start = stop + 1;
    let text: string;
    try {
      text = strictUtf8.decode(line).trim();
    } catch {
      out.reject(`Line ${n} is not valid UTF-8.`);
      continue;
    }
    if (text !== "") readLine(text, n, out);
  }
}

/** The standard library's HTTPHandler: one LogRecord's fields, urlencoded. */
function readForm(bytes: Uint8Array, out: LineCollector): void {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw malformed("The form body is not valid UTF-8.");
  }
  const entries: Array<[string, unknown]> = [];
  for (const [key, value] of new URLSearchParams(text)) {
    if (value === "None") continue; // Python's None, as str() writes it
    const number = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    entries.push([key, Number.isFinite(number) && (value.includes(".") || Number.isSafeInteger(number)) ? number : value]);
  }
  if (entries.length === 0) throw malformed("The form body has no fields.");
  out.add(fromRecord(Object.fromEntries(entries)));
}

// ---- fields ----

/**
 * Where the value of a dotted name is: the flat key (`"log.level"`) or the nested path (`{"log": {"level": …}}`);
 * the object holding it and its key there, or null.
 */
function locate(record: Record<string, unknown>, name: string): [Record<string, unknown>, string] | null {
  if (Object.hasOwn(record, name)) return [record, name];
  const dot = name.indexOf(".");
  if (dot > 0) {
    const head = name.slice(0, dot);
    const parent = Object.hasOwn(record, head) ? record[head] : undefined;
    if (isPlainObject(parent)) return locate(parent, name.slice(dot + 1));
  }
  return null;
}

/**
 * The first of `names` whose value `read` accepts, taken out of the record (so it is not also an attribute): set to
 * undefined, which the attributes skip, rather than deleted — a deleted key turns the object into a slow hash map.
 */
function take<T>(record: Record<string, unknown>, names: readonly string[], read: (value: unknown) => T | null): T | null {
  for (const name of names) {
    const found = locate(record, name);
    if (!found) continue;
    const [holder, key] = found;
    const value = read(holder[key]);
    if (value !== null) {
      holder[key] = undefined;
      return value;
    }
  }
  return null;
}

const asText = (v: unknown): string | null =>
  typeof v === "string" ? (v.trim() === "" ? null : v) : typeof v === "number" || typeof v === "boolean" ? String(v) : null;

/** A message as text; a number or boolean as its text. */
const asBody = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null;

/** A structured message (`{"message": {...}}`) as JSON text. Not for `log`: an object there is ECS's `log.*`. */
const asStructuredBody = (v: unknown): string | null => (typeof v === "object" && v !== null ? safeStringify(v) : null);

const asNumber = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** Python's levelno (DEBUG 10, INFO 20, WARNING 30, ERROR 40, CRITICAL 50; custom levels in between) as OTel severity. */
export function severityOfPythonLevel(levelno: number): number | null {
  if (levelno <= 0) return null; // NOTSET
  if (levelno < 10) return 1;
  if (levelno < 20) return 5;
  if (levelno < 30) return 9;
  if (levelno < 40) return 13;
  if (levelno < 50) return 17;
  return 21;
}

function fromRecord(record: Record<string, unknown>): LinePartial {
  const time: Instant | null = take(record, FIELD_NAMES.time, parseTimestamp);
  const body = take(record, FIELD_NAMES.body, asBody) ?? take(record, ["message", "body"], asStructuredBody);
  const levelText = take(record, FIELD_NAMES.level, asText);
  const pythonLevel = take(record, FIELD_NAMES.pythonLevel, (v) => {
    const n = asNumber(v);
    return n === null ? null : severityOfPythonLevel(n);
  });
  const severityNumber = take(record, FIELD_NAMES.severityNumber, (v) => {
    const n = asNumber(v);
    return n !== null && Number.isInteger(n) && n >= 1 && n <= 24 ? n : null;
  });
  return {
    time,
    body: body ?? "",
    level: levelOf(levelText, pythonLevel ?? severityNumber),
    logger: take(record, FIELD_NAMES.logger, asText),
    service: take(record, FIELD_NAMES.service, asText),
    host: take(record, FIELD_NAMES.host, asText),
    source: take(record, FIELD_NAMES.source, asText),
    traceId: take(record, FIELD_NAMES.traceId, normalizeTraceId),
    spanId: take(record, FIELD_NAMES.spanId, normalizeSpanId),
    attributes: attributesFrom(record),
  };
}
