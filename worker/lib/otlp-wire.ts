/**
 * Building blocks shared by OTLP readers (opentelemetry-proto `common/v1`): a field walk on @bufbuild/protobuf's
 * conformance-tested wire reader (why not generated code: see worker/performance/otlp-decode.ts), and AnyValue /
 * KeyValue in full — strings, bools, ints, doubles, arrays, key-value lists and bytes — from protobuf and OTLP/JSON,
 * as plain JSON data.
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { toBase64 } from "./encoding";

export const LEN = WireType.LengthDelimited;

// Not fatal: one bad byte in a string becomes U+FFFD rather than failing the whole request.
const lenientUtf8 = new TextDecoder();
const decodeUtf8 = (bytes: Uint8Array) => lenientUtf8.decode(bytes);

/** field number → [the wire type it must have, how to read it]; a field with another wire type is skipped as unknown. */
export type Fields = Record<number, readonly [WireType, (r: BinaryReader) => void]>;

/** Walk one message's fields; unknown fields (and known ones with an unexpected wire type) are skipped. */
export function readMessage(bytes: Uint8Array, fields: Fields): void {
  const r = new BinaryReader(bytes, decodeUtf8);
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    const field = fields[no];
    if (field && field[0] === wire) field[1](r);
    else r.skip(wire, no);
  }
}

/** An AnyValue as JSON data: kvlist → object, array → array, bytes → base64, empty → null. */
export type AnyJson = string | number | boolean | null | AnyJson[] | { [key: string]: AnyJson };

/** Arrays and key-value lists nested deeper than this are refused (a hostile body must not exhaust the stack). */
export const MAX_VALUE_DEPTH = 32;

/** A value that cannot be read; readers refuse the record that holds it, not the whole request. */
export class OtlpValueError extends Error {}

const tooDeep = () => new OtlpValueError(`a value is nested more than ${MAX_VALUE_DEPTH} levels deep`);

/** int64 as a number when exact, else as its decimal string. */
export function int64Value(value: bigint | string | number): number | string {
  const big = BigInt(value);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big.toString();
}

// ---- protobuf ----

/** AnyValue { oneof: string 1, bool 2, int64 3, double 4, ArrayValue 5, KeyValueList 6, bytes 7 } */
export function readAnyValue(bytes: Uint8Array, depth = 0): AnyJson {
  if (depth > MAX_VALUE_DEPTH) throw tooDeep();
  let value: AnyJson = null;
  readMessage(bytes, {
    1: [LEN, (v) => (value = v.string())],
    2: [WireType.Varint, (v) => (value = v.bool())],
    3: [WireType.Varint, (v) => (value = int64Value(v.int64()))],
    4: [WireType.Bit64, (v) => (value = v.double())],
    // ArrayValue { repeated AnyValue values = 1; }
    5: [
      LEN,
      (v) => {
        const items: AnyJson[] = [];
        readMessage(v.bytes(), { 1: [LEN, (a) => items.push(readAnyValue(a.bytes(), depth + 1))] });
        value = items;
      },
    ],
    // KeyValueList { repeated KeyValue values = 1; }
    6: [
      LEN,
      (v) => {
        const entries = new Map<string, AnyJson>();
        readMessage(v.bytes(), { 1: [LEN, (a) => readKeyValue(a.bytes(), entries, depth + 1)] });
        value = Object.fromEntries(entries);
      },
    ],
    7: [LEN, (v) => (value = toBase64(v.bytes()))],
  });
  return value;
}

/** KeyValue { string key = 1; AnyValue value = 2; } into a map (a later duplicate key wins). */
export function readKeyValue(bytes: Uint8Array, into: Map<string, AnyJson>, depth = 0): void {
  let key = "";
  let value: AnyJson = null;
  readMessage(bytes, {
    1: [LEN, (r) => (key = r.string())],
    2: [LEN, (r) => (value = readAnyValue(r.bytes(), depth))],
  });
  if (key) into.set(key, value);
}

// ---- OTLP/JSON ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

function jsonList(value: unknown, what: string): unknown[] {
  if (!present(value)) return [];
  if (!Array.isArray(value)) throw new OtlpValueError(`${what} must be an array`);
  return value;
}

/** An AnyValue in OTLP/JSON: `{"stringValue": …}`, `{"intValue": "42"}`, `{"kvlistValue": {"values": [...]}}`… */
export function anyValueFromJson(value: unknown, depth = 0): AnyJson {
  if (depth > MAX_VALUE_DEPTH) throw tooDeep();
  if (!present(value)) return null;
  if (!isObject(value)) throw new OtlpValueError('an AnyValue must be an object such as {"stringValue": "…"}');
  const v = value;
  if (present(v.stringValue)) {
    if (typeof v.stringValue !== "string") throw new OtlpValueError("stringValue must be a string");
    return v.stringValue;
  }
  if (present(v.boolValue)) {
    if (typeof v.boolValue !== "boolean") throw new OtlpValueError("boolValue must be true or false");
    return v.boolValue;
  }
  if (present(v.intValue)) {
    const i = v.intValue;
    if (typeof i === "string" && /^-?\d{1,19}$/.test(i)) return int64Value(i);
    if (typeof i === "number" && Number.isInteger(i)) return i;
    throw new OtlpValueError("intValue must be an integer (a decimal string or a number)");
  }
  if (present(v.doubleValue)) {
    const d = v.doubleValue;
    if (typeof d === "number") return d;
    // proto3 JSON writes the non-finite doubles as strings.
    if (d === "NaN" || d === "Infinity" || d === "-Infinity") return d;
    if (typeof d === "string" && d.trim() !== "" && Number.isFinite(Number(d))) return Number(d);
    throw new OtlpValueError("doubleValue must be a number");
  }
  if (present(v.arrayValue)) {
    if (!isObject(v.arrayValue)) throw new OtlpValueError("arrayValue must be an object");
    return jsonList(v.arrayValue.values, "arrayValue.values").map((item) => anyValueFromJson(item, depth + 1));
  }
  if (present(v.kvlistValue)) {
    if (!isObject(v.kvlistValue)) throw new OtlpValueError("kvlistValue must be an object");
    const entries = new Map<string, AnyJson>();
    keyValuesFromJson(v.kvlistValue.values, entries, depth + 1);
    return Object.fromEntries(entries);
  }
  if (present(v.bytesValue)) {
    if (typeof v.bytesValue !== "string") throw new OtlpValueError("bytesValue must be a base64 string");
    return v.bytesValue;
  }
  return null;
}

/** A KeyValue list in OTLP/JSON (`[{"key": "…", "value": {…}}]`) into a map (a later duplicate key wins). */
export function keyValuesFromJson(value: unknown, into: Map<string, AnyJson>, depth = 0): void {
  for (const kv of jsonList(value, "attributes")) {
    if (!isObject(kv)) throw new OtlpValueError('each attribute must be an object {"key": …, "value": …}');
    if (typeof kv.key !== "string") throw new OtlpValueError("an attribute key must be a string");
    const v = anyValueFromJson(kv.value, depth);
    if (kv.key) into.set(kv.key, v);
  }
}
