// Logs, end to end. The Django example shop runs three times under `manage.py runserver`, each process sending
// its `logging` records to a real Vigil another way: the real sentry-sdk (`enable_logs=True`), the real
// OpenTelemetry OTLP/HTTP exporter (`VIGIL_LOGS=otlp`), and the example's standard-library handler
// (`VIGIL_LOGS=http`, gzip NDJSON). A short, bounded load goes through each; then the search API finds the lines
// by a word, `level:warn+`, `logger:`, an attribute and the trace of a failing request. curl posts NDJSON with
// gzip and a Loki push, and bad input (wrong key, truncated gzip, invalid JSON, an unknown OTLP content type) is
// refused with a readable JSON error while the good lines stay. A `logs.threshold` rule fires to a signed
// webhook on a local receiver after the cron trigger.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { curl } from './support/curl.js';
import { artifactsDir, djangoDir, venvPython } from './support/paths.js';
import { runOk } from './support/run.js';
import { freePort, startVigil, type Vigil } from './support/vigil.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

interface LogLine {
  id: string;
  timestamp: string;
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  severity: number;
  severityText: string;
  body: string;
  logger: string | null;
  service: string | null;
  host: string | null;
  source: string | null;
  traceId: string | null;
  spanId: string | null;
  attributes: Record<string, string | number | boolean | (string | number | boolean)[]>;
}

interface Search {
  from: string;
  to: string;
  data: LogLine[];
  nextCursor: string | null;
  archive: { chunksScanned: number; stoppedAt: string | null };
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

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
    await sleep(400);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** An HTTP server on a free port of 127.0.0.1 that keeps every request and answers 200. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// One shop process per way of sending. Each one's requests carry its own customer id, which the product list
// logs as the attribute `customer`, so every line can be traced back to the process that wrote it.
const SHOPS = {
  sdk: { customer: 'c-sdk-17' },
  otlp: { customer: 'c-otlp-23' },
  http: { customer: 'c-http-31' },
} as const;
type Mode = keyof typeof SHOPS;

interface Shop {
  url: string;
  process: ChildProcess;
  exit: { code?: string };
}

let vigil: Vigil;
let api: ApiClient;
let organization: Organization;
let project: Project;
let key = '';
let dir = '';
let hooks: Awaited<ReturnType<typeof startReceiver>>;
const shops: Partial<Record<Mode, Shop>> = {};
/** Load sizes, per shop. */
const PRODUCT_LISTS = 4;
const FAILING_REPORTS = 2;
const WEBHOOKS = 2;

function shopEnv(mode: Mode): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SHOP_DB_PATH: path.join(dir, 'db.sqlite3'),
    DJANGO_ALLOWED_HOSTS: '127.0.0.1',
    VIGIL_DSN: project.dsn,
    VIGIL_ENVIRONMENT: 'e2e',
    VIGIL_RELEASE: `shop@e2e-logs-${mode}`,
    VIGIL_LOGS: mode,
    LOG_LEVEL: 'INFO',
    PYTHONUNBUFFERED: '1',
  };
}

async function startShop(mode: Mode): Promise<Shop> {
  const port = await freePort();
  const log = openSync(path.join(artifactsDir, `logs.django-${mode}.log`), 'w');
  const child = spawn(venvPython, ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], { cwd: djangoDir, env: shopEnv(mode), stdio: ['ignore', log, log] });
  closeSync(log);
  const shop: Shop = { url: `http://127.0.0.1:${port}`, process: child, exit: {} };
  child.on('exit', (code, signal) => (shop.exit.code = String(code ?? signal)));
  await until(`the ${mode} shop to answer`, async () => {
    if (shop.exit.code !== undefined) throw new Error(`runserver (${mode}) exited ${shop.exit.code}; see e2e/artifacts/logs.django-${mode}.log`);
    const response = await fetch(`${shop.url}/health-check/`);
    await response.arrayBuffer();
    return response.status === 200 ? true : undefined;
  });
  return shop;
}

async function stopShop(shop: Shop | undefined): Promise<void> {
  if (!shop || shop.exit.code !== undefined) return;
  shop.process.kill('SIGTERM');
  for (let i = 0; i < 50 && shop.exit.code === undefined; i++) await sleep(100);
  if (shop.exit.code === undefined) shop.process.kill('SIGKILL');
}

/** Search the project's lines (the last hour by default). */
function search(q: string, extra: Record<string, string> = {}): Promise<Search> {
  const params = new URLSearchParams({ q, limit: '500', ...extra });
  return api.expect<Search>(200, 'GET', `/api/v1/projects/${project.id}/logs?${params}`);
}

/** Search until exactly `n` lines match (ingest is synchronous, but the SDKs send from background threads). */
function searchUntil(q: string, n: number, timeoutMs = 30_000): Promise<LogLine[]> {
  return until(`${n} lines for ${JSON.stringify(q)}`, async () => {
    const { data } = await search(q);
    if (data.length > n) throw new Error(`more than ${n} lines for ${q}: ${JSON.stringify(data.map((l) => l.body))}`);
    return data.length === n ? data : undefined;
  }, timeoutMs);
}

const customerOf = (line: LogLine) => line.attributes.customer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-e2e-logs-'));
  [vigil, hooks] = await Promise.all([startVigil('logs'), startReceiver()]);
  const signed = await signUp(vigil.baseUrl, { name: 'Logs Tester' });
  api = signed.api;
  organization = signed.organization;
  project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Shop' });
  key = new URL(project.dsn).username;
  await runOk(venvPython, ['manage.py', 'migrate', '-v0'], { cwd: djangoDir, env: { ...shopEnv('sdk'), VIGIL_DSN: '' }, timeoutMs: 60_000 });
  const started = await Promise.all((Object.keys(SHOPS) as Mode[]).map(startShop));
  (Object.keys(SHOPS) as Mode[]).forEach((mode, i) => (shops[mode] = started[i]));
}, 150_000);

afterAll(async () => {
  await Promise.all(Object.values(shops).map(stopShop));
  await hooks?.close();
  await vigil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Django shop logs to Vigil three ways', () => {
  test('a bounded load on each shop: every page answers as expected', async () => {
    const started = Date.now();
    await Promise.all(
      (Object.keys(SHOPS) as Mode[]).map(async (mode) => {
        const shop = shops[mode]!;
        const customer = { 'X-Customer-Id': SHOPS[mode].customer };
        for (let i = 0; i < PRODUCT_LISTS; i++) {
          const page = await fetch(`${shop.url}/products/`, { headers: customer, signal: AbortSignal.timeout(20_000) });
          await page.arrayBuffer();
          expect(page.status, `${mode} /products/`).toBe(200);
        }
        for (let i = 0; i < FAILING_REPORTS; i++) {
          // Logs an error in store.reports, then fails with ZeroDivisionError (a 500 the SDK reports).
          const report = await fetch(`${shop.url}/reports/conversion/?day=2026-01-05`, { headers: customer, signal: AbortSignal.timeout(20_000) });
          await report.arrayBuffer();
          expect(report.status, `${mode} /reports/conversion/`).toBe(500);
        }
        // An invalid checkout (a real form post, with Django's CSRF token) logs a warning.
        const form = await fetch(`${shop.url}/checkout/`, { headers: customer });
        const html = await form.text();
        const csrfCookie = /csrftoken=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1];
        const csrfToken = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)?.[1];
        expect(csrfCookie && csrfToken, 'the checkout form has a CSRF token').toBeTruthy();
        const checkout = await fetch(`${shop.url}/checkout/`, {
          method: 'POST',
          headers: { ...customer, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `csrftoken=${csrfCookie}` },
          body: new URLSearchParams({ csrfmiddlewaretoken: csrfToken!, quantity: '1', country: 'US', email: 'not-an-email' }).toString(),
        });
        await checkout.arrayBuffer();
        expect(checkout.status, `${mode} invalid checkout`).toBe(200);
        if (mode === 'sdk') {
          for (let i = 0; i < WEBHOOKS; i++) {
            const webhook = await fetch(`${shop.url}/payments/webhook/`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ order: 5000 + i, status: 'paid', reference: `ref${i}e2e` }),
            });
            await webhook.arrayBuffer();
            expect(webhook.status).toBe(200);
          }
        }
      }),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('sentry-sdk: the product list lines are found by a word, with their fields, extra= attributes and trace', async () => {
    const lines = (await searchUntil(`Rendered attr.customer:${SHOPS.sdk.customer}`, PRODUCT_LISTS)).reverse();
    for (const line of lines) {
      expect(line.body).toMatch(/^Rendered product list with \d+ products$/);
      expect(line).toMatchObject({ level: 'info', severity: 9, logger: 'store.views', service: null });
      expect(line.host).toBeTruthy(); // the SDK's server_name: this machine
      expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(Math.abs(Date.parse(line.timestamp) - Date.now())).toBeLessThan(120_000);
      expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(line.spanId).toMatch(/^[0-9a-f]{16}$/);
      // extra= fields keep their type; the SDK adds where, which release and which template.
      expect(line.attributes).toMatchObject({
        customer: SHOPS.sdk.customer,
        'sentry.environment': 'e2e',
        'sentry.release': 'shop@e2e-logs-sdk',
        'sentry.message.template': 'Rendered product list with %d products',
        'code.function.name': 'product_list',
      });
      expect(typeof line.attributes.products).toBe('number');
      expect(line.attributes.products).toBe(Number(/(\d+) products/.exec(line.body)![1]));
    }
    // One request, one trace: four page views are four traces.
    expect(new Set(lines.map((l) => l.traceId)).size).toBe(PRODUCT_LISTS);
    // Newest first, in time order.
    const times = lines.map((l) => l.timestamp);
    expect([...times].sort()).toEqual(times);

    // A line by its id, as the list gave it.
    const one = await api.expect<LogLine>(200, 'GET', `/api/v1/projects/${project.id}/logs/${lines[0]!.id}`);
    expect(one).toEqual(lines[0]);
  });

  test('level:warn+ finds the warnings and errors and nothing below them', async () => {
    const lines = await until('the warnings and errors of the sdk shop', async () => {
      const { data } = await search('level:warn+ attr.sentry.release:shop@e2e-logs-sdk');
      const reports = data.filter((l) => l.logger === 'store.reports');
      const checkout = data.filter((l) => l.body.startsWith('Checkout form invalid'));
      return reports.length === FAILING_REPORTS && checkout.length === 1 ? data : undefined;
    });
    expect(lines.every((l) => ['warn', 'error', 'fatal'].includes(l.level))).toBe(true);
    const warning = lines.find((l) => l.body.startsWith('Checkout form invalid'))!;
    expect(warning).toMatchObject({ level: 'warn', logger: 'store.views', body: 'Checkout form invalid: product, email' });
    // A list given with extra= stays a list.
    expect(warning.attributes.invalid_fields).toEqual(['email', 'product']);
    // Django's own error line for each 500, from django.request.
    expect(lines.filter((l) => l.logger === 'django.request' && l.body === 'Internal Server Error: /reports/conversion/')).toHaveLength(FAILING_REPORTS);
    // And none of the info lines.
    const infos = await search('level:info attr.sentry.release:shop@e2e-logs-sdk');
    expect(infos.data.length).toBeGreaterThanOrEqual(PRODUCT_LISTS);
    expect(lines.some((l) => infos.data.some((i) => i.id === l.id))).toBe(false);
  });

  test('logger: and the trace of a failing request: its log lines share the trace of its error and transaction', async () => {
    const reports = await searchUntil('logger:store.reports attr.sentry.release:shop@e2e-logs-sdk', FAILING_REPORTS);
    for (const line of reports) {
      expect(line).toMatchObject({ level: 'error', body: 'No visits recorded on 2026-01-05; 0 orders cannot be turned into a conversion rate' });
      expect(line.attributes.report_day).toBe('2026-01-05');
    }
    const traceId = reports[0]!.traceId!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    // trace:<id> finds that request's lines, and only them: the report's error and Django's "Internal Server Error".
    const ofTrace = await searchUntil(`trace:${traceId}`, 2);
    expect(ofTrace.map((l) => l.logger).sort()).toEqual(['django.request', 'store.reports']);
    expect(ofTrace.every((l) => l.traceId === traceId)).toBe(true);
    // The same trace in Vigil's performance data: the transaction of that request.
    const trace = await until('the trace of the failing request', async () => {
      const response = await api.request<Json>('GET', `/api/v1/projects/${project.id}/traces/${traceId}`);
      return response.status === 200 ? response.body : undefined;
    });
    expect(trace.transactions.map((t: Json) => t.transaction)).toEqual(['/reports/conversion/']);

    // The lines around one, from the same stream.
    const context = await api.expect<Json>(200, 'GET', `/api/v1/projects/${project.id}/logs/${reports[0]!.id}/context?before=5&after=5`);
    expect(context.line.id).toBe(reports[0]!.id);
    expect([...context.before, ...context.after].every((l: LogLine) => l.host === reports[0]!.host && l.service === null)).toBe(true);
  });

  test('sentry_sdk.logger: placeholders and attributes= are searchable attributes', async () => {
    const lines = await searchUntil('"Payment webhook"', WEBHOOKS);
    expect(lines.map((l) => l.body).sort()).toEqual(['Payment webhook: order 5000 paid', 'Payment webhook: order 5001 paid']);
    for (const line of lines) {
      expect(line.level).toBe('info');
      expect(line.logger).toBeNull(); // not a stdlib logger
      expect(line.attributes['sentry.message.template']).toBe('Payment webhook: order {order_id} {status}');
      expect(typeof line.attributes['sentry.message.parameter.order_id']).toBe('number');
    }
    const one = await searchUntil('attr.payment.reference:ref1e2e', 1);
    expect(one[0]!.body).toBe('Payment webhook: order 5001 paid');
    expect((await searchUntil('attr.sentry.message.parameter.order_id:5000', 1))[0]!.body).toBe('Payment webhook: order 5000 paid');
  });

  test('OpenTelemetry: the real OTLP/HTTP exporter, with service.name, the scope as logger and extra= attributes', async () => {
    const lines = await searchUntil(`service:shop logger:store.views attr.customer:${SHOPS.otlp.customer} Rendered`, PRODUCT_LISTS);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 'info', severity: 9, severityText: 'INFO', service: 'shop', logger: 'store.views' });
      expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(typeof line.attributes.products).toBe('number');
      // Resource attributes ride along; the SDK's own ones are not there.
      expect(line.attributes['telemetry.sdk.language']).toBe('python');
      expect(line.attributes['sentry.release']).toBeUndefined();
    }
    const errors = await searchUntil('service:shop level:error logger:django.request "Internal Server Error"', FAILING_REPORTS * 2);
    // Both the OTLP and the stdlib-handler process set service "shop"; the OTLP lines carry exception.* attributes.
    const otlpErrors = errors.filter((l) => l.attributes['telemetry.sdk.language'] === 'python');
    expect(otlpErrors).toHaveLength(FAILING_REPORTS);
    for (const line of otlpErrors) {
      expect(line.attributes).toMatchObject({ 'exception.type': 'ZeroDivisionError', 'exception.message': 'division by zero', status_code: 500 });
      expect(String(line.attributes['exception.stacktrace'])).toContain('store/reports.py');
    }
    const warn = await searchUntil('service:shop level:warn "Checkout form invalid" attr.telemetry.sdk.language:python', 1);
    expect(warn[0]!.attributes.invalid_fields).toEqual(['email', 'product']);
  });

  test('the standard-library handler: gzip NDJSON with trace ids from the SDK and the traceback in the message', async () => {
    const lines = await searchUntil(`service:shop Rendered attr.customer:${SHOPS.http.customer}`, PRODUCT_LISTS);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 'info', severityText: 'INFO', logger: 'store.views', service: 'shop' });
      expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(line.attributes['code.function.name']).toBe('product_list');
      // Microseconds, as datetime.isoformat() writes them.
      expect(line.timestamp).toMatch(/\.\d{6}000Z$/);
    }
    const errors = await searchUntil('service:shop level:error logger:django.request -attr.telemetry.sdk.language:python', FAILING_REPORTS);
    for (const line of errors) {
      expect(line.body).toContain('Internal Server Error: /reports/conversion/\nTraceback (most recent call last):');
      expect(line.body).toContain('ZeroDivisionError: division by zero');
      // The error line is in the trace of its request, with the report's own error.
      const ofTrace = await searchUntil(`trace:${line.traceId}`, 2);
      expect(ofTrace.map((l) => l.logger).sort()).toEqual(['django.request', 'store.reports']);
    }
  });
});

describe('curl: NDJSON with gzip and a Loki push', () => {
  const NOW_NS = BigInt(Date.now() - 60_000) * 1_000_000n + 123_456n;
  /** A minute ago, with nanoseconds: exact as text. */
  const iso = `${new Date(Number(NOW_NS / 1_000_000n)).toISOString().slice(0, 19)}.${String(NOW_NS % 1_000_000_000n).padStart(9, '0')}Z`;
  const trace = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

  test('NDJSON, gzip, Bearer key: 200 {accepted, rejected, errors}; a bad line is rejected, the others kept', async () => {
    const lines = [
      { timestamp: iso, level: 'warning', message: 'Payment provider slow', logger: 'billing.gateway', service: 'billing', latency_ms: 2300, trace_id: trace },
      { time: Number(NOW_NS / 1_000_000n) / 1000, levelno: 40, msg: 'Card declined for order 77', service: 'billing', order: { id: 77, total: 12.5 } },
      { ts: String(NOW_NS), severity: 'E', log: 'Refund failed: upstream 502', app: 'billing', host: 'billing-1' },
      { '@timestamp': '1970-01-02T00:00:00Z', level: 'info', message: 'clock of a machine that booted in 1970', service: 'billing' },
    ];
    const body = [...lines.map((l) => JSON.stringify(l)), '{"message": "cut off', ''].join('\n');
    const file = path.join(dir, 'lines.ndjson.gz');
    writeFileSync(file, gzipSync(body));
    const res = await curl([
      '-X', 'POST', `${vigil.baseUrl}/api/${project.id}/logs/`,
      '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/x-ndjson', '-H', 'Content-Encoding: gzip',
      '--data-binary', `@${file}`,
    ]);
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toEqual({ accepted: 4, rejected: 1, errors: ['Line 5 is not valid JSON.'] });

    const stored = (await searchUntil('service:billing', 4)).reverse();
    const byBody = Object.fromEntries(stored.map((l) => [l.body, l]));
    expect(byBody['Payment provider slow']).toMatchObject({ level: 'warn', severityText: 'warning', logger: 'billing.gateway', traceId: trace, timestamp: iso });
    expect(byBody['Payment provider slow']!.attributes).toEqual({ latency_ms: 2300 });
    expect(byBody['Card declined for order 77']).toMatchObject({ level: 'error' });
    expect(byBody['Card declined for order 77']!.attributes).toMatchObject({ 'order.id': 77, 'order.total': 12.5 });
    expect(byBody['Card declined for order 77']!.timestamp.slice(0, 23)).toBe(iso.slice(0, 23));
    // Nanoseconds since the epoch, as a string: exact.
    expect(byBody['Refund failed: upstream 502']).toMatchObject({ level: 'error', severityText: 'E', host: 'billing-1', timestamp: iso });
    // An absurd clock: placed when it arrived, what it said kept.
    const old = byBody['clock of a machine that booted in 1970']!;
    expect(Math.abs(Date.parse(old.timestamp) - Date.now())).toBeLessThan(120_000);
    expect(old.attributes['vigil.original_timestamp']).toBe('1970-01-02T00:00:00.000000000Z');

    expect((await searchUntil(`trace:${trace}`, 1))[0]!.body).toBe('Payment provider slow');
    expect((await searchUntil('service:billing "upstream 502"', 1))[0]!.host).toBe('billing-1');
  });

  test('a burst of 3,000 lines with one timestamp in one request: every line kept, each found by its own words', async () => {
    // Second-resolution formats (NGINX, Gunicorn, syslog) give every line of a busy second the same timestamp.
    const second = new Date(Date.now() - 90_000);
    second.setUTCMilliseconds(0);
    const body = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ timestamp: second.toISOString(), message: `burst line ${i}`, service: 'burst' })).join('\n');
    const file = path.join(dir, 'burst.ndjson.gz');
    writeFileSync(file, gzipSync(body));
    const res = await curl(['-X', 'POST', `${vigil.baseUrl}/api/${project.id}/logs/`, '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/x-ndjson', '-H', 'Content-Encoding: gzip', '--data-binary', `@${file}`]);
    expect(res.body).toEqual({ accepted: 3000, rejected: 0, errors: [] });
    const bodies = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r: Search = await search('service:burst', cursor ? { cursor } : {});
      for (const line of r.data) {
        bodies.add(line.body);
        expect(line.timestamp).toBe(second.toISOString().replace('Z', '000000Z'));
      }
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    expect(bodies.size).toBe(3000);
    for (const i of [0, 2047, 2048, 2999]) expect((await searchUntil(`service:burst "burst line ${i}"`, 1))[0]!.body).toBe(`burst line ${i}`);
  });

  test('docs/vector.toml is valid TOML, and lines shaped as its http sink sends them are found as docs/django.md says', async () => {
    const check = await runOk(venvPython, ['-c', [
      'import json, sys, tomllib',
      'config = tomllib.load(open(sys.argv[1], "rb"))',
      'print(json.dumps({"sinks": config["sinks"], "transforms": sorted(config["transforms"])}))',
    ].join('\n'), path.join(djangoDir, '..', '..', 'docs', 'vector.toml')], { timeoutMs: 30_000 });
    const config = JSON.parse(check.stdout) as Json;
    expect(config.transforms).toEqual(['gunicorn_access_parsed', 'gunicorn_error_parsed', 'nginx_access_parsed', 'nginx_error_parsed']);
    expect(config.sinks.vigil).toMatchObject({
      type: 'http',
      uri: '${VIGIL_URL}/api/${VIGIL_PROJECT_ID}/logs/',
      compression: 'gzip',
      encoding: { codec: 'json' },
      framing: { method: 'newline_delimited' },
      auth: { strategy: 'bearer', token: '${VIGIL_KEY}' },
    });

    // What the http sink posts for an NGINX access line after the remap: the event the config's VRL produces (checked
    // with the `vrl` CLI of the vrl crate 0.38 when the file was written). Vector's file source adds file, host and
    // source_type; the timestamp is the request's, parsed from the line.
    const at = new Date(Date.now() - 30_000);
    at.setUTCMilliseconds(0);
    const [weekday, day, month, year, time] = at.toUTCString().split(/,? /); // "Mon, 24 Nov 2026 02:10:00 GMT"
    const nginxTime = `${day}/${month}/${year}:${time} +0000`;
    expect(weekday).toBeTruthy();
    const events = [
      { status: 502, level: 'error', request: 'GET /products/ HTTP/1.1' },
      { status: 404, level: 'warn', request: 'GET /favicon.ico HTTP/1.1' },
    ].map((e) => ({
      message: `203.0.113.7 - - [${nginxTime}] "${e.request}" ${e.status} 157 "-" "curl/8.5.0"`,
      timestamp: at.toISOString(),
      file: '/var/log/nginx/access.log',
      host: 'web-1',
      source_type: 'file',
      service: 'nginx',
      source: 'nginx.access',
      level: e.level,
      client: '203.0.113.7',
      user: null,
      request: e.request,
      status: e.status,
      bytes: 157,
      referer: '-',
      user_agent: 'curl/8.5.0',
    }));
    const file = path.join(dir, 'vector.ndjson.gz');
    writeFileSync(file, gzipSync(events.map((e) => JSON.stringify(e)).join('\n') + '\n'));
    const res = await curl([
      '-X', 'POST', `${vigil.baseUrl}/api/${project.id}/logs/`,
      '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/x-ndjson', '-H', 'Content-Encoding: gzip',
      '--data-binary', `@${file}`,
    ]);
    expect(res.body).toEqual({ accepted: 2, rejected: 0, errors: [] });
    const [badGateway] = await searchUntil('service:nginx attr.status:502', 1);
    expect(badGateway).toMatchObject({ level: 'error', host: 'web-1', source: 'nginx.access', timestamp: at.toISOString().replace('Z', '000000Z') });
    expect(badGateway!.attributes).toMatchObject({ file: '/var/log/nginx/access.log', source_type: 'file', request: 'GET /products/ HTTP/1.1', bytes: 157 });
    expect((await searchUntil('source:nginx.access level:warn', 1))[0]!.attributes.status).toBe(404);
  });

  test('a Loki JSON push: 204, labels as fields, the nanosecond string exact', async () => {
    const push = {
      streams: [
        {
          stream: { service_name: 'mailer', host: 'worker-3', level: 'error', region: 'eu' },
          values: [[String(NOW_NS), 'SMTP connection refused by mx.example.com', { trace_id: trace }]],
        },
      ],
    };
    const res = await curl([
      '-X', 'POST', `${vigil.baseUrl}/api/${project.id}/loki/api/v1/push`,
      '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/json',
      '--data-binary', JSON.stringify(push),
    ]);
    expect(res.status, res.raw).toBe(204);
    expect(res.raw).toBe('');
    const [line] = await searchUntil('service:mailer', 1);
    expect(line).toMatchObject({ body: 'SMTP connection refused by mx.example.com', level: 'error', host: 'worker-3', traceId: trace, timestamp: iso });
    expect(line!.attributes).toEqual({ region: 'eu' });
    expect((await searchUntil(`trace:${trace}`, 2)).map((l) => l.service).sort()).toEqual(['billing', 'mailer']);
  });

  test('bad input is refused with a JSON message that says why, and the good lines stay', async () => {
    const good = (await search('service:billing')).data.length + (await search('service:mailer')).data.length;
    const before = (await search('-service:burst')).data.length; // under a page, so every line is counted
    const logs = `${vigil.baseUrl}/api/${project.id}/logs/`;
    const expectError = (res: Awaited<ReturnType<typeof curl>>, status: number, code: string, pattern: RegExp) => {
      expect(res.status, res.raw).toBe(status);
      expect(res.contentType).toMatch(/^application\/json/);
      const body = res.body as Json;
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(pattern);
    };

    const wrongKey = await curl(['-X', 'POST', logs, '-H', `Authorization: Bearer ${'0'.repeat(32)}`, '-H', 'Content-Type: application/json', '--data-binary', '{"message": "x"}']);
    expectError(wrongKey, 401, 'invalid_key', /DSN key is not valid/);
    const noKey = await curl(['-X', 'POST', logs, '-H', 'Content-Type: application/json', '--data-binary', '{"message": "x"}']);
    expectError(noKey, 401, 'invalid_key', /No DSN key/);

    const gz = gzipSync('{"message": "this line never arrives"}\n'.repeat(50));
    const truncated = path.join(dir, 'truncated.gz');
    writeFileSync(truncated, gz.subarray(0, Math.floor(gz.length / 2)));
    const cut = await curl(['-X', 'POST', logs, '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/x-ndjson', '-H', 'Content-Encoding: gzip', '--data-binary', `@${truncated}`]);
    expectError(cut, 400, 'malformed_body', /not valid gzip/);

    const invalid = await curl(['-X', 'POST', logs, '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/json', '--data-binary', '{"message": "no closing brace"']);
    expectError(invalid, 400, 'malformed_body', /not valid JSON/);

    const otlp = await curl([
      '-X', 'POST', `${vigil.baseUrl}/api/${project.id}/integration/otlp/v1/logs`,
      '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: text/plain', '--data-binary', 'hello',
    ]);
    expectError(otlp, 415, 'unsupported_media_type', /application\/x-protobuf or application\/json/);

    const loki = await curl([
      '-X', 'POST', `${vigil.baseUrl}/api/${project.id}/loki/api/v1/push`,
      '-H', `Authorization: Bearer ${key}`, '-H', 'Content-Type: application/json', '--data-binary', '{"streams": [{"stream": {}, "values": [["soon", "x"]]}]}',
    ]);
    expectError(loki, 400, 'malformed_body', /not a timestamp/);

    // Nothing of the refused requests was stored, and nothing stored before went away.
    expect((await search('"this line never arrives"')).data).toHaveLength(0);
    expect((await search('"no closing brace"')).data).toHaveLength(0);
    expect((await search('service:billing')).data.length + (await search('service:mailer')).data.length).toBe(good);
    expect((await search('-service:burst')).data.length).toBe(before);
    // A search that cannot be read is a 400 too, not an empty answer.
    const bad = await api.request<Json>('GET', `/api/v1/projects/${project.id}/logs?q=${encodeURIComponent('level:loud')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('Unknown level "loud"');
  });
});

describe('histogram and saved searches', () => {
  test('the histogram counts what the search finds, per level; a saved search keeps its query', async () => {
    const from = new Date(Date.now() - 30 * 60_000).toISOString();
    const histogram = await api.expect<Json>(200, 'GET', `/api/v1/projects/${project.id}/logs/histogram?${new URLSearchParams({ q: 'logger:store.reports', from })}`);
    expect(histogram.bucketSeconds).toBe(60);
    const sum = (level: string) => histogram.buckets.reduce((n: number, b: Json) => n + (b.counts[level] ?? 0), 0);
    expect(sum('error')).toBe(3 * FAILING_REPORTS);
    expect(sum('info')).toBe(0);
    // Without a search: from the per-minute counts, every line of the range.
    const all = await api.expect<Json>(200, 'GET', `/api/v1/projects/${project.id}/logs/histogram?${new URLSearchParams({ from })}`);
    const total = all.buckets.reduce((n: number, b: Json) => n + Object.values(b.counts as Record<string, number>).reduce((a, c) => a + c, 0), 0);
    expect(total).toBe((await search('-service:burst', { from })).data.length + 3000);

    const saved = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/saved-searches`, { name: 'Report errors', query: 'logger:store.reports level:error' });
    const bad = await api.request<Json>('POST', `/api/v1/projects/${project.id}/saved-searches`, { name: 'Broken', query: 'trace:nothex' });
    expect(bad.status).toBe(400);
    const listed = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${project.id}/saved-searches`);
    expect(listed.data.map((s) => [s.name, s.query])).toEqual([['Report errors', 'logger:store.reports level:error']]);
    await api.expect(204, 'DELETE', `/api/v1/projects/${project.id}/saved-searches/${saved.id}`);
    expect((await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${project.id}/saved-searches`)).data).toEqual([]);
  });
});

describe('log alerts', () => {
  test('a logs.threshold rule fires to a signed webhook after the cron trigger; one above the count does not', async () => {
    const channel = await api.expect<Json>(201, 'POST', `/api/v1/orgs/${organization.slug}/channels`, { type: 'webhook', name: 'Log alerts', url: `${hooks.url}/logs-hook` });
    const query = 'logger:store.reports level:error';
    const fires = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/alert-rules`, {
      name: 'Report errors',
      events: ['logs.threshold'],
      channelIds: [channel.id],
      logQuery: query,
      frequencyCount: 2,
      frequencyMinutes: 10,
    });
    expect(fires.logQuery).toBe(query);
    await api.expect(201, 'POST', `/api/v1/projects/${project.id}/alert-rules`, {
      name: 'Too many report errors',
      events: ['logs.threshold'],
      channelIds: [channel.id],
      logQuery: query,
      frequencyCount: 1000,
      frequencyMinutes: 10,
    });
    // A rule without its search is refused.
    const incomplete = await api.request<Json>('POST', `/api/v1/projects/${project.id}/alert-rules`, { name: 'x', events: ['logs.threshold'], channelIds: [channel.id] });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.message).toContain('logQuery');

    // Two report errors from each shop: six in the window, more than two.
    const matching = (await search(query, { from: new Date(Date.now() - 10 * 60_000).toISOString() })).data.length;
    expect(matching).toBe(3 * FAILING_REPORTS);
    const cron = await curl([`${vigil.baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`]);
    expect(cron.status).toBe(200);

    // Only this rule's alerts: the channel may also be given the project's default issue rule.
    const deliveries = () => hooks.received.filter((r) => r.path === '/logs-hook' && JSON.parse(r.body).type === 'logs.threshold');
    await until('the logs.threshold webhook', async () => (deliveries().length >= 1 ? true : undefined), 20_000);
    await sleep(1_500); // a second one would have arrived by now
    expect(deliveries()).toHaveLength(1);
    const delivery = deliveries()[0]!;
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(delivery.headers[h])]));
    const alert = new Webhook(channel.secret).verify(delivery.body, headers) as Json;
    expect(alert.type).toBe('logs.threshold');
    expect(alert.project).toMatchObject({ id: project.id });
    expect(alert.summary).toContain(`${matching} log lines matched`);
    expect(alert.summary).toContain(query);
    expect(alert.data).toMatchObject({ rule: 'Report errors', query, count: matching, threshold: 2, minutes: 10 });
    const url = new URL(alert.url);
    expect(url.pathname).toBe(`/orgs/${organization.slug}/projects/${project.id}/logs`);
    expect(url.searchParams.get('q')).toBe(query);

    // The same burst at the next minute: held back for the rule's window.
    const again = await curl([`${vigil.baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`]);
    expect(again.status).toBe(200);
    await sleep(1_500);
    expect(deliveries()).toHaveLength(1);
  });
});
