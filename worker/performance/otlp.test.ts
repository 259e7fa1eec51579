import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { fromBase64 } from "../lib/encoding";
import { ApiError } from "../lib/errors";
import pbBase64 from "../test/fixtures/otlp/django-traces.pb.b64?raw";
import otlpJson from "../test/fixtures/otlp/django-traces.json?raw";
import type { TransactionRecord } from "./model";
import { decodeOtlpTraces, MAX_REQUEST_SPANS, MAX_TRANSACTION_SPANS, nanosToMs, otlpEventId } from "./otlp";

// Fixtures: the Python SDK's own OTLP encoder (worker/test/fixtures/otlp/capture.py).
const PB = fromBase64(pbBase64.trim());
const JSON_BODY = new TextEncoder().encode(otlpJson);
const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";

const TRACE_A = "0af7651916cd43dd8448eb211c80319c";
const TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACE_C = "5b8efff798038103d269b633813fc60c";
const T0 = 1_763_900_000_123_520_141n; // capture.py's T0, in ns

/** ms with fractions, computed independently: the decimal string parsed once (correctly rounded). */
function ms(ns: bigint): number {
  return parseFloat(`${ns / 1_000_000n}.${(ns % 1_000_000n).toString().padStart(6, "0")}`);
}
/** capture.py's times: T0 plus an offset in nanoseconds. */
const at = (offsetNs: number) => ms(T0 + BigInt(offsetNs));

function byTrace(transactions: TransactionRecord[]): Record<string, TransactionRecord> {
  return Object.fromEntries(transactions.map((t) => [t.traceId, t]));
}

function malformed(run: () => unknown): ApiError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("malformed_body");
    return err as ApiError;
  }
  throw new Error("expected ApiError malformed_body, nothing was thrown");
}

const expectedA: TransactionRecord = {
  eventId: otlpEventId(TRACE_A, "00f067aa0ba90201"),
  traceId: TRACE_A,
  spanId: "00f067aa0ba90201",
  name: "GET /products/{pk}",
  op: "http.server",
  status: "ok",
  httpStatus: 200,
  start: at(0),
  end: at(123_456_789),
  environment: "production",
  release: "1.4.2",
  source: "otlp",
  spans: [
    {
      spanId: "00f067aa0ba90202",
      parentSpanId: "00f067aa0ba90201",
      op: "db",
      description: 'SELECT "shop_product"."id", "shop_product"."name" FROM "shop_product" WHERE "shop_product"."id" = %s LIMIT 21',
      start: at(1_000_001),
      end: at(3_500_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90203",
      parentSpanId: "00f067aa0ba90201",
      op: "db",
      description: 'SELECT "shop_review"."id", "shop_review"."stars" FROM "shop_review" WHERE "shop_review"."product_id" = %s',
      start: at(4_000_000),
      end: at(6_250_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90204",
      parentSpanId: "00f067aa0ba90201",
      op: "cache.get",
      description: "get product:42:stock",
      start: at(7_000_000),
      end: at(7_500_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90205",
      parentSpanId: "00f067aa0ba90201",
      op: "function",
      description: "stock.lookup",
      start: at(10_000_000),
      end: at(90_000_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90206",
      parentSpanId: "00f067aa0ba90205",
      op: "http.client",
      description: "GET https://stock.example.com/api/stock/42",
      start: at(11_000_000),
      end: at(89_000_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90207",
      parentSpanId: "00f067aa0ba90201",
      op: "template.render",
      description: "render products/detail.html",
      start: at(95_000_000),
      end: at(120_000_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90208",
      parentSpanId: "00f067aa0ba90207",
      op: "db",
      description: 'SELECT "shop_category"."name" FROM "shop_category" WHERE "shop_category"."id" = %s',
      start: at(100_000_000),
      end: at(101_000_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90209",
      parentSpanId: "00f067aa0ba90201",
      op: "http.client",
      description: "POST https://analytics.example.com/track",
      start: at(120_500_000),
      end: at(123_000_000),
      status: "internal_error",
    },
  ],
};

const expectedB: TransactionRecord = {
  eventId: otlpEventId(TRACE_B, "00f067aa0ba90301"),
  traceId: TRACE_B,
  spanId: "00f067aa0ba90301",
  name: "POST /checkout",
  op: "http.server",
  status: "internal_error",
  httpStatus: 500,
  start: at(1_000_000_000),
  end: at(1_042_500_000),
  environment: "staging",
  release: "1.4.3",
  source: "otlp",
  spans: [
    {
      spanId: "00f067aa0ba90302",
      parentSpanId: "00f067aa0ba90301",
      op: "db",
      description: 'SELECT "shop_cart"."id" FROM "shop_cart" WHERE "shop_cart"."user_id" = %s',
      start: at(1_001_000_000),
      end: at(1_002_000_000),
      status: "ok",
    },
    {
      spanId: "00f067aa0ba90303",
      parentSpanId: "00f067aa0ba90301",
      op: "function",
      description: "checkout",
      start: at(1_002_000_000),
      end: at(1_040_000_000),
      status: "ok",
    },
  ],
};

const expectedC: TransactionRecord = {
  eventId: otlpEventId(TRACE_C, "00f067aa0ba9020a"),
  traceId: TRACE_C,
  spanId: "00f067aa0ba9020a",
  name: "sync_prices",
  op: "function",
  status: "ok",
  httpStatus: null,
  start: at(2_000_000_000),
  end: at(2_250_000_000),
  environment: "production",
  release: "1.4.2",
  source: "otlp",
  spans: [
    {
      spanId: "00f067aa0ba9020b",
      parentSpanId: "00f067aa0ba9020a",
      op: "db",
      description: 'UPDATE "shop_product" SET "price" = %s WHERE "id" = %s',
      start: at(2_010_000_000),
      end: at(2_200_000_000),
      status: "ok",
    },
  ],
};

describe("OTLP traces from the Python SDK", () => {
  it("maps the protobuf request: server spans, a root span without one, their descendants", () => {
    const result = decodeOtlpTraces(PB, PROTOBUF);
    expect(result.rejectedSpans).toBe(0);
    expect(result.errorMessage).toBeUndefined();
    expect(result.transactions).toHaveLength(3);
    const got = byTrace(result.transactions);
    expect(got[TRACE_A]).toEqual(expectedA);
    expect(got[TRACE_B]).toEqual(expectedB);
    expect(got[TRACE_C]).toEqual(expectedC);
  });

  it("maps the same request sent as OTLP/JSON to the same transactions", () => {
    const fromJson = decodeOtlpTraces(JSON_BODY, "application/json; charset=utf-8");
    expect(fromJson).toEqual(decodeOtlpTraces(PB, PROTOBUF));
  });

  it("keeps 64-bit nanoseconds exact down to the double's resolution", () => {
    const a = byTrace(decodeOtlpTraces(PB, PROTOBUF).transactions)[TRACE_A]!;
    expect(a.start).toBe(1763900000123.52);
    // Going through a double first (fixed64 as lo + hi·2^32, or Number(string)) lands on another value.
    expect(Number(T0) / 1e6).not.toBe(1763900000123.52);
    expect(a.end - a.start).toBeCloseTo(123.456789, 3);
    expect(a.spans[0]!.end - a.spans[0]!.start).toBeCloseTo(2.499999, 3);
    expect(nanosToMs(T0)).toBe(1763900000123.52);
    expect(nanosToMs(18_446_744_073_709_551_615n)).toBe(18_446_744_073_709.551615);
  });

  it("derives event ids from trace and span id: stable across re-sends and formats, distinct per transaction", () => {
    const first = decodeOtlpTraces(PB, PROTOBUF).transactions.map((t) => t.eventId);
    const again = decodeOtlpTraces(PB, PROTOBUF).transactions.map((t) => t.eventId);
    const json = decodeOtlpTraces(JSON_BODY, JSON_TYPE).transactions.map((t) => t.eventId);
    expect(again).toEqual(first);
    expect(json).toEqual(first);
    expect(new Set(first).size).toBe(3);
    for (const id of first) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(otlpEventId(TRACE_A, "00f067aa0ba90201")).not.toBe(otlpEventId(TRACE_A, "00f067aa0ba90202"));
  });

  it("counts the spans beyond 10,000 in one request as rejected (protobuf, real bytes repeated)", () => {
    // Concatenated protobuf messages merge: 715 copies are one request of 10,010 spans (most of them repeats).
    const copies = 715;
    const body = new Uint8Array(PB.length * copies);
    for (let i = 0; i < copies; i++) body.set(PB, i * PB.length);
    const result = decodeOtlpTraces(body, PROTOBUF);
    expect(result.transactions).toHaveLength(3);
    expect(result.rejectedSpans).toBe(14 * copies - 14);
    expect(result.errorMessage).toBe(
      `Dropped 10 spans beyond the first ${MAX_REQUEST_SPANS} of the request, 9986 spans repeating a span id already in the request.`,
    );
  });
});

// ---- OTLP/JSON built here, for the cases the fixtures do not cover ----

type Attr = [string, string | number | boolean];
interface SpanInput {
  trace?: string;
  id: string;
  parent?: string;
  name?: string;
  kind?: number | string;
  start?: string | number;
  end?: string | number;
  attrs?: Attr[];
  status?: Record<string, unknown>;
}
const TRACE = "11111111111111111111111111111111";

function otlpValue(value: string | number | boolean) {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function jsonRequest(spans: SpanInput[], resource: Attr[] = [["service.name", "shop"]]): Uint8Array {
  const body = {
    resourceSpans: [
      {
        resource: { attributes: resource.map(([key, value]) => ({ key, value: otlpValue(value) })) },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: spans.map((s) => ({
              traceId: s.trace ?? TRACE,
              spanId: s.id,
              ...(s.parent ? { parentSpanId: s.parent } : {}),
              name: s.name ?? "span",
              kind: s.kind ?? 1,
              startTimeUnixNano: s.start ?? "1700000000000000000",
              endTimeUnixNano: s.end ?? "1700000000001000000",
              attributes: (s.attrs ?? []).map(([key, value]) => ({ key, value: otlpValue(value) })),
              status: s.status ?? {},
            })),
          },
        ],
      },
    ],
  };
  return new TextEncoder().encode(JSON.stringify(body));
}

const id = (n: number) => n.toString(16).padStart(16, "0");
const decodeJson = (spans: SpanInput[], resource?: Attr[]) => decodeOtlpTraces(jsonRequest(spans, resource), JSON_TYPE);
const server = (n: number, attrs: Attr[] = [], extra: Partial<SpanInput> = {}): SpanInput => ({ id: id(n), kind: 2, name: "GET", attrs, ...extra });
const child = (n: number, parent: number, extra: Partial<SpanInput> = {}): SpanInput => ({ id: id(n), parent: id(parent), ...extra });

describe("OTLP mapping rules", () => {
  it.each([
    ["404", [["http.response.status_code", 404]], {}, "not_found", 404],
    ["503 in old conventions", [["http.status_code", 503]], {}, "internal_error", 503],
    ["status ERROR on a 200", [["http.response.status_code", 200]], { code: 2 }, "internal_error", 200],
    ["status ERROR by name", [], { code: "STATUS_CODE_ERROR", message: "boom" }, "internal_error", null],
    ["no HTTP status", [], {}, "ok", null],
    ["403", [["http.response.status_code", 403]], { code: 1 }, "ok", 403],
    ["a status code sent as text", [["http.response.status_code", "404"]], {}, "not_found", 404],
  ] as [string, Attr[], Record<string, unknown>, string, number | null][])(
    "server status: %s",
    (_, attrs, status, expected, httpStatus) => {
      const [t] = decodeJson([server(1, attrs, { status })]).transactions;
      expect(t!.status).toBe(expected);
      expect(t!.httpStatus).toBe(httpStatus);
    },
  );

  it("names a server span METHOD route, or by its own name without a route", () => {
    const { transactions } = decodeJson([
      server(1, [["http.request.method", "POST"], ["http.route", "/cart/{id}/items"]], { name: "POST" }),
      server(2, [["http.method", "GET"]], { trace: "22222222222222222222222222222222", name: "GET /static" }),
    ]);
    expect(transactions.map((t) => t.name)).toEqual(["POST /cart/{id}/items", "GET /static"]);
  });

  it("cuts a name at 200 characters, as a Sentry transaction's (the longest route the route page asks for)", () => {
    const route = `/search/${"q".repeat(300)}`;
    const { transactions } = decodeJson([
      server(1, [["http.request.method", "GET"], ["http.route", route]]),
      server(2, [], { trace: "22222222222222222222222222222222", name: route }),
    ]);
    expect(transactions.map((t) => t.name)).toEqual([`GET ${route}`.slice(0, 200), route.slice(0, 200)]);
  });

  it("takes environment and release from the resource, null when absent", () => {
    expect(decodeJson([server(1)], [["deployment.environment.name", "eu"], ["deployment.environment", "old"], ["service.version", "2.0"]]).transactions[0]).toMatchObject({
      environment: "eu",
      release: "2.0",
    });
    expect(decodeJson([server(1)], []).transactions[0]).toMatchObject({ environment: null, release: null });
  });

  it("gives a nested server span its own transaction and its own descendants", () => {
    const { transactions, rejectedSpans } = decodeJson([
      server(1),
      child(2, 1, { kind: 3, attrs: [["http.request.method", "GET"], ["url.full", "http://inner/x"]] }),
      child(3, 2, { kind: 2, name: "GET /x", attrs: [["http.request.method", "GET"], ["http.route", "/x"]] }),
      child(4, 3, { attrs: [["db.system", "postgresql"], ["db.statement", "SELECT 1"]] }),
      child(5, 4, { name: "deep" }),
    ]);
    expect(rejectedSpans).toBe(0);
    const [outer, inner] = transactions;
    expect(outer!.spans.map((s) => [s.spanId, s.op, s.description])).toEqual([[id(2), "http.client", "GET http://inner/x"]]);
    expect(inner!.name).toBe("GET /x");
    expect(inner!.spans.map((s) => [s.spanId, s.parentSpanId, s.op, s.description])).toEqual([
      [id(4), id(3), "db", "SELECT 1"],
      [id(5), id(4), "function", "deep"],
    ]);
  });

  it("rejects spans that reach no server span in the request, with the reason", () => {
    const result = decodeJson([
      server(1),
      child(2, 1),
      child(3, 99), // its parent is in another request
      child(4, 3),
      { id: id(5), name: "a root from another service" }, // a root, but the trace has a server span
      { id: "", name: "no id" },
      child(2, 1, { name: "the same span again" }),
      { id: id(6), parent: id(7) }, // a cycle of parents
      { id: id(7), parent: id(6) },
    ]);
    expect(result.transactions).toHaveLength(1);
    expect(result.transactions[0]!.spans.map((s) => s.spanId)).toEqual([id(2)]);
    expect(result.rejectedSpans).toBe(7);
    expect(result.errorMessage).toBe(
      "Dropped 1 span without a trace id or span id, 1 span repeating a span id already in the request, " +
        "5 spans whose server span (or, without one, root span) was not in the request.",
    );
  });

  it("makes a transaction of each root span when a trace has no server span", () => {
    const { transactions, rejectedSpans } = decodeJson([
      { id: id(1), name: "celery.run", kind: 5, attrs: [["messaging.system", "rabbitmq"]] },
      child(2, 1, { name: "send", kind: 4, attrs: [["messaging.system", "rabbitmq"]] }),
      { id: id(3), name: "nightly_report", trace: "33333333333333333333333333333333" },
    ]);
    expect(rejectedSpans).toBe(0);
    expect(transactions.map((t) => [t.name, t.op, t.status, t.spans.map((s) => s.op)])).toEqual([
      ["celery.run", "queue.process", "ok", ["queue.publish"]],
      ["nightly_report", "function", "ok", []],
    ]);
  });

  it.each([
    ["a cache span by name and key", { name: "cache.get", attrs: [["cache.key", "views.decorators.cache.page"]] }, "cache.get", "views.decorators.cache.page"],
    ["a cache write by attribute", { name: "set", attrs: [["cache.hit", false], ["db.operation", "set"]] }, "cache.put", "set"],
    ["memcached set", { name: "set", attrs: [["db.system", "memcached"], ["db.statement", "set product:1"]] }, "cache.put", "set product:1"],
    ["memcached delete", { name: "delete", attrs: [["db.system", "memcached"]] }, "cache.remove", "delete"],
    ["redis is a database", { name: "GET", attrs: [["db.system", "redis"], ["db.statement", "GET product:1"]] }, "db", "GET product:1"],
    ["a db span without a statement", { name: "SELECT", attrs: [["db.system.name", "sqlite"]] }, "db", "SELECT"],
    ["an HTTP client without a URL", { name: "GET", kind: 3, attrs: [["http.request.method", "GET"]] }, "http.client", "GET"],
    ["an internal span with an HTTP method", { name: "GET handler", kind: 1, attrs: [["http.request.method", "GET"]] }, "function", "GET handler"],
    ["render_to_string", { name: "render_to_string" }, "template.render", "render_to_string"],
    ["a template attribute", { name: "include", attrs: [["template.name", "shop/base.html"]] }, "template.render", "shop/base.html"],
    ["renderer is not a render", { name: "renderer.setup" }, "function", "renderer.setup"],
    ["a failed internal span", { name: "charge", status: { code: 2 } }, "function", "charge"],
  ] as [string, Partial<SpanInput>, string, string][])("child span op: %s", (_, extra, op, description) => {
    const [t] = decodeJson([server(1), child(2, 1, extra)]).transactions;
    expect(t!.spans[0]).toMatchObject({ op, description });
    expect(t!.spans[0]!.status).toBe(extra.status ? "internal_error" : "ok");
  });

  it("reads nanoseconds sent as decimal strings exactly, and as JSON numbers", () => {
    const [t] = decodeJson([server(1, [], { start: "1763900000123520141", end: 1763900000246976930 })]).transactions;
    expect(t!.start).toBe(1763900000123.52);
    expect(t!.end).toBeCloseTo(1763900000246.977, 2);
  });

  it("ignores unknown fields at every level", () => {
    const body = JSON.parse(new TextDecoder().decode(jsonRequest([server(1, [["http.route", "/"], ["http.method", "GET"]])])));
    body.extra = 1;
    body.resourceSpans[0].schemaUrl = "https://opentelemetry.io/schemas/1.26.0";
    body.resourceSpans[0].scopeSpans[0].spans[0].droppedAttributesCount = 3;
    body.resourceSpans[0].scopeSpans[0].spans[0].events = [{ name: "exception", timeUnixNano: "1" }];
    body.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({ key: "list", value: { arrayValue: { values: [] } } });
    const [t] = decodeOtlpTraces(new TextEncoder().encode(JSON.stringify(body)), JSON_TYPE).transactions;
    expect(t!.name).toBe("GET /");
  });

  it("keeps the earliest 1,000 spans of a transaction and counts the rest as rejected", () => {
    const spans: SpanInput[] = [server(1, [], { start: "1700000000000000000", end: "1700000010000000000" })];
    // Sent latest first, so keeping "the first sent" would be wrong.
    for (let i = MAX_TRANSACTION_SPANS + 199; i >= 0; i--) {
      spans.push(child(i + 2, 1, { start: String(1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n) }));
    }
    const result = decodeJson(spans);
    const t = result.transactions[0]!;
    expect(t.spans).toHaveLength(MAX_TRANSACTION_SPANS);
    expect(t.spans[0]!.spanId).toBe(id(2));
    expect(t.spans.at(-1)!.spanId).toBe(id(MAX_TRANSACTION_SPANS + 1));
    expect(result.rejectedSpans).toBe(200);
    expect(result.errorMessage).toBe(`Dropped 200 spans beyond ${MAX_TRANSACTION_SPANS} in one transaction.`);
  });

  it("reads at most 10,000 spans of a JSON request", () => {
    const spans = Array.from({ length: MAX_REQUEST_SPANS + 50 }, (_, i) => server(i + 1, [], { trace: (i + 1).toString(16).padStart(32, "0") }));
    const result = decodeJson(spans);
    expect(result.transactions).toHaveLength(MAX_REQUEST_SPANS);
    expect(result.rejectedSpans).toBe(50);
    expect(result.errorMessage).toBe(`Dropped 50 spans beyond the first ${MAX_REQUEST_SPANS} of the request.`);
  });

  it("accepts an empty request", () => {
    expect(decodeOtlpTraces(new Uint8Array(), PROTOBUF)).toEqual({ transactions: [], rejectedSpans: 0 });
    expect(decodeOtlpTraces(new TextEncoder().encode("{}"), JSON_TYPE)).toEqual({ transactions: [], rejectedSpans: 0 });
  });
});

/** A tiny xorshift PRNG so "random" bodies are the same on every run. */
function randomBytes(seed: number, length: number): Uint8Array {
  let x = seed || 1;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

describe("malformed OTLP bodies", () => {
  it("rejects truncated protobuf", () => {
    const err = malformed(() => decodeOtlpTraces(PB.subarray(0, PB.length - 10), PROTOBUF));
    expect(err.message).toMatch(/^The body is not a valid OTLP ExportTraceServiceRequest in protobuf \(truncated or corrupt: .+\)\.$/);
  });

  it("never fails with anything but malformed_body on any prefix of a real request", () => {
    for (let end = 0; end <= PB.length; end++) {
      try {
        decodeOtlpTraces(PB.subarray(0, end), PROTOBUF);
      } catch (err) {
        expect(err instanceof ApiError && err.code === "malformed_body", `prefix of ${end} bytes: ${err}`).toBe(true);
      }
    }
  });

  it("rejects random bytes, JSON and text sent as protobuf", () => {
    malformed(() => decodeOtlpTraces(randomBytes(42, 256), PROTOBUF));
    malformed(() => decodeOtlpTraces(JSON_BODY, PROTOBUF));
    malformed(() => decodeOtlpTraces(new TextEncoder().encode("hello, world"), PROTOBUF));
    for (let seed = 1; seed <= 300; seed++) {
      try {
        decodeOtlpTraces(randomBytes(seed, 1 + (seed % 97) * 5), PROTOBUF);
      } catch (err) {
        expect(err instanceof ApiError && err.code === "malformed_body", `seed ${seed}: ${err}`).toBe(true);
      }
    }
  });

  it("rejects protobuf ids of the wrong length", () => {
    const span = new BinaryWriter().uint32((1 << 3) | 2).bytes(new Uint8Array(5)).finish();
    const scope = new BinaryWriter().uint32((2 << 3) | 2).bytes(span).finish();
    const resource = new BinaryWriter().uint32((2 << 3) | 2).bytes(scope).finish();
    const request = new BinaryWriter().uint32((1 << 3) | 2).bytes(resource).finish();
    expect(malformed(() => decodeOtlpTraces(request, PROTOBUF)).message).toBe("A span's trace_id has 5 bytes; it must have 16.");
  });

  it.each([
    ["truncated JSON", '{"resourceSpans": [', "The body is not valid JSON (OTLP/JSON with application/json)."],
    ["empty", "", "The body is not valid JSON (OTLP/JSON with application/json)."],
    ["an array", "[]", 'The body must be a JSON object (an OTLP ExportTraceServiceRequest: {"resourceSpans": [...]}).'],
    ["resourceSpans not a list", '{"resourceSpans": {}}', "resourceSpans must be an array, not {}."],
    ["a span not an object", '{"resourceSpans": [{"scopeSpans": [{"spans": [1]}]}]}', "resourceSpans[0].scopeSpans[0].spans[0] must be an object, not 1."],
    [
      "a base64 trace id",
      '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "CvdlGRbNQ92ESOshHIAxnA=="}]}]}]}',
      'resourceSpans[0].scopeSpans[0].spans[0].traceId must be 32 hex characters (OTLP/JSON ids are hex, not base64), not "CvdlGRbNQ92ESOshHIAxnA==".',
    ],
    [
      "a time that is not an integer",
      '{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "soon"}]}]}]}',
      'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano must be an integer (a decimal string or a number), not "soon".',
    ],
    [
      "an unknown kind name",
      '{"resourceSpans": [{"scopeSpans": [{"spans": [{"kind": "server"}]}]}]}',
      'resourceSpans[0].scopeSpans[0].spans[0].kind must be an enum number, not "server".',
    ],
    [
      "attributes not a list",
      '{"resourceSpans": [{"resource": {"attributes": {"service.name": "shop"}}}]}',
      'resourceSpans[0].resource.attributes must be an array, not {"service.name":"shop"}.',
    ],
  ])("rejects JSON: %s", (_, text, message) => {
    expect(malformed(() => decodeOtlpTraces(new TextEncoder().encode(text), JSON_TYPE)).message).toBe(message);
  });

  it("rejects JSON that is not UTF-8", () => {
    malformed(() => decodeOtlpTraces(new Uint8Array([0x7b, 0xff, 0x7d]), JSON_TYPE));
  });

  it("answers another content type with unsupported_media_type", () => {
    for (const type of ["text/plain", "", "application/grpc"]) {
      expect(() => decodeOtlpTraces(PB, type)).toThrow(ApiError);
      try {
        decodeOtlpTraces(PB, type);
      } catch (err) {
        expect((err as ApiError).code).toBe("unsupported_media_type");
      }
    }
  });
});
