import { createExecutionContext, createMessageBatch, env, getQueueResult, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../index";
import { armFault, clearFaults, firedFaults } from "../lib/faults";
import { cronObject } from "../crons/checkin";
import type { CronMonitor } from "../crons/monitor-object";
import { logStore } from "../logs/storage";
import { packLines } from "../logs/model";
import { keyOf, withProject } from "../test/client";
import homeTransaction from "../test/fixtures/tx-home.envelope?raw";

/**
 * Faults in the storage layer (worker/lib/faults.ts arms them: D1 writes or reads failing, R2 down) while
 * Vigil processes real input through its real queue handler, alarms and doors. In every case the data that
 * was accepted ends up stored exactly once: counts are exact, nothing is doubled, nothing is missing.
 * Redelivery is driven here as the queue would do it (the retried messages again, attempts + 1), so the
 * tests do not wait for the queue's back-off.
 */

afterEach(() => clearFaults());

type Delivery = { id: string; body: unknown; attempts: number };

/** Deliver messages to the ingest queue handler; returns the ones it asked to retry, as the queue would redeliver them. */
async function deliver(messages: Delivery[]): Promise<Delivery[]> {
  const batch = createMessageBatch(
    "vigil-ingest",
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue!(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  const retried = new Set(result.retryMessages.map((m) => m.msgId));
  expect(result.explicitAcks.length + retried.size).toBe(messages.length);
  return messages.filter((m) => retried.has(m.id)).map((m) => ({ ...m, attempts: m.attempts + 1 }));
}

/** Deliver until nothing is retried (bounded, as the queue's max_retries bounds it). */
async function deliverUntilDone(messages: Delivery[]): Promise<number> {
  let pending = messages;
  let rounds = 0;
  while (pending.length && rounds < 6) {
    pending = await deliver(pending);
    rounds++;
  }
  expect(pending).toEqual([]);
  return rounds;
}

function errorMessages(projectId: number, groups: string[]): Delivery[] {
  return groups.map((group, i) => {
    const eventId = crypto.randomUUID().replaceAll("-", "");
    const payload = JSON.stringify({
      event_id: eventId,
      level: "error",
      platform: "python",
      exception: { values: [{ type: "KeyError", value: `'${group}'`, stacktrace: { frames: [{ filename: "shop/views.py", function: `view_${group}`, lineno: 10, in_app: true }] } }] },
      tags: { shard: String(i % 2) },
      user: { id: `user-${i}` },
    });
    return { id: `m-${eventId}`, attempts: 1, body: { kind: "event", projectId, keyId: "k", eventId, receivedAt: Date.now(), clientIp: null, payload } };
  });
}

async function issueCounts(projectId: number): Promise<Record<string, { count: number; events: number; hourly: number; users: number }>> {
  const rows = await env.DB.prepare(
    `SELECT i.culprit AS culprit, i.count AS count, i.user_count AS users,
       (SELECT count(*) FROM events e WHERE e.issue_id = i.id) AS events,
       (SELECT coalesce(sum(h.count), 0) FROM issue_hourly h WHERE h.issue_id = i.id) AS hourly
     FROM issues i WHERE i.project_id = ?`,
  )
    .bind(projectId)
    .all<{ culprit: string; count: number; events: number; hourly: number; users: number }>();
  return Object.fromEntries(rows.results.map((r) => [r.culprit, { count: r.count, events: r.events, hourly: r.hourly, users: r.users }]));
}

const unlinked = async (projectId: number) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM events WHERE project_id = ? AND issue_id IS NULL").bind(projectId).first<{ n: number }>())!.n;

describe("error events under storage faults", () => {
  it("the write of issues, links and counters fails: nothing half-done, and the redelivery stores each event once", async () => {
    const { project } = await withProject("faults-d1");
    const messages = errorMessages(project.id, ["cart", "cart", "cart", "checkout"]);
    // The one transaction that upserts issues and adds every counter (it is the batch that writes issue_hourly),
    // failing for the whole batch and then for each event alone.
    armFault({ target: "d1.write", matching: "issue_hourly", times: 5 });
    const retried = await deliver(messages);
    expect(firedFaults()).toBe(5);
    expect(retried).toHaveLength(4);
    // The event rows were written before the failure; none of them is linked or counted yet.
    expect(await unlinked(project.id)).toBe(4);
    expect(await issueCounts(project.id)).toEqual({});

    expect(await deliverUntilDone(retried)).toBe(1);
    const counts = await issueCounts(project.id);
    expect(Object.values(counts).map((c) => c.count).sort()).toEqual([1, 3]);
    for (const c of Object.values(counts)) {
      expect(c.events).toBe(c.count);
      expect(c.hourly).toBe(c.count);
      expect(c.users).toBe(c.count);
    }
    expect(await unlinked(project.id)).toBe(0);
  });

  it("one event D1 refuses does not hold back the rest of its batch: the others are stored, it alone is retried", async () => {
    const { project } = await withProject("faults-poison");
    const messages = errorMessages(project.id, ["m", "n", "m", "o", "n"]);
    // The batch's write fails, then the first event's write alone: the four others go through one by one.
    armFault({ target: "d1.write", matching: "issue_hourly", times: 2 });
    const retried = await deliver(messages);
    expect(retried.map((m) => m.id)).toEqual([messages[0]!.id]);
    expect(Object.values(await issueCounts(project.id)).reduce((n, c) => n + c.count, 0)).toBe(4);
    await deliverUntilDone(retried);
    const counts = await issueCounts(project.id);
    expect(Object.values(counts).map((c) => c.count).sort()).toEqual([1, 2, 2]);
    for (const c of Object.values(counts)) expect(c.events).toBe(c.count);
  });

  it("D1 refuses the event rows: everything is retried and then stored once", async () => {
    const { project } = await withProject("faults-rows");
    const messages = errorMessages(project.id, ["a", "b", "a"]);
    // Down for the first delivery: the batch's insert and each event's alone.
    armFault({ target: "d1.write", matching: 'insert into "events"', times: 4 });
    expect(await deliverUntilDone(messages)).toBe(2);
    expect(firedFaults()).toBe(4);
    const counts = await issueCounts(project.id);
    expect(Object.values(counts).map((c) => c.count).sort()).toEqual([1, 2]);
    expect(await unlinked(project.id)).toBe(0);
  });

  it("R2 goes down midway through a batch: only the events it hit are retried, none is lost or doubled", async () => {
    const { project } = await withProject("faults-r2");
    const messages = errorMessages(project.id, ["p", "q", "p", "q", "p", "r"]);
    armFault({ target: "r2", matching: "put events/", after: 2, times: 2 });
    const retried = await deliver(messages);
    expect(retried).toHaveLength(2);
    expect(firedFaults()).toBe(2);
    await deliverUntilDone(retried);
    const counts = await issueCounts(project.id);
    expect(Object.values(counts).reduce((n, c) => n + c.count, 0)).toBe(messages.length);
    expect(Object.values(counts).map((c) => c.count).sort()).toEqual([1, 2, 3]);
    for (const c of Object.values(counts)) expect(c.events).toBe(c.count);
    // Every stored event's full copy is in R2 (an index row never points at nothing).
    const keys = await env.DB.prepare("SELECT r2_key FROM events WHERE project_id = ?").bind(project.id).all<{ r2_key: string }>();
    for (const { r2_key } of keys.results) expect(await env.BLOBS.head(r2_key)).not.toBeNull();
  });

  it("a message delivered again after it was stored changes nothing", async () => {
    const { project } = await withProject("faults-dup");
    const messages = errorMessages(project.id, ["x", "y"]);
    await deliverUntilDone(messages);
    const before = await issueCounts(project.id);
    await deliverUntilDone(messages.map((m) => ({ ...m, attempts: 2 })));
    expect(await issueCounts(project.id)).toEqual(before);
  });
});

describe("transactions under storage faults", () => {
  it("the sums fail to commit: the redelivery counts each transaction once", async () => {
    const { project } = await withProject("faults-tx");
    const lines = homeTransaction.split("\n");
    const item = JSON.parse(lines[2]!) as Record<string, unknown>;
    // The captured transaction, moved to now (its times are ISO strings or epoch seconds).
    const seconds = (v: unknown) => (typeof v === "string" ? Date.parse(v) / 1000 : (v as number));
    const now = Date.now() / 1000;
    const messages: Delivery[] = [0, 1, 2].map((i) => {
      const eventId = crypto.randomUUID().replaceAll("-", "");
      const shift = now - seconds(item.timestamp) - i;
      const payload = JSON.stringify({
        ...item,
        event_id: eventId,
        start_timestamp: seconds(item.start_timestamp) + shift,
        timestamp: seconds(item.timestamp) + shift,
        spans: ((item.spans as Record<string, unknown>[]) ?? []).map((s) => ({ ...s, start_timestamp: seconds(s.start_timestamp) + shift, timestamp: seconds(s.timestamp) + shift })),
      });
      return { id: `t-${eventId}`, attempts: 1, body: { kind: "transaction", projectId: project.id, eventId, receivedAt: Date.now(), payload } };
    });
    armFault({ target: "d1.write", matching: "perf_rollups" });
    const retried = await deliver(messages);
    expect(firedFaults()).toBe(1);
    expect(retried).toHaveLength(3);
    await deliverUntilDone(retried);
    const rollup = await env.DB.prepare("SELECT sum(count) AS n FROM perf_rollups WHERE project_id = ? AND resolution = 'minute'").bind(project.id).first<{ n: number }>();
    expect(rollup!.n).toBe(3);
    const rows = await env.DB.prepare("SELECT count(*) AS n, sum(aggregated) AS a FROM perf_transactions WHERE project_id = ?").bind(project.id).first<{ n: number; a: number }>();
    expect(rows).toEqual({ n: 3, a: 3 });
  });
});

describe("the log archive under faults", () => {
  it("R2 fails midway through compaction (as if the object were evicted mid-alarm): every line is still found, and the next alarm archives each exactly once", async () => {
    const { project } = await withProject("faults-logs");
    const store = logStore(env, project.id);
    // 12,000 lines from two days ago, hot for one day: the next alarm moves them into three archive chunks.
    const old = Date.now() - 2 * 86_400_000;
    const line = (i: number) => ({
      ts: old + i * 100,
      ns: 0,
      level: (i % 5 === 0 ? "error" : "info") as "error" | "info",
      severity: i % 5 === 0 ? 17 : 9,
      severityText: i % 5 === 0 ? "ERROR" : "INFO",
      body: `order ${i} shipped`,
      logger: "shop.orders",
      service: "shop",
      host: "web-1",
      source: null,
      traceId: null,
      spanId: null,
      attributes: {},
    });
    for (let b = 0; b < 12; b++) expect((await store.append(project.id, packLines(Array.from({ length: 1000 }, (_, k) => line(b * 1000 + k))))).stored).toBe(1000);
    await env.DB.prepare("UPDATE projects SET logs_hot_days = 1 WHERE id = ?").bind(project.id).run();
    // Counted from the lines themselves, hot and archived (a text query reads both): a line in both would count twice.
    const matching = async () => {
      const h = await store.histogram(project.id, "shipped", old - 60_000, Date.now(), 3_600_000);
      expect(h.partial).toBe(false);
      return h.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + (c ?? 0), 0), 0);
    };
    const chunks = async () => (await env.BLOBS.list({ prefix: `logs/${project.id}/` })).objects.length;

    armFault({ target: "r2", matching: "put logs/", after: 1, times: Infinity });
    await runDurableObjectAlarm(store);
    expect(firedFaults()).toBeGreaterThan(0);
    expect(await chunks()).toBe(1);
    expect(await matching()).toBe(12_000);

    clearFaults();
    // The failed run put the alarm back; it finishes the job.
    expect(await runDurableObjectAlarm(store)).toBe(true);
    expect(await chunks()).toBe(3);
    expect(await matching()).toBe(12_000);
    const first = (await store.search(project.id, { q: "order", from: old - 60_000, to: Date.now(), limit: 1 })).lines[0]!;
    expect(first.body).toBe("order 11999 shipped");
  });
});

describe("cron deadlines under faults", () => {
  it("D1 fails while the monitor's object records a missed run: nothing half-saved, and the next alarm records it and alerts once", async () => {
    const { client, project } = await withProject("faults-cron");
    const cron = (await client.post(`/projects/${project.id}/crons`, { slug: "nightly", schedule: { type: "interval", value: 1, unit: "day" }, checkinMargin: 1 })).body as { id: number };
    expect((await SELF.fetch(`http://localhost:8787/ping/${keyOf(project.dsn)}/nightly`)).status).toBe(200);
    const expected = Date.parse((await client.get(`/crons/${cron.id}`)).body.nextExpectedAt);
    const object = cronObject(env, cron.id);
    const missed = async () => (await client.get(`/crons/${cron.id}/checkins?status=missed`)).body.data as unknown[];

    armFault({ target: "d1.write", matching: "cron_checkins" });
    // Called inside the object (an exception escaping an RPC call is reported by the test pool as unhandled).
    await runInDurableObject(object, async (instance: CronMonitor) => {
      await expect(instance.tick(cron.id, expected + 2 * 60_000)).rejects.toThrow(/injected fault/);
    });
    expect(firedFaults()).toBe(1);
    expect(await missed()).toEqual([]);
    expect((await client.get(`/crons/${cron.id}`)).body.state).not.toBe("missed");

    await object.tick(cron.id, expected + 3 * 60_000);
    await object.tick(cron.id, expected + 4 * 60_000);
    expect(await missed()).toHaveLength(1);
    expect((await client.get(`/crons/${cron.id}`)).body.state).toBe("missed");
  });
});

describe("the accept path under faults", () => {
  it("R2 down while a large event is staged: 503 with Retry-After, and the event sent again is stored once", async () => {
    const { project } = await withProject("faults-accept");
    const eventId = crypto.randomUUID().replaceAll("-", "");
    // Over the queue's inline limit, so the event is staged in R2 before it is queued.
    const event = { event_id: eventId, message: "big one", extra: { blob: "x".repeat(150_000) } };
    const send = () =>
      SELF.fetch(`http://localhost:8787/api/${project.id}/store/`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7` },
        body: JSON.stringify(event),
      });
    armFault({ target: "r2", matching: "put staging/", times: Infinity });
    const refused = await send();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toMatch(/again/i);
    clearFaults();
    expect((await send()).status).toBe(200);
  });
});
