import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createDb } from "../db/client";
import { errorCode, keyOf, signUp, withProject } from "../test/client";
import { checkLogAlerts } from "./alerts";
import { archivePrefix } from "./archive";
import type { LogStore } from "./log-store";
import { logStore } from "./storage";

const ORIGIN = "http://localhost:8787";
const receiver = inject("receiverUrl");
const MIN = 60_000;
const DAY = 86_400_000;

type Project = { id: number; dsn: string };

/** POST lines as NDJSON to the plain logs door, the way Vector's http sink does. */
async function push(project: Project, lines: Record<string, unknown>[], key = keyOf(project.dsn)) {
  const res = await SELF.fetch(`${ORIGIN}/api/${project.id}/logs/`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", authorization: `Bearer ${key}` },
    body: lines.map((l) => JSON.stringify(l)).join("\n"),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

const at = (ms: number) => new Date(ms).toISOString();

async function search(client: Awaited<ReturnType<typeof signUp>>["client"], projectId: number, params: Record<string, string>) {
  const res = await client.get(`/projects/${projectId}/logs?${new URLSearchParams(params)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { data: { id: string; body: string; level: string; timestamp: string; logger: string | null }[]; nextCursor: string | null; archive: { chunksScanned: number; stoppedAt: string | null } };
}

const housekeeping = (projectId: number, now: number) => runInDurableObject(logStore(env, projectId), (store: LogStore) => store.housekeeping(now));

describe("log lines through the API", () => {
  it("stores what is posted and finds it by words, phrases, prefixes, fields and exclusions, newest first", async () => {
    const { client, project } = await withProject("logs");
    const now = Date.now();
    const res = await push(project, [
      { timestamp: at(now - 4000), level: "error", logger: "django.request", message: "Internal Server Error: /checkout/", service: "shop", host: "web-1" },
      { timestamp: at(now - 3000), level: "warning", logger: "django.security", message: "Invalid HTTP_HOST header: 'evil.example'", service: "shop", host: "web-2" },
      { timestamp: at(now - 2000), level: "info", logger: "gunicorn.access", message: 'GET /products/ HTTP/1.1" 200 5120', service: "shop", host: "web-1", status: 200 },
      { timestamp: at(now - 1000), level: "info", logger: "shop.payments", message: "Payment captured for order 1234", service: "payments", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" },
    ]);
    expect(res).toMatchObject({ status: 200, body: { accepted: 4, rejected: 0 } });
    const bodies = async (q: string) => (await search(client, project.id, { q })).data.map((l) => l.body);
    expect(await bodies("")).toHaveLength(4);
    expect((await bodies(""))[0]).toBe("Payment captured for order 1234");
    expect(await bodies("server error")).toEqual(["Internal Server Error: /checkout/"]);
    expect(await bodies('"error server"')).toEqual([]);
    expect(await bodies("prod*")).toEqual(['GET /products/ HTTP/1.1" 200 5120']);
    expect(await bodies("level:warn+")).toEqual(["Invalid HTTP_HOST header: 'evil.example'", "Internal Server Error: /checkout/"]);
    expect(await bodies("logger:django.*")).toHaveLength(2);
    expect(await bodies("logger:django.* -level:error")).toEqual(["Invalid HTTP_HOST header: 'evil.example'"]);
    expect(await bodies("host:web-1 -gunicorn")).toEqual(["Internal Server Error: /checkout/"]);
    expect(await bodies("service:payments")).toEqual(["Payment captured for order 1234"]);
    expect(await bodies("trace:4bf92f3577b34da6a3ce929d0e0e4736")).toEqual(["Payment captured for order 1234"]);
    expect(await bodies("attr.status:200")).toEqual(['GET /products/ HTTP/1.1" 200 5120']);
    // The shortcut parameters are the same terms.
    expect((await search(client, project.id, { level: "error,fatal" })).data.map((l) => l.body)).toEqual(["Internal Server Error: /checkout/"]);
    // Text that looks like SQL or FTS syntax is just text.
    expect(await bodies(`'; DROP TABLE lines; -- OR "x" NEAR(a b) *`)).toEqual([]);
    const bad = await client.get(`/projects/${project.id}/logs?q=${encodeURIComponent("level:loud")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("Unknown level");
  });

  it("pages with a cursor without repeating or skipping a line", async () => {
    const { client, project } = await withProject("paging");
    const now = Date.now();
    const lines = Array.from({ length: 250 }, (_, i) => ({ timestamp: at(now - 60_000 + i * 10), message: `line ${i} of the batch`, level: "info" }));
    expect((await push(project, lines)).body.accepted).toBe(250);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r = await search(client, project.id, { q: "batch", limit: "100", ...(cursor ? { cursor } : {}) });
      seen.push(...r.data.map((l) => l.body));
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe("line 249 of the batch");
    expect(seen[249]).toBe("line 0 of the batch");
  });

  it("keeps every line of a burst with one timestamp (more than fit a millisecond's ids), with that timestamp", async () => {
    const { client, project } = await withProject("burst");
    const t = at(Math.floor(Date.now() / 1000) * 1000 - 5000);
    const burst = Array.from({ length: 700 }, (_, i) => ({ timestamp: t, level: i % 2 ? "error" : "info", message: `syslog line ${i}` }));
    expect((await push(project, burst)).body.accepted).toBe(700);
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r = await search(client, project.id, { q: "syslog", limit: "500", from: at(Date.parse(t) - 60_000), ...(cursor ? { cursor } : {}) });
      for (const l of r.data) {
        expect(l.timestamp.slice(0, 23)).toBe(t.slice(0, 23));
        seen.add(l.body);
      }
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    expect(seen.size).toBe(700);
    expect((await search(client, project.id, { q: "syslog level:error", limit: "500", from: at(Date.parse(t) - 60_000) })).data.every((l) => l.level === "error")).toBe(true);
  });

  it("keeps nanoseconds, counts lines per level over time, shows one line and its neighbours", async () => {
    const { client, project } = await withProject("detail");
    const base = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
    const lines = [
      { timestamp: `${at(base + 1000).slice(0, 19)}.123456789Z`, level: "info", message: "worker booted", source: "gunicorn.error", host: "web-1" },
      { timestamp: at(base + 2000), level: "info", message: "accepting connections", source: "gunicorn.error", host: "web-1" },
      { timestamp: at(base + 3000), level: "error", message: "worker timeout (pid:42)", source: "gunicorn.error", host: "web-1" },
      { timestamp: at(base + 3500), level: "error", message: "elsewhere", source: "nginx.error", host: "web-1" },
      { timestamp: at(base + 4000), level: "info", message: "booting worker with pid: 43", source: "gunicorn.error", host: "web-1" },
      { timestamp: at(base + 5 * MIN), level: "warn", message: "later", source: "gunicorn.error", host: "web-1" },
    ];
    await push(project, lines);
    const all = await search(client, project.id, { from: at(base), to: at(base + 6 * MIN) });
    const booted = all.data.find((l) => l.body === "worker booted")!;
    expect(booted.timestamp).toBe(`${at(base + 1000).slice(0, 19)}.123456789Z`);

    const hist = await client.get(`/projects/${project.id}/logs/histogram?${new URLSearchParams({ from: at(base), to: at(base + 6 * MIN) })}`);
    expect(hist.status).toBe(200);
    expect(hist.body.bucketSeconds).toBe(60);
    const first = hist.body.buckets.find((b: any) => b.t === at(base));
    expect(first.counts).toEqual({ info: 3, error: 2 });
    const filtered = await client.get(`/projects/${project.id}/logs/histogram?${new URLSearchParams({ q: "worker", from: at(base), to: at(base + 6 * MIN) })}`);
    expect(filtered.body.buckets.find((b: any) => b.t === at(base)).counts).toEqual({ info: 2, error: 1 });

    const timeout = all.data.find((l) => l.body.startsWith("worker timeout"))!;
    const one = await client.get(`/projects/${project.id}/logs/${timeout.id}`);
    expect(one.body).toMatchObject({ id: timeout.id, level: "error", source: "gunicorn.error", host: "web-1" });
    const ctx = await client.get(`/projects/${project.id}/logs/${timeout.id}/context?before=5&after=5`);
    expect(ctx.status).toBe(200);
    expect(ctx.body.before.map((l: any) => l.body)).toEqual(["worker booted", "accepting connections"]);
    expect(ctx.body.after.map((l: any) => l.body)).toEqual(["booting worker with pid: 43", "later"]);
    expect((await client.get(`/projects/${project.id}/logs/12345`)).status).toBe(404);
  });

  it("refuses a wrong key and keeps projects apart", async () => {
    const a = await withProject("tenant-a");
    const b = await withProject("tenant-b");
    expect((await push(a.project, [{ message: "secret of a" }])).status).toBe(200);
    const wrong = await push(a.project, [{ message: "intruder" }], keyOf(b.project.dsn));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBeTruthy();
    expect((await b.client.get(`/projects/${a.project.id}/logs`)).status).toBe(404);
    expect((await search(b.client, b.project.id, { q: "secret" })).data).toEqual([]);
    expect((await search(a.client, a.project.id, { q: "intruder" })).data).toEqual([]);
    const anonymous = await SELF.fetch(`${ORIGIN}/api/v1/projects/${a.project.id}/logs`);
    expect(anonymous.status).toBe(401);
  });
});

describe("the archive", () => {
  it("moves lines past the hot window to R2 and still finds them, in order, with the hot ones", async () => {
    const { client, project } = await withProject("archive");
    const now = Date.now();
    const old = Array.from({ length: 40 }, (_, i) => ({ timestamp: at(now - 10 * DAY + i * 1000), level: i % 10 === 0 ? "error" : "info", message: `old request ${i}`, host: "web-1" }));
    const recent = Array.from({ length: 5 }, (_, i) => ({ timestamp: at(now - 60_000 + i * 1000), level: "info", message: `new request ${i}`, host: "web-2" }));
    await push(project, [...old, ...recent]);
    const done = await housekeeping(project.id, now);
    expect(done.compacted).toBe(40);
    const objects = await env.BLOBS.list({ prefix: archivePrefix(project.id) });
    expect(objects.objects).toHaveLength(1);
    const hot = await runInDurableObject(logStore(env, project.id), (_: LogStore, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM lines").one().n);
    expect(hot).toBe(5);

    const r = await search(client, project.id, { q: "request", from: at(now - 20 * DAY), limit: "100" });
    expect(r.data).toHaveLength(45);
    expect(r.data[0]!.body).toBe("new request 4");
    expect(r.data[5]!.body).toBe("old request 39");
    expect(r.data[44]!.body).toBe("old request 0");
    expect(r.archive.chunksScanned).toBe(1);
    const errors = await search(client, project.id, { q: "level:error", from: at(now - 20 * DAY) });
    expect(errors.data.map((l) => l.body)).toEqual(["old request 30", "old request 20", "old request 10", "old request 0"]);
    // A chunk whose index cannot match (no line from web-9) is not opened.
    expect((await search(client, project.id, { q: "host:web-9", from: at(now - 20 * DAY) })).archive.chunksScanned).toBe(0);
    // Archived lines open like hot ones; the histogram still counts them.
    const archived = await client.get(`/projects/${project.id}/logs/${errors.data[0]!.id}`);
    expect(archived.body.body).toBe("old request 30");
    const hist = await client.get(`/projects/${project.id}/logs/histogram?${new URLSearchParams({ from: at(now - 11 * DAY), to: at(now) })}`);
    const total = hist.body.buckets.reduce((n: number, b: any) => n + Object.values(b.counts as Record<string, number>).reduce((a, c) => a + c, 0), 0);
    expect(total).toBe(45);
  });

  it("deletes what is past retention, and everything when the project is deleted", async () => {
    const { client, project } = await withProject("retention");
    expect((await client.patch(`/projects/${project.id}`, { logsHotDays: 1, logsRetentionDays: 5 })).status).toBe(200);
    const now = Date.now();
    await push(project, [
      { timestamp: at(now - 8 * DAY), message: "too old" },
      { timestamp: at(now - 3 * DAY), message: "archived but kept" },
      { timestamp: at(now - 1000), message: "hot" },
    ]);
    const first = await housekeeping(project.id, now);
    expect(first.compacted).toBe(2);
    // Past retention is hidden at once, though its chunk waits for its newest line to expire.
    const visible = await search(client, project.id, { from: at(now - 30 * DAY), to: at(now + 1000) });
    expect(visible.data.map((l) => l.body)).toEqual(["hot", "archived but kept"]);
    const second = await housekeeping(project.id, now + 3 * DAY);
    expect(second.expired).toBeGreaterThanOrEqual(1);
    const left = await search(client, project.id, { from: at(now - 30 * DAY), to: at(now + 1000) });
    expect(left.data.map((l) => l.body)).not.toContain("too old");

    expect((await client.delete(`/projects/${project.id}`)).status).toBe(204);
    expect((await env.BLOBS.list({ prefix: archivePrefix(project.id) })).objects).toHaveLength(0);
    const rows = await runInDurableObject(logStore(env, project.id), (_: LogStore, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM lines").one().n);
    expect(rows).toBe(0);
  });
});

describe("saved searches", () => {
  it("are shared on the project, checked, and deleted", async () => {
    const { client, project } = await withProject("saved");
    const created = await client.post(`/projects/${project.id}/saved-searches`, { name: "Django errors", query: "logger:django.* level:error+" });
    expect(created.status).toBe(201);
    expect((await client.post(`/projects/${project.id}/saved-searches`, { name: "Bad", query: "level:loud" })).status).toBe(400);
    const list = await client.get(`/projects/${project.id}/saved-searches`);
    expect(list.body.data).toEqual([expect.objectContaining({ name: "Django errors", query: "logger:django.* level:error+" })]);
    const other = await signUp("other");
    expect((await other.client.get(`/projects/${project.id}/saved-searches`)).status).toBe(404);
    expect((await other.client.delete(`/projects/${project.id}/saved-searches/${created.body.id}`)).status).toBe(404);
    expect((await client.delete(`/projects/${project.id}/saved-searches/${created.body.id}`)).status).toBe(204);
    expect((await client.get(`/projects/${project.id}/saved-searches`)).body.data).toEqual([]);
  });
});

describe("live tail", () => {
  it("pushes new matching lines to a WebSocket, bounded in rate", async () => {
    const { client, project } = await withProject("tail");
    const res = await SELF.fetch(`${ORIGIN}/api/v1/projects/${project.id}/logs/tail?q=${encodeURIComponent("level:error")}`, {
      headers: { Upgrade: "websocket", cookie: `vigil_session=${client.cookie}` },
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const messages: any[] = [];
    ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
    ws.accept();
    await push(project, [
      { level: "info", message: "not for the tail" },
      { level: "error", message: "boom in the tail", host: "web-9", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", order: 42, http: { status: 500 }, tags: ["a", "b"] },
    ]);
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => messages.some((m) => m.type === "lines"));
    const lines = messages.filter((m) => m.type === "lines").flatMap((m) => m.lines);
    expect(lines.map((l: any) => l.body)).toEqual(["boom in the tail"]);
    // The same line as the search API shows, every field.
    expect(lines[0]).toMatchObject({ id: expect.stringMatching(/^\d+$/), timestamp: expect.stringMatching(/Z$/), level: "error", host: "web-9" });
    const searched = await search(client, project.id, { q: "boom", from: at(Date.now() - 60_000), to: at(Date.now() + 60_000) });
    expect(searched.data).toHaveLength(1);
    expect(lines[0]).toEqual(searched.data[0]);
    // A firehose: 500 matching lines in one push reach the viewer as at most 100, the rest counted as skipped.
    await push(project, Array.from({ length: 500 }, (_, i) => ({ level: "error", message: `flood ${i}` })));
    await until(() => messages.filter((m) => m.type === "lines").length >= 2);
    const flood = messages.filter((m) => m.type === "lines").flatMap((m) => m.lines).filter((l: any) => l.body.startsWith("flood"));
    expect(flood.length).toBeLessThanOrEqual(100);
    expect(flood.at(-1).body).toBe("flood 499");
    // The viewer hears how many it missed even though no line follows the flood.
    await until(() => messages.some((m) => m.type === "skipped"));
    const skipped = messages.filter((m) => m.type === "skipped").reduce((n, m) => n + m.count, 0);
    expect(flood.length + skipped).toBe(500);
    // Changing the filter from the page.
    ws.send(JSON.stringify({ type: "query", q: "level:info" }));
    await until(() => messages.some((m) => m.type === "hello" && m.q === "level:info"));
    await new Promise((r) => setTimeout(r, 1100));
    await push(project, [{ level: "info", message: "now info shows" }]);
    await until(() => messages.flatMap((m) => m.lines ?? []).some((l: any) => l.body === "now info shows"));
    expect(messages.flatMap((m) => m.lines ?? []).some((l: any) => l.body === "now info shows")).toBe(true);
    ws.close();

    // Not without a session, not from another site, not as a plain GET.
    expect((await SELF.fetch(`${ORIGIN}/api/v1/projects/${project.id}/logs/tail`, { headers: { Upgrade: "websocket" } })).status).toBe(401);
    const foreign = await SELF.fetch(`${ORIGIN}/api/v1/projects/${project.id}/logs/tail`, { headers: { Upgrade: "websocket", origin: "https://evil.example", cookie: `vigil_session=${client.cookie}` } });
    expect(foreign.status).toBe(403);
    const plain = await client.get(`/projects/${project.id}/logs/tail`);
    expect(plain.status).toBe(400);
    expect(errorCode(plain)).toBe("validation_failed");
  });
});

describe("log alerts", () => {
  it("sends logs.threshold once when more lines than the threshold match in the window", async () => {
    const user = await signUp("log-alerts");
    const path = `/log-hook/${Date.now().toString(36)}`;
    const channel = await user.client.post(`/orgs/${user.orgSlug}/channels`, { type: "webhook", name: "Ops", url: `${receiver}${path}` });
    const project = (await user.client.post(`/orgs/${user.orgSlug}/projects`, { name: "Shop" })).body as Project;
    const rule = await user.client.post(`/projects/${project.id}/alert-rules`, {
      name: "Payment failures",
      events: ["logs.threshold"],
      channelIds: [channel.body.id],
      logQuery: "payment failed",
      frequencyCount: 3,
      frequencyMinutes: 5,
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    expect((await user.client.post(`/projects/${project.id}/alert-rules`, { name: "x", events: ["logs.threshold"], channelIds: [channel.body.id] })).status).toBe(400);

    const db = createDb(env.DB);
    await push(project, Array.from({ length: 3 }, (_, i) => ({ level: "error", message: `payment failed for order ${i}` })));
    await checkLogAlerts(db, env, Date.now());
    const deliveries = async () => (await (await fetch(`${receiver}/_log?path=${encodeURIComponent(path)}`)).json()) as { body: string }[];
    expect(await deliveries()).toHaveLength(0); // 3 is not more than 3
    await push(project, [{ level: "error", message: "payment failed for order 4" }, { level: "info", message: "payment ok" }]);
    await checkLogAlerts(db, env, Date.now());
    const deadline = Date.now() + 5000;
    while ((await deliveries()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const sent = (await deliveries()).map((d) => JSON.parse(d.body));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: "logs.threshold" });
    expect(sent[0].summary).toContain("4 log lines matched");
    // The next minute, still over: held back by the deduper, not sent again.
    await checkLogAlerts(db, env, Date.now() + 1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await deliveries()).toHaveLength(1);
  });
});
