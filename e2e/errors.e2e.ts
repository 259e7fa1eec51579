// Error reporting, end to end: the Django example shop runs under `manage.py runserver` with the real
// sentry-sdk from PyPI pointed at a real Vigil; each failing page is requested over HTTP, and what Vigil
// stored (through /api/v1) is compared with what the SDK actually sent. A small recording proxy sits
// between the SDK and Vigil to keep those bytes: it forwards every request unchanged and returns Vigil's
// answer unchanged. The real curl binary checks the bad-input answers; headless Chromium opens the issue.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type ApiError, type Organization, type Project, type User } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { artifactsDir, djangoDir, venvPython } from './support/paths.js';
import { curl, type CurlResponse } from './support/curl.js';
import { run, runOk } from './support/run.js';
import { freePort, startVigil, type Vigil } from './support/vigil.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

interface Issue {
  id: number;
  projectId: number;
  title: string;
  culprit: string;
  type: string;
  value: string;
  level: string;
  status: string;
  substatus: string;
  count: number;
  userCount: number;
  firstRelease: string | null;
  lastRelease: string | null;
}

interface EventDetail {
  eventId: string;
  issueId: number | null;
  projectId: number;
  event: Json;
}

/** One request the SDK made, as it reached the proxy (the body decompressed, items split out). */
interface Sent {
  path: string;
  headers: Record<string, string>;
  /** The body exactly as sent (compressed). */
  raw: Buffer;
  envelope: Json;
  items: { header: Json; payload: Buffer }[];
  /** Vigil's answer to it. */
  status: number;
}

interface SentEvent {
  eventId: string;
  event: Json;
  request: Sent;
}

// ---------------------------------------------------------------------------------------------------------
// The recording proxy

function decompress(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').toLowerCase()) {
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

/** Sentry envelope framing: header line, then per item a header line and a payload (`length` bytes, or a line). */
function parseEnvelope(buf: Buffer): { envelope: Json; items: { header: Json; payload: Buffer }[] } {
  let pos = 0;
  const line = (): Buffer => {
    let end = buf.indexOf(10, pos);
    if (end < 0) end = buf.length;
    const out = buf.subarray(pos, end);
    pos = end + 1;
    return out;
  };
  const envelope = JSON.parse(line().toString('utf8')) as Json;
  const items: { header: Json; payload: Buffer }[] = [];
  while (pos < buf.length) {
    const headerLine = line();
    if (headerLine.length === 0) continue;
    const header = JSON.parse(headerLine.toString('utf8')) as Json;
    let payload: Buffer;
    if (typeof header.length === 'number') {
      payload = buf.subarray(pos, pos + header.length);
      pos += header.length;
      if (buf[pos] === 10) pos += 1;
    } else {
      payload = line();
    }
    items.push({ header, payload });
  }
  return { envelope, items };
}

interface Recorder {
  port: number;
  sent: Sent[];
  close(): Promise<void>;
}

async function startRecorder(target: string): Promise<Recorder> {
  const sent: Sent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'content-length', 'connection', 'accept-encoding'].includes(k)) headers[k] = v;
      }
      try {
        const response = await fetch(target + req.url, { method: req.method, headers, body: raw.length ? raw : undefined });
        const body = Buffer.from(await response.arrayBuffer());
        try {
          const { envelope, items } = parseEnvelope(decompress(raw, headers['content-encoding']));
          sent.push({ path: req.url ?? '', headers, raw, envelope, items, status: response.status });
        } catch {
          // not an envelope: forwarded all the same
        }
        const out: Record<string, string> = {};
        response.headers.forEach((value, key) => {
          if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(key)) out[key] = value;
        });
        res.writeHead(response.status, out).end(body);
      } catch (error) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, sent, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Every `event` item the SDK sent so far. */
function sentEvents(recorder: Recorder): SentEvent[] {
  const out: SentEvent[] = [];
  for (const request of recorder.sent) {
    for (const item of request.items) {
      if (item.header.type !== 'event') continue;
      const event = JSON.parse(item.payload.toString('utf8')) as Json;
      out.push({ eventId: String(event.event_id ?? request.envelope.event_id).replaceAll('-', ''), event, request });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Setup: Vigil, a user with a project, the proxy, the Django shop

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
let api: ApiClient;
let me: { user: User; organization: Organization; password: string };
let project: Project;
let recorder: Recorder;
let shop: ChildProcess | undefined;
let shopUrl = '';
let dir = '';
const shopExit: { code?: string } = {};

const release = `shop@e2e-${randomBytes(3).toString('hex')}`;
const environment = 'e2e-staging';
// Values the test sends in requests; none may be stored by Vigil as they were sent.
const secrets = {
  bearer: `Bearer e2e-${randomBytes(12).toString('hex')}`,
  sessionCookie: `sess${randomBytes(12).toString('hex')}`,
  partnerToken: `pt_${randomBytes(12).toString('hex')}`,
};
const customers = [
  { id: String(1000 + Math.floor(Math.random() * 9000)), email: 'ann@example.com' },
  { id: String(10_000 + Math.floor(Math.random() * 9000)), email: 'bob@example.org' },
];

function shopEnv(dsn: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SHOP_DB_PATH: path.join(dir, 'db.sqlite3'),
    VIGIL_DSN: dsn,
    VIGIL_RELEASE: release,
    VIGIL_ENVIRONMENT: environment,
    LOG_LEVEL: 'WARNING',
    PYTHONUNBUFFERED: '1',
  };
}

let proxiedDsn = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-e2e-errors-'));
  vigil = await startVigil('errors');
  const signedUp = await signUp(vigil.baseUrl, { name: 'Errors Tester' });
  api = signedUp.api;
  me = signedUp;
  project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${me.organization.slug}/projects`, { name: 'Shop' });
  recorder = await startRecorder(vigil.baseUrl);
  const dsn = new URL(project.dsn);
  dsn.host = `127.0.0.1:${recorder.port}`;
  proxiedDsn = dsn.toString();

  await runOk(venvPython, ['manage.py', 'migrate', '-v0'], { cwd: djangoDir, env: shopEnv(proxiedDsn), timeoutMs: 60_000 });
  const port = await freePort();
  shopUrl = `http://127.0.0.1:${port}`;
  const log = openSync(path.join(artifactsDir, 'errors.django.log'), 'w');
  shop = spawn(venvPython, ['manage.py', 'runserver', `127.0.0.1:${port}`, '--noreload'], {
    cwd: djangoDir,
    env: shopEnv(proxiedDsn),
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  shop.on('exit', (code, signal) => (shopExit.code = String(code ?? signal)));
  await until('the Django shop to answer /health-check/', async () => {
    if (shopExit.code !== undefined) throw new Error(`runserver exited ${shopExit.code}; see e2e/artifacts/errors.django.log`);
    const response = await fetch(`${shopUrl}/health-check/`);
    return response.status === 200 ? true : undefined;
  }, 30_000);
});

afterAll(async () => {
  if (shop && shopExit.code === undefined) {
    shop.kill('SIGTERM');
    for (let i = 0; i < 50 && shopExit.code === undefined; i++) await sleep(100);
    if (shopExit.code === undefined) shop.kill('SIGKILL');
  }
  await recorder?.close();
  await vigil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// Helpers over the shop, the SDK's traffic and Vigil's API

/** A request to the shop as a signed-in customer would make it (login-proxy headers, a session cookie, a token). */
async function visit(pathAndQuery: string, init: { customer?: { id: string; email: string }; method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.customer) {
    headers['X-Customer-Id'] = init.customer.id;
    headers['X-Customer-Email'] = init.customer.email;
  }
  return fetch(shopUrl + pathAndQuery, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
}

/** The events the SDK sent for requests to `urlPath` (by the event's request.url). */
function sentFor(urlPath: string): SentEvent[] {
  return sentEvents(recorder).filter((e) => typeof e.event.request?.url === 'string' && new URL(e.event.request.url).pathname === urlPath);
}

/** Wait until the SDK has sent `n` events matching `pick`. */
function waitSent(what: string, pick: () => SentEvent[], n = 1): Promise<SentEvent[]> {
  return until(`the SDK to send ${n} event(s) for ${what}`, async () => {
    const found = pick();
    return found.length >= n ? found : undefined;
  }, 20_000);
}

/** Vigil's stored copy of an event the SDK sent (processing is asynchronous: poll). */
function stored(eventId: string): Promise<EventDetail> {
  return until(`Vigil to store event ${eventId}`, async () => {
    const response = await api.request<EventDetail>('GET', `/api/v1/projects/${project.id}/events/${eventId}`);
    return response.status === 200 ? response.body : undefined;
  }, 30_000);
}

async function issueOf(eventId: string): Promise<Issue> {
  const detail = await stored(eventId);
  expect(detail.issueId, `event ${eventId} has an issue`).not.toBeNull();
  return api.expect<Issue>(200, 'GET', `/api/v1/issues/${detail.issueId}`);
}

const mainException = (event: Json): Json => event.exception.values.at(-1);
const frames = (exception: Json): Json[] => exception.stacktrace?.frames ?? [];

/** The same frame, as sent and as stored: every source field equal. */
function expectSameFrames(storedFrames: Json[], sentFrames: Json[]) {
  expect(storedFrames.length).toBe(sentFrames.length);
  sentFrames.forEach((sentFrame, i) => {
    const storedFrame = storedFrames[i]!;
    for (const field of ['filename', 'module', 'function', 'lineno', 'context_line', 'pre_context', 'post_context', 'in_app']) {
      expect(storedFrame[field], `frame ${i} ${field}`).toEqual(sentFrame[field]);
    }
  });
}

// What the shop's failing pages produced, filled by the first test.
const bugs: Record<string, { sent: SentEvent[]; issue?: Issue; detail?: EventDetail }> = {};

describe('the Django shop reports its errors to Vigil', () => {
  test('every failing page answers as a customer sees it, and the SDK sends one event each', async () => {
    // ZeroDivisionError, twice (two customers) — the same bug must stay one issue.
    expect((await visit('/reports/conversion/?day=2026-01-05', {
      customer: customers[0],
      headers: { Authorization: secrets.bearer, Cookie: `sessionid=${secrets.sessionCookie}`, 'X-Partner-Token': secrets.partnerToken },
    })).status).toBe(500);
    expect((await visit('/reports/conversion/?day=2026-01-06', { customer: customers[1] })).status).toBe(500);

    // KeyError at checkout: a real form post with Django's CSRF token.
    const form = await visit('/checkout/');
    expect(form.status).toBe(200);
    const html = await form.text();
    const csrfCookie = /csrftoken=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1];
    const csrfToken = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)?.[1];
    const productId = /<option value="(\d+)"/.exec(html)?.[1];
    expect(csrfCookie && csrfToken && productId).toBeTruthy();
    const checkout = await visit('/checkout/', {
      method: 'POST',
      customer: customers[0],
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `csrftoken=${csrfCookie}; sessionid=${secrets.sessionCookie}` },
      body: new URLSearchParams({ csrfmiddlewaretoken: csrfToken!, product: productId!, quantity: '1', country: 'IE', email: customers[0]!.email }).toString(),
    });
    expect(checkout.status).toBe(500);

    expect((await visit('/suppliers/feed/')).status).toBe(500); // chained
    expect((await visit('/products/coffee-4/')).status).toBe(500); // template filter, a product without reviews
    const stock = await visit('/products/coffee-3/stock/'); // handled, capture_exception
    expect(stock.status).toBe(200);
    expect(await stock.json()).toMatchObject({ stock: null });
    expect((await visit('/inventory/sync/')).status).toBe(200); // logger.error
    for (let i = 0; i < 2; i++) {
      // capture_message with ids that differ every time
      const webhook = await visit('/payments/webhook/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ order: 1000 + Math.floor(Math.random() * 90_000), status: 'declined', reference: randomBytes(4).toString('hex') }),
      });
      expect(webhook.status).toBe(200);
    }

    bugs.zeroDivision = { sent: await waitSent('/reports/conversion/', () => sentFor('/reports/conversion/'), 2) };
    bugs.keyError = { sent: await waitSent('/checkout/', () => sentFor('/checkout/')) };
    bugs.chained = { sent: await waitSent('/suppliers/feed/', () => sentFor('/suppliers/feed/')) };
    bugs.template = { sent: await waitSent('/products/coffee-4/', () => sentFor('/products/coffee-4/')) };
    bugs.handled = { sent: await waitSent('/products/coffee-3/stock/', () => sentFor('/products/coffee-3/stock/')) };
    bugs.logged = { sent: await waitSent('/inventory/sync/', () => sentFor('/inventory/sync/')) };
    bugs.message = { sent: await waitSent('/payments/webhook/', () => sentFor('/payments/webhook/'), 2) };

    // Vigil accepted every envelope the SDK sent (2xx: the SDK never retries).
    expect(recorder.sent.filter((s) => s.status >= 300).map((s) => `${s.path} ${s.status}`)).toEqual([]);
    for (const bug of Object.values(bugs)) {
      bug.detail = await stored(bug.sent[0]!.eventId);
      bug.issue = await issueOf(bug.sent[0]!.eventId);
    }
  });

  test('one issue per bug, titled with the exception the SDK sent', () => {
    const ids = Object.values(bugs).map((b) => b.issue!.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const name of ['zeroDivision', 'keyError', 'chained', 'template', 'handled']) {
      const { sent, issue } = bugs[name]!;
      const main = mainException(sent[0]!.event);
      expect(issue!.type, name).toBe(main.type);
      expect(issue!.title, name).toContain(main.type);
      expect(issue!.title, name).toContain(String(main.value).split('\n')[0]!.slice(0, 60));
      expect(issue!.level, name).toBe(sent[0]!.event.level);
      expect(issue!.projectId).toBe(project.id);
    }
    // The types this test expects the shop to raise (from examples/django).
    expect(Object.fromEntries(['zeroDivision', 'keyError', 'chained', 'template', 'handled'].map((n) => [n, bugs[n]!.issue!.type]))).toEqual({
      zeroDivision: 'ZeroDivisionError',
      keyError: 'KeyError',
      chained: 'SupplierFeedError',
      template: 'TypeError',
      handled: 'ValueError',
    });
  });

  test('the same error twice is one issue with count 2, and two users affected', async () => {
    const [first, second] = bugs.zeroDivision!.sent;
    const a = await stored(first!.eventId);
    const b = await stored(second!.eventId);
    expect(a.issueId).toBe(b.issueId);
    const issue = await until('count 2', async () => {
      const i = await api.expect<Issue>(200, 'GET', `/api/v1/issues/${a.issueId}`);
      return i.count === 2 ? i : undefined;
    }, 10_000);
    const sentUsers = new Set(bugs.zeroDivision!.sent.map((e) => e.event.user?.id));
    expect(sentUsers.size).toBe(2);
    expect(issue.userCount).toBe(sentUsers.size);
    const events = await api.expect<{ data: { eventId: string }[] }>(200, 'GET', `/api/v1/issues/${issue.id}/events`);
    expect(events.data.map((e) => e.eventId).sort()).toEqual([first!.eventId, second!.eventId].sort());
  });

  test('frames keep source context and locals; secret-looking locals are filtered by Vigil', async () => {
    const sent = bugs.zeroDivision!.sent.find((e) => e.event.user?.id === customers[0]!.id)!;
    const detail = await stored(sent.eventId);
    const sentFrames = frames(mainException(sent.event));
    const storedFrames = frames(mainException(detail!.event));
    expectSameFrames(storedFrames, sentFrames);

    const crashSent = sentFrames.at(-1)!;
    const crashStored = storedFrames.at(-1)!;
    expect(crashStored.context_line.length).toBeGreaterThan(0);
    expect(crashStored.pre_context.length).toBeGreaterThan(0);
    // The SDK sent the key as it was (it only scrubs exact names like "api_key")…
    expect(crashSent.vars.analytics_api_key).toMatch(/^'ak_/);
    // …Vigil stored "[Filtered]", and the value is nowhere in the stored event.
    expect(crashStored.vars.analytics_api_key).toBe('[Filtered]');
    const secretValue = crashSent.vars.analytics_api_key.slice(1, -1) as string;
    expect(JSON.stringify(detail!.event)).not.toContain(secretValue);
    // Ordinary locals are kept exactly as sent.
    for (const name of ['visits', 'orders', 'day']) {
      expect(crashSent.vars[name], name).toBeDefined();
      expect(crashStored.vars[name], name).toBe(crashSent.vars[name]);
    }
  });

  test('the request is kept, with cookies, Authorization and token headers scrubbed', async () => {
    const sent = bugs.zeroDivision!.sent.find((e) => e.event.user?.id === customers[0]!.id)!;
    const event = (await stored(sent.eventId)).event;
    expect(event.request.url).toBe(sent.event.request.url);
    expect(event.request.method).toBe('GET');
    expect(event.request.query_string).toBe(sent.event.request.query_string);
    const headers = Object.fromEntries(
      (Array.isArray(event.request.headers) ? event.request.headers : Object.entries(event.request.headers)).map(([k, v]: [string, string]) => [k.toLowerCase(), v]),
    );
    // The SDK passed this header through; Vigil filtered it.
    expect(sent.event.request.headers['X-Partner-Token']).toBe(secrets.partnerToken);
    expect(headers['x-partner-token']).toBe('[Filtered]');
    expect(headers['x-customer-id']).toBe(customers[0]!.id);
    for (const value of Object.values(secrets)) expect(JSON.stringify(event)).not.toContain(value.replace('Bearer ', ''));

    // The checkout post: its form body carried the CSRF token, which Vigil filters; the country is kept.
    const checkoutSent = bugs.keyError!.sent[0]!.event;
    const checkoutStored = bugs.keyError!.detail!.event;
    expect(checkoutStored.request.method).toBe('POST');
    expect(checkoutStored.request.url).toBe(checkoutSent.request.url);
    expect(checkoutSent.request.data.csrfmiddlewaretoken).toMatch(/^[A-Za-z0-9]{20,}$/);
    expect(checkoutStored.request.data.csrfmiddlewaretoken).toBe('[Filtered]');
    expect(checkoutStored.request.data.country).toBe(checkoutSent.request.data.country);
    expect(JSON.stringify(checkoutStored)).not.toContain(secrets.sessionCookie);
    const crash = frames(mainException(checkoutStored)).at(-1)!;
    expect(crash.function).toBe(frames(mainException(checkoutSent)).at(-1)!.function);
    expect(crash.vars.country).toBe(frames(mainException(checkoutSent)).at(-1)!.vars.country);
  });

  test('user, release and environment are stored as sent, and the issue list filters by them', async () => {
    for (const bug of Object.values(bugs)) {
      const sent = bug.sent.find((e) => e.eventId === bug.detail!.eventId)!;
      expect(bug.detail!.event.release).toBe(sent.event.release);
      expect(bug.detail!.event.environment).toBe(sent.event.environment);
      expect(sent.event.release).toBe(release);
      expect(sent.event.environment).toBe(environment);
      if (sent.event.user) {
        expect(bug.detail!.event.user.id).toBe(sent.event.user.id);
        expect(bug.detail!.event.user.email).toBe(sent.event.user.email);
      }
      expect(bug.issue!.lastRelease).toBe(release);
    }
    const q = new URLSearchParams({ environment, release });
    const list = await api.expect<{ data: Issue[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues?${q}`);
    expect(list.data.map((i) => i.id).sort()).toEqual(Object.values(bugs).map((b) => b.issue!.id).sort());
    const none = await api.expect<{ data: Issue[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues?environment=production`);
    expect(none.data).toEqual([]);
    const search = await api.expect<{ data: Issue[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues?query=${encodeURIComponent(`user.email:${customers[1]!.email}`)}`);
    expect(search.data.map((i) => i.id)).toEqual([bugs.zeroDivision!.issue!.id]);
  });

  test('a chained exception keeps both exceptions, cause first', () => {
    const sent = bugs.chained!.sent[0]!.event;
    const storedValues = bugs.chained!.detail!.event.exception.values as Json[];
    expect(sent.exception.values.length).toBe(2);
    expect(storedValues.map((e) => [e.type, e.value])).toEqual(sent.exception.values.map((e: Json) => [e.type, e.value]));
    storedValues.forEach((e, i) => expectSameFrames(frames(e), frames(sent.exception.values[i])));
    const crash = frames(storedValues.at(-1)!).at(-1)!;
    expect(frames(sent.exception.values.at(-1)).at(-1)!.vars.feed_token).toMatch(/^'sft_/);
    expect(crash.vars.feed_token).toBe('[Filtered]');
  });

  test('the template error, the handled exception, the logged error and the messages', async () => {
    // Template: the crash frame is the filter, called from Django's template engine.
    const templateSent = frames(mainException(bugs.template!.sent[0]!.event));
    const templateStored = frames(mainException(bugs.template!.detail!.event));
    expect(templateStored.at(-1)!.function).toBe(templateSent.at(-1)!.function);
    expect(templateStored.at(-1)!.module).toBe('store.templatetags.shop_extras');
    expect(templateStored.some((f) => String(f.module).startsWith('django.template'))).toBe(true);

    // Handled: stored with the mechanism the SDK sent.
    expect(mainException(bugs.handled!.detail!.event).mechanism).toEqual(mainException(bugs.handled!.sent[0]!.event).mechanism);
    expect(mainException(bugs.handled!.detail!.event).mechanism.handled).toBe(true);

    // logger.error: the formatted message becomes the issue title.
    const logged = bugs.logged!.sent[0]!.event;
    expect(bugs.logged!.detail!.event.message).toBe(logged.logentry.formatted);
    expect(bugs.logged!.issue!.title).toBe(logged.logentry.formatted);
    expect(bugs.logged!.issue!.level).toBe('error');

    // capture_message with varying ids: one issue, both events.
    const [m1, m2] = bugs.message!.sent;
    expect(m1!.event.message).not.toBe(m2!.event.message);
    expect((await stored(m1!.eventId)).issueId).toBe((await stored(m2!.eventId)).issueId);
    const issue = await until('the message issue to count 2', async () => {
      const i = await api.expect<Issue>(200, 'GET', `/api/v1/issues/${bugs.message!.issue!.id}`);
      return i.count === 2 ? i : undefined;
    }, 10_000);
    expect(issue.level).toBe(m1!.event.level);
    expect([m1!.event.message, m2!.event.message]).toContain(issue.title);
  });

  test('resolve, then the error happens again: the issue is regressed', async () => {
    const id = bugs.zeroDivision!.issue!.id;
    const resolved = await api.expect<Issue>(200, 'PATCH', `/api/v1/issues/${id}`, { status: 'resolved' });
    expect(resolved.status).toBe('resolved');
    const before = sentFor('/reports/conversion/').length;
    expect((await visit('/reports/conversion/?day=2026-01-07', { customer: customers[0] })).status).toBe(500);
    const again = (await waitSent('the repeat', () => sentFor('/reports/conversion/'), before + 1)).at(-1)!;
    expect((await stored(again.eventId)).issueId).toBe(id);
    const issue = await until('the issue to reopen', async () => {
      const i = await api.expect<Issue>(200, 'GET', `/api/v1/issues/${id}`);
      return i.status === 'unresolved' ? i : undefined;
    }, 15_000);
    expect(issue.substatus).toBe('regressed');
    expect(issue.count).toBe(3);
    expect(issue.userCount).toBe(2);
  });

  test('manage.py vigil_test sends a test error and a test message that Vigil stores', async () => {
    const result = await runOk(venvPython, ['manage.py', 'vigil_test'], { cwd: djangoDir, env: shopEnv(proxiedDsn), timeoutMs: 60_000 });
    const ids = [...result.stdout.matchAll(/event ([0-9a-f]{32})/g)].map((m) => m[1]!);
    expect(ids.length, result.stdout).toBe(2);
    const [errorId, messageId] = ids;
    const error = await stored(errorId!);
    const message = await stored(messageId!);
    const sentError = sentEvents(recorder).find((e) => e.eventId === errorId)!.event;
    const sentMessage = sentEvents(recorder).find((e) => e.eventId === messageId)!.event;
    expect(mainException(error.event).type).toBe(mainException(sentError).type);
    expect(message.event.message).toBe(sentMessage.message);
    expect((await api.expect<Issue>(200, 'GET', `/api/v1/issues/${error.issueId}`)).type).toBe(mainException(sentError).type);
    // Without a DSN it explains itself.
    const off = await run(venvPython, ['manage.py', 'vigil_test'], { cwd: djangoDir, env: shopEnv(''), timeoutMs: 60_000 });
    expect(off.code).not.toBe(0);
    expect(off.stderr).toContain('VIGIL_DSN');
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('bad envelopes with the real curl binary', () => {
  function expectJsonError(response: CurlResponse, status: number) {
    expect(response.status, response.raw).toBe(status);
    expect(response.contentType).toMatch(/^application\/json/);
    const body = response.body as ApiError;
    expect(typeof body.error.code).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(typeof body.requestId).toBe('string');
  }

  /** The gzip bytes the SDK really sent for an event. */
  function sdkGzipEnvelope(): Buffer {
    const request = recorder.sent.find((s) => s.items.some((i) => i.header.type === 'event') && s.headers['content-encoding'] === 'gzip');
    expect(request, 'the SDK sent a gzip envelope').toBeDefined();
    return request!.raw;
  }

  const envelopeUrl = () => `${vigil.baseUrl}/api/${project.id}/envelope/`;
  const sdkHeaders = (key: string) => [
    '-H', 'Content-Type: application/x-sentry-envelope',
    '-H', 'Content-Encoding: gzip',
    '-H', `X-Sentry-Auth: Sentry sentry_key=${key}, sentry_version=7, sentry_client=curl`,
  ];

  test('a gzip envelope with a wrong key: 401 JSON', async () => {
    const file = path.join(dir, 'event.envelope.gz');
    writeFileSync(file, sdkGzipEnvelope());
    const wrongKey = randomBytes(16).toString('hex');
    expectJsonError(await curl([...sdkHeaders(wrongKey), '--data-binary', `@${file}`, envelopeUrl()]), 401);
  });

  test('a truncated gzip body with the right key: 400 JSON', async () => {
    const bytes = sdkGzipEnvelope();
    const file = path.join(dir, 'truncated.envelope.gz');
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const key = new URL(project.dsn).username;
    expectJsonError(await curl([...sdkHeaders(key), '--data-binary', `@${file}`, envelopeUrl()]), 400);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('the issue in the dashboard', () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const consoleLines: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  });
  afterAll(async () => {
    writeFileSync(path.join(artifactsDir, 'errors.browser-console.log'), consoleLines.join('\n') + '\n');
    await browser?.close();
  });

  test('log in, open the issues list, click the ZeroDivisionError: stack trace and locals', async () => {
    const issue = bugs.zeroDivision?.issue;
    expect(issue, 'the API part ran first').toBeDefined();
    // The issue page shows the latest event: take its crash frame from the API.
    const { latestEventId } = await api.expect<{ latestEventId: string }>(200, 'GET', `/api/v1/issues/${issue!.id}`);
    const crash = frames(mainException((await stored(latestEventId)).event)).at(-1)!;

    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(me.user.email);
    await page.getByLabel('Password').fill(me.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.goto(`${vigil.baseUrl}/orgs/${me.organization.slug}/projects/${project.id}/issues`);
    await page.waitForLoadState('networkidle');
    const link = page.getByRole('link').filter({ hasText: issue!.type }).first();
    // Whatever the list shows, keep a picture of it (also when the link below never appears).
    await link.waitFor({ timeout: 10_000 }).catch(() => undefined);
    await shot(page, 'errors-01-issues-list');
    await link.waitFor({ timeout: 1_000 });
    expect(await link.textContent()).toContain(issue!.title);

    await link.click();
    await page.waitForURL(new RegExp(`/issues/${issue!.id}(/|$|\\?)`));
    await expect.poll(async () => (await page.getByRole('heading', { level: 1 }).textContent())?.trim(), { timeout: 15_000 }).toContain(issue!.title);
    // The stack trace: the crash frame's function and its source line.
    await page.getByText(crash.function, { exact: false }).first().waitFor();
    await page.getByText(crash.context_line.trim(), { exact: false }).first().waitFor();
    // The locals table: ordinary values as sent, the secret as [Filtered], marked as removed by Vigil.
    const locals = page.getByRole('table', { name: 'Local variables' }).filter({ hasText: 'analytics_api_key' }).first();
    await locals.waitFor();
    const text = (await locals.textContent()) ?? '';
    for (const name of ['visits', 'orders', 'day']) {
      expect(text).toContain(name);
      expect(text).toContain(crash.vars[name]);
    }
    const secretRow = locals.getByRole('row').filter({ hasText: 'analytics_api_key' });
    expect(await secretRow.textContent()).toContain('[Filtered]');
    expect(await secretRow.locator('mark').getAttribute('title')).toMatch(/Vigil removed/);
    expect(text).not.toContain(secrets.partnerToken);
    await shot(page, 'errors-02-issue-page');
    expect(pageErrors).toEqual([]);
  });
});
