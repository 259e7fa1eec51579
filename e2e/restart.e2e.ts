// Vigil killed in the middle of a load (SIGKILL to wrangler and workerd: no shutdown, no flush) and started
// again on the same state directory and port. Clients resend what got no answer, and some of what did (as an
// agent that timed out would). Afterwards: everything processed before the crash is intact, every log line
// answered "accepted" is stored, and nothing resent is stored twice — events by event id, log lines by
// their hash. One thing a local run cannot keep: events accepted into the queue but not yet processed when
// the process died (Miniflare's local queue is in memory; Cloudflare Queues keep messages). The test counts
// them and docs/reliability.md states it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Project } from './support/api.js';
import { startVigil, type Vigil } from './support/vigil.js';

const GROUPS = ['cart', 'checkout', 'search'];

interface EventItem {
  id: string;
  group: string;
}
interface LineBatch {
  tag: string;
  lines: string[];
}

function makeEvent(i: number): EventItem {
  return { id: randomUUID().replaceAll('-', ''), group: GROUPS[i % GROUPS.length]! };
}

function makeBatch(n: number, size = 50): LineBatch {
  const tag = `b${n}x${randomUUID().slice(0, 8)}`;
  const base = Date.now() - 60_000;
  const lines = Array.from({ length: size }, (_, k) =>
    JSON.stringify({ timestamp: new Date(base + n * size + k).toISOString(), level: k % 10 ? 'info' : 'error', logger: 'shop.restart', message: `restart ${tag} line ${k}` }),
  );
  return { tag, lines };
}

let vigil: Vigil;

beforeAll(async () => {
  vigil = await startVigil('restart');
});

afterAll(async () => {
  await vigil?.stop();
});

describe('a Vigil killed mid-load and started again', () => {
  test('keeps what it processed and stored, and stores resent data once', async () => {
    const { api, organization } = await signUp(vigil.baseUrl);
    const project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Restart' });
    await api.expect(200, 'PATCH', `/api/v1/projects/${project.id}`, { rateLimitPerMinute: 1_000_000 });
    const key = new URL(project.dsn).username;

    const postEvent = (e: EventItem) =>
      fetch(`${vigil.baseUrl}/api/${project.id}/store/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_key=${key}, sentry_version=7` },
        body: JSON.stringify({ event_id: e.id, level: 'error', platform: 'python', exception: { values: [{ type: 'KeyError', value: `'${e.group}'`, stacktrace: { frames: [{ filename: 'shop/views.py', function: e.group, lineno: 7, in_app: true }] } }] } }),
        signal: AbortSignal.timeout(10_000),
      }).then((r) => r.status, () => 0);
    const postLines = (b: LineBatch) =>
      fetch(`${vigil.baseUrl}/api/${project.id}/logs/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}` },
        body: b.lines.join('\n'),
        signal: AbortSignal.timeout(10_000),
      }).then((r) => r.status, () => 0);

    // 1. Before the crash: 60 events and 20 batches of lines, all processed.
    const before = Array.from({ length: 60 }, (_, i) => makeEvent(i));
    const beforeBatches = Array.from({ length: 20 }, (_, n) => makeBatch(n));
    for (const e of before) expect(await postEvent(e)).toBe(200);
    for (const b of beforeBatches) expect(await postLines(b)).toBe(200);
    await waitFor(async () => (await issueTotal(api, project.id)) === before.length, 'the first 60 events processed');

    // 2. Load from 4 clients, and the crash in the middle of it.
    const during: { event: EventItem; status: number }[] = [];
    const duringBatches: { batch: LineBatch; status: number }[] = [];
    let stop = false;
    let n = 0;
    const clients = Array.from({ length: 4 }, async (_, c) => {
      while (!stop && n < 2000) {
        const i = n++;
        if (c % 2 === 0) {
          const event = makeEvent(i);
          during.push({ event, status: await postEvent(event) });
        } else {
          const batch = makeBatch(100 + i);
          duringBatches.push({ batch, status: await postLines(batch) });
        }
      }
    });
    await waitFor(async () => during.filter((d) => d.status === 200).length >= 20 && duringBatches.filter((d) => d.status === 200).length >= 10, 'load under way', 30_000);
    await vigil.crash();
    stop = true;
    await Promise.all(clients);

    // 3. The same state and port again.
    vigil = await startVigil('restart-again', { after: vigil });

    // Clients resend what got no 200; an agent that timed out also resends a batch that was in fact stored.
    const unanswered = during.filter((d) => d.status !== 200).map((d) => d.event);
    const acceptedDuring = during.filter((d) => d.status === 200).map((d) => d.event);
    for (const e of unanswered) expect(await postEvent(e)).toBe(200);
    for (const d of duringBatches) expect(await postLines(d.batch)).toBe(200);
    for (const b of beforeBatches.slice(0, 5)) expect(await postLines(b)).toBe(200);
    // A redelivered event (an SDK retry, a replay) is stored once.
    for (const e of before.slice(0, 10)) expect(await postEvent(e)).toBe(200);

    // Every event processed before the crash and every resent one is there, each once.
    await waitFor(async () => {
      const found = await Promise.all(unanswered.map((e) => eventExists(api, project.id, e.id)));
      return found.every(Boolean);
    }, 'the resent events processed');
    for (const e of before) expect(await eventExists(api, project.id, e.id), e.id).toBe(true);
    // Events answered 200 in the last moment before the crash, still in the local queue: kept or not, never twice.
    const keptDuring = (await Promise.all(acceptedDuring.map((e) => eventExists(api, project.id, e.id)))).filter(Boolean).length;
    const total = await issueTotal(api, project.id);
    expect(total).toBe(before.length + unanswered.length + keptDuring);
    expect(await storedEventRows(api, project.id)).toBe(total);
    console.log(`restart: ${acceptedDuring.length} events accepted during the load, ${keptDuring} of them processed before the crash; ${unanswered.length} unanswered and resent`);

    // Every log line, each once: the ones stored before, during (acknowledged or not) and resent.
    const expectedLines = (beforeBatches.length + duringBatches.length) * 50;
    await waitFor(async () => (await lineTotal(api, project.id)) === expectedLines, `${expectedLines} log lines`, 20_000);
    const sample = duringBatches.find((d) => d.status === 200)!.batch;
    const found = await api.expect<{ data: { body: string }[] }>(200, 'GET', `/api/v1/projects/${project.id}/logs?q=${sample.tag}&limit=500`);
    expect(found.data).toHaveLength(50);
  }, 240_000);
});

async function waitFor(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function issueTotal(api: ApiClient, projectId: number): Promise<number> {
  const issues = await api.expect<{ data: { count: number }[] }>(200, 'GET', `/api/v1/projects/${projectId}/issues?limit=100`);
  return issues.data.reduce((n, i) => n + i.count, 0);
}

async function storedEventRows(api: ApiClient, projectId: number): Promise<number> {
  const issues = await api.expect<{ data: { id: number }[] }>(200, 'GET', `/api/v1/projects/${projectId}/issues?limit=100`);
  let rows = 0;
  for (const issue of issues.data) {
    let cursor: string | undefined;
    do {
      const page = await api.expect<{ data: unknown[]; nextCursor?: string | null }>(200, 'GET', `/api/v1/issues/${issue.id}/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      rows += page.data.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return rows;
}

async function eventExists(api: ApiClient, projectId: number, eventId: string): Promise<boolean> {
  const res = await api.request('GET', `/api/v1/projects/${projectId}/events/${eventId}`);
  return res.status === 200;
}

async function lineTotal(api: ApiClient, projectId: number): Promise<number> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const h = await api.expect<{ buckets: { counts: Record<string, number> }[] }>(200, 'GET', `/api/v1/projects/${projectId}/logs/histogram?from=${from}&to=${to}`);
  return h.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
}
