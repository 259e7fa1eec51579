import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import home from "../test/fixtures/tx-home.envelope?raw";
import productList from "../test/fixtures/tx-product-list.envelope?raw";
import reportError from "../test/fixtures/tx-report-error.envelope?raw";
import salesReport from "../test/fixtures/tx-sales-report.envelope?raw";
import { eventually, keyOf, withProject } from "../test/client";
import otlpJson from "../test/fixtures/otlp/django-traces.json?raw";
import otlpProtobuf from "../test/fixtures/otlp/django-traces.pb.b64?raw";
import { fromBase64 } from "../lib/encoding";
import { breakdownOf } from "./breakdown";
import { transactionFromSentry } from "./sentry";

const ORIGIN = "http://localhost:8787";

/**
 * A captured envelope replayed as if it happened just now: every timestamp shifted so the transaction
 * ends `endsAgoMs` before now, and a fresh event id unless one is given.
 */
function replay(envelope: string, opts: { eventId?: string; endsAgoMs?: number } = {}) {
  const [header, itemHeader, payload] = envelope.split("\n");
  const tx = JSON.parse(payload!) as Record<string, any>;
  // The SDK writes RFC 3339 times; move each by the same amount.
  const shift = Date.now() - (opts.endsAgoMs ?? 0) - Date.parse(tx.timestamp);
  const move = (t: string) => new Date(Date.parse(t) + shift).toISOString();
  tx.start_timestamp = move(tx.start_timestamp);
  tx.timestamp = move(tx.timestamp);
  for (const s of tx.spans) {
    s.start_timestamp = move(s.start_timestamp);
    s.timestamp = move(s.timestamp);
  }
  const eventId = opts.eventId ?? crypto.randomUUID().replaceAll("-", "");
  tx.event_id = eventId;
  const h = { ...JSON.parse(header!), event_id: eventId };
  const body = JSON.stringify(tx);
  return { eventId, tx, body: `${JSON.stringify(h)}\n${JSON.stringify({ ...JSON.parse(itemHeader!), length: new TextEncoder().encode(body).length })}\n${body}\n` };
}

async function send(project: { id: number; dsn: string }, envelope: string) {
  const res = await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, {
    method: "POST",
    headers: { "content-type": "application/x-sentry-envelope", "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7` },
    body: envelope,
  });
  expect(res.status).toBe(200);
  return res.json() as Promise<{ id: string }>;
}

type Row = { transaction: string; count: number; p50: number; p95: number; failureRate: number; apdex: number; breakdown: Record<string, number> };

describe("performance from real Django transactions", () => {
  it("routes table: counts, percentiles, failure rate, Apdex and where the time went", async () => {
    const { client, project } = await withProject("perf");
    const list = replay(productList);
    const sales = replay(salesReport);
    await send(project, list.body);
    await send(project, sales.body);
    await send(project, replay(home).body);
    await send(project, replay(reportError).body);
    await send(project, list.body); // the same event again: counted once
    const rows = await eventually(async () => {
      const data = (await client.get(`/projects/${project.id}/performance`)).body.data as Row[];
      return data.length === 4 ? data : null;
    });
    const byRoute = Object.fromEntries(rows.map((r) => [r.transaction, r]));
    expect(Object.keys(byRoute).sort()).toEqual(["/", "/products/", "/reports/conversion/", "/reports/sales/"]);
    expect(byRoute["/products/"]).toMatchObject({ count: 1, failureRate: 0 });
    expect(byRoute["/reports/conversion/"]).toMatchObject({ count: 1, failureRate: 1 });

    // The numbers are the transaction's own, within the histogram's 1%.
    const duration = Date.parse(list.tx.timestamp) - Date.parse(list.tx.start_timestamp);
    expect(Math.abs(byRoute["/products/"]!.p50 - duration) / duration).toBeLessThan(0.011);
    const record = transactionFromSentry(list.tx, list.eventId, Date.now())!.record;
    const expected = breakdownOf(record);
    for (const [part, key] of [["db", "db"], ["template", "template"], ["python", "other"]] as const) {
      expect(byRoute["/products/"]!.breakdown[key]).toBeCloseTo(expected[part], 0);
    }
    expect(expected.db).toBeGreaterThan(50); // 25 queries of ~3 ms
    expect(byRoute["/reports/sales/"]!.breakdown.db).toBeGreaterThan(600);
    expect(byRoute["/reports/sales/"]!.apdex).toBe(0.5); // 0.6 s: tolerated with T = 300 ms
  });

  it("N+1 and slow queries become performance issues, once each, with the evidence", async () => {
    const { client, project } = await withProject("perf-issues");
    await send(project, replay(productList).body);
    await send(project, replay(productList).body);
    await send(project, replay(salesReport).body);
    await send(project, replay(home).body);
    const issues = await eventually(async () => {
      const data = (await client.get(`/projects/${project.id}/issues`)).body.data as { id: number; title: string; culprit: string; count: number }[];
      return data.length >= 2 ? data : null;
    });
    // One issue per problem; each queue batch adds one occurrence of it (here one or two batches).
    expect(issues.map((i) => [i.title.split(":")[0], i.culprit]).sort()).toEqual([
      ["N+1 Query", "/products/"],
      ["Slow DB Query", "/reports/sales/"],
    ]);
    expect(issues.find((i) => i.title.startsWith("N+1"))!.count).toBeGreaterThanOrEqual(1);
    const n1 = issues.find((i) => i.title.startsWith("N+1"))!;
    // The repeated query of the capture, with Django's %s placeholder shown as ?.
    const repeated = (JSON.parse(productList.split("\n")[2]!).spans as { description: string }[]).map((s) => s.description).find((d) => d.includes('FROM "store_review"'))!;
    expect(n1.title).toBe(`N+1 Query: ${repeated.replace("%s", "?")}`.slice(0, "N+1 Query: ".length + 150));
    const detail = (await client.get(`/issues/${n1.id}`)).body;
    expect(detail).toMatchObject({ kind: "performance", level: "warning" });
    // The issues search picks a kind.
    expect((await client.get(`/projects/${project.id}/issues?query=kind:performance`)).body.data).toHaveLength(2);
    expect((await client.get(`/projects/${project.id}/issues?query=${encodeURIComponent("is:performance N+1")}`)).body.data).toHaveLength(1);
    expect((await client.get(`/projects/${project.id}/issues?query=kind:error`)).body.data).toEqual([]);
  });

  it("route page: its queries normalized, per request, and its slowest requests; the trace waterfall", async () => {
    const { client, project } = await withProject("perf-route");
    const list = replay(productList);
    await send(project, list.body);
    const detail = await eventually(async () => {
      const r = (await client.get(`/projects/${project.id}/performance/route?transaction=${encodeURIComponent("/products/")}`)).body;
      return r.summary?.count === 1 ? r : null;
    });
    const reviews = detail.queries.find((q: { sql: string }) => q.sql.includes('FROM "store_review"'));
    expect(reviews).toMatchObject({ count: 24, perRequest: 24 });
    expect(detail.slowest).toMatchObject([{ eventId: list.eventId, traceId: list.tx.contexts.trace.trace_id, spanCount: list.tx.spans.length }]);
    expect(detail.series.some((p: { count: number }) => p.count === 1)).toBe(true);

    const trace = (await client.get(`/projects/${project.id}/traces/${list.tx.contexts.trace.trace_id}`)).body;
    expect(trace.transactions).toHaveLength(1);
    const spans = trace.transactions[0].spans as { op: string; offsetMs: number; durationMs: number; parentSpanId: string }[];
    expect(spans).toHaveLength(list.tx.spans.length);
    expect(spans.filter((s) => s.op === "db")).toHaveLength(list.tx.spans.filter((s: { op: string }) => s.op === "db").length);
    expect(spans.every((s) => s.offsetMs >= 0)).toBe(true);
    expect((await client.get(`/projects/${project.id}/traces/${"0".repeat(32)}`)).status).toBe(404);
  });

  it("ranges: what fell outside the range is not counted", async () => {
    const { client, project } = await withProject("perf-range");
    await send(project, replay(home, { endsAgoMs: 3 * 3_600_000 }).body);
    await send(project, replay(home).body);
    await eventually(async () => ((await client.get(`/projects/${project.id}/performance`)).body.data[0]?.count === 2 ? true : null));
    const lastHour = (await client.get(`/projects/${project.id}/performance?from=${Math.floor(Date.now() / 1000) - 3600}`)).body.data;
    expect(lastHour).toMatchObject([{ transaction: "/", count: 1 }]);
  });
});

describe("OpenTelemetry traces", () => {
  const post = (project: { id: number; dsn: string }, body: BodyInit, type: string) =>
    SELF.fetch(`${ORIGIN}/api/${project.id}/integration/otlp/v1/traces`, {
      method: "POST",
      headers: { "content-type": type, "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}` },
      body,
    });

  it("protobuf from the real exporter: server spans become routes named METHOD route, with their DB time", async () => {
    const { client, project } = await withProject("otlp");
    const res = await post(project, fromBase64(otlpProtobuf.trim()), "application/x-protobuf");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const rows = await eventually(async () => {
      const data = (await client.get(`/projects/${project.id}/performance`)).body.data as Row[];
      return data.length >= 2 ? data : null;
    });
    expect(rows.map((r) => r.transaction)).toEqual(expect.arrayContaining(["GET /products/{pk}", "POST /checkout"]));
    expect(rows.find((r) => r.transaction === "GET /products/{pk}")!.breakdown.db).toBeGreaterThan(0);
    // The same request again (same trace and span ids): counted once.
    await post(project, fromBase64(otlpProtobuf.trim()), "application/x-protobuf");
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await client.get(`/projects/${project.id}/performance`)).body.data as Row[];
    expect(again.map((r) => r.count)).toEqual(rows.map((r) => r.count));
  });

  it("JSON answers in JSON; garbage is a 400 with a reason; a wrong key is 401", async () => {
    const { project } = await withProject("otlp-json");
    const ok = await post(project, otlpJson, "application/json");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({});
    const bad = await post(project, new Uint8Array([0x0a, 0xff, 0xff, 0xff]), "application/x-protobuf");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("malformed_body");
    const other = await withProject("otlp-other");
    const wrong = await post({ id: project.id, dsn: other.project.dsn }, otlpJson, "application/json");
    expect(wrong.status).toBe(401);
  });
});
