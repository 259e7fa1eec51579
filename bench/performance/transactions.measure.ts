// Processing rate of transactions alone, inside workerd with real D1 and R2 (Miniflare): batches of 100 Sentry
// transactions (the example shop's /products/, 40 spans, an N+1 in each) handed to the queue handler as the Queue
// would, with the accept path idle; then the same with the N+1 cut short, so that no performance issue is raised. Run by bench/performance.mjs (benchProcessingAlone) through
// `vitest run --config bench/performance/vitest.config.ts`; prints one TX_PROCESSING line and asserts only that
// every transaction was processed and counted once, with one finding each (and none for the quiet variant).
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";

const BATCH = 100;
type Span = { description?: string; start_timestamp: string; timestamp: string };
const template = JSON.parse((env as unknown as { BENCH_TRANSACTION: string }).BENCH_TRANSACTION) as Record<string, unknown> & { spans: Span[]; timestamp: string };
const oldTrace = (template.contexts as { trace: { trace_id: string } }).trace.trace_id;
// The same transaction with each review query cut to 1 ms: the N+1 stays under its 50 ms and nothing is detected,
// so the difference between the two is what a performance issue's event costs.
const quiet = structuredClone(template);
for (const s of quiet.spans) {
  if (s.description?.includes('FROM "store_review"')) s.timestamp = new Date(Date.parse(s.start_timestamp) + 1).toISOString();
}
const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0")).join("");

async function project(slug: string): Promise<number> {
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("insert or ignore into organizations (id, slug, name, created_at) values ('bench-org', 'bench', 'Bench', ?)").bind(now),
    env.DB.prepare("insert into projects (org_id, slug, name, platform, created_at) values ('bench-org', ?, 'Bench', 'django', ?)").bind(slug, now),
  ]);
  return (await env.DB.prepare("select id from projects where slug = ?").bind(slug).first<{ id: number }>())!.id;
}

/** The transaction moved to end now, with a fresh event and trace id. */
function payload(tx: typeof template, eventId: string): string {
  const shift = Date.now() - Date.parse(tx.timestamp);
  return JSON.stringify(tx)
    .replace(/"(start_timestamp|timestamp)":"([^"]+)"/g, (_, k: string, t: string) => `"${k}":"${new Date(Date.parse(t) + shift).toISOString()}"`)
    .replaceAll(oldTrace, hex(16))
    .replace(/"event_id":"[0-9a-f]+"/, `"event_id":"${eventId}"`);
}

async function oneBatch(id: number, tx: typeof template): Promise<number> {
  const messages = Array.from({ length: BATCH }, () => {
    const eventId = hex(16);
    return { id: eventId, timestamp: new Date(), attempts: 1, body: { kind: "transaction", projectId: id, eventId, receivedAt: Date.now(), payload: payload(tx, eventId) } };
  });
  const batch = createMessageBatch("vigil-ingest", messages);
  const ctx = createExecutionContext();
  const started = performance.now();
  await worker.queue!(batch, env, ctx);
  const ms = performance.now() - started;
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks.length, `retried: ${result.retryMessages.length}`).toBe(BATCH);
  return ms;
}

async function measure(id: number, tx: typeof template) {
  await oneBatch(id, tx); // warm-up
  const times: number[] = [];
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < 10 && Date.now() < deadline; i++) times.push(await oneBatch(id, tx));
  const total = times.reduce((a, b) => a + b, 0);
  const sorted = [...times].sort((a, b) => a - b);
  const counted = await env.DB.prepare("select coalesce(sum(count), 0) as n from perf_rollups where project_id = ? and resolution = 'day'").bind(id).first<{ n: number }>();
  expect(counted!.n).toBe((times.length + 1) * BATCH);
  const findings = await env.DB.prepare("select coalesce(sum(count), 0) as n from issues where project_id = ? and kind = 'performance'").bind(id).first<{ n: number }>();
  return { batches: times.length, batchSize: BATCH, spans: tx.spans.length, transactionsPerSecond: (times.length * BATCH * 1000) / total, medianBatchMs: sorted[Math.floor(sorted.length / 2)], counted: counted!.n, findings: findings!.n };
}

describe("transaction processing alone", () => {
  it(`processes batches of ${BATCH} real Django transactions`, async () => {
    const withFinding = await measure(await project("bench"), template);
    const without = await measure(await project("bench-quiet"), quiet);
    // One recorded occurrence of the N+1 issue per batch (sampled), however many transactions had it.
    expect(withFinding.findings).toBe(withFinding.batches + 1);
    expect(without.findings).toBe(0);
    console.log(`TX_PROCESSING ${JSON.stringify({ withFinding, without })}`);
  }, 150_000);
});
