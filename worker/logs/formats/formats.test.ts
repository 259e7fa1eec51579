import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { compress } from "snappyjs";
import { describe, expect, it } from "vitest";
import { parseEnvelope } from "../../ingest/envelope";
import { fromBase64 } from "../../lib/encoding";
import { ApiError } from "../../lib/errors";
import fluentBitLines from "../../test/fixtures/logs/fluentbit.jsonl?raw";
import lokiJson from "../../test/fixtures/logs/loki-push.json?raw";
import lokiSnappyBase64 from "../../test/fixtures/logs/loki-push.pb.snappy.b64?raw";
import otlpJson from "../../test/fixtures/logs/otlp-logs.json?raw";
import otlpPbBase64 from "../../test/fixtures/logs/otlp-logs.pb.b64?raw";
import otlpSpecExample from "../../test/fixtures/logs/otlp-spec-example.json?raw";
import pythonForm from "../../test/fixtures/logs/python-httphandler.form?raw";
import pythonRecord from "../../test/fixtures/logs/python-record.json?raw";
import sentryItemV1 from "../../test/fixtures/logs/sentry-log-item-v1.json?raw";
import sentryEnvelope from "../../test/fixtures/logs/sentry-logs.envelope?raw";
import vectorEvents from "../../test/fixtures/logs/vector-events.json?raw";
import vectorNdjson from "../../test/fixtures/logs/vector-events.ndjson?raw";
import { type DecodedLogs, LEVELS, LIMITS, type LogLine } from "../model";
import { decodeJsonLines } from "./http";
import { decodeLokiPush, parseLabels } from "./loki";
import { decodeOtlpLogs } from "./otlp";
import { readSentryLogItem } from "./sentry";

// Fixtures: worker/test/fixtures/logs/capture.py (sentry-sdk, the OpenTelemetry Python SDK and exporter, protoc-generated
// Loki classes + cramjam snappy, the standard library's HTTPHandler). Vector and Fluent Bit bodies are shaped after
// their documentation (neither runs here); otlp-spec-example.json is opentelemetry-proto's examples/logs.json.

const encode = (text: string) => new TextEncoder().encode(text);
const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

/** 2025-11-23T12:15:00Z: a minute after the fixtures' last line, so none of their times is absurd. */
const RECEIVED = 1_763_900_100_000;

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const CHILD_SPAN = "00f067aa0ba902b8";

/** Every line a reader returns must be storable as is. */
function checkLine(line: LogLine): void {
  expect(Number.isSafeInteger(line.ts)).toBe(true);
  expect(Number.isInteger(line.ns) && line.ns >= 0 && line.ns < 1_000_000).toBe(true);
  expect(LEVELS).toContain(line.level);
  expect(line.severity >= 1 && line.severity <= 24).toBe(true);
  expect(line.body.length).toBeLessThanOrEqual(LIMITS.bodyChars);
  for (const label of [line.logger, line.service, line.host, line.source]) {
    expect(label === null || (typeof label === "string" && label.length <= LIMITS.labelChars)).toBe(true);
  }
  expect(line.traceId === null || /^[0-9a-f]{32}$/.test(line.traceId)).toBe(true);
  expect(line.spanId === null || /^[0-9a-f]{16}$/.test(line.spanId)).toBe(true);
  expect(Object.keys(line.attributes).length).toBeLessThanOrEqual(LIMITS.attributes + 2);
}

/** The contract for hostile input: decode to valid lines, or throw ApiError malformed_body / payload_too_large. */
function decodesOrRefuses(run: () => DecodedLogs): "decoded" | "refused" {
  let result: DecodedLogs;
  try {
    result = run();
  } catch (err) {
    if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
    expect(["malformed_body", "payload_too_large"]).toContain(err.code);
    return "refused";
  }
  result.lines.forEach(checkLine);
  expect(result.rejected).toBeGreaterThanOrEqual(0);
  return "decoded";
}

function refused(run: () => unknown, code = "malformed_body"): ApiError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(code);
    return err as ApiError;
  }
  throw new Error(`expected ApiError ${code}, nothing was thrown`);
}

const sentryLogPayload = () => {
  const item = parseEnvelope(encode(sentryEnvelope)).items.find((i) => i.type === "log")!;
  return JSON.parse(new TextDecoder().decode(item.payload)) as unknown;
};

describe("Sentry log items (sentry-python 2.x)", () => {
  const decoded = readSentryLogItem(sentryLogPayload(), RECEIVED);
  const [paid, low, probe, fatal, failed, retry, givingUp, plain, notFound] = decoded.lines;

  it("reads every line of a real envelope", () => {
    expect(decoded.rejected).toBe(0);
    expect(decoded.errors).toEqual([]);
    expect(decoded.lines.map((l) => [l.level, l.severity, l.severityText, l.body])).toEqual([
      ["info", 9, "info", "Order 1042 paid by ada"],
      ["warn", 13, "warn", "Inventory low"],
      ["trace", 1, "trace", "cache probe"],
      ["fatal", 21, "fatal", "Payment provider unreachable"],
      ["error", 17, "error", "Payment pi_123 failed for order 1042"],
      ["warn", 13, "warn", "Retrying payment"],
      ["fatal", 21, "fatal", "Giving up on order 1042"],
      ["info", 9, "info", "plain message, no arguments"],
      ["warn", 13, "warn", "Not Found: /favicon.ico"],
    ]);
    decoded.lines.forEach(checkLine);
  });

  it("maps sentry_sdk.logger lines: typed attributes, host, trace context", () => {
    // timestamp 1763900000.1234567 (float seconds): read to the microsecond.
    expect(paid).toMatchObject({
      ts: 1763900000123,
      ns: 457000,
      logger: null,
      service: null,
      host: "web-1",
      source: null,
      traceId: TRACE,
      spanId: SPAN,
    });
    expect(paid!.attributes).toMatchObject({
      "payment.provider": "stripe",
      amount: 19.99,
      retry: false,
      sku: ["sku-1", "sku-2"],
      "sentry.message.template": "Order {order_id} paid by {user}",
      "sentry.message.parameter.order_id": 1042,
      "sentry.message.parameter.user": "ada",
      "sentry.environment": "production",
      "sentry.release": "shop@1.4.2",
      "sentry.sdk.name": "sentry.python",
    });
    for (const taken of ["server.address", "sentry.severity_number", "sentry.severity_text", "logger.name"]) {
      expect(paid!.attributes).not.toHaveProperty([taken]);
    }
    expect(low!.attributes).toMatchObject({ sku: "sku-1", left: 2 });
    expect(probe!.ts).toBe(1763900002123);
    expect(fatal!.spanId).toBe(SPAN);
  });

  it("maps stdlib logging lines: logger.name, code attributes, the child span", () => {
    // Python's record.created 1763900010.25 arrives as 1763900010.2499998.
    expect(failed).toMatchObject({ ts: 1763900010250, ns: 0, logger: "shop.orders", host: "web-1", traceId: TRACE, spanId: CHILD_SPAN });
    expect(failed!.attributes).toMatchObject({
      customer_tier: "gold",
      "sentry.origin": "auto.log.stdlib",
      "sentry.message.template": "Payment %s failed for order %d",
      "sentry.message.parameter.0": "pi_123",
      "sentry.message.parameter.1": 1042,
      "code.function.name": "capture_sentry",
      "thread.name": "MainThread",
    });
    expect(typeof failed!.attributes["code.line.number"]).toBe("number");
    expect(typeof failed!.attributes["thread.id"]).toBe("number");
    expect(retry!.ts).toBe(1763900012750);
    expect(givingUp!.attributes["sentry.message.parameter.order"]).toBe(1042);
    expect(plain!.attributes).not.toHaveProperty(["sentry.message.template"]);
    // Outside any transaction: the propagation context's trace, no span.
    expect(notFound).toMatchObject({ logger: "django.request", traceId: "0af7651916cd43dd8448eb211c80319c", spanId: null, ts: 1763900020500 });
  });

  it("reads the older shape without version: zero UUID trace, null span, integers and doubles as strings", () => {
    const { lines, rejected } = readSentryLogItem(JSON.parse(sentryItemV1), RECEIVED);
    expect(rejected).toBe(0);
    expect(lines).toEqual([
      {
        ts: 1763900070250,
        ns: 0,
        level: "error",
        severity: 17,
        severityText: "error",
        body: "Payment failed for order 1042",
        logger: "shop.orders",
        service: null,
        host: "web-3",
        source: null,
        traceId: null,
        spanId: null,
        attributes: {
          "sentry.environment": "production",
          "order.id": 1042,
          amount: 19.99,
          retried: true,
          big: "9007199254740993",
        },
      },
    ]);
  });

  it("takes service.name when a sender sets it, and rejects items that are not objects", () => {
    const { lines, rejected, errors } = readSentryLogItem(
      {
        version: 2,
        items: [
          { timestamp: "2025-11-23T12:14:00.5Z", level: "WARNING", body: { not: "a string" }, attributes: { "service.name": { value: "billing", type: "string" }, raw: 5 } },
          "not an item",
          null,
        ],
      },
      RECEIVED,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: "billing", level: "warn", severity: 13, severityText: "WARNING", body: '{"not":"a string"}', ts: 1763900040500 });
    expect(lines[0]!.attributes).toEqual({ raw: 5 });
    expect(rejected).toBe(2);
    expect(errors).toEqual(['Log line 2 is "not an item", not a JSON object.', "Log line 3 is null, not a JSON object."]);
  });

  it("refuses payloads of the wrong shape", () => {
    refused(() => readSentryLogItem([], RECEIVED));
    refused(() => readSentryLogItem("items", RECEIVED));
    refused(() => readSentryLogItem({ version: 2 }, RECEIVED));
    refused(() => readSentryLogItem({ items: {} }, RECEIVED));
  });

  it("survives deep nesting and huge values in attributes", () => {
    const deep = JSON.parse(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`);
    const { lines } = readSentryLogItem(
      { items: [{ body: "x".repeat(100_000), attributes: { deep: { value: deep, type: "string" }, raw: deep } }] },
      RECEIVED,
    );
    expect(lines[0]!.body).toHaveLength(LIMITS.bodyChars);
    checkLine(lines[0]!);
  });
});

describe("OTLP logs (opentelemetry-python)", () => {
  const pb = fromBase64(otlpPbBase64.trim());
  const fromPb = decodeOtlpLogs(pb, PROTOBUF, RECEIVED);
  const [paid, retrying, failed, down, job, observed, listBody] = fromPb.lines;

  it("reads the exporter's protobuf", () => {
    expect(fromPb.rejected).toBe(0);
    expect(fromPb.lines).toHaveLength(7);
    fromPb.lines.forEach(checkLine);
    expect(fromPb.lines.map((l) => [l.level, l.severity, l.severityText, l.logger])).toEqual([
      ["info", 9, "INFO", "shop.payments"],
      ["warn", 13, "WARN", "shop.payments"],
      ["error", 17, "ERROR", "shop.payments"],
      ["fatal", 21, "FATAL", "shop.payments"],
      ["debug", 5, "", "shop.jobs"],
      ["trace", 2, "", "shop.jobs"],
      ["warn", 13, "Warning", "shop.jobs"],
    ]);
  });

  it("maps a LoggingHandler record inside a span", () => {
    expect(paid).toMatchObject({
      ts: 1763900030500,
      ns: 0,
      body: "Order 1042 paid",
      service: "shop",
      host: "web-1",
      source: null,
      traceId: TRACE,
      spanId: SPAN,
    });
    expect(paid!.attributes).toMatchObject({
      "order.id": 1042,
      paid: true,
      amount: 19.99,
      tags: ["gift", "express"],
      "code.function.name": "capture_otlp",
      "service.version": "1.4.2",
      "deployment.environment.name": "production",
      "telemetry.sdk.language": "python",
    });
    expect(typeof paid!.attributes["code.line.number"]).toBe("number");
    expect(paid!.attributes).not.toHaveProperty(["service.name"]);
    expect(paid!.attributes).not.toHaveProperty(["host.name"]);
    expect(failed!.attributes).toMatchObject({ "exception.type": "KeyError", "exception.message": "card" });
    expect(String(failed!.attributes["exception.stacktrace"])).toContain("KeyError: 'card'");
    expect(down!.traceId).toBeNull();
    expect(down!.spanId).toBeNull();
  });

  it("keeps the nanoseconds the exporter sent", () => {
    // record.created 1763900031.25 → int(created * 1e9) = 1763900031249999872 on the wire.
    expect([retrying!.ts, retrying!.ns]).toEqual([1763900031249, 999872]);
    expect([job!.ts, job!.ns]).toEqual([1763900000123, 456789]);
    // No time of its own: the observed time.
    expect([observed!.ts, observed!.ns]).toEqual([1763900007123, 456789]);
  });

  it("writes non-string bodies as JSON and keeps typed attributes of the Logs API", () => {
    expect(JSON.parse(job!.body)).toEqual({ event: "job.finished", duration_ms: 12, ok: true });
    expect(job!.attributes).toMatchObject({ job: "sync_prices", attempt: 3, ratio: 0.5 });
    expect(observed!.body).toBe("only an observed time");
    expect(listBody!.body).toBe('["a",1,true]');
  });

  it("reads the same request as OTLP/JSON into the same lines", () => {
    const fromJson = decodeOtlpLogs(encode(otlpJson), "application/json; charset=utf-8", RECEIVED);
    expect(fromJson).toEqual(fromPb);
  });

  it("reads the spec's example (uppercase hex ids, numbers for 64-bit ints, a map attribute)", () => {
    const at = 1544712660300 + 1000;
    const { lines, rejected } = decodeOtlpLogs(encode(otlpSpecExample), JSON_TYPE, at);
    expect(rejected).toBe(0);
    expect(lines).toEqual([
      {
        ts: 1544712660300,
        ns: 0,
        level: "info",
        severity: 9,
        severityText: "Information",
        body: "Example log record",
        logger: "my.library",
        service: "my.service",
        host: null,
        source: null,
        traceId: "5b8efff798038103d269b633813fc60c",
        spanId: "eee19b7ec3c1b174",
        attributes: {
          "string.attribute": "some string",
          "boolean.attribute": true,
          "int.attribute": 10,
          "double.attribute": 637.704,
          "array.attribute": ["many", "values"],
          "map.attribute.some.map.key": "some value",
        },
      },
    ]);
    // Received years later: the clock is absurd, the original is kept.
    const late = decodeOtlpLogs(encode(otlpSpecExample), JSON_TYPE, RECEIVED).lines[0]!;
    expect(late.ts).toBe(RECEIVED);
    expect(late.attributes["vigil.original_timestamp"]).toBe("2018-12-13T14:51:00.300000000Z");
  });

  it("prefers logger.name, takes log.file.path as source, event names, base64 ids, enum names", () => {
    const body = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              scope: { name: "io.opentelemetry.logback" },
              logRecords: [
                {
                  timeUnixNano: "1763900000000000001",
                  severityNumber: "SEVERITY_NUMBER_ERROR3",
                  eventName: "order.failed",
                  traceId: "S/kvNXezTaajzpKdDg5HNg==",
                  spanId: "APBnqgupArc=",
                  droppedAttributesCount: 2,
                  attributes: [
                    { key: "logger.name", value: { stringValue: "com.shop.Orders" } },
                    { key: "log.file.path", value: { stringValue: "/var/log/shop.log" } },
                    { key: "big", value: { intValue: "9007199254740993" } },
                    { key: "nan", value: { doubleValue: "NaN" } },
                    { key: "blob", value: { bytesValue: "AAEC" } },
                    { key: "empty", value: {} },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const [line] = decodeOtlpLogs(encode(JSON.stringify(body)), JSON_TYPE, RECEIVED).lines;
    expect(line).toMatchObject({
      ts: 1763900000000,
      ns: 1,
      level: "error",
      severity: 19,
      logger: "com.shop.Orders",
      source: "/var/log/shop.log",
      traceId: TRACE,
      spanId: SPAN,
      service: null,
    });
    expect(line!.attributes).toEqual({
      big: "9007199254740993",
      nan: "NaN",
      blob: "AAEC",
      "event.name": "order.failed",
      "vigil.dropped_attributes": 2,
    });
  });

  it("rejects bad records and keeps the others", () => {
    const body = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { body: { stringValue: "kept" } },
                "not a record",
                { timeUnixNano: "yesterday" },
                { body: { intValue: "many" } },
                { severityNumber: "LOUD" },
                { attributes: [{ key: "deep", value: nestedJsonArray(100) }] },
              ],
            },
          ],
        },
      ],
    };
    const { lines, rejected, errors } = decodeOtlpLogs(encode(JSON.stringify(body)), JSON_TYPE, RECEIVED);
    expect(lines.map((l) => l.body)).toEqual(["kept"]);
    expect(rejected).toBe(5);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toBe('resourceLogs[0].scopeLogs[0].logRecords[1]: a log record must be an object, not "not a record".');
  });

  it("refuses bodies that are not an ExportLogsServiceRequest", () => {
    refused(() => decodeOtlpLogs(encode("{"), JSON_TYPE, RECEIVED));
    refused(() => decodeOtlpLogs(encode("[]"), JSON_TYPE, RECEIVED));
    refused(() => decodeOtlpLogs(encode('{"resourceLogs": {}}'), JSON_TYPE, RECEIVED));
    refused(() => decodeOtlpLogs(encode('{"resourceLogs": [{"scopeLogs": [{"logRecords": 5}]}]}'), JSON_TYPE, RECEIVED));
    refused(() => decodeOtlpLogs(new Uint8Array([0x7b, 0xff, 0x7d]), JSON_TYPE, RECEIVED));
    refused(() => decodeOtlpLogs(encode("[".repeat(10_000)), JSON_TYPE, RECEIVED));
    refused(() => decodeOtlpLogs(pb, "text/plain", RECEIVED), "unsupported_media_type");
  });

  it("decodes or refuses every truncation and every bit flip of the protobuf", () => {
    let refusals = 0;
    for (let end = 0; end < pb.length; end++) {
      if (decodesOrRefuses(() => decodeOtlpLogs(pb.subarray(0, end), PROTOBUF, RECEIVED)) === "refused") refusals++;
    }
    expect(refusals).toBeGreaterThan(pb.length / 2);
    for (let i = 0; i < pb.length; i++) {
      const flipped = pb.slice();
      flipped[i]! ^= 1 << i % 8;
      decodesOrRefuses(() => decodeOtlpLogs(flipped, PROTOBUF, RECEIVED));
    }
  });

  it("replaces invalid UTF-8 in protobuf strings, refuses 10,000-deep values record by record", () => {
    const bad = logsRequest((r) => r.tag(5, 2).bytes(anyString(new Uint8Array([0x4f, 0x4b, 0xff, 0xc3]))));
    expect(decodeOtlpLogs(bad, PROTOBUF, RECEIVED).lines[0]!.body).toBe("OK\uFFFD\uFFFD");

    const deep = logsRequest((r) => r.tag(5, 2).bytes(nestedAnyValue(10_000)));
    const result = decodeOtlpLogs(deep, PROTOBUF, RECEIVED);
    expect(result.lines).toEqual([]);
    expect(result.rejected).toBe(1);
    expect(result.errors[0]).toContain("nested more than 32 levels deep");
  });
});

/** An ExportLogsServiceRequest with one record written by `record`. */
function logsRequest(record: (w: BinaryWriter) => void): Uint8Array {
  const r = new BinaryWriter();
  record(r);
  const scopeLogs = new BinaryWriter().tag(2, 2).bytes(r.finish()).finish();
  const resourceLogs = new BinaryWriter().tag(2, 2).bytes(scopeLogs).finish();
  return new BinaryWriter().tag(1, 2).bytes(resourceLogs).finish();
}

/** AnyValue { string_value = 1 } with raw (maybe invalid UTF-8) bytes. */
const anyString = (raw: Uint8Array) => new BinaryWriter().tag(1, 2).bytes(raw).finish();

/** AnyValue { array_value = 5 { values = 1 { … } } }, `depth` levels deep. */
function nestedAnyValue(depth: number): Uint8Array {
  let value = anyString(encode("leaf"));
  for (let i = 0; i < depth; i++) {
    const array = new BinaryWriter().tag(1, 2).bytes(value).finish();
    value = new BinaryWriter().tag(5, 2).bytes(array).finish();
  }
  return value;
}

function nestedJsonArray(depth: number): unknown {
  let value: unknown = { stringValue: "leaf" };
  for (let i = 0; i < depth; i++) value = { arrayValue: { values: [value] } };
  return value;
}

describe("Loki push", () => {
  const snappy = fromBase64(lokiSnappyBase64.trim());
  const fromJson = decodeLokiPush(encode(lokiJson), JSON_TYPE, RECEIVED);

  it("reads the JSON push: labels to fields, ns precision, structured metadata", () => {
    expect(fromJson.rejected).toBe(0);
    expect(fromJson.lines).toEqual([
      {
        ts: 1763900040123,
        ns: 456789,
        level: "warn",
        severity: 13,
        severityText: "warn",
        body: "GET /orders/1042 200 12ms",
        logger: null,
        service: "shop",
        host: "web-1:8000",
        source: "/var/log/shop/app.log",
        traceId: TRACE,
        spanId: SPAN,
        attributes: { app: "shop-web", env: "production", note: 'say "hi" \\ bye', user: "ada" },
      },
      {
        ts: 1763900041000,
        ns: 1,
        level: "warn",
        severity: 13,
        severityText: "warn",
        body: "GET /orders/1043 404 3ms",
        logger: null,
        service: "shop",
        host: "web-1:8000",
        source: "/var/log/shop/app.log",
        traceId: null,
        spanId: null,
        attributes: { app: "shop-web", env: "production", note: 'say "hi" \\ bye' },
      },
      {
        ts: 1763900042999,
        ns: 999999,
        level: "error",
        severity: 17,
        severityText: "error",
        body: "2025/11/23 12:14:02 [error] upstream timed out",
        logger: null,
        service: "nginx",
        host: "lb-1",
        source: "stderr",
        traceId: null,
        spanId: null,
        attributes: {},
      },
    ]);
  });

  it("reads the snappy protobuf push into the same lines (labels parsed from Prometheus text)", () => {
    const fromPb = decodeLokiPush(snappy, PROTOBUF, RECEIVED);
    expect(fromPb).toEqual(fromJson);
    expect(decodeLokiPush(snappy, "", RECEIVED)).toEqual(fromJson);
  });

  it("reads the legacy JSON push with RFC 3339 timestamps", () => {
    const legacy = {
      streams: [{ labels: '{app="shop", logger="django.db"}', entries: [{ ts: "2025-11-23T08:14:00.000000042-04:00", line: "slow query" }] }],
    };
    const [line] = decodeLokiPush(encode(JSON.stringify(legacy)), JSON_TYPE, RECEIVED).lines;
    expect(line).toMatchObject({ ts: 1763900040000, ns: 42, service: "shop", logger: "django.db", body: "slow query", attributes: {} });
  });

  it("parses Prometheus label text", () => {
    expect(parseLabels('{app="shop", host="web-1", msg="say \\"hi\\"\\n", "my.label"="x",}')).toEqual([
      ["app", "shop"],
      ["host", "web-1"],
      ["msg", 'say "hi"\n'],
      ["my.label", "x"],
    ]);
    expect(parseLabels("{}")).toEqual([]);
    for (const bad of ["", "app=shop", '{app="shop"', '{app=shop}', '{="x"}', '{app="x"} trailing', '{app="x" host="y"}']) {
      expect(parseLabels(bad)).toBeNull();
    }
  });

  it("rejects bad entries and streams, keeping the rest", () => {
    const body = {
      streams: [
        { stream: { app: "a" }, values: [["1763900040000000000", "good"], ["soon", "bad ts"], ["1763900040000000000", 5], "nope"] },
        "not a stream",
        { labels: "{broken", entries: [{ ts: "1", line: "x" }] },
        { stream: { app: "b" }, values: 7 },
      ],
    };
    const { lines, rejected, errors } = decodeLokiPush(encode(JSON.stringify(body)), JSON_TYPE, RECEIVED);
    expect(lines.map((l) => l.body)).toEqual(["good"]);
    expect(rejected).toBe(6);
    expect(errors).toHaveLength(5);
  });

  it("refuses bodies that are not a push", () => {
    refused(() => decodeLokiPush(encode("not json"), JSON_TYPE, RECEIVED));
    refused(() => decodeLokiPush(encode('{"streams": {}}'), JSON_TYPE, RECEIVED));
    refused(() => decodeLokiPush(encode("[".repeat(10_000)), JSON_TYPE, RECEIVED));
    refused(() => decodeLokiPush(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), PROTOBUF, RECEIVED));
    refused(() => decodeLokiPush(encode('{"streams": []}'), PROTOBUF, RECEIVED));
    refused(() => decodeLokiPush(encode("x"), "text/plain", RECEIVED), "unsupported_media_type");
  });

  it("refuses a snappy header declaring more than 40 MB before decompressing", () => {
    // varint 50 MB, then a literal that would never fill it
    const bomb = new Uint8Array([0x80, 0xa4, 0xeb, 0x17, 0x00, 0x00]);
    refused(() => decodeLokiPush(bomb, PROTOBUF, RECEIVED), "payload_too_large");
  });

  it("decodes or refuses every truncation and bit flip of the snappy body", () => {
    for (let end = 0; end < snappy.length; end++) decodesOrRefuses(() => decodeLokiPush(snappy.subarray(0, end), PROTOBUF, RECEIVED));
    for (let i = 0; i < snappy.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = snappy.slice();
        flipped[i]! ^= 1 << bit;
        decodesOrRefuses(() => decodeLokiPush(flipped, PROTOBUF, RECEIVED));
      }
    }
  });

  it("refuses truncated protobuf inside valid snappy, replaces invalid UTF-8 in lines", () => {
    const raw = new BinaryWriter().tag(1, 2).bytes(new Uint8Array([0x0a, 0x40, 0x7b])).finish();
    refused(() => decodeLokiPush(compress(raw), PROTOBUF, RECEIVED));

    const entry = new BinaryWriter().tag(2, 2).bytes(new Uint8Array([0x68, 0x69, 0xff])).finish();
    const stream = new BinaryWriter().tag(1, 2).string('{app="x"}').tag(2, 2).bytes(entry).finish();
    const push = new BinaryWriter().tag(1, 2).bytes(stream).finish();
    const [line] = decodeLokiPush(compress(push), PROTOBUF, RECEIVED).lines;
    expect(line).toMatchObject({ body: "hi\uFFFD", service: "x", ts: RECEIVED, ns: 0 });
  });
});

describe("JSON lines over HTTP", () => {
  it("reads a Vector array (RFC 3339 with 9 digits and offsets, nested fields, JSON bodies kept as text)", () => {
    const { lines, rejected } = decodeJsonLines(encode(vectorEvents), JSON_TYPE, RECEIVED);
    expect(rejected).toBe(0);
    expect(lines[0]).toEqual({
      ts: 1763900100123,
      ns: 456789,
      level: "info",
      severity: 9,
      severityText: "",
      body: "[2025-11-23 12:15:00 +0000] [42] [INFO] Booting worker with pid: 42",
      logger: null,
      service: null,
      host: "web-1",
      source: "/var/log/shop/gunicorn.log",
      traceId: null,
      spanId: null,
      attributes: { source_type: "file" },
    });
    expect(lines[1]).toMatchObject({
      ts: 1763900101500,
      ns: 0,
      body: '{"event": "cart.updated", "items": 3}',
      host: "web-2",
      source: "docker_logs",
      attributes: {
        container_id: "3f2a9c1e7b5d",
        container_name: "shop-web-1",
        image: "shop:1.4.2",
        "label.com.docker.compose.service": "web",
        stream: "stdout",
      },
    });
    expect(lines[2]).toMatchObject({
      level: "warn",
      severity: 13,
      severityText: "WARNING",
      logger: "django.security.DisallowedHost",
      traceId: TRACE,
      source: "http_server",
      attributes: {},
    });
  });

  it("reads the same events as NDJSON, with or without the NDJSON content type", () => {
    const array = decodeJsonLines(encode(vectorEvents), JSON_TYPE, RECEIVED);
    expect(decodeJsonLines(encode(vectorNdjson), "application/x-ndjson", RECEIVED)).toEqual(array);
    expect(decodeJsonLines(encode(vectorNdjson), JSON_TYPE, RECEIVED)).toEqual(array);
  });

  it("reads Fluent Bit json_lines: float seconds under date, log as body, blank lines skipped", () => {
    const { lines, rejected } = decodeJsonLines(encode(fluentBitLines), "application/json", RECEIVED);
    expect(rejected).toBe(0);
    expect(lines.map((l) => [l.ts, l.ns, l.level, l.source, l.body])).toEqual([
      [1763900060123, 456000, "info", "stdout", '10.0.0.7 - - [23/Nov/2025:12:14:20 +0000] "GET /health HTTP/1.1" 200 2'],
      [1763900061000, 0, "error", "stderr", "ERROR: connection to db refused"],
      [1763900062250, 0, "info", "stdout", "java_sql_timestamp date format"],
    ]);
    expect(lines[0]!.attributes).toEqual({
      "kubernetes.pod_name": "shop-7d9f",
      "kubernetes.namespace_name": "prod",
      "kubernetes.labels.app": "shop",
    });
  });

  it("reads a Python LogRecord posted as JSON", () => {
    const [line] = decodeJsonLines(encode(pythonRecord), JSON_TYPE, RECEIVED).lines;
    expect(line).toMatchObject({
      ts: 1763900051500,
      ns: 0,
      level: "error",
      severity: 17,
      severityText: "ERROR",
      body: "Checkout failed for c-78",
      logger: "shop.checkout",
      source: "capture.py",
    });
    expect(line!.attributes).toMatchObject({
      msg: "Checkout failed for %s",
      args: ["c-78"],
      funcName: "capture_python_http",
      module: "capture",
      threadName: "MainThread",
    });
    expect(typeof line!.attributes.lineno).toBe("number");
    expect(typeof line!.attributes.process).toBe("number");
    expect(line!.attributes).not.toHaveProperty(["exc_info"]);
  });

  it("reads what logging.handlers.HTTPHandler posts (urlencoded, None dropped, numbers typed)", () => {
    const [line] = decodeJsonLines(encode(pythonForm), "application/x-www-form-urlencoded", RECEIVED).lines;
    expect(line).toMatchObject({
      ts: 1763900050125,
      level: "warn",
      severity: 13,
      severityText: "WARNING",
      body: "Cart %s abandoned after %d minutes",
      logger: "shop.checkout",
      source: "capture.py",
    });
    expect(line!.attributes).toMatchObject({ args: "('c-77', 30)", funcName: "capture_python_http", msecs: 125 });
    expect(typeof line!.attributes.thread).toBe("number");
    expect(line!.attributes).not.toHaveProperty(["exc_info"]);
  });

  it("guesses fields from other shapes", () => {
    const body = [
      { "@timestamp": "2025-11-23T12:14:00Z", "log.level": "ERR", "service.name": "api", "host.name": "h1", msg: "a", span_id: SPAN, trace: TRACE },
      { ts: 1763900040, log: { level: "debug" }, service: { name: "api", version: "2" }, host: { name: "h2", ip: ["10.0.0.1"] }, body: { k: 1 } },
      { time: "not a time", datetime: "2025-11-23T12:14:00.5Z", levelno: 25, severity_number: 21, text: "custom level", logger_name: "x" },
      { date: 1763900040, severity_number: 21, line: 42, application: "shop", hostname: "h3", filename: "/a.log", lvl: null },
      "just a string",
    ];
    const { lines, rejected } = decodeJsonLines(encode(JSON.stringify(body)), JSON_TYPE, RECEIVED);
    expect(rejected).toBe(0);
    expect(lines[0]).toMatchObject({ ts: 1763900040000, level: "error", severityText: "ERR", service: "api", host: "h1", body: "a", traceId: TRACE, spanId: SPAN, attributes: {} });
    expect(lines[1]).toMatchObject({ level: "debug", service: "api", host: "h2", body: '{"k":1}', attributes: { "service.version": "2", "host.ip": ["10.0.0.1"] } });
    // An unreadable time stays an attribute; Python's levelno wins over severity_number.
    expect(lines[2]).toMatchObject({ ts: 1763900040500, level: "info", severity: 9, logger: "x", body: "custom level", attributes: { time: "not a time" } });
    expect(lines[3]).toMatchObject({ level: "fatal", severity: 21, body: "42", service: "shop", host: "h3", source: "/a.log", attributes: {} });
    expect(lines[4]).toMatchObject({ body: "just a string", ts: RECEIVED, level: "info" });
  });

  it("rejects bad NDJSON lines and keeps the good ones", () => {
    const ndjson = [
      '{"message": "one"}',
      '{"message": "two"',
      "",
      "42",
      '"three"',
      '[{"message": "four"}, 5]',
      "\r",
      '{"message": "five"}\r',
    ].join("\n");
    const withBadUtf8 = new Uint8Array([...encode(ndjson), 0x0a, 0x7b, 0xff, 0x7d, 0x0a, ...encode('{"message": "six"}')]);
    const { lines, rejected, errors } = decodeJsonLines(withBadUtf8, "application/x-ndjson", RECEIVED);
    expect(lines.map((l) => l.body)).toEqual(["one", "three", "four", "five", "six"]);
    expect(rejected).toBe(4);
    expect(errors).toEqual([
      "Line 2 is not valid JSON.",
      "Line 4 is 42; a log line must be a JSON object or a string.",
      "Line 6, item 2 is 5; a log line must be a JSON object or a string.",
      "Line 9 is not valid UTF-8.",
    ]);
  });

  it("refuses bodies that are neither JSON nor NDJSON, and JSON of the wrong shape", () => {
    refused(() => decodeJsonLines(encode("not json"), JSON_TYPE, RECEIVED));
    refused(() => decodeJsonLines(encode("42"), JSON_TYPE, RECEIVED));
    refused(() => decodeJsonLines(encode("null"), JSON_TYPE, RECEIVED));
    refused(() => decodeJsonLines(encode("[".repeat(10_000)), JSON_TYPE, RECEIVED));
    refused(() => decodeJsonLines(new Uint8Array([0x7b, 0xff, 0x7d]), JSON_TYPE, RECEIVED));
    expect(decodeJsonLines(encode("  \n "), JSON_TYPE, RECEIVED)).toEqual({ lines: [], rejected: 0, errors: [] });
    expect(decodeJsonLines(encode("[]"), JSON_TYPE, RECEIVED)).toEqual({ lines: [], rejected: 0, errors: [] });
  });

  it("survives deep nesting, huge bodies and many attributes", () => {
    const deepArray = decodeJsonLines(encode(`${"[".repeat(10_000)}${"]".repeat(10_000)}`), JSON_TYPE, RECEIVED);
    expect(deepArray.rejected).toBe(1);
    const deepObject = `{"message": "deep", "a": ${'{"b":'.repeat(10_000)}1${"}".repeat(10_000)}}`;
    expect(decodesOrRefuses(() => decodeJsonLines(encode(deepObject), JSON_TYPE, RECEIVED))).toBe("decoded");

    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, i % 2 === 0 ? i : i % 3 === 0]));
    const [line] = decodeJsonLines(encode(JSON.stringify({ message: "x".repeat(100 * 1024), ...many })), JSON_TYPE, RECEIVED).lines;
    expect(line!.body).toHaveLength(LIMITS.bodyChars);
    expect(line!.body.endsWith("…")).toBe(true);
    expect(Object.keys(line!.attributes)).toHaveLength(65);
    expect(line!.attributes.field0).toBe(0);
    expect(line!.attributes.field3).toBe(true);
    expect(line!.attributes["vigil.dropped_attributes"]).toBe(136);
  });

  it("refuses lines past the per-request limit with one reason", () => {
    const ndjson = Array.from({ length: LIMITS.linesPerRequest + 2 }, (_, i) => `{"message":"${i}"}`).join("\n");
    const { lines, rejected, errors } = decodeJsonLines(encode(ndjson), "application/x-ndjson", RECEIVED);
    expect(lines).toHaveLength(LIMITS.linesPerRequest);
    expect(rejected).toBe(2);
    expect(errors).toEqual([`Only ${LIMITS.linesPerRequest} lines are taken from one request; 2 more were refused.`]);
  });
});
