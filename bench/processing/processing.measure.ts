// Processing rate of the error pipeline alone, inside workerd with real D1 and R2 (Miniflare): one batch of
// real Django error events handed to the queue handler, as the Queue would, with the accept path idle.
// Run by `npm run bench` through `vitest run --config bench/processing/vitest.config.ts` (the workers pool has
// no `vitest bench` mode, so this file measures and prints; it asserts only that every event was processed).
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, it } from "vitest";
import worker from "../../worker/index";
import zeroDivision from "../../worker/test/fixtures/zero-division.envelope?raw";
import { itemJson, parseEnvelope } from "../../worker/ingest/envelope";

const BATCH = 100;

function eventJson(): Record<string, unknown> {
  const parsed = parseEnvelope(new TextEncoder().encode(zeroDivision));
  const index = parsed.items.findIndex((i) => i.type === "event");
  return itemJson(parsed.items[index]!, index);
}

let projectId = 0;
async function project(): Promise<number> {
  if (projectId) return projectId;
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("insert into organizations (id, slug, name, created_at) values ('bench-org', 'bench', 'Bench', ?)").bind(now),
    env.DB.prepare("insert into projects (org_id, slug, name, platform, created_at) values ('bench-org', 'bench', 'Bench', 'django', ?)").bind(now),
  ]);
  projectId = (await env.DB.prepare("select id from projects where slug = 'bench'").first<{ id: number }>())!.id;
  return projectId;
}

const template = eventJson();
let run = 0;

async function oneBatch(id: number): Promise<number> {
  run++;
  const messages = Array.from({ length: BATCH }, (_, i) => {
    const eventId = crypto.randomUUID().replaceAll("-", "");
    // Every tenth event is a new issue, the rest repeat known ones: like a real error stream.
    const body = { ...template, event_id: eventId, fingerprint: [`bench-${run}-${i % 10}`] };
    return {
      id: eventId,
      timestamp: new Date(),
      attempts: 1,
      body: { kind: "event", projectId: id, keyId: "bench", eventId, receivedAt: Date.now(), clientIp: null, payload: JSON.stringify(body) },
    };
  });
  const batch = createMessageBatch("vigil-ingest", messages);
  const ctx = createExecutionContext();
  const started = performance.now();
  await worker.queue!(batch, env, ctx);
  const ms = performance.now() - started;
  const result = await getQueueResult(batch, ctx);
  if (result.explicitAcks.length !== BATCH) throw new Error(`only ${result.explicitAcks.length} of ${BATCH} processed`);
  return ms;
}

describe("error processing alone", () => {
  it(`processes batches of ${BATCH} real Django events`, async () => {
    const id = await project();
    await oneBatch(id); // warm-up
    const times: number[] = [];
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < 10 && Date.now() < deadline; i++) times.push(await oneBatch(id));
    const total = times.reduce((a, b) => a + b, 0);
    const sorted = [...times].sort((a, b) => a - b);
    const stored = await env.DB.prepare("select count(*) as n from events where project_id = ?").bind(id).first<{ n: number }>();
    console.log(
      `PROCESSING ${JSON.stringify({ batches: times.length, batchSize: BATCH, eventsPerSecond: (times.length * BATCH * 1000) / total, medianBatchMs: sorted[Math.floor(sorted.length / 2)], stored: stored!.n })}`,
    );
  }, 120_000);
});
