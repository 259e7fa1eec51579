/**
 * A Loki push (`POST /loki/api/v1/push`) read into log lines, as Promtail, Grafana Alloy, Vector's `loki` sink,
 * Fluent Bit's `loki` output and the Docker driver send it:
 * - JSON: `{"streams": [{"stream": {labels}, "values": [["<ns since epoch, string>", "line", {metadata}?]]}]}`, and
 *   the legacy `{"streams": [{"labels": "{app=\"x\"}", "entries": [{"ts": "<RFC 3339>", "line": "…"}]}]}`;
 * - protobuf (`application/x-protobuf`, or no content type, as Loki itself assumes), snappy block-compressed:
 *   `logproto.PushRequest { repeated StreamAdapter streams = 1; }`,
 *   `StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }`,
 *   `EntryAdapter { google.protobuf.Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter
 *   structuredMetadata = 3; }`, `LabelPairAdapter { string name = 1; string value = 2; }`, labels in Prometheus
 *   text (`{app="shop", note="say \"hi\""}`).
 *
 * Labels: `service_name|service|app|job|container` → service, `host|hostname|instance|node` → host,
 * `filename|source|stream` → source, `level|severity|detected_level` → level, `logger` → logger (the first found of
 * each list; the others stay attributes). Remaining labels and structured metadata become string attributes;
 * metadata `trace_id` / `span_id` become the line's ids. Gzip (Content-Encoding) is undone before this.
 */
import { WireType } from "@bufbuild/protobuf/wire";
import { uncompress } from "snappyjs";
import { MAX_DECOMPRESSED_BYTES } from "../../ingest/body";
import { ApiError } from "../../lib/errors";
import { LEN, readMessage } from "../../lib/otlp-wire";
import type { AttributeValue, DecodedLogs } from "../model";
import {
  type Instant,
  instantFromNanos,
  isPlainObject,
  levelOf,
  LineCollector,
  parseTimestamp,
  safeStringify,
  show,
} from "../normalize";

const malformed = (message: string) => new ApiError("malformed_body", message);

type Pairs = Array<[string, string]>;

export function decodeLokiPush(bytes: Uint8Array, contentType: string, receivedAt: number): DecodedLogs {
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  const out = new LineCollector(receivedAt);
  if (mediaType === "application/json") readJson(bytes, out);
  else if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf" || mediaType === "") {
    readProtobuf(unsnappy(bytes), out);
  } else {
    throw new ApiError(
      "unsupported_media_type",
      `A Loki push must be application/json or snappy-compressed application/x-protobuf, not "${contentType}".`,
    );
  }
  return out.result();
}

// ---- labels → fields ----

const FIELDS = {
  service: ["service_name", "service", "app", "job", "container"],
  host: ["host", "hostname", "instance", "node"],
  source: ["filename", "source", "stream"],
  level: ["level", "severity", "detected_level"],
  logger: ["logger"],
} as const;

function takeFirst(labels: Map<string, string>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = labels.get(name);
    if (value !== undefined && value !== "") {
      labels.delete(name);
      return value;
    }
  }
  return null;
}

/** What a stream's labels say, shared by all its entries. */
interface StreamFields {
  service: string | null;
  host: string | null;
  source: string | null;
  level: string | null;
  logger: string | null;
  rest: Pairs;
}

function streamFields(labels: Pairs): StreamFields {
  const map = new Map(labels);
  const fields = {
    service: takeFirst(map, FIELDS.service),
    host: takeFirst(map, FIELDS.host),
    source: takeFirst(map, FIELDS.source),
    level: takeFirst(map, FIELDS.level),
    logger: takeFirst(map, FIELDS.logger),
  };
  return { ...fields, rest: [...map] };
}

function addEntry(out: LineCollector, stream: StreamFields, time: Instant | null, line: string, metadata: Pairs): void {
  const attributes = new Map<string, AttributeValue>(stream.rest);
  let traceId: string | null = null;
  let spanId: string | null = null;
  for (const [name, value] of metadata) {
    if (name === "trace_id" || name === "traceID" || name === "traceId") traceId = value;
    else if (name === "span_id" || name === "spanID" || name === "spanId") spanId = value;
    else attributes.set(name, value);
  }
  out.add({
    time,
    level: levelOf(stream.level),
    body: line,
    logger: stream.logger,
    service: stream.service,
    host: stream.host,
    source: stream.source,
    traceId,
    spanId,
    attributes,
  });
}

/**
 * Prometheus label text: `{name="value", …}` with `\\`, `\"` and `\n` escapes in values (label names may be quoted
 * too, as Prometheus 3 allows for UTF-8 names). Null when it is not that.
 */
export function parseLabels(text: string): Pairs | null {
  const pairs: Pairs = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const quoted = (): string | null => {
    if (text[i] !== '"') return null;
    i++;
    let value = "";
    while (i < text.length) {
      const c = text[i++]!;
      if (c === '"') return value;
      if (c === "\\") {
        const next = text[i++];
        if (next === undefined) return null;
        value += next === "n" ? "\n" : next === "t" ? "\t" : next;
      } else value += c;
    }
    return null;
  };
  ws();
  if (text[i] !== "{") return null;
  i++;
  ws();
  if (text[i] === "}") {
    i++;
    ws();
    return i === text.length ? pairs : null;
  }
  for (;;) {
    ws();
    let name: string | null;
    if (text[i] === '"') name = quoted();
    else {
      const m = /^[A-Za-z_][A-Za-z0-9_.:]*/.exec(text.slice(i, i + 1024));
      name = m ? m[0] : null;
      if (m) i += m[0].length;
    }
    if (name === null) return null;
    ws();
    if (text[i] !== "=") return null;
    i++;
    ws();
    const value = quoted();
    if (value === null) return null;
    pairs.push([name, value]);
    ws();
    if (text[i] === ",") {
      i++;
      ws();
      if (text[i] === "}") break; // a trailing comma
      continue;
    }
    if (text[i] === "}") break;
    return null;
  }
  i++;
  ws();
  return i === text.length ? pairs : null;
}

// ---- protobuf ----

/**
 * Undo snappy's block format. Its header declares the uncompressed length: a body declaring more than the
 * decompressed-body cap is refused before any memory is allocated for it.
 */
function unsnappy(bytes: Uint8Array): Uint8Array {
  let length = 0;
  for (let i = 0, shift = 0; ; i++, shift += 7) {
    const b = bytes[i];
    if (b === undefined || i >= 5) {
      throw malformed("The body is not snappy-compressed (Loki's protobuf push is snappy block format, not framed).");
    }
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > MAX_DECOMPRESSED_BYTES) {
    throw new ApiError(
      "payload_too_large",
      `The body decompresses to ${length} bytes, more than ${MAX_DECOMPRESSED_BYTES / 1024 / 1024} MB; push smaller batches.`,
    );
  }
  try {
    return uncompress(bytes, MAX_DECOMPRESSED_BYTES);
  } catch {
    throw malformed("The body is not valid snappy-compressed data (truncated or corrupt).");
  }
}

function readProtobuf(raw: Uint8Array, out: LineCollector): void {
  try {
    // PushRequest { repeated StreamAdapter streams = 1; }
    readMessage(raw, { 1: [LEN, (r) => readStream(r.bytes(), out)] });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw malformed(`The body is not a valid Loki PushRequest in protobuf (truncated or corrupt: ${reason}).`);
  }
}

function readStream(bytes: Uint8Array, out: LineCollector): void {
  let labels = "";
  const entries: Uint8Array[] = [];
  readMessage(bytes, {
    1: [LEN, (r) => (labels = r.string())],
    2: [LEN, (r) => entries.push(r.bytes())],
  });
  const pairs = parseLabels(labels);
  if (pairs === null) {
    for (let i = 0; i < entries.length; i++) out.reject(`A stream's labels are not Prometheus label text: ${show(labels)}.`);
    return;
  }
  const stream = streamFields(pairs);
  for (const entry of entries) {
    if (out.full) {
      out.refuse();
      continue;
    }
    let seconds = 0n;
    let nanos = 0;
    let line = "";
    const metadata: Pairs = [];
    readMessage(entry, {
      // google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }
      1: [
        LEN,
        (r) =>
          readMessage(r.bytes(), {
            1: [WireType.Varint, (t) => (seconds = BigInt(t.int64()))],
            2: [WireType.Varint, (t) => (nanos = t.int32())],
          }),
      ],
      2: [LEN, (r) => (line = r.string())],
      3: [
        LEN,
        (r) => {
          let name = "";
          let value = "";
          readMessage(r.bytes(), { 1: [LEN, (p) => (name = p.string())], 2: [LEN, (p) => (value = p.string())] });
          if (name) metadata.push([name, value]);
        },
      ],
    });
    const time = nanos >= 0 && nanos < 1_000_000_000 ? instantFromNanos(seconds * 1_000_000_000n + BigInt(nanos)) : null;
    addEntry(out, stream, time, line, metadata);
  }
}

// ---- JSON ----

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function stringPairs(value: unknown): Pairs {
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]): Pairs => {
    if (v === null || v === undefined) return [];
    return [[k, typeof v === "string" ? v : safeStringify(v)]];
  });
}

function readJson(body: Uint8Array, out: LineCollector): void {
  let root: unknown;
  try {
    root = JSON.parse(strictUtf8.decode(body));
  } catch {
    throw malformed("The body is not valid JSON (a Loki push with application/json).");
  }
  if (!isPlainObject(root) || !Array.isArray(root.streams)) {
    throw malformed('The body must be a Loki push: {"streams": [{"stream": {labels}, "values": [["<ns>", "line"]]}]}.');
  }
  root.streams.forEach((streamValue: unknown, i) => {
    const where = `streams[${i}]`;
    if (!isPlainObject(streamValue)) return out.reject(`${where} is ${show(streamValue)}, not an object.`);
    const legacy = streamValue.values === undefined && streamValue.entries !== undefined;
    const entries = legacy ? streamValue.entries : streamValue.values;
    if (!Array.isArray(entries)) return out.reject(`${where}.values must be an array of [timestamp, line] pairs.`);
    let labels: Pairs | null;
    if (typeof streamValue.labels === "string") labels = parseLabels(streamValue.labels);
    else labels = stringPairs(streamValue.stream);
    if (labels === null) {
      for (let k = 0; k < entries.length; k++) out.reject(`${where}.labels is not Prometheus label text.`);
      return;
    }
    const stream = streamFields(labels);
    entries.forEach((entry: unknown, j) => {
      if (out.full) return out.refuse();
      const at = `${where}.${legacy ? "entries" : "values"}[${j}]`;
      let ts: unknown;
      let line: unknown;
      let metadata: unknown;
      if (Array.isArray(entry)) [ts, line, metadata] = entry;
      else if (isPlainObject(entry)) ({ ts, line } = entry);
      else return out.reject(`${at} must be ["<ns since epoch>", "line"], not ${show(entry)}.`);
      if (typeof line !== "string") return out.reject(`${at}: the line must be a string, not ${show(line)}.`);
      const time = parseTimestamp(ts);
      if (time === null) return out.reject(`${at}: ${show(ts)} is not a timestamp (nanoseconds since the epoch, as a string).`);
      addEntry(out, stream, time, line, stringPairs(metadata));
    });
  });
}
