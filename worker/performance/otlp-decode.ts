/**
 * Reading an OTLP/HTTP traces body (ExportTraceServiceRequest, opentelemetry-proto `collector/trace/v1`) into a
 * flat list of spans, from protobuf or OTLP/JSON. Only the fields Vigil maps are read; every other field is skipped
 * (protobuf) or ignored (JSON), as the spec asks of receivers.
 *
 * Why a hand-written field walk on top of @bufbuild/protobuf's wire reader, not generated code:
 * - @opentelemetry/otlp-transformer only encodes requests (its protobuf writer is hand-written too); it exposes
 *   no decoder for ExportTraceServiceRequest, and pulls in the JS SDK.
 * - @bufbuild/protobuf with protoc-gen-es code works in workerd (no eval), but costs ~63 KB minified (18 KB gzip)
 *   for fromBinary, ~96 KB with fromJson, plus a buf/protoc codegen step and ~49 KB of generated TypeScript —
 *   to read about twenty fields of a stable format. Its fromJson cannot take OTLP/JSON as is either: OTLP writes
 *   ids as hex where proto3 JSON expects base64 (a 32-hex trace id is valid base64 and would decode silently wrong).
 * - protobufjs' reflection needs `new Function`; its static code needs codegen and returns 64-bit ints as Long.
 * So the wire format itself (varints, fixed64, length-delimited fields, unknown-field and group skipping, bounds
 * checks) comes from the conformance-tested `@bufbuild/protobuf/wire` BinaryReader (~6.7 KB minified, 2.5 KB gzip,
 * no codegen), and this file says which fields mean what. Fixtures from the Python SDK's own encoder check it.
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { ApiError } from "../lib/errors";

export type AttributeValue = string | number | boolean;
export type Attributes = Map<string, AttributeValue>;

/** One span as sent, before it is placed in a transaction. */
export interface OtlpSpan {
  /** 32 lowercase hex, or "" when missing (or all zeros). */
  traceId: string;
  /** 16 lowercase hex, or "" when missing (or all zeros). */
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** Span.SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  /** Scalar attributes only (arrays, maps and bytes are left out); int64 values as numbers. */
  attributes: Attributes;
  /** Status.StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  /** The attributes of the span's resource (shared by all spans of one ResourceSpans). */
  resource: Attributes;
}

export interface OtlpSpans {
  /** The first `maxSpans` spans of the request, in the order sent. */
  spans: OtlpSpan[];
  /** All spans in the request, kept or not. */
  received: number;
}

const malformed = (message: string) => new ApiError("malformed_body", message);

/** Read the body per its content type (parameters such as `charset` ignored); keep at most `maxSpans` spans. */
export function readOtlpSpans(body: Uint8Array, contentType: string, maxSpans: number): OtlpSpans {
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") return readProtobuf(body, maxSpans);
  if (mediaType === "application/json") return readJson(body, maxSpans);
  throw new ApiError(
    "unsupported_media_type",
    `OTLP/HTTP traces must be sent as application/x-protobuf or application/json, not "${contentType || "(none)"}".`,
  );
}

function newSpan(resource: Attributes): OtlpSpan {
  return { traceId: "", spanId: "", parentSpanId: null, name: "", kind: 0, startNs: 0n, endNs: 0n, attributes: new Map(), statusCode: 0, resource };
}

/** Ids of the wrong length are malformed; empty or all-zero ids mean "no id" (the span is dropped later). */
function idHex(bytes: Uint8Array, length: number, what: string): string {
  if (bytes.length === 0) return "";
  if (bytes.length !== length) throw malformed(`A span's ${what} has ${bytes.length} bytes; it must have ${length}.`);
  if (bytes.every((b) => b === 0)) return "";
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- protobuf ----

// Not fatal: one bad byte in a span name becomes U+FFFD rather than failing the whole batch.
const lenientUtf8 = new TextDecoder();
const decodeUtf8 = (bytes: Uint8Array) => lenientUtf8.decode(bytes);

/** field number → [the wire type it must have, how to read it]; a field with another wire type is skipped as unknown. */
type Fields = Record<number, readonly [WireType, (r: BinaryReader) => void]>;

function readMessage(bytes: Uint8Array, fields: Fields): void {
  const r = new BinaryReader(bytes, decodeUtf8);
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    const field = fields[no];
    if (field && field[0] === wire) field[1](r);
    else r.skip(wire, no);
  }
}

const LEN = WireType.LengthDelimited;

function readProtobuf(body: Uint8Array, maxSpans: number): OtlpSpans {
  const out: OtlpSpans = { spans: [], received: 0 };
  try {
    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    readMessage(body, { 1: [LEN, (r) => readResourceSpans(r.bytes(), out, maxSpans)] });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw malformed(`The body is not a valid OTLP ExportTraceServiceRequest in protobuf (truncated or corrupt: ${reason}).`);
  }
  return out;
}

function readResourceSpans(bytes: Uint8Array, out: OtlpSpans, maxSpans: number): void {
  // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }: the resource may come last.
  const resource: Attributes = new Map();
  const scopes: Uint8Array[] = [];
  readMessage(bytes, {
    1: [LEN, (r) => readMessage(r.bytes(), { 1: [LEN, (a) => readKeyValue(a.bytes(), resource)] })],
    2: [LEN, (r) => scopes.push(r.bytes())],
  });
  for (const scope of scopes) {
    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
    readMessage(scope, {
      2: [
        LEN,
        (r) => {
          const span = r.bytes();
          out.received++;
          if (out.spans.length < maxSpans) out.spans.push(readSpan(span, resource));
        },
      ],
    });
  }
}

function readSpan(bytes: Uint8Array, resource: Attributes): OtlpSpan {
  const s = newSpan(resource);
  readMessage(bytes, {
    1: [LEN, (r) => (s.traceId = idHex(r.bytes(), 16, "trace_id"))],
    2: [LEN, (r) => (s.spanId = idHex(r.bytes(), 8, "span_id"))],
    4: [LEN, (r) => (s.parentSpanId = idHex(r.bytes(), 8, "parent_span_id") || null)],
    5: [LEN, (r) => (s.name = r.string())],
    6: [WireType.Varint, (r) => (s.kind = r.int32())],
    7: [WireType.Bit64, (r) => (s.startNs = BigInt(r.fixed64()))],
    8: [WireType.Bit64, (r) => (s.endNs = BigInt(r.fixed64()))],
    9: [LEN, (r) => readKeyValue(r.bytes(), s.attributes)],
    // Status { string message = 2; StatusCode code = 3; }
    15: [LEN, (r) => readMessage(r.bytes(), { 3: [WireType.Varint, (st) => (s.statusCode = st.int32())] })],
  });
  return s;
}

/** KeyValue { string key = 1; AnyValue value = 2; }, AnyValue a oneof of string 1, bool 2, int64 3, double 4, … */
function readKeyValue(bytes: Uint8Array, into: Attributes): void {
  let key = "";
  let value: AttributeValue | undefined;
  readMessage(bytes, {
    1: [LEN, (r) => (key = r.string())],
    2: [
      LEN,
      (r) =>
        readMessage(r.bytes(), {
          1: [LEN, (v) => (value = v.string())],
          2: [WireType.Varint, (v) => (value = v.bool())],
          3: [WireType.Varint, (v) => (value = Number(v.int64()))],
          4: [WireType.Bit64, (v) => (value = v.double())],
        }),
    ],
  });
  if (key && value !== undefined) into.set(key, value);
}

// ---- OTLP/JSON ----

type Json = Record<string, unknown>;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

const show = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value).slice(0, 60));

/** A message field: missing or null is the empty message. */
function message(value: unknown, path: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw malformed(`${path} must be an object, not ${show(value)}.`);
  return value as Json;
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${path} must be an array, not ${show(value)}.`);
  return value;
}

function text(value: unknown, path: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw malformed(`${path} must be a string, not ${show(value)}.`);
  return value;
}

/** An enum: an integer as OTLP/JSON writes it, or its name as proto3 JSON also allows. */
function enumValue(value: unknown, names: Record<string, number>, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && value in names) return names[value]!;
  throw malformed(`${path} must be an enum number, not ${show(value)}.`);
}

/** A 64-bit integer: a decimal string (exact) or a JSON number (exact up to 2^53). */
function int64(value: unknown, path: string, unsigned: boolean): bigint {
  if (value === undefined || value === null) return 0n;
  const pattern = unsigned ? /^\d{1,20}$/ : /^-?\d{1,19}$/;
  if (typeof value === "string" && pattern.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isInteger(value) && (!unsigned || value >= 0)) return BigInt(value);
  throw malformed(`${path} must be an integer (a decimal string or a number), not ${show(value)}.`);
}

function hexId(value: unknown, length: number, path: string): string {
  const hex = text(value, path);
  if (hex === "") return "";
  if (hex.length !== length * 2 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw malformed(`${path} must be ${length * 2} hex characters (OTLP/JSON ids are hex, not base64), not ${show(value)}.`);
  }
  return /^0+$/.test(hex) ? "" : hex.toLowerCase();
}

function readJson(body: Uint8Array, maxSpans: number): OtlpSpans {
  let root: unknown;
  try {
    root = JSON.parse(strictUtf8.decode(body));
  } catch {
    throw malformed("The body is not valid JSON (OTLP/JSON with application/json).");
  }
  if (!root || typeof root !== "object" || Array.isArray(root)) {
    throw malformed("The body must be a JSON object (an OTLP ExportTraceServiceRequest: {\"resourceSpans\": [...]}).");
  }
  const out: OtlpSpans = { spans: [], received: 0 };
  list((root as Json).resourceSpans, "resourceSpans").forEach((rsValue, i) => {
    const rsPath = `resourceSpans[${i}]`;
    const rs = message(rsValue, rsPath);
    const resource: Attributes = new Map();
    readJsonAttributes(message(rs.resource, `${rsPath}.resource`).attributes, resource, `${rsPath}.resource.attributes`);
    list(rs.scopeSpans, `${rsPath}.scopeSpans`).forEach((ssValue, j) => {
      const ssPath = `${rsPath}.scopeSpans[${j}]`;
      const spans = list(message(ssValue, ssPath).spans, `${ssPath}.spans`);
      spans.forEach((spanValue, k) => {
        out.received++;
        if (out.spans.length < maxSpans) out.spans.push(readJsonSpan(spanValue, resource, `${ssPath}.spans[${k}]`));
      });
    });
  });
  return out;
}

function readJsonSpan(value: unknown, resource: Attributes, path: string): OtlpSpan {
  const j = message(value, path);
  const s = newSpan(resource);
  s.traceId = hexId(j.traceId, 16, `${path}.traceId`);
  s.spanId = hexId(j.spanId, 8, `${path}.spanId`);
  s.parentSpanId = hexId(j.parentSpanId, 8, `${path}.parentSpanId`) || null;
  s.name = text(j.name, `${path}.name`);
  s.kind = enumValue(j.kind, SPAN_KINDS, `${path}.kind`);
  s.startNs = int64(j.startTimeUnixNano, `${path}.startTimeUnixNano`, true);
  s.endNs = int64(j.endTimeUnixNano, `${path}.endTimeUnixNano`, true);
  readJsonAttributes(j.attributes, s.attributes, `${path}.attributes`);
  s.statusCode = enumValue(message(j.status, `${path}.status`).code, STATUS_CODES, `${path}.status.code`);
  return s;
}

function readJsonAttributes(value: unknown, into: Attributes, path: string): void {
  list(value, path).forEach((kvValue, i) => {
    const kvPath = `${path}[${i}]`;
    const kv = message(kvValue, kvPath);
    const key = text(kv.key, `${kvPath}.key`);
    const v = message(kv.value, `${kvPath}.value`);
    let scalar: AttributeValue | undefined;
    if (v.stringValue !== undefined && v.stringValue !== null) scalar = text(v.stringValue, `${kvPath}.value.stringValue`);
    else if (typeof v.boolValue === "boolean") scalar = v.boolValue;
    else if (v.intValue !== undefined && v.intValue !== null) scalar = Number(int64(v.intValue, `${kvPath}.value.intValue`, false));
    else if (typeof v.doubleValue === "number") scalar = v.doubleValue;
    else if (v.boolValue !== undefined && v.boolValue !== null) throw malformed(`${kvPath}.value.boolValue must be true or false, not ${show(v.boolValue)}.`);
    if (key && scalar !== undefined) into.set(key, scalar);
  });
}
