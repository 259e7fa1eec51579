/**
 * An OTLP/HTTP logs body (ExportLogsServiceRequest, opentelemetry-proto `collector/logs/v1`), protobuf or OTLP/JSON,
 * read into log lines. The Python SDK (and the Collector's otlphttp exporter) send protobuf; JSON follows the spec:
 * lowerCamelCase keys, hex ids, enums as integers, 64-bit integers as decimal strings (numbers accepted too).
 *
 * What goes where:
 * - `timeUnixNano`, or `observedTimeUnixNano` when the record has no time of its own (exact to the nanosecond);
 * - `severityNumber` decides the level, `severityText` is kept as written (Python: `INFO`, `WARN`, `FATAL`);
 * - the body: a string as is, any other AnyValue (a map, a list, a number) as JSON text;
 * - resource `service.name` → service and `host.name` → host (not repeated in attributes); the other resource
 *   attributes (`service.version`, `telemetry.sdk.*`, `service.instance.id`…) are added after the record's own,
 *   which win on a clash; map values are flattened to dotted keys;
 * - logger: the record's `logger.name` attribute if it has one, else the instrumentation scope's name. Python's
 *   LoggingHandler (opentelemetry-instrumentation-logging, and the SDK's deprecated one) names the scope after the
 *   stdlib logger (`django.request`) and sets no `logger.name`; its `code.file.path`, `code.function.name`,
 *   `code.line.number` and `exception.*` attributes stay attributes;
 * - source: `log.file.path`, `log.file.name` or `log.iostream` (the semantic conventions of file and stream logs);
 * - `eventName` → attribute `event.name`; trace and span ids as hex (all zeros → none).
 * A record that cannot be read (a value nested too deep, a wrong JSON type) is rejected; the others are kept.
 */
import { WireType } from "@bufbuild/protobuf/wire";
import { ApiError } from "../../lib/errors";
import {
  type AnyJson,
  anyValueFromJson,
  keyValuesFromJson,
  LEN,
  OtlpValueError,
  readAnyValue,
  readKeyValue,
  readMessage,
} from "../../lib/otlp-wire";
import type { AttributeValue, DecodedLogs } from "../model";
import {
  flattenInto,
  type Instant,
  instantFromNanos,
  isPlainObject,
  levelOf,
  LineCollector,
  safeStringify,
  show,
} from "../normalize";

const malformed = (message: string) => new ApiError("malformed_body", message);

/** One record as sent, before it becomes a line. */
interface OtlpRecord {
  time: bigint;
  observedTime: bigint;
  severityNumber: number;
  severityText: string;
  body: AnyJson;
  attributes: Map<string, AnyJson>;
  droppedAttributes: number;
  traceId: string | null;
  spanId: string | null;
  eventName: string;
}

const newRecord = (): OtlpRecord => ({
  time: 0n,
  observedTime: 0n,
  severityNumber: 0,
  severityText: "",
  body: null,
  attributes: new Map(),
  droppedAttributes: 0,
  traceId: null,
  spanId: null,
  eventName: "",
});

/** Resource and scope of a group of records. */
interface Origin {
  resource: Map<string, AnyJson>;
  scopeName: string;
}

export function decodeOtlpLogs(bytes: Uint8Array, contentType: string, receivedAt: number): DecodedLogs {
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  const out = new LineCollector(receivedAt);
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") readProtobuf(bytes, out);
  else if (mediaType === "application/json") readJson(bytes, out);
  else {
    throw new ApiError(
      "unsupported_media_type",
      `OTLP/HTTP logs must be sent as application/x-protobuf or application/json, not "${contentType || "(none)"}".`,
    );
  }
  return out.result();
}

const str = (value: AnyJson | undefined) => (typeof value === "string" && value !== "" ? value : null);

/** The first of `keys` holding a non-empty string, taken out of the map. */
function takeFirst(attributes: Map<string, AttributeValue>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = attributes.get(key);
    if (typeof value === "string" && value !== "") {
      attributes.delete(key);
      return value;
    }
  }
  return null;
}

function addRecord(out: LineCollector, record: OtlpRecord, origin: Origin): void {
  const attributes = new Map<string, AttributeValue>();
  for (const [key, value] of record.attributes) flattenInto(attributes, key, value);
  if (record.eventName) attributes.set("event.name", record.eventName);
  for (const [key, value] of origin.resource) {
    if (key === "service.name" || key === "host.name") continue;
    const resourceOnly = new Map<string, AttributeValue>();
    flattenInto(resourceOnly, key, value);
    for (const [k, v] of resourceOnly) if (!attributes.has(k)) attributes.set(k, v);
  }
  const time: Instant | null = instantFromNanos(record.time) ?? instantFromNanos(record.observedTime);
  const body = record.body;
  out.add({
    time,
    level: levelOf(record.severityText, record.severityNumber),
    body: typeof body === "string" ? body : body === null ? "" : safeStringify(body),
    logger: takeFirst(attributes, ["logger.name"]) ?? (origin.scopeName || null),
    service: str(origin.resource.get("service.name")),
    host: str(origin.resource.get("host.name")),
    source: takeFirst(attributes, ["log.file.path", "log.file.name", "log.iostream"]),
    traceId: record.traceId,
    spanId: record.spanId,
    attributes,
    droppedAttributes: record.droppedAttributes,
  });
}

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

// ---- protobuf ----

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function readProtobuf(body: Uint8Array, out: LineCollector): void {
  try {
    // ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
    readMessage(body, { 1: [LEN, (r) => readResourceLogs(r.bytes(), out)] });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw malformed(`The body is not a valid OTLP ExportLogsServiceRequest in protobuf (truncated or corrupt: ${reason(err)}).`);
  }
}

function readResourceLogs(bytes: Uint8Array, out: LineCollector): void {
  // ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }: the resource may come last.
  const resource = new Map<string, AnyJson>();
  const scopes: Uint8Array[] = [];
  readMessage(bytes, {
    1: [LEN, (r) => readMessage(r.bytes(), { 1: [LEN, (a) => readKeyValue(a.bytes(), resource)] })],
    2: [LEN, (r) => scopes.push(r.bytes())],
  });
  for (const scope of scopes) {
    // ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
    const origin: Origin = { resource, scopeName: "" };
    const records: Uint8Array[] = [];
    readMessage(scope, {
      1: [LEN, (r) => readMessage(r.bytes(), { 1: [LEN, (s) => (origin.scopeName = s.string())] })],
      2: [LEN, (r) => records.push(r.bytes())],
    });
    for (const bytes of records) {
      if (out.full) {
        out.refuse();
        continue;
      }
      let record: OtlpRecord;
      try {
        record = readLogRecord(bytes);
      } catch (err) {
        out.reject(`A log record could not be read (${reason(err)}).`);
        continue;
      }
      addRecord(out, record, origin);
    }
  }
}

function readLogRecord(bytes: Uint8Array): OtlpRecord {
  const record = newRecord();
  readMessage(bytes, {
    1: [WireType.Bit64, (r) => (record.time = BigInt(r.fixed64()))],
    11: [WireType.Bit64, (r) => (record.observedTime = BigInt(r.fixed64()))],
    2: [WireType.Varint, (r) => (record.severityNumber = r.int32())],
    3: [LEN, (r) => (record.severityText = r.string())],
    5: [LEN, (r) => (record.body = readAnyValue(r.bytes()))],
    6: [LEN, (r) => readKeyValue(r.bytes(), record.attributes)],
    7: [WireType.Varint, (r) => (record.droppedAttributes = r.uint32())],
    9: [LEN, (r) => (record.traceId = idHex(r.bytes(), 16))],
    10: [LEN, (r) => (record.spanId = idHex(r.bytes(), 8))],
    12: [LEN, (r) => (record.eventName = r.string())],
  });
  return record;
}

/** Ids of another length than the spec's are no id (the line is kept without it). */
const idHex = (bytes: Uint8Array, length: number) => (bytes.length === length ? hex(bytes) : null);

// ---- OTLP/JSON ----

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${path} must be an array, not ${show(value)}.`);
  return value;
}

function message(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw malformed(`${path} must be an object, not ${show(value)}.`);
  return value;
}

function readJson(body: Uint8Array, out: LineCollector): void {
  let root: unknown;
  try {
    root = JSON.parse(strictUtf8.decode(body));
  } catch {
    throw malformed("The body is not valid JSON (OTLP/JSON with application/json).");
  }
  if (!isPlainObject(root)) {
    throw malformed('The body must be a JSON object (an OTLP ExportLogsServiceRequest: {"resourceLogs": [...]}).');
  }
  list(root.resourceLogs, "resourceLogs").forEach((rlValue, i) => {
    const rlPath = `resourceLogs[${i}]`;
    const rl = message(rlValue, rlPath);
    const resource = new Map<string, AnyJson>();
    try {
      keyValuesFromJson(message(rl.resource, `${rlPath}.resource`).attributes, resource);
    } catch (err) {
      if (err instanceof OtlpValueError) throw malformed(`${rlPath}.resource.attributes: ${err.message}.`);
      throw err;
    }
    list(rl.scopeLogs, `${rlPath}.scopeLogs`).forEach((slValue, j) => {
      const slPath = `${rlPath}.scopeLogs[${j}]`;
      const sl = message(slValue, slPath);
      const scopeName = message(sl.scope, `${slPath}.scope`).name;
      const origin: Origin = { resource, scopeName: typeof scopeName === "string" ? scopeName : "" };
      list(sl.logRecords, `${slPath}.logRecords`).forEach((recordValue, k) => {
        if (out.full) return out.refuse();
        let record: OtlpRecord;
        try {
          record = readJsonRecord(recordValue);
        } catch (err) {
          if (!(err instanceof OtlpValueError)) throw err;
          return out.reject(`${slPath}.logRecords[${k}]: ${err.message}.`);
        }
        addRecord(out, record, origin);
      });
    });
  });
}

const SEVERITY_NAME = /^SEVERITY_NUMBER_(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([234])?$/;
const SEVERITY_BASE: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

/** An enum as OTLP/JSON writes it (an integer), or its name as proto3 JSON also allows. */
function severityNumber(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    const m = SEVERITY_NAME.exec(value);
    if (m) return SEVERITY_BASE[m[1]!]! + (m[2] ? Number(m[2]) - 1 : 0);
    if (value === "SEVERITY_NUMBER_UNSPECIFIED") return 0;
  }
  throw new OtlpValueError(`severityNumber must be a number from 1 to 24, not ${show(value)}`);
}

/** fixed64 nanoseconds: a decimal string (exact) or a number (as exact as the JSON parser kept it). */
function nanos(value: unknown, what: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return BigInt(value);
  throw new OtlpValueError(`${what} must be nanoseconds since the epoch (a decimal string), not ${show(value)}`);
}

/** OTLP/JSON ids are hex (any case); proto3's base64 is accepted too when its length fits (it cannot pass for hex). */
function jsonId(value: unknown, bytes: number): string | null {
  if (typeof value !== "string" || value === "") return null;
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  if (value.length === Math.ceil(bytes / 3) * 4 && /^[A-Za-z0-9+/]+=*$/.test(value)) {
    try {
      const raw = atob(value);
      if (raw.length === bytes) return Array.from(raw, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
    } catch {
      // not base64 either: no id
    }
  }
  return null;
}

function readJsonRecord(value: unknown): OtlpRecord {
  if (!isPlainObject(value)) throw new OtlpValueError(`a log record must be an object, not ${show(value)}`);
  const record = newRecord();
  record.time = nanos(value.timeUnixNano, "timeUnixNano");
  record.observedTime = nanos(value.observedTimeUnixNano, "observedTimeUnixNano");
  record.severityNumber = severityNumber(value.severityNumber);
  if (typeof value.severityText === "string") record.severityText = value.severityText;
  record.body = anyValueFromJson(value.body);
  keyValuesFromJson(value.attributes, record.attributes);
  const dropped = value.droppedAttributesCount;
  if (typeof dropped === "number" && Number.isSafeInteger(dropped) && dropped > 0) record.droppedAttributes = dropped;
  record.traceId = jsonId(value.traceId, 16);
  record.spanId = jsonId(value.spanId, 8);
  if (typeof value.eventName === "string") record.eventName = value.eventName;
  return record;
}
