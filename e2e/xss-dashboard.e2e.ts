// Stored XSS, tried against every dashboard view in Chromium with a real Vigil. Hostile text goes in through
// the real doors — the management API (user, organization, project, monitor, cron, channel, alert rule,
// saved search), a Sentry envelope and /store/ (exception type and value, message, tags, user, request,
// breadcrumbs, extra, frames and local variables, release, transaction, an attachment's file name), the
// logs door (body, logger, attributes), transactions (name, span descriptions) and live tail — as four
// shapes: <script>, <img onerror>, an attribute breakout into <svg onload>, and a javascript: URL wherever
// a URL is shown. Each payload sets window.__xss to its own number, so a hit names its field.
// Then every view that shows them is opened: no payload ever runs (a trap on window.__xss), no dialog
// opens, no element carries an on* attribute or a javascript: link, and the page loads without a single
// Content-Security-Policy violation or console error — which also proves the CSP (dashboard/vite.config.ts,
// dashboard/static/_headers) does not break the app. The payloads are visible as text where they belong.
// The headers are checked as served by wrangler dev: the root, a deep SPA route, an asset and the API.
// Screenshots at 1440×900 and 390×844: e2e/artifacts/screenshots/xss-*.png.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { artifactsDir } from './support/paths.js';
import { startVigil, type Vigil } from './support/vigil.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

const MINUTE = 60_000;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

// ---- the payloads: each one sets window.__xss to its own number; `where` names it in a failure ----
const planted: string[] = [];
type Shape = 'script' | 'img' | 'svg' | 'url';
function payload(shape: Shape, where: string): string {
  const n = planted.push(where);
  if (shape === 'script') return `<script>window.__xss=${n}</script>`;
  if (shape === 'img') return `<img src=x onerror="window.__xss=${n}">`;
  if (shape === 'svg') return `"><svg onload=window.__xss=${n}>`;
  return `javascript:window.__xss=${n}`;
}

const P = {
  userName: payload('svg', 'user name'),
  orgName: payload('img', 'organization name'),
  projectName: `Shop ${payload('script', 'project name')}`,
  monitorName: payload('svg', 'monitor name'),
  monitorUrlQuery: payload('svg', 'monitor URL query'),
  cronName: payload('script', 'cron name'),
  channelName: payload('svg', 'channel name'),
  channelUrlQuery: payload('img', 'channel URL query'),
  ruleName: payload('img', 'alert rule name'),
  savedSearchName: payload('img', 'saved search name'),
  savedSearchQuery: payload('script', 'saved search query'),
  release: payload('svg', 'release version'),
  excType: payload('script', 'exception type'),
  excValue: payload('img', 'exception value'),
  message: payload('svg', 'event message'),
  tag: payload('svg', 'event tag'),
  eventUser: payload('img', 'event user'),
  requestUrl: payload('url', 'event request URL'),
  referer: payload('url', 'event request Referer header'),
  requestData: payload('script', 'event request body'),
  breadcrumb: payload('img', 'breadcrumb message'),
  breadcrumbUrl: payload('url', 'breadcrumb data.url'),
  extra: payload('script', 'event extra'),
  frameFunction: payload('svg', 'frame function'),
  frameVar: payload('img', 'frame local variable'),
  contextLine: payload('script', 'frame context line'),
  culprit: payload('script', 'event transaction'),
  attachment: `${payload('img', 'attachment file name')}.txt`,
  logBody: payload('img', 'log line body'),
  logLogger: payload('svg', 'log line logger'),
  logAttribute: payload('script', 'log line attribute'),
  logUrl: payload('url', 'log line URL attribute'),
  liveBody: payload('img', 'live-tail line body'),
  transaction: `/products/${payload('script', 'transaction name')}/`,
  spanDb: payload('img', 'db span description'),
  spanHttp: `GET ${payload('url', 'http span URL')}`,
};

let vigil: Vigil;
let browser: Browser;
let page: Page;
let site: { url: string; close(): Promise<void> };
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
let project: Project;
const ids: { monitor?: number; cron?: number; issue?: number; traceId?: string } = {};

// What the browser reported; each view checks that these stay empty.
const xssHits: string[] = [];
const cspViolations: string[] = [];
const dialogs: string[] = [];
const consoleErrors: string[] = [];
const pageErrors: string[] = [];
const consoleLines: string[] = [];

/** A local site: the monitor's target and the webhook channel's receiver; it answers 200 to anything. */
async function startSite(): Promise<typeof site> {
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const key = () => new URL(project.dsn).username;
const projectUrl = (section: string) => `${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/${section}`;

async function ingest(path: string, body: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(`${vigil.baseUrl}/api/${project.id}/${path}`, { method: 'POST', headers, body });
  expect(response.status, await response.text()).toBe(200);
}

const sentryAuth = () => `Sentry sentry_key=${key()}, sentry_version=7, sentry_client=sentry.python/2.19.2`;

/** One envelope of items, as the SDK frames it. */
function envelope(eventId: string, items: { header: Json; payload: string }[], traceId?: string): string {
  const head = { event_id: eventId, sent_at: new Date().toISOString(), sdk: { name: 'sentry.python.django', version: '2.19.2' }, ...(traceId ? { trace: { trace_id: traceId, public_key: key(), release: P.release } } : {}) };
  return [JSON.stringify(head), ...items.flatMap((i) => [JSON.stringify({ ...i.header, length: Buffer.byteLength(i.payload) }), i.payload])].join('\n');
}

/** The error event with a payload in every field the issue page shows, and an attachment. */
async function sendHostileError(): Promise<void> {
  const eventId = hex(16);
  const event = {
    event_id: eventId,
    timestamp: Date.now() / 1000 - 30,
    platform: 'python',
    level: 'error',
    release: P.release,
    environment: 'production',
    server_name: 'web-1',
    transaction: P.culprit,
    exception: {
      values: [
        {
          type: P.excType,
          value: P.excValue,
          module: 'shop.views',
          mechanism: { type: 'django', handled: false },
          stacktrace: {
            frames: [
              {
                filename: 'shop/views.py',
                abs_path: '/app/shop/views.py',
                module: 'shop.views',
                function: P.frameFunction,
                lineno: 12,
                in_app: true,
                pre_context: ['def checkout(request):'],
                context_line: `    raise ValueError("${P.contextLine}")`,
                post_context: ['    return None'],
                vars: { comment: P.frameVar, request: '<WSGIRequest: GET \'/checkout/\'>' },
              },
            ],
          },
        },
      ],
    },
    tags: { review: P.tag },
    user: { id: '42', username: P.eventUser, ip_address: '203.0.113.9' },
    request: {
      method: 'POST',
      url: P.requestUrl,
      query_string: 'next=%3Cscript%3E',
      headers: { Referer: P.referer, 'User-Agent': 'Mozilla/5.0' },
      data: { comment: P.requestData },
    },
    breadcrumbs: {
      values: [
        { timestamp: Date.now() / 1000 - 31, type: 'http', category: 'httplib', message: P.breadcrumb, data: { url: P.breadcrumbUrl, method: 'GET', status_code: 200 } },
        { timestamp: Date.now() / 1000 - 30.5, category: 'django.db', message: 'SELECT 1', level: 'info' },
      ],
    },
    extra: { note: P.extra },
  };
  const attachment = 'customer wrote: <b>hello</b>\n';
  await ingest(
    'envelope/',
    envelope(eventId, [
      { header: { type: 'event', content_type: 'application/json' }, payload: JSON.stringify(event) },
      { header: { type: 'attachment', filename: P.attachment, content_type: 'text/plain' }, payload: attachment },
    ]),
    { 'Content-Type': 'application/x-sentry-envelope', 'X-Sentry-Auth': sentryAuth() },
  );
  // a message event through /store/, as sentry-sdk 1.x sends capture_message
  await ingest(
    'store/',
    JSON.stringify({ event_id: hex(16), timestamp: Date.now() / 1000 - 20, platform: 'python', level: 'warning', release: P.release, message: P.message }),
    { 'Content-Type': 'application/json', 'X-Sentry-Auth': sentryAuth() },
  );
}

/** A transaction whose name and span descriptions are payloads. */
async function sendHostileTransaction(agoSeconds: number, traceId: string): Promise<void> {
  const eventId = hex(16);
  const rootSpanId = hex(8);
  const start = Date.now() / 1000 - agoSeconds;
  const span = (op: string, description: string, at: number, ms: number) => ({
    trace_id: traceId, span_id: hex(8), parent_span_id: rootSpanId, op, description,
    start_timestamp: start + at / 1000, timestamp: start + (at + ms) / 1000, data: op === 'db' ? { 'db.system': 'postgresql' } : {},
  });
  const event = {
    type: 'transaction',
    event_id: eventId,
    platform: 'python',
    transaction: P.transaction,
    transaction_info: { source: 'route' },
    start_timestamp: start,
    timestamp: start + 0.12,
    release: P.release,
    environment: 'production',
    contexts: { trace: { trace_id: traceId, span_id: rootSpanId, op: 'http.server', status: 'ok', data: { 'http.response.status_code': 200, 'http.request.method': 'GET' } } },
    request: { method: 'GET', url: `https://shop.example.com${P.transaction}` },
    spans: [span('db', P.spanDb, 5, 20), span('http.client', P.spanHttp, 30, 60)],
  };
  await ingest('envelope/', envelope(eventId, [{ header: { type: 'transaction', content_type: 'application/json' }, payload: JSON.stringify(event) }], traceId), {
    'Content-Type': 'application/x-sentry-envelope',
    'X-Sentry-Auth': sentryAuth(),
  });
}

async function sendLogs(lines: Json[]): Promise<void> {
  await ingest('logs/', lines.map((l) => JSON.stringify(l)).join('\n'), { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${key()}` });
}

/** One round of the every-minute cron (uptime checks), at the next minute. */
async function cronRound(): Promise<void> {
  const time = (Math.floor(Date.now() / MINUTE) + 1) * MINUTE;
  const response = await fetch(`${vigil.baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}&time=${time}`);
  expect(response.status, await response.text()).toBe(200);
}

// ---- the browser side ----

/** In every document, before its own scripts: a trap on window.__xss and a listener for CSP violations. */
function trapScript(): void {
  let value: unknown;
  Object.defineProperty(window, '__xss', {
    configurable: false,
    get: () => value,
    set: (v) => {
      value = v;
      (window as any).__xssHit?.(String(v), location.href);
    },
  });
  document.addEventListener('securitypolicyviolation', (e) => {
    (window as any).__cspViolation?.(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} sample=${e.sample} on ${location.pathname}`);
  });
}

/** Elements that would run code: on* attributes, javascript: links, script elements carrying a payload. */
function dangerousElements(): string[] {
  const found: string[] = [];
  for (const el of Array.from(document.querySelectorAll('*'))) {
    for (const attribute of Array.from(el.attributes)) {
      if (/^on/i.test(attribute.name)) found.push(`<${el.tagName.toLowerCase()} ${attribute.name}="${attribute.value}">`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attribute.name) && /^\s*javascript:/i.test(attribute.value)) {
        found.push(`<${el.tagName.toLowerCase()} ${attribute.name}="${attribute.value}">`);
      }
    }
    if (['IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) found.push(`<${el.tagName.toLowerCase()}>`);
  }
  for (const script of Array.from(document.querySelectorAll('script'))) {
    if (script.textContent?.includes('__xss')) found.push(`<script>${script.textContent}</script>`);
  }
  return found;
}

/** Nothing ran, nothing was blocked, nothing went wrong — so far, on any page. */
async function expectClean(view: string): Promise<void> {
  const xss = await page.evaluate(() => (window as any).__xss);
  const problems = [
    ...xssHits.map((hit) => `ran: ${hit}`),
    ...(xss === undefined ? [] : [`window.__xss is ${xss}`]),
    ...dialogs.map((dialog) => `dialog: ${dialog}`),
    ...(await page.evaluate(dangerousElements)).map((element) => `element: ${element}`),
    ...cspViolations.map((violation) => `CSP violation: ${violation}`),
    ...pageErrors.map((error) => `page error: ${error}`),
    ...consoleErrors.map((error) => `console error: ${error}`),
  ];
  expect(problems, `on ${view}`).toEqual([]);
}

/** No skeleton left and the network quiet: the view has everything it asked for. */
async function settled(): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.skeleton, .skeleton-page, .skeleton-rows'), undefined, { timeout: 20_000 });
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
}

/** Open a view, wait for it, check it is clean, see the payloads as text, take its screenshots. */
async function visit(url: string, name: string, texts: string[] = []): Promise<void> {
  await page.goto(url);
  await settled();
  for (const text of texts) await page.getByText(text).first().waitFor();
  await expectClean(name);
  await shot(page, `xss-${name}`);
  await expectClean(name);
}

beforeAll(async () => {
  [vigil, site] = await Promise.all([startVigil('xss-dashboard'), startSite()]);
  const signed = await signUp(vigil.baseUrl, { name: P.userName });
  owner = { api: signed.api, organization: signed.organization, email: signed.user.email, password: signed.password };
  browser = await launchBrowser();
  await browser.context.exposeFunction('__xssHit', (n: string, where: string) => xssHits.push(`payload ${n} (${planted[Number(n) - 1]}) ran on ${where}`));
  await browser.context.exposeFunction('__cspViolation', (text: string) => cspViolations.push(text));
  await browser.context.addInitScript(trapScript);
  page = await browser.context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    consoleLines.push(`[${message.type()}] ${message.text()}`);
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'xss-dashboard.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await site?.close();
  await vigil?.stop();
});

describe('stored XSS in the dashboard', () => {
  test('the dashboard and the API are served with the security headers; the CSP hash matches the inline bootstrap', async () => {
    const navigate = { Accept: 'text/html', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' };
    const root = await fetch(`${vigil.baseUrl}/`, { headers: navigate });
    const html = await root.text();
    const deep = await fetch(`${vigil.baseUrl}/orgs/acme/projects/1/logs`, { headers: navigate });
    expect(await deep.text()).toBe(html); // the SPA fallback: the same index.html
    const asset = /<link href="(\/_app\/immutable\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const script = await fetch(vigil.baseUrl + asset!);
    expect(script.headers.get('content-type')).toContain('javascript');

    for (const response of [root, deep, script]) {
      const h = response.headers;
      expect(response.status).toBe(200);
      expect(h.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(h.get('content-security-policy')).not.toContain('script-src'); // the page's own policy, with the hash, is the meta tag
      expect(h.get('x-frame-options')).toBe('DENY');
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(h.get('permissions-policy')).toMatch(/camera=\(\)/);
    }

    // The meta policy: no 'unsafe-inline' for scripts, and its one hash is the inline bootstrap's.
    const meta = /<meta http-equiv="content-security-policy" content="([^"]+)">/.exec(html)?.[1]?.replaceAll('&#39;', "'").replaceAll('&quot;', '"');
    expect(meta).toBeTruthy();
    const scriptSrc = meta!.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src '))!;
    expect(scriptSrc).not.toContain('unsafe-inline');
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(inline).toHaveLength(1);
    const hash = `'sha256-${createHash('sha256').update(inline[0]!).digest('base64')}'`;
    expect(scriptSrc.split(' ').filter((s) => s.startsWith("'sha"))).toEqual([hash]);
    expect(meta).toContain("object-src 'none'");
    expect(meta).toContain("connect-src 'self'");
    expect(html.indexOf('http-equiv="content-security-policy"')).toBeLessThan(html.indexOf('<script'));

    // The API answers carry nosniff and a referrer policy (worker/lib/init.ts); the status page keeps its stricter one.
    const api = await fetch(`${vigil.baseUrl}/api/v1/openapi.json`);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    const status = await fetch(`${vigil.baseUrl}/status/${owner.organization.slug}`);
    expect(status.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('hostile text goes in through every door; what is not a name or text is refused', async () => {
    const api = owner.api;
    const org = owner.organization.slug;
    await api.expect(200, 'PATCH', `/api/v1/orgs/${org}`, { name: P.orgName });
    project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${org}/projects`, { name: P.projectName });

    // alerting: a webhook channel (the local site) and a rule, so the new issue is delivered and logged
    const channel = await api.expect<Json>(201, 'POST', `/api/v1/orgs/${org}/channels`, { type: 'webhook', name: P.channelName, url: `${site.url}/hook?${P.channelUrlQuery}` });
    await api.expect(201, 'POST', `/api/v1/projects/${project.id}/alert-rules`, { name: P.ruleName, events: ['issue.new', 'cron.failed'], channelIds: [channel.id] });

    // an uptime monitor on the public status page; a javascript: URL is refused
    const monitor = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/monitors`, { name: P.monitorName, url: `${site.url}/health/?q=${P.monitorUrlQuery}`, public: true });
    ids.monitor = monitor.id;
    const refusedMonitor = await api.request('POST', `/api/v1/projects/${project.id}/monitors`, { name: 'js', url: payload('url', 'monitor URL') });
    expect(refusedMonitor.status).toBe(400);
    const refusedChannel = await api.request('POST', `/api/v1/orgs/${org}/channels`, { type: 'webhook', name: 'js', url: payload('url', 'channel URL') });
    expect(refusedChannel.status).toBe(400);

    // a cron monitor with a hostile name (slugs are letters, digits, - and _ only), an OK run and a failed one
    const refusedCron = await api.request('POST', `/api/v1/projects/${project.id}/crons`, { slug: payload('svg', 'cron slug'), schedule: { type: 'interval', value: 1, unit: 'hour' } });
    expect(refusedCron.status).toBe(400);
    const cron = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/crons`, { slug: 'nightly-report', name: P.cronName, schedule: { type: 'interval', value: 1, unit: 'hour' } });
    ids.cron = cron.id;
    for (const suffix of ['', '/fail']) expect((await fetch(`${vigil.baseUrl}/ping/${key()}/nightly-report${suffix}`, { method: 'POST', body: P.cronName })).status).toBe(200);

    // errors, transactions (two hours ago and now, in one release), log lines, a saved search
    await sendHostileError();
    const traceId = hex(16);
    ids.traceId = traceId;
    await sendHostileTransaction(2 * 3600, hex(16));
    await sendHostileTransaction(40, traceId);
    const at = (ago: number) => new Date(Date.now() - ago * 1000).toISOString();
    await sendLogs([
      { timestamp: at(50), level: 'info', logger: 'shop.views', message: 'checkout started', service: 'shop' },
      { timestamp: at(25), level: 'error', logger: P.logLogger, message: P.logBody, service: 'shop', host: 'web-1', comment: P.logAttribute, referer: P.logUrl, trace_id: traceId },
    ]);
    await api.expect(201, 'POST', `/api/v1/projects/${project.id}/saved-searches`, { name: P.savedSearchName, query: `"${P.savedSearchQuery}"` });
    await cronRound();

    // the queue consumer has stored everything
    await expect
      .poll(
        async () => {
          const issues = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues`);
          const logs = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${project.id}/logs`);
          const perf = await api.expect<Json>(200, 'GET', `/api/v1/projects/${project.id}/performance`);
          const checkins = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/crons/${ids.cron}/checkins`);
          const alerts = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${project.id}/alerts`);
          ids.issue = issues.data.find((i) => String(i.title).includes(P.excType))?.id;
          return { issues: issues.data.length, logs: logs.data.length, routes: (perf.data ?? perf.routes ?? []).length, checkins: checkins.data.length, alerted: alerts.data.length > 0 };
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toEqual({ issues: 2, logs: 2, routes: 1, checkins: 2, alerted: true });
    expect(ids.issue).toBeTruthy();
  });

  test('no payload runs in any view, the CSP blocks nothing the app needs, and the payloads read as text', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await settled();
    await expectClean('login');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    const org = owner.organization.slug;
    await visit(`${vigil.baseUrl}/orgs/${org}`, 'organization', [P.projectName]);
    await visit(`${vigil.baseUrl}/orgs/${org}/settings`, 'organization-settings', [P.userName]);
    await visit(`${vigil.baseUrl}/account`, 'account');
    await visit(projectUrl('overview'), 'overview', [P.monitorName, P.cronName]);
    await visit(projectUrl('issues'), 'issues', [P.excValue, P.message]);
    await visit(`${projectUrl('issues')}/${ids.issue}`, 'issue', [P.excType, P.excValue, P.frameFunction, P.tag, P.eventUser, P.requestUrl, P.breadcrumb, P.extra]);
    // every collapsed part of the event opened: frames' variables, request body and headers, all breadcrumbs
    for (const button of await page.locator('.event-view button[aria-expanded="false"]').all()) await button.click();
    await page.getByText(P.frameVar).first().waitFor();
    await expectClean('issue (expanded)');
    await shot(page, 'xss-issue-expanded', 'desktop');

    await visit(projectUrl('logs'), 'logs', [P.logBody]);
    await page.locator('.log-row', { hasText: P.logBody }).locator('.summary').click();
    const detail = page.locator('.log-detail');
    for (const text of [P.logAttribute, P.logUrl, P.logLogger]) await detail.getByText(text).first().waitFor();
    await expectClean('log line detail');
    await shot(page, 'xss-log-detail');
    await page.getByRole('button', { name: /^Saved searches/ }).click();
    await page.getByText(P.savedSearchName).first().waitFor();
    await expectClean('saved searches');
    // live tail: the WebSocket on the page's own origin is allowed by connect-src 'self'
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await page.locator('.live-controls .state[data-state="live"]').waitFor();
    await sendLogs([{ level: 'error', logger: 'shop.live', message: P.liveBody, service: 'shop' }]);
    await page.locator('.log-row', { hasText: P.liveBody }).first().waitFor();
    await expectClean('live tail');
    await shot(page, 'xss-logs-live', 'desktop');

    await visit(projectUrl('uptime'), 'uptime', [P.monitorName]);
    await visit(`${projectUrl('uptime')}/${ids.monitor}`, 'monitor', [P.monitorName]);
    await visit(`${projectUrl('uptime')}/${ids.monitor}/edit`, 'monitor-edit');
    await visit(projectUrl('crons'), 'crons', [P.cronName]);
    await visit(`${projectUrl('crons')}/${ids.cron}`, 'cron', [P.cronName]);
    await visit(`${projectUrl('crons')}/${ids.cron}/edit`, 'cron-edit');
    await visit(projectUrl('alerts'), 'alerts-channels', [P.channelName]);
    await visit(`${projectUrl('alerts')}?tab=rules`, 'alerts-rules', [P.ruleName, P.channelName]);
    await visit(`${projectUrl('alerts')}?tab=log`, 'alerts-log', [P.excValue, P.channelName]);
    await visit(projectUrl('settings'), 'settings');
    await visit(projectUrl('performance'), 'performance', [P.transaction]);
    await visit(`${projectUrl('performance/route')}?transaction=${encodeURIComponent(P.transaction)}`, 'performance-route', [P.transaction]);
    await visit(`${projectUrl('performance/traces')}/${ids.traceId}`, 'trace', [P.spanDb, P.spanHttp]);
    await visit(projectUrl('timeline'), 'timeline', [P.monitorName, P.cronName]);
    await visit(projectUrl('releases'), 'releases', [P.release]);
    await visit(`${projectUrl('releases')}/${encodeURIComponent(P.release)}`, 'release', [P.release]);

    // the public status page (rendered by the Worker, with its own CSP)
    await visit(`${vigil.baseUrl}/status/${org}`, 'status-page', [P.monitorName]);
  });

  test('the CSP is in force: an inline event handler that got into a page anyway is blocked and reported', async () => {
    await page.goto(projectUrl('issues'));
    await settled();
    await page.evaluate(() => {
      const div = document.createElement('div');
      div.innerHTML = '<img src="/favicon.svg" onload="window.__xss=0" alt="">';
      document.body.append(div);
    });
    await expect.poll(() => cspViolations.some((v) => v.startsWith('script-src-attr blocked inline')), { timeout: 5_000 }).toBe(true);
    expect(xssHits).toEqual([]);
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    cspViolations.length = 0;
    consoleErrors.length = 0; // Chromium logs the blocked handler as an error too
  });

  test('the dashboard cannot be framed (frame-ancestors)', async () => {
    const other = await browser.context.newPage();
    const blocked: string[] = [];
    other.on('console', (message) => blocked.push(message.text()));
    await other.setContent(`<iframe src="${vigil.baseUrl}/login" title="vigil"></iframe>`);
    await expect.poll(() => blocked.some((line) => line.includes('frame-ancestors')), { timeout: 10_000 }).toBe(true);
    expect(await other.frames()[1]?.locator('form').count().catch(() => 0)).toBe(0);
    await other.close();
  });
});
