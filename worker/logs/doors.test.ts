import { SELF } from "cloudflare:test";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fromBase64 } from "../lib/encoding";
import lokiJson from "../test/fixtures/logs/loki-push.json?raw";
import lokiSnappyBase64 from "../test/fixtures/logs/loki-push.pb.snappy.b64?raw";
import otlpJson from "../test/fixtures/logs/otlp-logs.json?raw";
import otlpPbBase64 from "../test/fixtures/logs/otlp-logs.pb.b64?raw";
import sentryEnvelope from "../test/fixtures/logs/sentry-logs.envelope?raw";
import vectorNdjson from "../test/fixtures/logs/vector-events.ndjson?raw";
import { keyOf, withProject } from "../test/client";

/**
 * The four log doors, end to end inside workerd: the real clients' bytes (captured by
 * worker/test/fixtures/logs/capture.py) posted as those clients post them, then found by the search API.
 */
const ORIGIN = "http://localhost:8787";
type Project = { id: number; dsn: string };

async function post(project: Project, path: string, body: BodyInit, headers: Record<string, string>, key = keyOf(project.dsn)) {
  const res = await SELF.fetch(`${ORIGIN}/api/${project.id}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, ...headers }, body });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // protobuf or empty
  }
  return { status: res.status, headers: res.headers, bytes, json };
}

async function lines(client: Awaited<ReturnType<typeof withProject>>["client"], projectId: number, q = "") {
  const res = await client.get(`/projects/${projectId}/logs?${new URLSearchParams({ q, limit: "500" })}`);
  expect(res.status).toBe(200);
  return res.body.data as { body: string; level: string; logger: string | null; host: string | null; service: string | null; traceId: string | null; attributes: Record<string, unknown> }[];
}

describe("log doors", () => {
  it("Sentry log items in an envelope, as sentry-sdk sends them", async () => {
    const { client, project } = await withProject("sentry-logs");
    const res = await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, {
      method: "POST",
      headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7, sentry_client=sentry.python/2.75.0`, "content-type": "application/x-sentry-envelope", "content-encoding": "gzip" },
      body: gzipSync(sentryEnvelope),
    });
    expect(res.status).toBe(200);
    const found = await lines(client, project.id);
    const itemCount = JSON.parse(sentryEnvelope.split("\n")[1]!).item_count as number;
    expect(found).toHaveLength(itemCount);
    const paid = found.find((l) => l.body === "Order 1042 paid by ada")!;
    expect(paid.attributes).toMatchObject({ "payment.provider": "stripe", amount: 19.99, retry: false });
    // A fixture a year old is placed at its arrival, its own time kept.
    expect(paid.attributes["vigil.original_timestamp"]).toBeTruthy();
  });

  it("OTLP/HTTP logs, protobuf from the Python exporter and the same as JSON", async () => {
    const { client, project } = await withProject("otlp-logs");
    const pb = await post(project, "/integration/otlp/v1/logs", fromBase64(otlpPbBase64.trim()), { "content-type": "application/x-protobuf" });
    expect(pb.status).toBe(200);
    expect(pb.headers.get("content-type")).toContain("application/x-protobuf");
    expect(pb.bytes.length).toBe(0); // an empty ExportLogsServiceResponse: nothing refused
    const first = await lines(client, project.id);
    expect(first.length).toBeGreaterThan(0);
    expect(first.some((l) => l.traceId !== null)).toBe(true);
    const js = await post(project, "/integration/otlp/v1/logs", otlpJson, { "content-type": "application/json" });
    expect(js.status).toBe(200);
    expect(js.json).toEqual({});
    // The same records as JSON read into exactly the same lines: recognised as a resend, stored once.
    expect(await lines(client, project.id)).toHaveLength(first.length);
    const wrongType = await post(project, "/integration/otlp/v1/logs", "x", { "content-type": "text/plain" });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.error.message).toBeTruthy();
  });

  it("Loki push: JSON, gzip JSON and snappy protobuf, answered 204", async () => {
    const { client, project } = await withProject("loki");
    expect((await post(project, "/loki/api/v1/push", lokiJson, { "content-type": "application/json" })).status).toBe(204);
    const n = (await lines(client, project.id)).length;
    expect(n).toBeGreaterThan(0);
    expect((await post(project, "/loki/api/v1/push", gzipSync(lokiJson), { "content-type": "application/json", "content-encoding": "gzip" })).status).toBe(204);
    expect((await post(project, "/loki/api/v1/push", fromBase64(lokiSnappyBase64.trim()), { "content-type": "application/x-protobuf" })).status).toBe(204);
    // The three encodings of the same push read into exactly the same lines: stored once.
    expect(await lines(client, project.id)).toHaveLength(n);
  });

  it("a batch sent again (an agent retrying after a timeout) is accepted and stored once", async () => {
    const { client, project } = await withProject("resent-logs");
    const body = gzipSync(vectorNdjson);
    const sent = vectorNdjson.trim().split("\n").length;
    const first = await post(project, "/logs/", body, { "content-type": "application/x-ndjson", "content-encoding": "gzip" });
    const again = await post(project, "/logs/", body, { "content-type": "application/x-ndjson", "content-encoding": "gzip" });
    expect(first.json).toMatchObject({ accepted: sent, rejected: 0 });
    expect(again.json).toMatchObject({ accepted: sent, rejected: 0 });
    expect(await lines(client, project.id)).toHaveLength(sent);
  });

  it("answers bad input with a clear 4xx and keeps what was stored", async () => {
    const { client, project } = await withProject("bad-logs");
    const other = await withProject("other-logs");
    const good = await post(project, "/logs/", JSON.stringify({ message: "kept safely", level: "info" }), { "content-type": "application/json" });
    expect(good.json).toMatchObject({ accepted: 1, rejected: 0 });
    const cases: [string, Promise<Awaited<ReturnType<typeof post>>>, number][] = [
      ["wrong key", post(project, "/logs/", '{"message":"x"}', { "content-type": "application/json" }, keyOf(other.project.dsn)), 401],
      ["truncated gzip", post(project, "/logs/", gzipSync('{"message":"x"}').subarray(0, 12), { "content-type": "application/json", "content-encoding": "gzip" }), 400],
      ["invalid JSON", post(project, "/logs/", '{"message": ', { "content-type": "application/json" }), 400],
      ["invalid UTF-8", post(project, "/logs/", new Uint8Array([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { "content-type": "application/json" }), 400],
      ["unknown encoding", post(project, "/logs/", '{"message":"x"}', { "content-type": "application/json", "content-encoding": "zstd" }), 415],
      ["bad snappy", post(project, "/loki/api/v1/push", new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]), { "content-type": "application/x-protobuf" }), 413],
      ["50 MB body", post(project, "/logs/", new Uint8Array(50 * 1024 * 1024).fill(0x20), { "content-type": "application/json" }), 413],
    ];
    for (const [name, pending, status] of cases) {
      const res = await pending;
      expect(res.status, name).toBe(status);
      expect(res.json?.error?.message, name).toMatch(/\w/);
    }
    // A gzip bomb: 100 MB of spaces, 100 KB compressed.
    const bomb = await post(project, "/logs/", gzipSync(new Uint8Array(100 * 1024 * 1024).fill(0x20)), { "content-type": "application/json", "content-encoding": "gzip" });
    expect(bomb.status).toBe(413);
    // HTML and SQL-looking text is stored as text.
    const hostile = '<img src=x onerror=alert(1)> \'; DROP TABLE lines; --';
    expect((await post(project, "/logs/", JSON.stringify({ message: hostile }), { "content-type": "application/json" })).status).toBe(200);
    const after = await lines(client, project.id);
    expect(after.map((l) => l.body).sort()).toEqual([hostile, "kept safely"].sort());
  });

  it("counts lines against the project's log_item limit, with Sentry's rate-limit header", async () => {
    const { client, project } = await withProject("limited-logs");
    expect((await client.patch(`/projects/${project.id}`, { rateLimitPerMinute: 150 })).status).toBe(200);
    const batch = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ message: `line ${i}` })).join("\n");
    expect((await post(project, "/logs/", batch(100), { "content-type": "application/x-ndjson" })).status).toBe(200);
    const refused = await post(project, "/logs/", batch(100), { "content-type": "application/x-ndjson" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(refused.headers.get("x-sentry-rate-limits")).toContain("log_item");
    expect(await lines(client, project.id)).toHaveLength(100);
  });
});
