import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { idFloor, LEVELS, levelCode, packLines, type Level, type LogLine } from "./model";
import { FTS_BACKLOG_LINES } from "./log-store";

const storeOf = (name: string) => env.LOG_STORE.get(env.LOG_STORE.idFromName(name));

const line = (over: Partial<LogLine> = {}): LogLine => ({
  ts: Date.now(),
  ns: 0,
  level: "info",
  severity: 9,
  severityText: "INFO",
  body: "hello",
  logger: "shop.views",
  service: "shop",
  host: "web-1",
  source: null,
  traceId: null,
  spanId: null,
  attributes: {},
  ...over,
});

describe("LogStore smoke", () => {
  it("stores lines and finds words, phrases, fields and exclusions", async () => {
    const store = storeOf("smoke");
    const now = Date.now();
    await store.append(1, packLines([
      line({ ts: now - 3000, body: "Connection reset by peer", level: "error" }),
      line({ ts: now - 2000, body: "GET /products/ 200 in 35ms", logger: "django.request" }),
      line({ ts: now - 1000, body: "reset the cache", attributes: { "http.status": 500 } }),
    ]));
    const search = (q: string) => store.search(1, { q, from: now - 60_000, to: now, limit: 50 }).then((r) => r.lines.map((l) => l.body));
    expect(await search("reset")).toEqual(["reset the cache", "Connection reset by peer"]);
    expect(await search('"reset by"')).toEqual(["Connection reset by peer"]);
    expect(await search("reset -cache")).toEqual(["Connection reset by peer"]);
    expect(await search("level:error")).toEqual(["Connection reset by peer"]);
    expect(await search("logger:django.*")).toEqual(["GET /products/ 200 in 35ms"]);
    expect(await search("attr.http.status:500")).toEqual(["reset the cache"]);
    expect(await search("prod*")).toEqual(["GET /products/ 200 in 35ms"]);
    const hist = await store.histogram(1, "", now - 60_000, now, 60_000);
    const total = hist.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + (c ?? 0), 0), 0);
    expect(total).toBe(3);
    expect(LEVELS.length).toBe(6);
    const x: Level = "warn";
    expect(x).toBe("warn");
    await runInDurableObject(store, async (_, state) => {
      expect(state.storage.sql.exec("select count(*) as n from lines").one().n).toBe(3);
    });
  });
});


describe("LogStore resends", () => {
  it("a batch sent again is stored once; the same line twice inside one batch is kept twice", async () => {
    const store = storeOf("resend");
    const now = Date.now();
    const batch = [
      line({ ts: now - 3000, ns: 123, body: "payment declined" }),
      line({ ts: now - 2000, body: "retrying payment" }),
      line({ ts: now - 2000, body: "retrying payment" }),
      line({ ts: now - 1000, body: "payment ok", attributes: { order: 42 } }),
    ];
    expect(await store.append(1, packLines(batch))).toEqual({ stored: 4, duplicates: 0 });
    expect(await store.append(1, packLines(batch))).toEqual({ stored: 0, duplicates: 4 });
    // A batch that differs in one attribute of one line is a new batch, not a resend.
    const changed = batch.map((l, i) => (i === 3 ? { ...l, attributes: { order: 43 } } : l));
    expect(await store.append(1, packLines(changed))).toEqual({ stored: 4, duplicates: 0 });
    const found = await store.search(1, { q: "payment", from: now - 60_000, to: now, limit: 50 });
    expect(found.lines.map((l) => l.body).sort()).toEqual(["payment declined", "payment declined", "payment ok", "payment ok", "retrying payment", "retrying payment", "retrying payment", "retrying payment"]);
    const hist = await store.histogram(1, "", now - 60_000, now, 60_000);
    expect(hist.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + (c ?? 0), 0), 0)).toBe(8);
  });
});

describe("LogStore full-text backlog", () => {
  it("indexes small appends together, and a search, count or histogram first indexes what waits", async () => {
    const store = storeOf("backlog");
    const now = Date.now();
    const indexed = () =>
      runInDurableObject(store, async (_, state) => ({
        fts: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM lines_fts").one().n,
        waiting: state.storage.sql.exec<{ n: number | null }>("SELECT sum(n) AS n FROM fts_backlog").one().n ?? 0,
      }));
    const batch = (from: number, size: number, body: (i: number) => string, host = "web-1") =>
      Array.from({ length: size }, (_, i) => line({ ts: now - 50_000 + from + i, body: body(from + i), host }));
    await store.append(1, packLines(batch(0, 300, (i) => `order ${i} shipped`)));
    await store.append(1, packLines(batch(300, 300, (i) => `order ${i} packed`, "web-2")));
    expect(await indexed()).toEqual({ fts: 0, waiting: 600 });
    // Words of the body and of the labels are found, though they were waiting.
    const search = (q: string) => store.search(1, { q, from: now - 60_000, to: now, limit: 1000 }).then((r) => r.lines.length);
    expect(await search("shipped")).toBe(300);
    expect(await indexed()).toEqual({ fts: 600, waiting: 0 });
    expect(await search("web-2")).toBe(300);
    await store.append(1, packLines(batch(600, 100, (i) => `order ${i} returned`)));
    expect(await store.count(1, "returned", now - 60_000, now)).toBe(100);
    await store.append(1, packLines(batch(700, 100, (i) => `order ${i} refunded`)));
    const hist = await store.histogram(1, "refunded", now - 60_000, now, 60_000);
    expect(hist.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + (c ?? 0), 0), 0)).toBe(100);
    // An append that takes the backlog to FTS_BACKLOG_LINES indexes all of it at once.
    await store.append(1, packLines(batch(800, 500, (i) => `order ${i} cancelled`)));
    expect(await indexed()).toEqual({ fts: 800, waiting: 500 });
    await store.append(1, packLines(batch(1300, FTS_BACKLOG_LINES - 501, (i) => `order ${i} lost`)));
    expect(await indexed()).toEqual({ fts: 800, waiting: FTS_BACKLOG_LINES - 1 });
    await store.append(1, packLines(batch(800 + FTS_BACKLOG_LINES - 1, 1, (i) => `order ${i} lost`)));
    expect(await indexed()).toEqual({ fts: 800 + FTS_BACKLOG_LINES, waiting: 0 });
    expect(await search("cancelled")).toBe(500);
  });
});

describe("LogStore ids", () => {
  it("an id taken behind the store's back costs a retry, not a line", async () => {
    const store = storeOf("taken-id");
    const now = Math.floor(Date.now());
    await store.append(1, packLines([line({ ts: now - 5000, body: "first" })]));
    // A row at the very id the next line would be given (allocation itself never gives a taken one).
    const squatted = idFloor(now - 1000) + levelCode("info");
    await runInDurableObject(store, async (_, state) => {
      state.storage.sql.exec("INSERT INTO lines (id, ns, level, severity, severity_text, body, attributes) VALUES (?, 0, 'info', 9, 'INFO', 'squatter', '{}')", squatted);
    });
    const batch = packLines([line({ ts: now - 1000, body: "second" }), line({ ts: now - 900, body: "third" })]);
    expect(await store.append(1, batch)).toEqual({ stored: 2, duplicates: 0 });
    // Stored the long way round, it is still known when sent again; and its per-minute counts were added.
    expect(await store.append(1, batch)).toEqual({ stored: 0, duplicates: 2 });
    const found = await store.search(1, { q: "", from: now - 60_000, to: now, limit: 10 });
    expect(found.lines.map((l) => l.body)).toEqual(["third", "second", "squatter", "first"]);
    const hist = await store.histogram(1, "", now - 60_000, now, 60_000);
    expect(hist.buckets.reduce((n, b) => n + (b.counts.info ?? 0), 0)).toBe(3);
    expect(found.lines.find((l) => l.body === "second")!.id).not.toBe(squatted);
    expect(found.lines.find((l) => l.body === "second")!.ts).toBe(now - 1000);
  });
});
