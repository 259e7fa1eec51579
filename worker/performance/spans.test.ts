import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import spansHome from "../test/fixtures/spans-home.envelope?raw";
import spansProductList from "../test/fixtures/spans-product-list.envelope?raw";
import asTransaction from "../test/fixtures/spans-product-list-as-transaction.envelope?raw";
import { ApiError } from "../lib/errors";
import { eventually, keyOf, withProject } from "../test/client";
import { breakdownOf, PARTS, type Breakdown } from "./breakdown";
import { detect } from "./detectors";
import type { TransactionRecord } from "./model";
import { transactionFromSentry } from "./sentry";
import { MAX_ENVELOPE_SPANS, spanEventId, transactionsFromSpanItems } from "./spans";

// Fixtures: worker/test/fixtures/capture_spans.py — sentry-sdk 2.75 with trace_lifecycle="stream" on the example
// shop, and the same view in the same process with the SDK's classic transactions.

type SpanJson = { trace_id: string; span_id: string; parent_span_id?: string; name: string; status: string; is_segment: boolean; start_timestamp: number; end_timestamp: number; attributes: Record<string, { value: unknown; type: string }> };

/** The envelope's header, its span item's header and payload. */
function spanEnvelope(envelope: string) {
  const [header, itemHeader, payload] = envelope.split("\n");
  return { header: JSON.parse(header!), itemHeader: JSON.parse(itemHeader!), payload: JSON.parse(payload!) as { version: number; items: SpanJson[] } };
}

/** A fresh copy of a captured span payload. */
const payloadOf = (envelope: string) => spanEnvelope(envelope).payload;
const segmentOf = (payload: { items: SpanJson[] }) => payload.items.find((s) => s.is_segment)!;
/** A receivedAt right after the captured request ended, so nothing is moved. */
const arrivalOf = (payload: { items: SpanJson[] }) => segmentOf(payload).end_timestamp * 1000 + 50;

const classicTx = () => JSON.parse(asTransaction.split("\n")[2]!) as Record<string, any>;
const classicRecord = () => {
  const tx = classicTx();
  return transactionFromSentry(tx, tx.event_id, Date.parse(tx.timestamp) + 50)!.record;
};

const shares = (b: Breakdown) => {
  const total = PARTS.reduce((n, p) => n + b[p], 0);
  return Object.fromEntries(PARTS.map((p) => [p, b[p] / total])) as Breakdown;
};
const opCounts = (t: TransactionRecord) => t.spans.reduce<Record<string, number>>((m, s) => ({ ...m, [s.op]: (m[s.op] ?? 0) + 1 }), {});

/**
 * A classic transaction as span v2 items, the way sentry-sdk converts spans itself (client.py
 * `_serialized_v1_span_to_serialized_v2_span`: no `sentry.segment.id` on them) plus a segment span as
 * `StreamedSpan._to_json` writes it: the same request, so the two paths must agree exactly.
 */
function classicAsSpanItems(tx: Record<string, any>): { version: 2; items: SpanJson[] } {
  const seconds = (t: string) => Date.parse(t) / 1000;
  const typed = (v: unknown) => ({ value: v, type: typeof v === "number" ? (Number.isInteger(v) ? "integer" : "double") : typeof v === "boolean" ? "boolean" : "string" });
  const attrs = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typed(v)]));
  const trace = tx.contexts.trace;
  const children: SpanJson[] = tx.spans.map((s: Record<string, any>) => ({
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_span_id: s.parent_span_id,
    name: s.description ?? s.op,
    status: !s.status || s.status === "ok" ? "ok" : "error",
    is_segment: false,
    start_timestamp: seconds(s.start_timestamp),
    end_timestamp: seconds(s.timestamp),
    attributes: attrs({ "sentry.op": s.op, "sentry.origin": s.origin, ...s.data, "sentry.release": tx.release, "sentry.environment": tx.environment }),
  }));
  const segment: SpanJson = {
    trace_id: trace.trace_id,
    span_id: trace.span_id,
    name: tx.transaction,
    status: trace.status === "ok" ? "ok" : "error",
    is_segment: true,
    start_timestamp: seconds(tx.start_timestamp),
    end_timestamp: seconds(tx.timestamp),
    attributes: attrs({
      "sentry.op": trace.op,
      "sentry.segment.id": trace.span_id,
      "sentry.segment.name": tx.transaction,
      "http.response.status_code": trace.data["http.response.status_code"],
      "sentry.release": tx.release,
      "sentry.environment": tx.environment,
    }),
  };
  return { version: 2, items: [...children, segment] };
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

/** A minimal span v2 item. */
function span(over: Partial<SpanJson> & { span_id: string }, attributes: Record<string, unknown> = {}): SpanJson {
  return {
    trace_id: "0af7651916cd43dd8448eb211c80319c",
    name: "work",
    status: "ok",
    is_segment: false,
    start_timestamp: 1_795_000_000.1,
    end_timestamp: 1_795_000_000.2,
    attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { value: v, type: typeof v === "number" ? "integer" : "string" }])),
    ...over,
  };
}
const SEG = "00f067aa0ba90201";
const segment = (attributes: Record<string, unknown> = {}, over: Partial<SpanJson> = {}) =>
  span({ span_id: SEG, name: "/orders/<int:pk>/", is_segment: true, start_timestamp: 1_795_000_000, end_timestamp: 1_795_000_001, ...over }, { "sentry.op": "http.server", "sentry.segment.id": SEG, ...attributes });
const child = (id: string, attributes: Record<string, unknown> = {}, over: Partial<SpanJson> = {}) =>
  span({ span_id: id, parent_span_id: SEG, ...over }, { "sentry.op": "db", "sentry.segment.id": SEG, ...attributes });
const NOW = 1_795_000_001_000;

describe("span items (span v2) from the real SDK", () => {
  it("the product list: one transaction named by its route, with the request's spans, status, environment and release", () => {
    const payload = payloadOf(spansProductList);
    const seg = segmentOf(payload);
    const result = transactionsFromSpanItems([payload], arrivalOf(payload));
    expect(result).toMatchObject({ rejectedSpans: 0, errors: [] });
    expect(result.transactions).toHaveLength(1);
    const t = result.transactions[0]!;
    expect(t).toMatchObject({
      eventId: spanEventId(seg.trace_id, seg.span_id),
      traceId: seg.trace_id,
      spanId: seg.span_id,
      name: "/products/",
      op: "http.server",
      status: "ok",
      httpStatus: 200,
      environment: "production",
      release: "shop@1.4.2",
      source: "sentry",
    });
    expect(t.start).toBeCloseTo(seg.start_timestamp * 1000, 3);
    expect(t.end).toBeCloseTo(seg.end_timestamp * 1000, 3);
    expect(t.spans).toHaveLength(payload.items.length - 1);
    // Queries keep their SQL as description, as in a transaction item.
    const queries = t.spans.filter((s) => s.op === "db" && s.description?.includes('FROM "store_review"'));
    expect(queries).toHaveLength(24);
    expect(t.spans.find((s) => s.op === "template.render")!.description).toBe("store/product_list.html");
    // Each span keeps its parent (the connect signal hangs under the connect span).
    expect(t.spans.every((s) => s.parentSpanId !== null)).toBe(true);
    // A resend has the same event id (stored once).
    expect(transactionsFromSpanItems([payloadOf(spansProductList)], arrivalOf(payload)).transactions[0]!.eventId).toBe(t.eventId);
  });

  it("the product list as spans and as a transaction: same route, same kinds of spans, same N+1, breakdown shares within a few percent", () => {
    const payload = payloadOf(spansProductList);
    const streamed = transactionsFromSpanItems([payload], arrivalOf(payload)).transactions[0]!;
    const classic = classicRecord();
    expect(streamed.name).toBe(classic.name);
    expect(streamed.op).toBe(classic.op);
    expect(opCounts(streamed)).toEqual(opCounts(classic));
    const [n1Streamed, n1Classic] = [detect(streamed), detect(classic)];
    expect(n1Streamed.map((f) => [f.kind, f.key, f.sql, f.spanIds.length])).toEqual(n1Classic.map((f) => [f.kind, f.key, f.sql, f.spanIds.length]));
    expect(n1Streamed).toMatchObject([{ kind: "n_plus_one", key: expect.stringContaining("n_plus_one:/products/:") }]);
    expect(n1Streamed[0]!.spanIds).toHaveLength(24);
    // Two real requests of the same view: the times differ a little, the shape does not.
    const [a, b] = [shares(breakdownOf(streamed)), shares(breakdownOf(classic))];
    expect(a.db).toBeGreaterThan(0.6);
    for (const part of PARTS) expect(Math.abs(a[part] - b[part])).toBeLessThan(0.05);
  });

  it("the very same request both ways (the SDK's own span conversion) gives the very same record", () => {
    const classic = classicRecord();
    const result = transactionsFromSpanItems([classicAsSpanItems(classicTx())], classic.end + 50);
    expect(result).toMatchObject({ rejectedSpans: 0, errors: [] });
    const streamed = result.transactions[0]!;
    expect({ ...streamed, eventId: "", start: 0, end: 0, spans: [] }).toEqual({ ...classic, eventId: "", start: 0, end: 0, spans: [] });
    expect(streamed.start).toBeCloseTo(classic.start, 3);
    expect(streamed.end).toBeCloseTo(classic.end, 3);
    const strip = (t: TransactionRecord) => [...t.spans].sort((x, y) => x.start - y.start || x.spanId.localeCompare(y.spanId)).map((s) => ({ ...s, start: Math.round(s.start * 1000), end: Math.round(s.end * 1000), status: s.status ?? "ok" }));
    expect(strip(streamed)).toEqual(strip(classic));
    const [a, b] = [breakdownOf(streamed), breakdownOf(classic)];
    for (const part of PARTS) expect(a[part]).toBeCloseTo(b[part], 3);
    const findings = (t: TransactionRecord) => detect(t).map((f) => ({ ...f, totalMs: Math.round(f.totalMs * 1000) }));
    expect(findings(streamed)).toEqual(findings(classic));
    expect(findings(streamed)).toHaveLength(1);
  });

  it("the home page: a template with its query under it", () => {
    const payload = payloadOf(spansHome);
    const [t] = transactionsFromSpanItems([payload], arrivalOf(payload)).transactions;
    expect(t).toMatchObject({ name: "/", op: "http.server", status: "ok", httpStatus: 200 });
    const template = t!.spans.find((s) => s.op === "template.render")!;
    expect(template.description).toBe("store/home.html");
    const query = t!.spans.find((s) => s.op === "db" && s.description?.startsWith("SELECT"))!;
    expect(query.parentSpanId).toBe(template.spanId);
    const b = breakdownOf(t!);
    expect(b.db).toBeGreaterThan(0);
    expect(b.template).toBeGreaterThan(0);
  });

  it("two envelopes' spans in one call, and two requests in one payload, make one transaction each", () => {
    const list = payloadOf(spansProductList);
    const home = payloadOf(spansHome);
    const result = transactionsFromSpanItems([list, home], NOW);
    expect(result.transactions.map((t) => t.name).sort()).toEqual(["/", "/products/"]);
    const merged = transactionsFromSpanItems([{ version: 2, items: [...list.items, ...home.items] }], NOW);
    expect(merged.transactions.map((t) => t.name).sort()).toEqual(["/", "/products/"]);
    expect(merged.rejectedSpans).toBe(0);
  });
});

describe("span items: what cannot become a transaction", () => {
  it("without its segment span, a request's spans are rejected with the reason", () => {
    const payload = payloadOf(spansProductList);
    const arrival = arrivalOf(payload);
    payload.items = payload.items.filter((s) => !s.is_segment);
    const result = transactionsFromSpanItems([payload], arrival);
    expect(result.transactions).toEqual([]);
    expect(result.rejectedSpans).toBe(payload.items.length);
    expect(result.errors).toEqual([`Dropped ${payload.items.length} spans whose segment span was not in the envelope (Vigil does not join a segment's spans across envelopes yet).`]);
  });

  it("orphans next to a whole segment are rejected, the segment is kept", () => {
    const other = "11f067aa0ba90201";
    const result = transactionsFromSpanItems(
      [
        {
          version: 2,
          items: [
            segment(),
            child("00f067aa0ba90202"),
            // Another request of the trace, flushed in an earlier envelope.
            child("00f067aa0ba90203", { "sentry.segment.id": other }, { parent_span_id: other }),
            // No segment id, and its parent is not here.
            span({ span_id: "00f067aa0ba90204", parent_span_id: "22f067aa0ba90201" }),
            // No segment id and no parent at all.
            span({ span_id: "00f067aa0ba90205" }),
            // Its segment id names a span here that is not a segment.
            child("00f067aa0ba90206", { "sentry.segment.id": "00f067aa0ba90202" }),
          ],
        },
      ],
      NOW,
    );
    expect(result.transactions).toHaveLength(1);
    expect(result.transactions[0]!.spans.map((s) => s.spanId)).toEqual(["00f067aa0ba90202"]);
    expect(result.rejectedSpans).toBe(4);
    expect(result.errors).toEqual(["Dropped 4 spans whose segment span was not in the envelope (Vigil does not join a segment's spans across envelopes yet)."]);
  });

  it("spans without sentry.segment.id find their segment through their parents", () => {
    const result = transactionsFromSpanItems(
      [
        {
          items: [
            segment(),
            span({ span_id: "00f067aa0ba90202", parent_span_id: SEG }, { "sentry.op": "template.render" }),
            span({ span_id: "00f067aa0ba90203", parent_span_id: "00f067aa0ba90202", name: "SELECT 1" }, { "db.system.name": "postgresql" }),
            // Parents in a cycle: no segment.
            span({ span_id: "00f067aa0ba90204", parent_span_id: "00f067aa0ba90205" }),
            span({ span_id: "00f067aa0ba90205", parent_span_id: "00f067aa0ba90204" }),
          ],
        },
      ],
      NOW,
    );
    expect(result.transactions[0]!.spans.map((s) => [s.spanId, s.op, s.description])).toEqual([
      ["00f067aa0ba90202", "template.render", "work"],
      ["00f067aa0ba90203", "db", "SELECT 1"],
    ]);
    expect(result.rejectedSpans).toBe(2);
  });

  it("payloads that are not {items: [...]} are a malformed body", () => {
    for (const bad of [null, "spans", 42, [], {}, { version: 2 }, { items: "x" }, { items: { 0: {} } }]) {
      expect(malformed(() => transactionsFromSpanItems([bad], NOW)).message).toContain("items");
    }
    // One bad payload among good ones spoils the envelope.
    malformed(() => transactionsFromSpanItems([{ items: [segment()] }, null], NOW));
    expect(transactionsFromSpanItems([], NOW)).toEqual({ transactions: [], rejectedSpans: 0, errors: [] });
  });

  it("odd spans are rejected one by one, never thrown", () => {
    const items: unknown[] = [
      segment(),
      child("00f067aa0ba90202"),
      null,
      "span",
      [1, 2],
      { ...child("00f067aa0ba90203"), trace_id: "nothex" },
      { ...child("00f067aa0ba90204"), span_id: 7 },
      { ...child("00f067aa0ba90205"), start_timestamp: "soon" },
      { ...child("00f067aa0ba90206"), end_timestamp: undefined },
      { ...child("00f067aa0ba90207"), start_timestamp: 1_795_000_000.5, end_timestamp: 1_795_000_000.4 },
      child("00f067aa0ba90202"), // a duplicate
      { ...child("00f067aa0ba90208"), attributes: "none" }, // no attributes: no segment id, but its parent is the segment
      { ...child("00f067aa0ba90209"), attributes: { "sentry.op": "db", "db.query.text": { nested: true } } }, // a bare (odd) attribute value
    ];
    const result = transactionsFromSpanItems([{ version: 2, items }], NOW);
    expect(result.transactions).toHaveLength(1);
    expect(result.transactions[0]!.spans.map((s) => s.spanId)).toEqual(["00f067aa0ba90202", "00f067aa0ba90208", "00f067aa0ba90209"]);
    expect(result.transactions[0]!.spans[1]).toMatchObject({ op: "default", description: "work" });
    expect(result.transactions[0]!.spans[2]).toMatchObject({ op: "db", description: "work" });
    expect(result.rejectedSpans).toBe(9);
    expect(result.errors).toEqual([
      "Dropped 3 spans that are not JSON objects.",
      "Dropped 2 spans without a trace id (32 hex) or span id (16 hex).",
      "Dropped 3 spans without a start and end timestamp (or ending before they start).",
      "Dropped 1 span repeating a span id already in the envelope.",
    ]);
  });

  it("a segment span without a name drops its request", () => {
    const result = transactionsFromSpanItems([{ items: [segment({}, { name: "" }), child("00f067aa0ba90202")] }], NOW);
    expect(result).toEqual({ transactions: [], rejectedSpans: 2, errors: ["Dropped 2 spans in segments whose segment span has no name."] });
  });

  it("bounds: 1,000 spans an envelope, long strings cut", () => {
    const many = Array.from({ length: 1_500 }, (_, i) => child((0x0ba90300 + i).toString(16).padStart(16, "0")));
    const result = transactionsFromSpanItems([{ items: [segment(), ...many.slice(0, 700)] }, { items: many.slice(700) }], NOW);
    expect(result.transactions[0]!.spans).toHaveLength(MAX_ENVELOPE_SPANS - 1);
    expect(result.rejectedSpans).toBe(501);
    expect(result.errors).toEqual([`Dropped 501 spans beyond the first ${MAX_ENVELOPE_SPANS} of the envelope.`]);

    const long = "x".repeat(100_000);
    const [t] = transactionsFromSpanItems(
      [
        {
          items: [
            segment({ "sentry.segment.name": long, "sentry.op": long, "sentry.environment": long, "sentry.release": long }),
            child("00f067aa0ba90202", { "db.query.text": long }, { status: long }),
            child("00f067aa0ba90203", { "sentry.op": long }, { name: long }),
          ],
        },
      ],
      NOW,
    ).transactions;
    expect([t!.name.length, t!.op.length, t!.environment!.length, t!.release!.length]).toEqual([200, 100, 64, 200]);
    expect([t!.spans[0]!.op, t!.spans[0]!.description!.length, t!.spans[0]!.status!.length]).toEqual(["db", 2000, 50]);
    expect([t!.spans[1]!.op.length, t!.spans[1]!.description!.length]).toEqual([100, 2000]);
  });

  it("status as the transaction path has it: from the HTTP status, else the span's error", () => {
    const statusOf = (attributes: Record<string, unknown>, status = "ok") => transactionsFromSpanItems([{ items: [segment(attributes, { status })] }], NOW).transactions[0]!;
    expect(statusOf({ "http.response.status_code": 200 })).toMatchObject({ status: "ok", httpStatus: 200 });
    // sentry-sdk marks the segment "error" for any status >= 400; the transaction path says which.
    expect(statusOf({ "http.response.status_code": 404 }, "error")).toMatchObject({ status: "not_found", httpStatus: 404 });
    expect(statusOf({ "http.response.status_code": 403 }, "error")).toMatchObject({ status: "permission_denied" });
    expect(statusOf({ "http.response.status_code": 500 }, "error")).toMatchObject({ status: "internal_error", httpStatus: 500 });
    expect(statusOf({ "http.response.status_code": 503 }, "error")).toMatchObject({ status: "unavailable" });
    expect(statusOf({ "http.status_code": "502" }, "error")).toMatchObject({ status: "internal_error", httpStatus: 502 });
    // An error with no response (a task), or under a 200.
    expect(statusOf({}, "error")).toMatchObject({ status: "internal_error", httpStatus: null });
    expect(statusOf({ "http.response.status_code": 200 }, "error")).toMatchObject({ status: "internal_error" });
    expect(statusOf({ "http.response.status_code": 99_999 })).toMatchObject({ status: "ok", httpStatus: null });
    const [t] = transactionsFromSpanItems([{ items: [segment(), child("00f067aa0ba90202", {}, { status: "error" })] }], NOW).transactions;
    expect(t!.spans[0]!.status).toBe("internal_error");
  });

  it("ops without sentry.op: a query, an outbound call, anything else", () => {
    const [t] = transactionsFromSpanItems(
      [
        {
          items: [
            segment({ "sentry.op": undefined }),
            span({ span_id: "00f067aa0ba90202", parent_span_id: SEG, name: "SELECT 1" }, { "db.system": "sqlite" }),
            span({ span_id: "00f067aa0ba90203", parent_span_id: SEG, name: "GET https://api.example.com/x" }, { "http.request.method": "GET", "url.full": "https://api.example.com/x" }),
            span({ span_id: "00f067aa0ba90204", parent_span_id: SEG, name: "compute" }),
          ],
        },
      ],
      NOW,
    ).transactions;
    expect(t!.op).toBe("default");
    expect(t!.spans.map((s) => [s.op, s.description])).toEqual([
      ["db", "SELECT 1"],
      ["http.client", "GET https://api.example.com/x"],
      ["default", "compute"],
    ]);
  });

  it("clocks: a request far from its arrival is moved to it, spans an hour outside their request are dropped", () => {
    const arrival = NOW + 90 * 86_400_000;
    const result = transactionsFromSpanItems(
      [{ items: [segment(), child("00f067aa0ba90202"), child("00f067aa0ba90203", {}, { start_timestamp: 1_795_010_000, end_timestamp: 1_795_010_001 })] }],
      arrival,
    );
    const t = result.transactions[0]!;
    expect(t.end).toBe(arrival);
    expect(t.end - t.start).toBeCloseTo(1000, 3);
    expect(t.spans).toHaveLength(1);
    expect(t.spans[0]!.start - t.start).toBeCloseTo(100, 3);
    expect(result.errors).toEqual(["Dropped 1 span more than an hour outside their segment."]);
  });
});

const ORIGIN = "http://localhost:8787";

/** A captured span envelope replayed as if it happened just now: every span moved so the request ends `endsAgoMs` ago. */
function replaySpans(envelope: string, endsAgoMs = 0) {
  const { header, itemHeader, payload } = spanEnvelope(envelope);
  const shift = (Date.now() - endsAgoMs) / 1000 - segmentOf(payload).end_timestamp;
  for (const s of payload.items) {
    s.start_timestamp += shift;
    s.end_timestamp += shift;
  }
  const body = JSON.stringify(payload);
  return { payload, body: `${JSON.stringify(header)}\n${JSON.stringify({ ...itemHeader, length: new TextEncoder().encode(body).length })}\n${body}\n` };
}

/** The classic capture replayed the same way (as performance.test.ts does), with a fresh event id. */
function replayTransaction(envelope: string) {
  const [header, itemHeader, payload] = envelope.split("\n");
  const tx = JSON.parse(payload!) as Record<string, any>;
  const shift = Date.now() - Date.parse(tx.timestamp);
  const move = (t: string) => new Date(Date.parse(t) + shift).toISOString();
  tx.start_timestamp = move(tx.start_timestamp);
  tx.timestamp = move(tx.timestamp);
  for (const s of tx.spans) {
    s.start_timestamp = move(s.start_timestamp);
    s.timestamp = move(s.timestamp);
  }
  tx.event_id = crypto.randomUUID().replaceAll("-", "");
  const body = JSON.stringify(tx);
  return `${JSON.stringify({ ...JSON.parse(header!), event_id: tx.event_id })}\n${JSON.stringify({ ...JSON.parse(itemHeader!), length: new TextEncoder().encode(body).length })}\n${body}\n`;
}

const post = (project: { id: number; dsn: string }, envelope: string) =>
  SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, {
    method: "POST",
    headers: { "content-type": "application/x-sentry-envelope", "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7` },
    body: envelope,
  });
async function send(project: { id: number; dsn: string }, envelope: string) {
  const res = await post(project, envelope);
  expect(res.status).toBe(200);
  return res.json();
}

type Row = { transaction: string; count: number; p50: number; failureRate: number; breakdown: Record<string, number> };
const routes = async (client: Awaited<ReturnType<typeof withProject>>["client"], projectId: number, count = 1) =>
  eventually(async () => {
    const data = (await client.get(`/projects/${projectId}/performance`)).body.data as Row[];
    return data.length >= 1 && data.reduce((n, r) => n + r.count, 0) >= count ? data : null;
  });
const shareOf = (b: Record<string, number>) => {
  const total = Object.values(b).reduce((n, v) => n + v, 0);
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v / total]));
};

describe("span envelopes at POST /api/{id}/envelope/", () => {
  it("the product list sent as spans: its route, a db-heavy breakdown and the N+1 issue; a resend is counted once", async () => {
    const { client, project } = await withProject("spans");
    const list = replaySpans(spansProductList);
    await send(project, list.body);
    await send(project, replaySpans(spansHome).body);
    const rows = await routes(client, project.id, 2);
    const byRoute = Object.fromEntries(rows.map((r) => [r.transaction, r]));
    expect(Object.keys(byRoute).sort()).toEqual(["/", "/products/"]);
    expect(byRoute["/products/"]).toMatchObject({ count: 1, failureRate: 0 });
    const seg = segmentOf(list.payload);
    const duration = (seg.end_timestamp - seg.start_timestamp) * 1000;
    expect(Math.abs(byRoute["/products/"]!.p50 - duration) / duration).toBeLessThan(0.011);
    expect(shareOf(byRoute["/products/"]!.breakdown).db).toBeGreaterThan(0.6);
    expect(byRoute["/"]!.breakdown.template).toBeGreaterThan(0);

    const issues = await eventually(async () => {
      const data = (await client.get(`/projects/${project.id}/issues`)).body.data as { title: string; culprit: string }[];
      return data.length ? data : null;
    });
    const repeated = list.payload.items.map((s) => s.name).find((n) => n.includes('FROM "store_review"'))!;
    expect(issues).toMatchObject([{ title: `N+1 Query: ${repeated.replace("%s", "?")}`.slice(0, "N+1 Query: ".length + 150), culprit: "/products/" }]);

    const detail = (await client.get(`/projects/${project.id}/performance/route?transaction=${encodeURIComponent("/products/")}`)).body;
    expect(detail.queries.find((q: { sql: string }) => q.sql.includes('FROM "store_review"'))).toMatchObject({ count: 24, perRequest: 24 });
    const trace = (await client.get(`/projects/${project.id}/traces/${seg.trace_id}`)).body;
    expect(trace.transactions).toHaveLength(1);
    expect(trace.transactions[0].spans).toHaveLength(list.payload.items.length - 1);

    // The SDK resending the same envelope: the same event id, stored once.
    await send(project, list.body);
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await client.get(`/projects/${project.id}/performance`)).body.data as Row[];
    expect(again.find((r) => r.transaction === "/products/")!.count).toBe(1);
  });

  it("the same view as a transaction item and as span items: the same route name and breakdown shares within a few percent", async () => {
    const asTx = await withProject("spans-tx");
    const asSpans = await withProject("spans-stream");
    await send(asTx.project, replayTransaction(asTransaction));
    await send(asSpans.project, replaySpans(spansProductList).body);
    const [[a], [b]] = [await routes(asTx.client, asTx.project.id), await routes(asSpans.client, asSpans.project.id)];
    expect(b!.transaction).toBe(a!.transaction);
    expect(b!.transaction).toBe("/products/");
    const [sa, sb] = [shareOf(a!.breakdown), shareOf(b!.breakdown)];
    for (const part of Object.keys(sa)) expect(Math.abs(sa[part]! - sb[part]!)).toBeLessThan(0.05);

    // The very same request converted by the SDK's own rules: the same numbers.
    const same = await withProject("spans-same");
    const tx = JSON.parse(replayTransaction(asTransaction).split("\n")[2]!);
    const body = JSON.stringify(classicAsSpanItems(tx));
    await send(same.project, `{}\n${JSON.stringify({ type: "span", content_type: "application/vnd.sentry.items.span.v2+json", length: new TextEncoder().encode(body).length })}\n${body}\n`);
    const [c] = await routes(same.client, same.project.id);
    for (const part of Object.keys(a!.breakdown)) expect(c!.breakdown[part]).toBeCloseTo(a!.breakdown[part]!, 0);
  });

  it("what the envelope door answers: spans without their segment are dropped, a payload without items is a 400, events still come in alongside", async () => {
    const { client, project } = await withProject("spans-door");
    const orphans = replaySpans(spansProductList);
    orphans.payload.items = orphans.payload.items.filter((s) => !s.is_segment);
    const body = JSON.stringify(orphans.payload);
    const res = await post(project, `{}\n{"type":"span","length":${new TextEncoder().encode(body).length}}\n${body}\n`);
    expect(res.status).toBe(200);

    const bad = await post(project, `{}\n{"type":"span"}\n{"version":2}\n`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("malformed_body");

    // An error event and a request's spans in one envelope: both kept.
    const spans = replaySpans(spansHome);
    const event = JSON.stringify({ event_id: "9".repeat(32), message: "hello from a span envelope", level: "error", platform: "python" });
    const mixed = `{"event_id":"${"9".repeat(32)}"}\n{"type":"event","length":${event.length}}\n${event}\n${spans.body.split("\n").slice(1).join("\n")}`;
    expect(await send(project, mixed)).toMatchObject({ id: "9".repeat(32) });
    const rows = await routes(client, project.id);
    expect(rows.map((r) => r.transaction)).toEqual(["/"]);
    await eventually(async () => ((await client.get(`/projects/${project.id}/issues`)).body.data.length === 1 ? true : null));
  });
});
