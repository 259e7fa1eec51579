import { env, SELF } from "cloudflare:test";
import { brotliCompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import keyError from "../test/fixtures/key-error.envelope?raw";
import { eventually, keyOf, ORIGIN, sendEvent, withProject } from "../test/client";
import { MAX_COMPRESSED_BYTES } from "./body";

type Project = { id: number; dsn: string };

const enc = new TextEncoder();

async function compress(bytes: Uint8Array, format: "gzip" | "deflate" | "deflate-raw"): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream(format))).arrayBuffer());
}

/** Replace the fixture's DSN and event id so it belongs to `project`. */
function envelopeFor(project: Project, eventId = crypto.randomUUID().replaceAll("-", "")): string {
  return keyError
    .replaceAll("0123456789abcdef0123456789abcdef", keyOf(project.dsn))
    .replace(/"event_id":"[0-9a-f]{32}"/g, `"event_id":"${eventId}"`);
}

async function post(project: Project, body: BodyInit, headers: Record<string, string> = {}, path = "envelope") {
  const res = await SELF.fetch(`${ORIGIN}/api/${project.id}/${path}/`, {
    method: "POST",
    headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7, sentry_client=sentry.python/2.75.0`, ...headers },
    body,
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, headers: res.headers, body: json };
}

async function issueCount(client: Awaited<ReturnType<typeof withProject>>["client"], projectId: number) {
  return ((await client.get(`/projects/${projectId}/issues`)).body.data as { count: number }[]).reduce((n, i) => n + i.count, 0);
}

describe("envelope ingest", () => {
  it("accepts a real sentry-sdk envelope in every encoding and stores each event", async () => {
    const { client, project } = await withProject();
    const bodies: [string, (b: Uint8Array) => Promise<Uint8Array> | Uint8Array][] = [
      ["identity", (b) => b],
      ["gzip", (b) => compress(b, "gzip")],
      ["deflate", (b) => compress(b, "deflate")],
      // Some clients send raw deflate under Content-Encoding: deflate.
      ["deflate", (b) => compress(b, "deflate-raw")],
      ["br", (b) => new Uint8Array(brotliCompressSync(b))],
    ];
    for (const [encoding, fn] of bodies) {
      const eventId = crypto.randomUUID().replaceAll("-", "");
      const res = await post(project, await fn(enc.encode(envelopeFor(project, eventId))), encoding === "identity" ? {} : { "content-encoding": encoding });
      expect(res.status, encoding).toBe(200);
      expect(res.body).toEqual({ id: eventId });
    }
    await eventually(async () => (await issueCount(client, project.id)) === 5);
  });

  it("finds the key in X-Sentry-Auth, ?sentry_key=, Bearer and the envelope's dsn", async () => {
    const { client, project } = await withProject();
    const key = keyOf(project.dsn);
    // sentry-sdk puts the DSN in the envelope header when sending through a tunnel.
    const withDsn = envelopeFor(project).replace(/^\{/, `{"dsn":"${project.dsn}",`);
    const variants: [string, Record<string, string>, string, string][] = [
      ["query", {}, `?sentry_key=${key}`, envelopeFor(project)],
      ["bearer", { authorization: `Bearer ${key}` }, "", envelopeFor(project)],
      ["dsn", {}, "", withDsn],
    ];
    for (const [name, headers, query, body] of variants) {
      const res = await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/${query}`, { method: "POST", headers, body });
      expect(res.status, name).toBe(200);
    }
    await eventually(async () => (await issueCount(client, project.id)) === 3);
  });

  it("stores an event sent twice with the same event_id once", async () => {
    const { client, project } = await withProject();
    const eventId = crypto.randomUUID().replaceAll("-", "");
    expect((await post(project, envelopeFor(project, eventId))).status).toBe(200);
    expect((await post(project, envelopeFor(project, eventId))).status).toBe(200);
    await sendEvent(project, { message: "marker" });
    await eventually(async () => ((await client.get(`/projects/${project.id}/issues`)).body.data as unknown[]).length === 2);
    const issues = (await client.get(`/projects/${project.id}/issues?query=KeyError`)).body.data;
    expect(issues[0].count).toBe(1);
  });

  it("keeps attachments sent with an event and serves them to members", async () => {
    const { client, project } = await withProject();
    const eventId = crypto.randomUUID().replaceAll("-", "");
    const log = "line 1\nline 2 <b>not html</b>\n";
    const body = [
      JSON.stringify({ event_id: eventId }),
      JSON.stringify({ type: "event" }),
      JSON.stringify({ message: "with a log file" }),
      JSON.stringify({ type: "attachment", length: enc.encode(log).length, filename: "app.log", content_type: "text/plain" }),
      log,
    ].join("\n");
    expect((await post(project, body)).status).toBe(200);
    const detail = await eventually(async () => {
      const res = await client.get(`/projects/${project.id}/events/${eventId}`);
      return res.status === 200 && res.body;
    });
    expect(detail.attachments).toEqual([{ name: "1-app.log", size: enc.encode(log).length, contentType: "text/plain" }]);
    const file = await SELF.fetch(`${ORIGIN}/api/v1/projects/${project.id}/events/${eventId}/attachments/1-app.log`, {
      headers: { cookie: `vigil_session=${client.cookie}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toMatch(/attachment/);
    expect(await file.text()).toBe(log);
  });

  it("accepts other item types (transactions, logs, check-ins, unknown ones) without storing them as errors", async () => {
    const { project } = await withProject();
    const header = JSON.stringify({ event_id: "a".repeat(32), dsn: project.dsn });
    const items = [
      [{ type: "transaction" }, { type: "transaction", transaction: "/checkout/", start_timestamp: 1, timestamp: 2 }],
      [{ type: "check_in" }, { check_in_id: "b".repeat(32), monitor_slug: "nightly", status: "ok" }],
      [{ type: "future_thing" }, { whatever: true }],
    ];
    const body = [header, ...items.flatMap(([h, p]) => [JSON.stringify(h), JSON.stringify(p)])].join("\n");
    const res = await post(project, body);
    expect(res.status).toBe(200);
  });
});

describe("bad input gets a clear 4xx and loses nothing", () => {
  it("wrong, unknown, revoked or foreign keys are 401", async () => {
    const a = await withProject("a");
    const b = await withProject("b");
    const cases: [Project, Record<string, string>][] = [
      [a.project, { "x-sentry-auth": "Sentry sentry_key=ffffffffffffffffffffffffffffffff" }],
      [a.project, { "x-sentry-auth": "Sentry sentry_key=not-a-key" }],
      [a.project, { "x-sentry-auth": `Sentry sentry_key=${keyOf(b.project.dsn)}` }],
    ];
    for (const [project, headers] of cases) {
      const res = await post(project, envelopeFor(project), headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_key");
    }
    const noKey = await SELF.fetch(`${ORIGIN}/api/${a.project.id}/envelope/`, { method: "POST", body: '{}\n{"type":"event"}\n{}' });
    expect(noKey.status).toBe(401);
    const [key] = (await a.client.get(`/projects/${a.project.id}/keys`)).body.data;
    await a.client.delete(`/projects/${a.project.id}/keys/${key.id}`);
    const revoked = await post(a.project, envelopeFor(a.project));
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
  });

  it.each([
    ["an envelope header that is not JSON", "{not json\n"],
    ["an item header without a type", '{}\n{"length":2}\n{}\n'],
    ["an item that claims more bytes than it has", '{}\n{"type":"event","length":5000}\n{"message":"short"}\n'],
    ["an event payload that is not JSON", '{}\n{"type":"event"}\nthis is not json\n'],
    ["an event payload that is a JSON array", '{}\n{"type":"event"}\n[1,2,3]\n'],
    ["two events in one envelope", '{}\n{"type":"event"}\n{"message":"a"}\n{"type":"event"}\n{"message":"b"}\n'],
  ])("%s is a 400 with a message", async (_, body) => {
    const { project } = await withProject();
    const res = await post(project, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("malformed_body");
    expect(res.body.error.message.length).toBeGreaterThan(10);
  });

  it("invalid UTF-8 is a 400", async () => {
    const { project } = await withProject();
    const bytes = new Uint8Array([...enc.encode('{}\n{"type":"event"}\n{"message":"'), 0xff, 0xfe, ...enc.encode('"}\n')]);
    const res = await post(project, bytes);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/UTF-8/);
  });

  it("an envelope with 1,000 items is accepted, 1,001 is refused", async () => {
    const { project } = await withProject();
    const item = (i: number) => `${JSON.stringify({ type: "log" })}\n${JSON.stringify({ items: [{ body: `line ${i}` }] })}`;
    const thousand = ["{}", ...Array.from({ length: 1000 }, (_, i) => item(i))].join("\n");
    expect((await post(project, thousand)).status).toBe(200);
    const tooMany = ["{}", ...Array.from({ length: 1001 }, (_, i) => item(i))].join("\n");
    const res = await post(project, tooMany);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/1000 items/);
  });

  it("truncated gzip is a 400", async () => {
    const { project } = await withProject();
    const gz = await compress(enc.encode(envelopeFor(project)), "gzip");
    const res = await post(project, gz.subarray(0, gz.length - 20), { "content-encoding": "gzip" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/gzip/);
  });

  it("gzip, deflate and br bombs are stopped with 413", async () => {
    const { project } = await withProject();
    const zeros = new Uint8Array(1024 * 1024);
    const bombStream = (format: "gzip" | "deflate") =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 64; i++) controller.enqueue(zeros);
          controller.close();
        },
      }).pipeThrough(new CompressionStream(format));
    for (const format of ["gzip", "deflate"] as const) {
      const bomb = new Uint8Array(await new Response(bombStream(format)).arrayBuffer());
      expect(bomb.length).toBeLessThan(200 * 1024);
      const res = await post(project, bomb, { "content-encoding": format });
      expect(res.status, format).toBe(413);
      expect(res.body.error.message).toMatch(/decompresses/);
    }
    const br = brotliCompressSync(new Uint8Array(64 * 1024 * 1024));
    const res = await post(project, br, { "content-encoding": "br" });
    expect(res.status).toBe(413);
  });

  it("a 50 MB body is a 413, declared or streamed", async () => {
    const { project } = await withProject();
    const declared = await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, {
      method: "POST",
      headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}`, "content-length": String(50 * 1024 * 1024) },
      body: new Uint8Array(16),
    });
    expect([413, 400]).toContain(declared.status);
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    let sent = 0;
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 50) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await post(project, streamed);
    expect(res.status).toBe(413);
    expect(sent * 1024 * 1024).toBeLessThan(MAX_COMPRESSED_BYTES + 4 * 1024 * 1024);
  });

  it("an unsupported Content-Encoding is a 415", async () => {
    const { project } = await withProject();
    const res = await post(project, envelopeFor(project), { "content-encoding": "zstd" });
    expect(res.status).toBe(415);
  });

  it("absurd timestamps are replaced by the arrival time, with a note, and the event is kept", async () => {
    const { client, project } = await withProject();
    const sent = await sendEvent(project, { message: "time traveller", timestamp: "9999-01-01T00:00:00Z" });
    expect(sent.status).toBe(200);
    const issue = await eventually(async () => (await client.get(`/projects/${project.id}/issues`)).body.data[0]);
    expect(Math.abs(Date.parse(issue.lastSeen) - Date.now())).toBeLessThan(60_000);
    const event = (await client.get(`/projects/${project.id}/events/${sent.body.id}`)).body.event;
    expect(event.errors).toEqual([expect.objectContaining({ type: "future_timestamp", name: "timestamp" })]);
  });

  it("SQL-looking strings and HTML are stored as plain text", async () => {
    const { client, project } = await withProject();
    const message = `'; DROP TABLE issues; -- <script>alert("x")</script>`;
    const sent = await sendEvent(project, { message, level: "error" });
    const issue = await eventually(async () => (await client.get(`/projects/${project.id}/issues`)).body.data[0]);
    expect(issue.title).toBe(message);
    expect((await client.get(`/projects/${project.id}/events/${sent.body.id}`)).body.event.message).toBe(message);
  });

  it("/store/ refuses a body that is not a JSON object", async () => {
    const { project } = await withProject();
    for (const body of ["not json", "[1]", "null"]) {
      const res = await post(project, body, { "content-type": "application/json" }, "store");
      expect(res.status).toBe(400);
    }
  });

  it("JSON nested 10,000 deep is a 400, not a stack overflow (found by worker/trust/fuzz.test.ts)", async () => {
    const { project } = await withProject();
    const deep = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
    const envelope = await post(project, `{}\n{"type":"event"}\n{"message":"deep","extra":${deep}}\n`);
    const store = await post(project, `{"message":"deep","extra":${deep}}`, { "content-type": "application/json" }, "store");
    for (const res of [envelope, store]) {
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/nests deeper than \d+ levels/);
    }
    // Brackets inside strings are text, and a real event's nesting is far below the limit.
    const text = "[{".repeat(10_000);
    expect((await post(project, JSON.stringify({ message: text, extra: { a: { b: { c: [[[1]]] } } } }), { "content-type": "application/json" }, "store")).status).toBe(200);
  });

  it("a bad request does not disturb good ones before and after it", async () => {
    const { client, project } = await withProject();
    await sendEvent(project, { message: "before" });
    await post(project, '{}\n{"type":"event"}\nbroken\n');
    await sendEvent(project, { message: "after" });
    await eventually(async () => ((await client.get(`/projects/${project.id}/issues`)).body.data as unknown[]).length === 2);
  });

  it("answers CORS preflight for browser SDKs", async () => {
    const { project } = await withProject();
    const res = await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, { method: "OPTIONS", headers: { origin: "https://shop.example" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/X-Sentry-Auth/i);
  });
});

describe("rate limits and quotas", () => {
  it("answers 429 with Retry-After and X-Sentry-Rate-Limits past the per-minute limit", async () => {
    const { project } = await withProject();
    await env.DB.prepare("update projects set rate_limit_per_minute = 2 where id = ?").bind(project.id).run();
    expect((await sendEvent(project, { message: "1" })).status).toBe(200);
    expect((await sendEvent(project, { message: "2" })).status).toBe(200);
    const limited = await sendEvent(project, { message: "3" });
    expect(limited.status).toBe(429);
    const retryAfter = limited.headers.get("retry-after")!;
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(limited.headers.get("x-sentry-rate-limits")).toMatch(/^\d+:error:project:rate_limited$/);
  });

  it("answers 429 with the seconds to the end of the month past the monthly quota", async () => {
    const { project } = await withProject();
    await env.DB.prepare("update projects set monthly_quota = 1 where id = ?").bind(project.id).run();
    expect((await sendEvent(project, { message: "1" })).status).toBe(200);
    const limited = await sendEvent(project, { message: "2" });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/monthly quota/);
    const now = new Date();
    const endOfMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    expect(Math.abs(Number(limited.headers.get("retry-after")) - (endOfMonth - Date.now()) / 1000)).toBeLessThan(60);
    expect(limited.headers.get("x-sentry-rate-limits")).toMatch(/:error:project:quota_exceeded$/);
  });
});
