// The dashboard's Performance pages in Chromium against a real Vigil. The empty page teaches tracing
// (traces_sample_rate in sentry_sdk.init with the project's DSN). Then transactions arrive the way the
// Django SDK sends them — Sentry envelopes to /api/{project}/envelope/ with the DSN key in X-Sentry-Auth:
// `/products/` requests with middleware spans, the view, one query for the list, a loop of 10 category
// queries (an N+1), template rendering with a loop of 10 image queries, and `/checkout/` requests with
// cache, an outgoing HTTP call and an INSERT, one of them failing with an error event in the same trace.
// The routes table shows both routes once the queue consumer has counted them; sorting by a column is in
// the URL; the route page shows the tiles, charts, queries and slowest requests; the waterfall shows the
// spans nested, colored by part, with the N+1 marked and a span's SQL as text; the trace's error links to
// its issue; the N+1 is an issue of kind performance in the issue list.
// Screenshots of the empty page, the routes table, the route page and the waterfall at 1440×900 and
// 390×844 go to e2e/artifacts/screenshots/performance-*.png.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { artifactsDir } from './support/paths.js';
import { startVigil, type Vigil } from './support/vigil.js';

type Json = Record<string, unknown>;

let vigil: Vigil;
let browser: Browser;
let page: Page;
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
let project: Project;
const pageErrors: string[] = [];
const consoleLines: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Markup in a query's text (a comment an ORM user wrote): it must show as text and never run. */
const HOSTILE_SQL = 'SELECT "shop_banner"."html" FROM "shop_banner" WHERE "shop_banner"."slot" = %s /* <img src=x onerror="window.__pwned=1"> */';
const CATEGORY_SQL = 'SELECT "shop_category"."id", "shop_category"."name", "shop_category"."slug" FROM "shop_category" WHERE "shop_category"."id" = %s LIMIT 21';
const IMAGE_SQL = 'SELECT "shop_productimage"."id", "shop_productimage"."product_id", "shop_productimage"."url" FROM "shop_productimage" WHERE "shop_productimage"."product_id" = %s';

// ---- transactions as sentry-sdk's Django integration sends them ----

interface SpanSpec {
  op: string;
  description: string;
  /** ms from the transaction's start */
  at: number;
  ms: number;
  children?: SpanSpec[];
  status?: string;
  data?: Json;
}

interface TransactionSpec {
  name: string;
  method: string;
  /** seconds before now that the request started */
  agoSeconds: number;
  durationMs: number;
  status: string;
  httpStatus: number;
  spans: SpanSpec[];
  traceId?: string;
}

/** The sentry-sdk's `transaction` event: Unix-second float times, contexts.trace, spans with parent ids. */
function transactionEvent(spec: TransactionSpec): { eventId: string; traceId: string; event: Json } {
  const eventId = hex(16);
  const traceId = spec.traceId ?? hex(16);
  const rootSpanId = hex(8);
  const start = Date.now() / 1000 - spec.agoSeconds;
  const spans: Json[] = [];
  const walk = (list: SpanSpec[], parent: string) => {
    for (const s of list) {
      const spanId = hex(8);
      spans.push({
        trace_id: traceId,
        span_id: spanId,
        parent_span_id: parent,
        same_process_as_parent: true,
        op: s.op,
        description: s.description,
        start_timestamp: start + s.at / 1000,
        timestamp: start + (s.at + s.ms) / 1000,
        origin: s.op === 'db' ? 'auto.db.django' : 'auto.http.django',
        ...(s.status ? { status: s.status } : {}),
        data: { 'thread.id': '140234', 'thread.name': 'MainThread', ...(s.data ?? {}) },
      });
      if (s.children) walk(s.children, spanId);
    }
  };
  walk(spec.spans, rootSpanId);
  const event: Json = {
    type: 'transaction',
    event_id: eventId,
    platform: 'python',
    level: 'info',
    transaction: spec.name,
    transaction_info: { source: 'route' },
    start_timestamp: start,
    timestamp: start + spec.durationMs / 1000,
    server_name: 'web-1',
    environment: 'production',
    release: 'shop@1.4.2',
    contexts: {
      trace: {
        trace_id: traceId,
        span_id: rootSpanId,
        parent_span_id: null,
        op: 'http.server',
        status: spec.status,
        origin: 'auto.http.django',
        data: { 'http.response.status_code': spec.httpStatus, 'http.request.method': spec.method },
      },
      response: { status_code: spec.httpStatus },
      runtime: { name: 'CPython', version: '3.12.3' },
    },
    tags: { 'http.status_code': String(spec.httpStatus) },
    request: { method: spec.method, url: `https://shop.example.com${spec.name}`, headers: { Host: 'shop.example.com' } },
    sdk: { name: 'sentry.python.django', version: '2.19.2', integrations: ['django', 'logging', 'stdlib'] },
    spans,
  };
  return { eventId, traceId, event };
}

/** Middleware as the Django integration wraps it: each one's __call__ around the next, the view inside. */
function middleware(total: number, inner: SpanSpec[]): SpanSpec[] {
  return [
    {
      op: 'middleware.django',
      description: 'django.middleware.security.SecurityMiddleware.__call__',
      at: 1,
      ms: total - 2,
      children: [
        {
          op: 'middleware.django',
          description: 'django.contrib.sessions.middleware.SessionMiddleware.__call__',
          at: 2,
          ms: total - 4,
          children: [
            { op: 'db', description: 'SELECT "django_session"."session_key", "django_session"."session_data" FROM "django_session" WHERE "django_session"."session_key" = %s LIMIT 21', at: 3, ms: 2, data: { 'db.system': 'postgresql' } },
            { op: 'middleware.django', description: 'django.contrib.auth.middleware.AuthenticationMiddleware.__call__', at: 6, ms: total - 8, children: inner },
          ],
        },
      ],
    },
  ];
}

/** GET /products/: the list, then a category query per product (N+1), then the template with an image query per product (N+1). */
function productsRequest(agoSeconds: number, slow = 1): TransactionSpec {
  const q = (description: string, at: number, ms: number): SpanSpec => ({ op: 'db', description, at, ms, data: { 'db.system': 'postgresql' } });
  const categories = Array.from({ length: 10 }, (_, i) => q(CATEGORY_SQL, 20 + i * 7 * slow, 6 * slow));
  const t0 = 20 + 70 * slow + 4;
  const images = Array.from({ length: 10 }, (_, i) => q(IMAGE_SQL, t0 + 4 + i * 8 * slow, 7 * slow));
  const templateMs = 8 + 80 * slow + 10;
  const viewEnd = t0 + templateMs + 6;
  const total = viewEnd + 14;
  return {
    name: '/products/',
    method: 'GET',
    agoSeconds,
    durationMs: total,
    status: 'ok',
    httpStatus: 200,
    spans: middleware(total, [
      {
        op: 'view.render',
        description: 'shop.views.product_list',
        at: 10,
        ms: viewEnd - 10,
        children: [
          q('SELECT "shop_product"."id", "shop_product"."name", "shop_product"."price", "shop_product"."category_id" FROM "shop_product" WHERE "shop_product"."active" ORDER BY "shop_product"."name" ASC LIMIT 10', 11, 7),
          q(HOSTILE_SQL, 18.5, 1),
          ...categories,
          {
            op: 'template.render',
            description: 'shop/product_list.html',
            at: t0,
            ms: templateMs,
            children: images,
          },
        ],
      },
    ]),
  };
}

/** POST /checkout/: the cart from the cache, the order saved, the payment provider called; `fail` makes it a 500. */
function checkoutRequest(agoSeconds: number, fail: boolean, traceId?: string): TransactionSpec {
  const inner: SpanSpec[] = [
    {
      op: 'view.render',
      description: 'shop.views.checkout',
      at: 10,
      ms: fail ? 250 : 190,
      children: [
        { op: 'cache.get', description: 'cart:7f3a', at: 11, ms: 3, data: { 'cache.hit': true } },
        { op: 'db', description: 'INSERT INTO "shop_order" ("customer_id", "total", "created") VALUES (%s, %s, %s) RETURNING "shop_order"."id"', at: 16, ms: 9, data: { 'db.system': 'postgresql' } },
        { op: 'http.client', description: 'POST https://payments.example.com/v1/charges', at: 30, ms: fail ? 210 : 150, status: fail ? 'internal_error' : 'ok', data: { 'http.response.status_code': fail ? 502 : 200 } },
        { op: 'cache.set', description: 'cart:7f3a', at: fail ? 245 : 185, ms: 2 },
      ],
    },
  ];
  const total = fail ? 275 : 215;
  return { name: '/checkout/', method: 'POST', agoSeconds, durationMs: total, status: fail ? 'internal_error' : 'ok', httpStatus: fail ? 500 : 200, spans: middleware(total, inner), traceId };
}

/** One envelope with one item, as the SDK frames it; 200 expected. */
async function sendEnvelope(eventId: string, item: Json, type: 'transaction' | 'event', traceId: string): Promise<void> {
  const publicKey = new URL(project.dsn).username;
  const payload = JSON.stringify(item);
  const body = [
    JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString(), sdk: { name: 'sentry.python.django', version: '2.19.2' }, trace: { trace_id: traceId, public_key: publicKey, environment: 'production', release: 'shop@1.4.2', sample_rate: '1.0', sampled: 'true' } }),
    JSON.stringify({ type, content_type: 'application/json', length: Buffer.byteLength(payload) }),
    payload,
  ].join('\n');
  const response = await fetch(`${vigil.baseUrl}/api/${project.id}/envelope/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-sentry-envelope',
      'User-Agent': 'sentry.python/2.19.2',
      'X-Sentry-Auth': `Sentry sentry_key=${publicKey}, sentry_version=7, sentry_client=sentry.python/2.19.2`,
    },
    body,
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
}

/** An error event of the failed checkout, in its trace, as the SDK sends an unhandled exception. */
function checkoutError(traceId: string): { eventId: string; event: Json } {
  const eventId = hex(16);
  return {
    eventId,
    event: {
      event_id: eventId,
      timestamp: Date.now() / 1000 - 40,
      platform: 'python',
      level: 'error',
      transaction: '/checkout/',
      environment: 'production',
      release: 'shop@1.4.2',
      contexts: { trace: { trace_id: traceId, span_id: hex(8), op: 'http.server', status: 'internal_error' } },
      exception: {
        values: [
          {
            type: 'PaymentError',
            value: 'payment provider answered 502 <b>Bad Gateway</b>',
            module: 'shop.payments',
            mechanism: { type: 'django', handled: false },
            stacktrace: { frames: [{ filename: 'shop/views.py', function: 'checkout', module: 'shop.views', lineno: 88, in_app: true, context_line: '    charge = payments.charge(order)' }] },
          },
        ],
      },
      sdk: { name: 'sentry.python.django', version: '2.19.2' },
    },
  };
}

/** Reload until `check` passes (the queue consumer counts transactions asynchronously). */
async function reloadUntil(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      await page.screenshot({ path: path.join(artifactsDir, 'performance-dashboard.timeout.png'), fullPage: true }).catch(() => undefined);
      throw new Error(`timed out waiting for the page to show the expected state; it shows: ${(await page.locator('main').textContent().catch(() => '')) ?? ''}`);
    }
    await sleep(1500);
    await page.reload();
  }
}

const base = () => `${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}`;

beforeAll(async () => {
  vigil = await startVigil('performance-dashboard');
  const signed = await signUp(vigil.baseUrl, { name: 'Ada Lovelace' });
  owner = { api: signed.api, organization: signed.organization, email: signed.user.email, password: signed.password };
  project = await owner.api.expect<Project>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/projects`, { name: 'Shop' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'performance-dashboard.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await vigil?.stop();
});

describe('performance in the browser', () => {
  let failedTrace = '';
  let errorEventId = '';

  test('the empty page teaches tracing with the project DSN', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.goto(`${base()}/performance`);
    await page.getByRole('heading', { name: 'No traced requests yet' }).waitFor();
    const snippet = (await page.getByTestId('snippet-tracing').textContent()) ?? '';
    expect(snippet).toContain('traces_sample_rate=0.2');
    expect(snippet).toContain('DjangoIntegration()');
    expect(snippet).toContain(project.dsn);
    expect(await page.getByRole('heading', { name: 'Or with OpenTelemetry' }).count()).toBe(1);
    await shot(page, 'performance-01-empty');
  });

  test('a range with nothing in it, when earlier requests were traced, offers the longer ranges', async () => {
    // one request three hours ago: in the last 24 hours, not in the last hour
    const old: TransactionSpec = { name: '/about/', method: 'GET', agoSeconds: 3 * 3600, durationMs: 40, status: 'ok', httpStatus: 200, spans: middleware(40, [{ op: 'view.render', description: 'shop.views.about', at: 10, ms: 20 }]) };
    const { eventId, traceId, event } = transactionEvent(old);
    await sendEnvelope(eventId, event, 'transaction', traceId);

    await page.goto(`${base()}/performance?range=1h`);
    const quiet = page.getByRole('region', { name: 'No requests in the last hour' });
    await reloadUntil(async () => {
      await page.locator('section.empty').first().waitFor();
      return (await quiet.count()) === 1 && ((await quiet.textContent()) ?? '').includes('1 route in the last 30 days');
    });
    await quiet.getByRole('link', { name: 'Show the last 24 hours' }).click();
    await page.waitForURL((url) => !url.searchParams.has('range'));
    await page.locator('tr[data-route="/about/"]').waitFor();
  });

  test('transactions sent like the Django SDK show up in the routes table', async () => {
    // 5 product lists (one slow), 3 checkouts (one failed, with an error in its trace)
    for (const [ago, slow] of [
      [50, 1],
      [45, 1],
      [40, 1.2],
      [35, 1],
      [30, 2.5],
    ] as const) {
      const { eventId, traceId, event } = transactionEvent(productsRequest(ago, slow));
      await sendEnvelope(eventId, event, 'transaction', traceId);
    }
    failedTrace = hex(16);
    for (const [ago, fail] of [
      [48, false],
      [42, true],
      [33, false],
    ] as const) {
      const { eventId, traceId, event } = transactionEvent(checkoutRequest(ago, fail, fail ? failedTrace : undefined));
      await sendEnvelope(eventId, event, 'transaction', traceId);
    }
    const error = checkoutError(failedTrace);
    errorEventId = error.eventId;
    await sendEnvelope(error.eventId, error.event, 'event', failedTrace);

    await page.goto(`${base()}/performance?range=1h`);
    const products = page.locator('tr[data-route="/products/"]');
    const checkout = page.locator('tr[data-route="/checkout/"]');
    await reloadUntil(async () => {
      await page.locator('tr[data-route], section.empty').first().waitFor(); // the page has loaded
      return (await products.count()) === 1 && (await checkout.count()) === 1 && (await products.textContent())?.includes('5 requests') === true;
    });
    await page.getByText('3 requests').waitFor();

    const productsText = (await products.textContent()) ?? '';
    expect(productsText).toContain('/products/');
    expect(productsText).toMatch(/\d+ ms/);
    expect(productsText).toContain('0 %'); // no failure
    const checkoutText = (await checkout.textContent()) ?? '';
    expect(checkoutText).toContain('33 %'); // one of three failed
    // the bar: database, templates and Python for the product list; cache and HTTP for checkout
    for (const part of ['db', 'template', 'other']) expect(await products.locator(`.seg[data-part="${part}"]`).count()).toBe(1);
    for (const part of ['http', 'cache', 'db']) expect(await checkout.locator(`.seg[data-part="${part}"]`).count()).toBe(1);
    expect(await products.getByRole('img').getAttribute('aria-label')).toMatch(/^Time spent: Database \d+/);
    await shot(page, 'performance-02-routes');

    // sorting: by failure rate puts /checkout/ first, and lives in the URL
    await page.getByRole('button', { name: /^Failures/ }).click();
    await page.waitForURL(/sort=failureRate/);
    expect(await page.locator('tbody tr').first().getAttribute('data-route')).toBe('/checkout/');
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Failures');
    await page.getByRole('button', { name: /^Route/ }).click();
    await page.waitForURL(/sort=transaction/);
    expect(await page.locator('tbody tr').first().getAttribute('data-route')).toBe('/checkout/');
    await page.getByRole('button', { name: /^Route/ }).click();
    await page.waitForURL(/order=desc/);
    expect(await page.locator('tbody tr').first().getAttribute('data-route')).toBe('/products/');

    // the 24 h default range has them too
    await page.getByRole('link', { name: '24 h' }).click();
    await page.waitForURL((url) => !url.searchParams.has('range'));
    await products.waitFor();
  });

  test('the route page: tiles, charts, queries with the N+1 shapes, slowest requests', async () => {
    await page.goto(`${base()}/performance?range=1h`);
    await page.locator('tr[data-route="/products/"]').click();
    await page.waitForURL(/\/performance\/route\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('transaction')).toBe('/products/');
    expect(url.searchParams.get('range')).toBe('1h');
    await page.getByRole('heading', { name: '/products/', level: 1 }).waitFor();

    const tiles = page.getByLabel('This route in the last hour');
    await tiles.waitFor();
    const tileText = (await tiles.textContent()) ?? '';
    expect(tileText).toContain('5 requests');
    expect(tileText).toMatch(/p95\s*\d+ ms/);
    expect(tileText).toContain('Apdex');
    // both charts are drawn
    expect(await page.locator('.time-chart canvas').count()).toBeGreaterThanOrEqual(2);

    // queries: the per-row shapes ran 10 times per request; markup in SQL is text
    const category = page.locator('tr[data-query]', { hasText: '"shop_category"."id" = ? LIMIT ?' });
    await category.waitFor();
    expect(await category.textContent()).toContain('10× per request');
    expect(await category.locator('td').nth(1).textContent()).toContain('50');
    const hostile = page.locator('tr[data-query]', { hasText: 'shop_banner' });
    expect(await hostile.locator('code').textContent()).toContain('<img src=x onerror="window.__pwned=?">'); // normalized
    expect(await hostile.locator('img').count()).toBe(0);

    // the slowest requests, slowest first, each opening its waterfall
    const slowest = page.locator('ol.slowest li');
    expect(await slowest.count()).toBe(5);
    expect(await slowest.first().textContent()).toContain('200');
    await shot(page, 'performance-03-route');
    // the charts and the five colors in the dark theme
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    await shot(page, 'performance-03-route-dark', 'desktop');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    await slowest.first().locator('a').click();
    await page.waitForURL(/\/performance\/traces\/[0-9a-f]{32}/);
  });

  test('the waterfall: nested spans colored by part, the N+1 marked, SQL as text', async () => {
    await page.getByRole('heading', { name: /^[0-9a-f]{32}$/, level: 1 }).waitFor();
    const rows = page.locator('li.row');
    await rows.first().waitFor();
    // the request, 3 middleware, session query, view, list query, banner query, 10 categories, template, 10 images
    expect(await rows.count()).toBe(1 + 3 + 1 + 1 + 2 + 10 + 1 + 10);
    expect(await rows.first().textContent()).toContain('/products/');
    expect(await page.locator('li.row[data-part="db"]').count()).toBe(1 + 2 + 20);
    expect(await page.locator('li.row[data-part="template"]').count()).toBe(1);
    expect(await page.locator('li.row.repeat').count()).toBe(20);
    const notes = page.getByRole('note');
    expect(await notes.textContent()).toContain('ran 10 times');
    expect(await notes.textContent()).toContain('select_related()');

    // indentation follows nesting: the template is under the view, its queries under it
    const depth = async (selector: string) =>
      Number(await page.locator(selector).first().locator('.label').evaluate((el) => getComputedStyle(el).getPropertyValue('--depth')));
    const view = await depth('li.row[data-op="view.render"]');
    const template = await depth('li.row[data-op="template.render"]');
    expect(template).toBe(view + 1);
    const imageRow = page.locator('li.row', { hasText: 'shop_productimage' }).first();
    expect(Number(await imageRow.locator('.label').evaluate((el) => getComputedStyle(el).getPropertyValue('--depth')))).toBe(template + 1);

    // a click shows the whole SQL, as text
    const hostile = page.locator('li.row', { hasText: 'shop_banner' });
    await hostile.locator('button.line').click();
    const full = hostile.locator('pre.full');
    await full.waitFor();
    expect(await full.textContent()).toBe(HOSTILE_SQL);
    expect(await hostile.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(page, 'performance-04-waterfall');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'performance-04-waterfall-dark', 'phone');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('a failed request’s trace lists its error, linked to the issue', async () => {
    await page.goto(`${base()}/performance/traces/${failedTrace}`);
    const errors = page.getByRole('region', { name: 'Errors in this trace' });
    await reloadUntil(async () => {
      await page.locator('li.row').first().waitFor(); // the page has loaded
      return (await errors.count()) === 1;
    });
    const link = errors.getByRole('link', { name: /PaymentError/ });
    expect(await link.textContent()).toContain('<b>Bad Gateway</b>');
    const http = page.locator('li.row[data-part="http"]');
    expect(await http.count()).toBe(1);
    expect(await http.locator('.flag').textContent()).toBe('internal_error'); // the failed call is marked
    expect(await page.locator('.tx-meta .badge').first().textContent()).toContain('500 internal_error');
    await shot(page, 'performance-05-trace-error');
    await link.click();
    await page.waitForURL(new RegExp(`/issues/\\d+\\?event=${errorEventId}`));
    await page.getByRole('heading', { name: /PaymentError/, level: 1 }).waitFor();
  });

  test('the N+1 is a performance issue in the issue list, and its page links back to the waterfall', async () => {
    const issues = await owner.api.expect<{ data: { id: number; kind: string; title: string; culprit: string | null }[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues`);
    const nPlusOne = issues.data.filter((i) => i.kind === 'performance' && i.title.startsWith('N+1 Query'));
    // titled by the normalized query (literals and %s as ?), cut at 150 characters
    expect(nPlusOne).toHaveLength(2);
    expect(nPlusOne.some((i) => i.title.startsWith('N+1 Query: SELECT "shop_category"."id"') && i.title.includes('= ? LIMIT ?'))).toBe(true);
    expect(nPlusOne.some((i) => i.title.startsWith('N+1 Query: SELECT "shop_productimage"."id"'))).toBe(true);
    expect(nPlusOne.every((i) => i.culprit === '/products/')).toBe(true);

    await page.goto(`${base()}/issues`);
    const row = page.locator('tr', { hasText: 'shop_category' });
    await row.waitFor();
    expect(await row.locator('.badge', { hasText: 'Performance' }).count()).toBe(1);
    await row.locator('a.title').click();
    await page.waitForURL(/\/issues\/\d+/);
    const waterfall = page.getByRole('link', { name: 'Open the request’s waterfall' });
    await waterfall.waitFor();
    await waterfall.click();
    await page.waitForURL(/\/performance\/traces\/[0-9a-f]{32}\?event=/);
    await page.locator('li.row.repeat').first().waitFor();
    expect(pageErrors).toEqual([]);
  });
});
