import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../index";
import type { TransactionMessage } from "../ingest/queue";
import { withProject } from "../test/client";
import type { TransactionRecord } from "./model";
import { processTransactionBatch, traceKey } from "./process";
import { OTHER_ROUTES, ROUTES_PER_DAY } from "./route-cap";

const DAY = 86_400_000;
// Yesterday at noon UTC: every transaction of these tests falls in one UTC day whenever they run.
const NOON = Math.floor(Date.now() / DAY) * DAY - DAY / 2;

const hex = (n: number) => crypto.randomUUID().replaceAll("-", "").slice(0, n);

/** A request named as an app that sends raw URLs would name it, with one query. */
function transaction(name: string, offsetMs: number): TransactionRecord {
  const start = NOON + offsetMs;
  return {
    eventId: hex(32),
    traceId: hex(32),
    spanId: hex(16),
    name,
    op: "http.server",
    status: "ok",
    httpStatus: 200,
    start,
    end: start + 40,
    environment: null,
    release: null,
    spans: [{ spanId: hex(16), parentSpanId: null, op: "db", description: "SELECT * FROM orders WHERE id = 1", start: start + 5, end: start + 15, status: "ok" }],
    source: "otlp",
  };
}

const messagesOf = (list: { projectId: number; t: TransactionRecord }[]) =>
  createMessageBatch(
    "vigil-ingest",
    list.map(({ projectId, t }) => ({
      id: t.eventId,
      timestamp: new Date(),
      attempts: 1,
      body: { kind: "transaction", format: "record", projectId, eventId: t.eventId, receivedAt: Date.now(), payload: JSON.stringify(t) },
    })),
  );

async function routeCounts(projectId: number, table: "perf_rollups" | "perf_queries", resolution?: string) {
  const rows = await env.DB.prepare(
    `SELECT "transaction", SUM(count) AS n FROM ${table} WHERE project_id = ? ${resolution ? `AND resolution = '${resolution}'` : ""} GROUP BY "transaction"`,
  )
    .bind(projectId)
    .all<{ transaction: string; n: number }>();
  return new Map(rows.results.map((r) => [r.transaction, r.n]));
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe("distinct routes per project and day", () => {
  it("counts names past the cap under the catch-all route, keeps known names, loses nothing, and leaves other projects alone", async () => {
    const cap = 20;
    const busy = await withProject("raw-urls");
    const calm = await withProject("patterns");
    const sent = new Map<number, TransactionRecord[]>([
      [busy.project.id, []],
      [calm.project.id, []],
    ]);
    const add = (projectId: number, name: string) => {
      const t = transaction(name, sent.get(projectId)!.length * 1000);
      sent.get(projectId)!.push(t);
      return { projectId, t };
    };
    // Batch 1: 15 raw URLs (room for all), and the calm project's 10 patterns twice each.
    const first = [...Array.from({ length: 15 }, (_, i) => add(busy.project.id, `/orders/${i}/`))];
    for (let i = 0; i < 20; i++) first.push(add(calm.project.id, `/page/${i % 10}/`));
    // Batch 2: 20 more raw URLs (room for 5 of them) and 5 names already known, which keep their own rows.
    const second = [...Array.from({ length: 20 }, (_, i) => add(busy.project.id, `/orders/${15 + i}/`)), ...Array.from({ length: 5 }, (_, i) => add(busy.project.id, `/orders/${i}/`))];
    // Batch 3: the day is full: a new name goes straight to the catch-all, a known one to its own row.
    const third = [add(busy.project.id, "/orders/999/"), add(busy.project.id, "/orders/7/")];
    for (const list of [first, second, third]) {
      const batch = messagesOf(list);
      await processTransactionBatch(batch.messages as Message<TransactionMessage>[], env, cap);
    }

    const names = (projectId: number) => new Set(sent.get(projectId)!.map((t) => t.name));
    const busyDay = await routeCounts(busy.project.id, "perf_rollups", "day");
    expect(names(busy.project.id).size).toBeGreaterThan(cap);
    expect(busyDay.size).toBe(cap + 1);
    expect(busyDay.has(OTHER_ROUTES)).toBe(true);
    // The names kept are the first `cap` the project sent; every transaction is counted once, somewhere.
    const firstNames = [...names(busy.project.id)].slice(0, cap);
    expect([...busyDay.keys()].filter((n) => n !== OTHER_ROUTES).sort()).toEqual(firstNames.sort());
    for (const resolution of ["minute", "hour", "day"]) expect(sum(await routeCounts(busy.project.id, "perf_rollups", resolution))).toBe(sent.get(busy.project.id)!.length);
    const pastCap = sent.get(busy.project.id)!.filter((t) => !firstNames.includes(t.name));
    expect(busyDay.get(OTHER_ROUTES)).toBe(pastCap.length);
    for (const name of firstNames) expect(busyDay.get(name)).toBe(sent.get(busy.project.id)!.filter((t) => t.name === name).length);
    // The queries of the day follow the same routes.
    const busyQueries = await routeCounts(busy.project.id, "perf_queries");
    expect(new Set(busyQueries.keys())).toEqual(new Set(busyDay.keys()));
    expect(sum(busyQueries)).toBe(sent.get(busy.project.id)!.length);

    // The other project: every name its own, every transaction counted.
    const calmDay = await routeCounts(calm.project.id, "perf_rollups", "day");
    expect(new Set(calmDay.keys())).toEqual(names(calm.project.id));
    expect(sum(calmDay)).toBe(sent.get(calm.project.id)!.length);

    // What a user sees: the routes table and the route page of the catch-all; a request past the cap is listed under it,
    // its record as sent (in R2) keeps its own name.
    const range = `from=${(NOON - DAY / 2) / 1000}&to=${(NOON + DAY / 2) / 1000}`;
    const table = (await busy.client.get(`/projects/${busy.project.id}/performance?${range}`)).body.data as { transaction: string; count: number }[];
    expect(table.find((r) => r.transaction === OTHER_ROUTES)?.count).toBe(pastCap.length);
    const late = pastCap[0]!;
    const trace = (await busy.client.get(`/projects/${busy.project.id}/traces/${late.traceId}`)).body as { transactions: { eventId: string; transaction: string }[] };
    expect(trace.transactions).toMatchObject([{ eventId: late.eventId, transaction: OTHER_ROUTES }]);
    const kept = await env.BLOBS.get(traceKey(busy.project.id, late.eventId));
    const record = JSON.parse(await new Response(kept!.body.pipeThrough(new DecompressionStream("gzip"))).text()) as TransactionRecord;
    expect(record.name).toBe(late.name);
    const page = (await busy.client.get(`/projects/${busy.project.id}/performance/route?transaction=${encodeURIComponent(OTHER_ROUTES)}&${range}`)).body as { summary: { count: number }; slowest: unknown[] };
    expect(page.summary.count).toBe(pastCap.length);
    expect(page.slowest).toHaveLength(Math.min(20, pastCap.length));
  });

  it("holds at the default cap through the queue handler, in batches of 100", async () => {
    const { project } = await withProject("many-urls");
    const sent = Array.from({ length: ROUTES_PER_DAY + 50 }, (_, i) => ({ projectId: project.id, t: transaction(`/items/${i}/`, i) }));
    for (let i = 0; i < sent.length; i += 100) {
      const batch = messagesOf(sent.slice(i, i + 100));
      const ctx = createExecutionContext();
      await worker.queue!(batch, env, ctx);
      expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(batch.messages.length);
    }
    const day = await routeCounts(project.id, "perf_rollups", "day");
    expect(day.size).toBe(ROUTES_PER_DAY + 1);
    expect(day.get(OTHER_ROUTES)).toBe(sent.length - ROUTES_PER_DAY);
    expect(sum(day)).toBe(sent.length);
  });
});
