// Performance, end to end: the Django example shop runs under `manage.py runserver` with the real sentry-sdk
// (traces_sample_rate=1.0) pointed at a real Vigil, its queries slowed by SHOP_DB_LATENCY_MS=3 as a database
// across the network would be. A short, bounded load from Node requests each page a known number of times;
// then the routes table, the performance issues, a route's queries and a trace are read back through /api/v1
// and compared with what was sent. A small Python script sends spans with OpenTelemetry's own OTLP/HTTP
// exporter (protobuf), as an app instrumented with OpenTelemetry instead of the SDK would.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Project } from './support/api.js';
import { artifactsDir, djangoDir, venvPython } from './support/paths.js';
import { run, runOk } from './support/run.js';
import { freePort, startVigil, type Vigil } from './support/vigil.js';

interface Parts {
  db: number;
  cache: number;
  template: number;
  http: number;
  other: number;
}

interface RouteRow {
  transaction: string;
  count: number;
  p50: number | null;
  p95: number | null;
  failureRate: number;
  apdex: number | null;
  breakdown: Parts;
}

interface RouteDetail {
  summary: RouteRow;
  queries: { hash: string; sql: string; count: number; perRequest: number; totalMs: number }[];
  slowest: { eventId: string; traceId: string; durationMs: number; spanCount: number }[];
}

interface Trace {
  traceId: string;
  transactions: { transaction: string; spans: { op: string; description: string | null; durationMs: number; offsetMs: number }[] }[];
}

interface Issue {
  id: number;
  kind: 'error' | 'performance';
  title: string;
  culprit: string;
  level: string;
  count: number;
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
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

// The load: each page, how often, and the status the shop answers. Route names are the SDK's (Django's URL
// patterns with `transaction_style="url"`). coffee-1 is a product with a review (coffee-4 has none and fails).
const LOAD = [
  { path: '/', route: '/', times: 8, status: 200 },
  { path: '/products/', route: '/products/', times: 8, status: 200 },
  { path: '/products/coffee-1/', route: '/products/{slug}/', times: 6, status: 200 },
  { path: '/reports/sales/', route: '/reports/sales/', times: 4, status: 200 },
  { path: '/reports/conversion/?day=2026-01-05', route: '/reports/conversion/', times: 4, status: 500 },
] as const;
const CONCURRENCY = 4;

let vigil: Vigil;
let api: ApiClient;
let project: Project;
let shop: ChildProcess | undefined;
let shopUrl = '';
let dir = '';
let products = 0;
const shopExit: { code?: string } = {};
/** What each request answered, per route. */
const answered = new Map<string, number[]>();

function shopEnv(dsn: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SHOP_DB_PATH: path.join(dir, 'db.sqlite3'),
    SHOP_DB_LATENCY_MS: '3',
    DJANGO_ALLOWED_HOSTS: '127.0.0.1',
    VIGIL_DSN: dsn,
    VIGIL_ENVIRONMENT: 'e2e',
    VIGIL_RELEASE: 'shop@e2e-perf',
    LOG_LEVEL: 'WARNING',
    PYTHONUNBUFFERED: '1',
  };
}

const performance = (query = '') => api.expect<{ data: RouteRow[] }>(200, 'GET', `/api/v1/projects/${project.id}/performance${query}`);
const routeDetail = (route: string) =>
  api.expect<RouteDetail>(200, 'GET', `/api/v1/projects/${project.id}/performance/route?transaction=${encodeURIComponent(route)}`);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-e2e-performance-'));
  vigil = await startVigil('performance');
  const signedUp = await signUp(vigil.baseUrl, { name: 'Performance Tester' });
  api = signedUp.api;
  project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${signedUp.organization.slug}/projects`, { name: 'Shop' });

  const env = shopEnv(project.dsn);
  await runOk(venvPython, ['manage.py', 'migrate', '-v0'], { cwd: djangoDir, env, timeoutMs: 60_000 });
  const count = await runOk(venvPython, ['manage.py', 'shell', '-c', 'from store.models import Product; print(Product.objects.count())'], {
    cwd: djangoDir,
    env: { ...env, VIGIL_DSN: '' },
    timeoutMs: 60_000,
  });
  // The last line: the shell prints what it imported before it.
  products = Number(count.stdout.trim().split('\n').at(-1));
  const port = await freePort();
  shopUrl = `http://127.0.0.1:${port}`;
  const log = openSync(path.join(artifactsDir, 'performance.django.log'), 'w');
  shop = spawn(venvPython, ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], { cwd: djangoDir, env, stdio: ['ignore', log, log] });
  closeSync(log);
  shop.on('exit', (code, signal) => (shopExit.code = String(code ?? signal)));
  // Readiness on a path outside the load, so the load's counts are exactly what it sends.
  await until('the Django shop to answer', async () => {
    if (shopExit.code !== undefined) throw new Error(`runserver exited ${shopExit.code}; see e2e/artifacts/performance.django.log`);
    const response = await fetch(`${shopUrl}/health-check/`);
    await response.arrayBuffer();
    return response.status === 200 ? true : undefined;
  });
}, 150_000);

afterAll(async () => {
  if (shop && shopExit.code === undefined) {
    shop.kill('SIGTERM');
    for (let i = 0; i < 50 && shopExit.code === undefined; i++) await sleep(100);
    if (shopExit.code === undefined) shop.kill('SIGKILL');
  }
  await vigil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Django shop under load, measured through the real sentry-sdk', () => {
  test('a bounded load: every page answers as expected', async () => {
    expect(products).toBeGreaterThanOrEqual(10);
    // Interleaved, so the slow pages overlap with the fast ones as in real traffic.
    const queue = LOAD.flatMap((page) => Array.from({ length: page.times }, (_, i) => ({ page, i }))).sort((a, b) => a.i - b.i);
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < queue.length) {
          const { page } = queue[next++]!;
          const response = await fetch(shopUrl + page.path, { signal: AbortSignal.timeout(20_000) });
          await response.arrayBuffer();
          answered.set(page.route, [...(answered.get(page.route) ?? []), response.status]);
        }
      }),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    for (const page of LOAD) expect(answered.get(page.route), page.path).toEqual(Array(page.times).fill(page.status));
  });

  test('the routes table counts every request, with plausible latency, failures and breakdown', async () => {
    const rows = await until(
      'every route to be counted',
      async () => {
        const { data } = await performance();
        const counted = Object.fromEntries(data.map((r) => [r.transaction, r.count]));
        return LOAD.every((p) => counted[p.route] === p.times) ? data : undefined;
      },
      45_000,
    );
    const byRoute = Object.fromEntries(rows.map((r) => [r.transaction, r]));
    // Counts match what was sent (the readiness probe's /health-check/ is its own route, not asserted).
    for (const page of LOAD) expect(byRoute[page.route]!.count, page.route).toBe(page.times);

    // /reports/sales/: one SELECT of 0.6 s after another query, each with 3 ms of latency: at least 606 ms,
    // which the histogram reads back within 1% — so at least 600.
    const sales = byRoute['/reports/sales/']!;
    expect(sales.p50).toBeGreaterThanOrEqual(600);
    expect(sales.breakdown.db).toBeGreaterThan(590);
    expect(sales.breakdown.db).toBeGreaterThan(0.9 * sales.p50!);
    expect(sales.breakdown.db).toBeGreaterThan(sales.breakdown.other + sales.breakdown.template);
    expect(sales.apdex).toBe(0.5); // every request 0.6 s: tolerated with T = 300 ms
    expect(sales.failureRate).toBe(0);

    // /products/: one query per product, each with 3 ms of "network".
    const list = byRoute['/products/']!;
    expect(list.breakdown.db).toBeGreaterThan(50);
    expect(list.breakdown.db).toBeGreaterThan(products * 3);
    expect(list.breakdown.template).toBeGreaterThan(0);
    expect(list.failureRate).toBe(0);
    // The parts add up to the request (averages, rounded to 0.1 ms each).
    const sum = Object.values(list.breakdown).reduce((a, b) => a + b, 0);
    expect(list.p50).toBeGreaterThan(list.breakdown.db);
    expect(sum).toBeGreaterThan(list.breakdown.db);

    expect(byRoute['/reports/conversion/']!.failureRate).toBe(1);
    expect(byRoute['/']!.failureRate).toBe(0);
    expect(byRoute['/products/{slug}/']!.failureRate).toBe(0);
    for (const page of LOAD) {
      const r = byRoute[page.route]!;
      expect(r.p50, page.route).toBeGreaterThan(0);
      expect(r.p95!, page.route).toBeGreaterThanOrEqual(r.p50!);
    }
  });

  test('the N+1 on /products/ and the slow query on /reports/sales/ are performance issues', async () => {
    const issues = await until(
      'the performance issues',
      async () => {
        const { data } = await api.expect<{ data: Issue[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues`);
        const perf = data.filter((i) => i.kind === 'performance');
        const n1 = perf.find((i) => i.title.startsWith('N+1 Query'));
        const slow = perf.find((i) => i.title.startsWith('Slow DB Query'));
        return n1 && slow ? data : undefined;
      },
      30_000,
    );
    const perf = issues.filter((i) => i.kind === 'performance');
    // One issue per problem; each queue batch records one occurrence of it (8 and 4 requests had it).
    expect(perf.find((i) => i.title.startsWith('N+1'))!.count).toBeLessThanOrEqual(8);
    expect(perf.find((i) => i.title.startsWith('Slow DB'))!.count).toBeLessThanOrEqual(4);
    expect(perf.map((i) => [i.title.split(':')[0], i.culprit, i.level]).sort()).toEqual([
      ['N+1 Query', '/products/', 'warning'],
      ['Slow DB Query', '/reports/sales/', 'warning'],
    ]);
    expect(perf.find((i) => i.title.startsWith('N+1'))!.title).toContain('FROM "store_review"');
    expect(perf.find((i) => i.title.startsWith('Slow'))!.title).toContain('pg_sleep(?)');
    // The 500s are error issues, not performance ones.
    expect(issues.some((i) => i.kind === 'error' && i.title.startsWith('ZeroDivisionError'))).toBe(true);
  });

  test("the route page lists the review query once per product, and the slowest request's trace opens with its queries", async () => {
    const detail = await routeDetail('/products/');
    expect(detail.summary.count).toBe(8);
    const reviews = detail.queries.find((q) => q.sql.includes('FROM "store_review"'));
    expect(reviews, JSON.stringify(detail.queries.map((q) => q.sql))).toBeDefined();
    expect(reviews!.perRequest).toBe(products);
    expect(reviews!.count).toBe(8 * products);
    expect(reviews!.sql).toMatch(/"store_review"\."product_id" = \?/);
    // The biggest total first: the N+1 outweighs every other query of the page.
    expect(detail.queries[0]!.hash).toBe(reviews!.hash);

    expect(detail.slowest).toHaveLength(8);
    const slowest = detail.slowest[0]!;
    expect(detail.slowest.every((s) => s.durationMs <= slowest.durationMs)).toBe(true);
    const trace = await api.expect<Trace>(200, 'GET', `/api/v1/projects/${project.id}/traces/${slowest.traceId}`);
    expect(trace.traceId).toBe(slowest.traceId);
    expect(trace.transactions).toHaveLength(1);
    const spans = trace.transactions[0]!.spans;
    expect(spans).toHaveLength(slowest.spanCount);
    const db = spans.filter((s) => s.op === 'db' && s.description?.includes('FROM "store_review"'));
    expect(db).toHaveLength(products);
    expect(db.every((s) => s.durationMs >= 3 && s.offsetMs >= 0 && s.offsetMs <= slowest.durationMs)).toBe(true);
    expect(spans.some((s) => s.op === 'template.render')).toBe(true);
  });
});

// Spans as an app instrumented with OpenTelemetry sends them: a server span per request with its queries
// as client spans, through the SDK's BatchSpanProcessor and the OTLP/HTTP exporter (protobuf), flushed once.
const OTEL_SCRIPT = String.raw`
import sys, time
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind

endpoint, key, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
provider = TracerProvider(resource=Resource.create({"service.name": "shop-otel", "service.version": "2.0.0", "deployment.environment.name": "e2e"}))
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint, headers={"x-sentry-auth": f"Sentry sentry_key={key}"})))
tracer = provider.get_tracer("opentelemetry.instrumentation.django")
db = provider.get_tracer("opentelemetry.instrumentation.sqlite3")
for i in range(requests):
    attributes = {"http.request.method": "GET", "http.route": "/otel/orders/{id}", "url.path": f"/otel/orders/{i}", "http.response.status_code": 200}
    with tracer.start_as_current_span("GET /otel/orders/{id}", kind=SpanKind.SERVER, attributes=attributes):
        for table in ("order", "order_line", "customer"):
            with db.start_as_current_span("SELECT", kind=SpanKind.CLIENT, attributes={"db.system": "sqlite", "db.statement": f'SELECT * FROM "{table}" WHERE "id" = %s'}):
                time.sleep(0.004)
        time.sleep(0.002)
assert provider.force_flush(10_000), "force_flush timed out"
provider.shutdown()
print("sent", requests)
`;

describe('OpenTelemetry traces from the real Python exporter', () => {
  test('server spans become a route named "GET /route", with their database time', async () => {
    const probe = await run(venvPython, ['-c', 'import opentelemetry.exporter.otlp.proto.http.trace_exporter'], { cwd: djangoDir, timeoutMs: 30_000 });
    expect(probe.code, `the venv lacks opentelemetry-exporter-otlp-proto-http: ${probe.stderr}`).toBe(0);
    const key = new URL(project.dsn).username;
    const endpoint = `${vigil.baseUrl}/api/${project.id}/integration/otlp/v1/traces`;
    const sent = await runOk(venvPython, ['-c', OTEL_SCRIPT, endpoint, key, '3'], { cwd: djangoDir, timeoutMs: 60_000 });
    expect(sent.stdout).toContain('sent 3');
    expect(sent.stderr).not.toMatch(/Failed to export/);

    const row = await until(
      'the OpenTelemetry route',
      async () => {
        const { data } = await performance();
        const found = data.find((r) => r.transaction === 'GET /otel/orders/{id}');
        return found?.count === 3 ? found : undefined;
      },
      30_000,
    );
    expect(row.failureRate).toBe(0);
    expect(row.p50).toBeGreaterThan(12);
    expect(row.breakdown.db).toBeGreaterThanOrEqual(12); // three queries of 4 ms or more
    const detail = await routeDetail('GET /otel/orders/{id}');
    expect(detail.queries.map((q) => q.sql).sort()).toEqual([
      'SELECT * FROM "customer" WHERE "id" = ?',
      'SELECT * FROM "order" WHERE "id" = ?',
      'SELECT * FROM "order_line" WHERE "id" = ?',
    ]);
    expect(detail.queries.every((q) => q.count === 3 && q.perRequest === 1)).toBe(true);
  });
});
