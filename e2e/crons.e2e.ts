// Crons, end to end, against a real Vigil (wrangler dev) with its real Durable Object alarms:
// (a) the example shop's `manage.py nightly_report`, wrapped in the real sentry-sdk's
//     `sentry_sdk.crons.monitor` with a `monitor_config`, creates its monitor and reports ok and error runs;
// (b) the real curl binary pings `/ping/{key}/{slug}[/start|/fail|/{code}]` and Sentry's HTTP check-in route;
// (c) a heartbeat that stops pinging is marked late, then missed by its monitor's alarm, and a job that
//     hangs times out — each alert once, as a signed webhook, and a ping afterwards sends `cron.recovered`.
// The (c) monitors are pinged in beforeAll so that their minutes of waiting overlap (a) and (b).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { curl } from './support/curl.js';
import { djangoDir, venvPython } from './support/paths.js';
import { run, runOk } from './support/run.js';
import { startVigil, type Vigil } from './support/vigil.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

interface Delivery {
  at: number;
  type: string;
  body: Json;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MINUTE = 60_000;

/** A webhook receiver on 127.0.0.1 that verifies each delivery with the Standard Webhooks library. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  const rejected: string[] = [];
  const verifier = { secret: '' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String((req.headers as IncomingHttpHeaders)[h])]));
      try {
        const verified = new Webhook(verifier.secret).verify(body, headers) as Json;
        deliveries.push({ at: Date.now(), type: verified.type, body: verified });
      } catch (error) {
        rejected.push(`${String(error)}: ${body.slice(0, 200)}`);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vigil`,
    deliveries,
    rejected,
    verifier,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Call `fn` until it returns something other than undefined, or fail with `what` after `timeoutMs`. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

let vigil: Vigil;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let api: ApiClient;
let organization: Organization;
let project: Project;
/** The project's public key: the DSN's user part, also the key of ping URLs. */
let key: string;
let dir: string;

/** The (c) monitors, pinged in beforeAll. */
const waiting: { heartbeat?: Json; heartbeatPingedAt?: number; hanging?: Json; hangingStartedAt?: number } = {};

const crons = async (projectId = project.id) => (await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${projectId}/crons`)).data;
const cronBySlug = async (slug: string) => (await crons()).find((c) => c.slug === slug);
const runsOf = async (cronId: number) => (await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/crons/${cronId}/checkins`)).data;
const alertsFor = (cronId: number) => receiver.deliveries.filter((d) => d.body.data?.cronId === cronId);
const ping = (slug: string, suffix = '', args: string[] = []) => curl([...args, `${vigil.baseUrl}/ping/${key}/${slug}${suffix}`]);

function shopEnv(dsn: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SHOP_DB_PATH: path.join(dir, 'db.sqlite3'),
    VIGIL_DSN: dsn,
    VIGIL_ENVIRONMENT: 'e2e',
    DJANGO_TIME_ZONE: 'Europe/Paris',
    LOG_LEVEL: 'WARNING',
    PYTHONUNBUFFERED: '1',
  };
}

/** Wait for the `n`-th alert of `type` about a cron monitor (bounded), and return it. */
async function alertOf(cronId: number, type: string, timeoutMs = 20_000, n = 1): Promise<Delivery> {
  return until(`${type} for cron ${cronId}`, async () => alertsFor(cronId).filter((d) => d.type === type)[n - 1], timeoutMs);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-e2e-crons-'));
  [vigil, receiver] = await Promise.all([startVigil('crons'), startReceiver()]);
  const signed = await signUp(vigil.baseUrl, { name: 'Crons Tester' });
  api = signed.api;
  organization = signed.organization;
  const channel = await api.expect<Json>(201, 'POST', `/api/v1/orgs/${organization.slug}/channels`, { type: 'webhook', name: 'On call', url: receiver.url });
  receiver.verifier.secret = channel.secret;
  // Created after the channel: its default rules send the cron.* alerts there.
  project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Shop' });
  key = new URL(project.dsn).username;

  // (c) A heartbeat expected every minute with a minute's margin, pinged once: late after a minute, missed
  // after two. And a job with a 1-minute max runtime that starts and never finishes.
  waiting.heartbeat = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/crons`, {
    slug: 'queue-heartbeat',
    schedule: { type: 'interval', value: 1, unit: 'minute' },
    checkinMargin: 1,
  });
  expect(waiting.heartbeat).toMatchObject({ state: 'new', nextExpectedAt: null, pingUrl: `${vigil.baseUrl}/ping/${key}/queue-heartbeat` });
  waiting.hanging = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/crons`, {
    slug: 'stuck-import',
    schedule: { type: 'interval', value: 1, unit: 'day' },
    checkinMargin: 60,
    maxRuntime: 1,
  });
  waiting.heartbeatPingedAt = Date.now();
  expect((await ping('queue-heartbeat')).status).toBe(200);
  waiting.hangingStartedAt = Date.now();
  expect((await ping('stuck-import', '/start?rid=import-1')).status).toBe(200);

  await runOk(venvPython, ['manage.py', 'migrate', '-v0'], { cwd: djangoDir, env: shopEnv(''), timeoutMs: 60_000 });
});

afterAll(async () => {
  await receiver?.close();
  await vigil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the real sentry-sdk: manage.py nightly_report under sentry_sdk.crons.monitor', () => {
  let cron: Json;

  test('the first run creates the monitor from monitor_config and shows as ok with a duration', async () => {
    const result = await runOk(venvPython, ['manage.py', 'nightly_report'], { cwd: djangoDir, env: shopEnv(project.dsn), timeoutMs: 60_000 });
    expect(result.stdout).toContain('0 orders');

    cron = await until('nightly-report to be ok', async () => {
      const c = await cronBySlug('nightly-report');
      return c?.state === 'ok' ? c : undefined;
    });
    expect(cron).toMatchObject({
      name: 'nightly-report',
      schedule: { type: 'crontab', value: '0 3 * * *' },
      timezone: 'Europe/Paris',
      scheduleText: 'every day at 03:00 Europe/Paris',
      checkinMargin: 10,
      maxRuntime: 30,
      environment: null,
      paused: false,
    });
    expect(cron.lastDurationMs).toBeGreaterThanOrEqual(0);
    // Next expected: the next 03:00 on Paris clocks, within a day.
    const next = Date.parse(cron.nextExpectedAt);
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(24 * 60 * MINUTE);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('03:00');

    // One run: the in-progress check-in and the ok paired by the SDK's check_in_id, not two rows.
    const runs = await runsOf(cron.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!).toMatchObject({ status: 'ok', source: 'sentry', environment: 'e2e', exitCode: null, log: null });
    expect(runs[0]!.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(runs[0]!.finishedAt) - Date.parse(runs[0]!.startedAt)).toBe(runs[0]!.durationMs);
    expect(cron.recent.map((r: Json) => r.status)).toEqual(['ok']);
  });

  test('--fail raises: an error run and one signed cron.failed; the next good run sends cron.recovered', async () => {
    const failed = await run(venvPython, ['manage.py', 'nightly_report', '--fail'], { cwd: djangoDir, env: shopEnv(project.dsn), timeoutMs: 60_000 });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Report mailer unavailable');

    const alert = await alertOf(cron.id, 'cron.failed');
    expect(alert.body).toMatchObject({
      project: { id: project.id, name: 'Shop' },
      summary: 'Cron failed: nightly-report failed',
      url: `${vigil.baseUrl}/orgs/${organization.slug}/projects/${project.id}/crons/${cron.id}`,
      data: { cronId: cron.id, slug: 'nightly-report', schedule: 'every day at 03:00 Europe/Paris', exitCode: null },
    });
    const after = await cronBySlug('nightly-report');
    expect(after).toMatchObject({ state: 'error' });
    const runs = await runsOf(cron.id);
    expect(runs.map((r) => [r.status, r.source])).toEqual([
      ['error', 'sentry'],
      ['ok', 'sentry'],
    ]);
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(0);

    await runOk(venvPython, ['manage.py', 'nightly_report'], { cwd: djangoDir, env: shopEnv(project.dsn), timeoutMs: 60_000 });
    await alertOf(cron.id, 'cron.recovered');
    expect((await cronBySlug('nightly-report'))?.state).toBe('ok');
    await sleep(1000); // nothing else arrives
    expect(alertsFor(cron.id).map((d) => d.type)).toEqual(['cron.failed', 'cron.recovered']);
    expect(receiver.rejected).toEqual([]);
  });
});

describe('curl: Healthchecks-style pings and Sentry’s HTTP check-in route', () => {
  let backup: Json;

  beforeAll(async () => {
    backup = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/crons`, {
      slug: 'nightly-backup',
      name: 'Nightly backup',
      schedule: { type: 'crontab', value: '30 2 * * *' },
      checkinMargin: 15,
      maxRuntime: 60,
    });
  });

  test('/start?rid= then a success with a POST body: one run with its duration and the output as its log', async () => {
    const start = await ping('nightly-backup', '/start?rid=run-42');
    expect(start).toMatchObject({ status: 200, raw: 'OK' });
    expect((await api.expect<Json>(200, 'GET', `/api/v1/crons/${backup.id}`)).state).toBe('in_progress');
    await sleep(300);
    const output = 'dumping shop… 1,204 rows\nuploaded backup-2026.sql.gz (3.1 MB)\n';
    const done = await ping('nightly-backup', '?rid=run-42', ['--data-binary', output]);
    expect(done).toMatchObject({ status: 200, raw: 'OK' });

    const runs = await runsOf(backup.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!).toMatchObject({ status: 'ok', runId: 'run-42', source: 'ping', log: output, exitCode: null });
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(300);
    expect(await api.expect<Json>(200, 'GET', `/api/v1/crons/${backup.id}`)).toMatchObject({ state: 'ok', lastDurationMs: runs[0]!.durationMs });
  });

  test('/fail and an exit code: error runs, one cron.failed; exit code 0 recovers', async () => {
    expect((await ping('nightly-backup', '/fail', ['--data-binary', 'pg_dump: error: connection refused'])).status).toBe(200);
    expect((await ping('nightly-backup', '/1')).status).toBe(200);
    const runs = await runsOf(backup.id);
    expect(runs.slice(0, 2).map((r) => [r.status, r.exitCode, r.log])).toEqual([
      ['error', 1, null],
      ['error', null, 'pg_dump: error: connection refused'],
    ]);
    expect((await api.expect<Json>(200, 'GET', `/api/v1/crons/${backup.id}`)).state).toBe('error');
    const failed = await alertOf(backup.id, 'cron.failed');
    expect(failed.body.summary).toBe('Cron failed: Nightly backup failed');

    expect((await ping('nightly-backup', '/0')).status).toBe(200);
    await alertOf(backup.id, 'cron.recovered');
    expect((await runsOf(backup.id))[0]!).toMatchObject({ status: 'ok', exitCode: 0 });
    await sleep(1000);
    // The second failure in a row did not alert again.
    expect(alertsFor(backup.id).map((d) => d.type)).toEqual(['cron.failed', 'cron.recovered']);
  });

  test('HEAD works, and a long output is kept to its first 10,000 characters', async () => {
    const head = await ping('nightly-backup', '', ['-I']);
    expect(head.status).toBe(200);
    expect((await runsOf(backup.id))[0]!).toMatchObject({ status: 'ok', log: null });

    const long = 'x'.repeat(9_990) + '0123456789abcdef';
    expect((await ping('nightly-backup', '', ['--data-binary', long])).status).toBe(200);
    const log: string = (await runsOf(backup.id))[0]!.log;
    expect(log).toHaveLength(10_000);
    expect(log.endsWith('0123456789')).toBe(true);
  });

  test('an unknown slug is a 404, ?create=1 creates the monitor, a wrong key is a 401, a bad action a 404', async () => {
    const unknown = await ping('weekly-cleanup');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('?create=1') } });
    expect(await cronBySlug('weekly-cleanup')).toBeUndefined();

    expect((await ping('weekly-cleanup', '?create=1')).status).toBe(200);
    const created = await cronBySlug('weekly-cleanup');
    expect(created).toMatchObject({ name: 'weekly-cleanup', schedule: { type: 'interval', value: 1, unit: 'day' }, checkinMargin: 60, state: 'ok' });
    expect((await runsOf(created!.id)).map((r) => r.status)).toEqual(['ok']);

    const otherKey = key.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const wrong = await curl([`${vigil.baseUrl}/ping/${otherKey}/weekly-cleanup`]);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'invalid_key' } });
    expect((await curl([`${vigil.baseUrl}/ping/not-a-key/weekly-cleanup`])).status).toBe(401);
    expect((await ping('weekly-cleanup', '/256')).status).toBe(404);
    expect((await ping('weekly-cleanup', '/finish')).status).toBe(404);
    expect((await runsOf(created!.id)).map((r) => r.status)).toEqual(['ok']);
  });

  test("Sentry's HTTP route: a monitor_config creates the monitor; in_progress and ok pair by check_in_id", async () => {
    const base = `${vigil.baseUrl}/api/${project.id}/cron/invoice-sync/${key}/`;
    const checkInId = '2f1a3e5c-7b9d-4c1e-8f0a-6d2b4c6e8a0f';
    const config = { monitor_config: { schedule: { type: 'interval', value: 2, unit: 'hour' }, checkin_margin: 5, max_runtime: 20 } };
    const started = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(config), `${base}?status=in_progress&check_in_id=${checkInId}`]);
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ id: checkInId.replaceAll('-', '') });
    const monitor = await cronBySlug('invoice-sync');
    expect(monitor).toMatchObject({ schedule: { type: 'interval', value: 2, unit: 'hour' }, checkinMargin: 5, maxRuntime: 20, state: 'in_progress' });

    await sleep(200);
    const finished = await curl([`${base}?status=ok&check_in_id=${checkInId}`]);
    expect(finished.status).toBe(202);
    const runs = await runsOf(monitor!.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!).toMatchObject({ status: 'ok', source: 'http', runId: checkInId.replaceAll('-', '') });
    expect(runs[0]!.durationMs).toBeGreaterThanOrEqual(200);

    // A GET with only a status, and a bad status.
    expect((await curl([`${base}?status=error`])).status).toBe(202);
    expect((await runsOf(monitor!.id))[0]!).toMatchObject({ status: 'error', source: 'http' });
    expect((await curl([`${base}?status=done`])).status).toBe(400);
    expect((await curl([`${vigil.baseUrl}/api/${project.id}/cron/no-such-job/${key}/?status=ok`])).status).toBe(404);
    expect((await curl([`${vigil.baseUrl}/api/${project.id}/cron/invoice-sync/${'0'.repeat(32)}/?status=ok`])).status).toBe(401);
  });

  test("over the project's rate limit, pings get 429 with Retry-After and the monitor category", async () => {
    const other = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Batch jobs' });
    await api.expect(200, 'PATCH', `/api/v1/projects/${other.id}`, { rateLimitPerMinute: 3 });
    const otherKey = new URL(other.dsn).username;
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof curl>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await curl(['-D', '-', `${vigil.baseUrl}/ping/${otherKey}/every-minute?create=1`]);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    // Unless the minute turned over mid-loop, three went through and the rest were refused.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(limited, JSON.stringify(statuses)).toBeDefined();
    expect(limited!.raw).toMatch(/^retry-after: \d+\r?$/im);
    expect(limited!.raw).toMatch(/^x-sentry-rate-limits: \d+:monitor:project:rate_limited\r?$/im);
  });
});

describe('real alarms: a heartbeat that stops is late, then missed; a job that hangs times out', () => {
  test('late after a minute, missed after expected time + margin: one cron.missed; a ping recovers it', { timeout: 4 * MINUTE }, async () => {
    const heartbeat = waiting.heartbeat!;
    const pingedAt = waiting.heartbeatPingedAt!;
    const afterPing = await api.expect<Json>(200, 'GET', `/api/v1/crons/${heartbeat.id}`);
    const expectedAt = Date.parse(afterPing.nextExpectedAt);
    expect(expectedAt - pingedAt).toBeGreaterThanOrEqual(MINUTE - 1000);
    expect(expectedAt - pingedAt).toBeLessThanOrEqual(MINUTE + 5000);
    const deadline = expectedAt + MINUTE; // + checkinMargin

    // Between the expected time and the deadline: late (the alarm at the expected time set it).
    if (Date.now() < deadline - 15_000) {
      const late = await until('the heartbeat to be late', async () => {
        const c = await api.expect<Json>(200, 'GET', `/api/v1/crons/${heartbeat.id}`);
        return c.state === 'late' ? c : undefined;
      }, Math.max(5_000, expectedAt + 10_000 - Date.now()));
      expect(Date.parse(late.stateSince)).toBe(expectedAt);
    }

    const missed = await alertOf(heartbeat.id, 'cron.missed', Math.max(10_000, deadline + 45_000 - Date.now()));
    expect(missed.at).toBeGreaterThanOrEqual(deadline - 1000);
    expect(missed.at - deadline).toBeLessThan(30_000);
    expect(missed.body).toMatchObject({
      summary: expect.stringContaining('queue-heartbeat did not run: expected at'),
      data: { cronId: heartbeat.id, slug: 'queue-heartbeat', schedule: 'every minute', expectedAt: new Date(expectedAt).toISOString() },
    });
    const detail = await api.expect<Json>(200, 'GET', `/api/v1/crons/${heartbeat.id}`);
    expect(detail.state).toBe('missed');
    const runs = await runsOf(heartbeat.id);
    expect(runs[0]!).toMatchObject({ status: 'missed', source: 'vigil', startedAt: new Date(expectedAt).toISOString(), finishedAt: null });

    expect((await ping('queue-heartbeat')).status).toBe(200);
    await alertOf(heartbeat.id, 'cron.recovered');
    expect((await api.expect<Json>(200, 'GET', `/api/v1/crons/${heartbeat.id}`)).state).toBe('ok');
    await sleep(1000);
    expect(alertsFor(heartbeat.id).map((d) => d.type)).toEqual(['cron.missed', 'cron.recovered']);
  });

  test('a run started and never finished times out after max runtime: one cron.timeout', { timeout: 2 * MINUTE }, async () => {
    const hanging = waiting.hanging!;
    const timeoutAt = waiting.hangingStartedAt! + MINUTE;
    const alert = await alertOf(hanging.id, 'cron.timeout', Math.max(10_000, timeoutAt + 45_000 - Date.now()));
    expect(alert.at).toBeGreaterThanOrEqual(timeoutAt - 1000);
    expect(alert.body.summary).toContain('stuck-import is still running after 1 min');
    expect((await api.expect<Json>(200, 'GET', `/api/v1/crons/${hanging.id}`)).state).toBe('timeout');
    const runs = await runsOf(hanging.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!).toMatchObject({ status: 'timeout', runId: 'import-1', finishedAt: null });
    expect(alertsFor(hanging.id).map((d) => d.type)).toEqual(['cron.timeout']);
    expect(receiver.rejected).toEqual([]);
  });
});
