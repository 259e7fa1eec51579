// The Timeline, the Overview and a Release page in Chromium against a real Vigil. First the empty project:
// every lane says how to fill it, the overview teaches the SDK snippet, a failed load offers a retry. Then
// one scenario through the real ingest doors, in the same minutes: error events with a release
// (POST /api/{id}/store/), log lines (POST /api/{id}/logs/), transactions (captured sentry-sdk envelopes
// replayed with their times moved: some two hours ago under the previous release, the rest now), a cron
// with an OK and a failed run (curl to its ping URL), and an uptime monitor of a site this test runs, which
// starts answering 500 so an incident opens (cron rounds through wrangler's scheduled route).
// In the browser: "What happened around this outage" opens the timeline at the incident ± 15 min, every
// lane shows its part, hovering shows a bucket's numbers, dragging zooms all lanes (in the URL), a bar
// opens its issue and the logs of its minute, a p95 point its trace, the release flag its page (issues new
// in it, latency before / after); an issue's "Around the first occurrence" opens the timeline too; the
// overview says what needs attention. Screenshots at 1440×900 and 390×844: e2e/artifacts/screenshots/timeline-*.png.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { curl } from './support/curl.js';
import { artifactsDir, repoRoot } from './support/paths.js';
import { startVigil, type Vigil } from './support/vigil.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

const RELEASE = 'shop@1.4.2';
const PREVIOUS = 'shop@1.4.1';
const MINUTE = 60_000;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let vigil: Vigil;
let browser: Browser;
let page: Page;
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
let project: Project;
let site: { url: string; failing: boolean; close(): Promise<void> };
const pageErrors: string[] = [];
const consoleLines: string[] = [];

/** The monitored site: its health check answers 200 until `failing`, then 500. */
async function startSite(): Promise<typeof site> {
  const state = { failing: false };
  const server: Server = createServer((_req, res) => {
    if (state.failing) res.writeHead(500, { 'Content-Type': 'text/html' }).end('<h1>Server Error (500)</h1>');
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const key = () => new URL(project.dsn).username;
const base = () => `${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}`;

/** One round of the every-minute cron, at the next minute not used yet. */
let nextRound = (Math.floor(Date.now() / MINUTE) + 1) * MINUTE;
async function cronRound(): Promise<void> {
  const time = Math.max(nextRound, (Math.floor(Date.now() / MINUTE) + 1) * MINUTE);
  nextRound = time + MINUTE;
  const response = await fetch(`${vigil.baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}&time=${time}`);
  expect(response.status, await response.text()).toBe(200);
}

/** An error event as the SDK's store endpoint takes it. */
async function sendError(type: string, value: string, agoSeconds: number): Promise<void> {
  const response = await fetch(`${vigil.baseUrl}/api/${project.id}/store/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sentry-Auth': `Sentry sentry_key=${key()}, sentry_version=7, sentry_client=e2e` },
    body: JSON.stringify({
      event_id: hex(16),
      timestamp: Date.now() / 1000 - agoSeconds,
      platform: 'python',
      level: 'error',
      release: RELEASE,
      environment: 'production',
      transaction: '/health-check/',
      exception: { values: [{ type, value, module: 'shop.views', stacktrace: { frames: [{ filename: 'shop/views.py', function: 'health_check', lineno: 12, in_app: true }] } }] },
    }),
  });
  expect(response.status, await response.text()).toBe(200);
}

/** A captured sentry-sdk transaction envelope, sent again as new: fresh ids, this project's key, its times moved to `at`. */
async function replayTransaction(fixture: string, at: number, release: string): Promise<void> {
  const [header, itemHeader, payload] = readFileSync(path.join(repoRoot, 'worker/test/fixtures', fixture), 'utf8').split('\n');
  const event = JSON.parse(payload!) as Json;
  const shift = at - Date.parse(event.timestamp);
  const move = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
  const traceId = hex(16);
  event.event_id = hex(16);
  event.timestamp = move(event.timestamp);
  event.start_timestamp = move(event.start_timestamp);
  event.release = release;
  event.contexts.trace.trace_id = traceId;
  for (const span of event.spans as Json[]) {
    span.trace_id = traceId;
    span.start_timestamp = move(span.start_timestamp);
    span.timestamp = move(span.timestamp);
  }
  const head = JSON.parse(header!) as Json;
  const body = JSON.stringify(event);
  const envelope = [
    JSON.stringify({ ...head, event_id: event.event_id, sent_at: new Date().toISOString(), trace: { ...head.trace, trace_id: traceId, public_key: key(), release } }),
    JSON.stringify({ ...JSON.parse(itemHeader!), length: Buffer.byteLength(body) }),
    body,
  ].join('\n');
  const response = await fetch(`${vigil.baseUrl}/api/${project.id}/envelope/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-sentry-envelope', 'X-Sentry-Auth': `Sentry sentry_key=${key()}, sentry_version=7, sentry_client=sentry.python/2.19.2` },
    body: envelope,
  });
  expect(response.status, await response.text()).toBe(200);
}

/** Log lines as a shipper posts them: NDJSON, the DSN key as a Bearer token. */
async function sendLogs(lines: Json[]): Promise<void> {
  const response = await fetch(`${vigil.baseUrl}/api/${project.id}/logs/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${key()}` },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  expect(response.status, await response.text()).toBe(200);
}

const timelineApi = (query: string) => owner.api.expect<Json>(200, 'GET', `/api/v1/projects/${project.id}/timeline${query}`);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  [vigil, site] = await Promise.all([startVigil('timeline-dashboard'), startSite()]);
  const signed = await signUp(vigil.baseUrl, { name: 'Ada Lovelace' });
  owner = { api: signed.api, organization: signed.organization, email: signed.user.email, password: signed.password };
  project = await owner.api.expect<Project>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/projects`, { name: 'Shop' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'timeline-dashboard.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await site?.close();
  await vigil?.stop();
});

describe('the timeline, the overview and a release in the browser', () => {
  let monitorId = 0;
  let incident: Json;

  test('an empty project: every lane says how to fill it, the overview teaches the snippet, a failed load retries', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    // the project's landing page is the overview
    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}`);
    await page.waitForURL(/\/overview$/);
    await page.getByTestId('verdict').getByText('Nothing is watched yet.').waitFor();
    expect(await page.getByTestId('overview-snippet').textContent()).toContain(project.dsn);
    expect(await page.getByRole('link', { name: 'Create your first monitor' }).getAttribute('href')).toBe(`/orgs/${owner.organization.slug}/projects/${project.id}/uptime/new`);
    expect(await page.getByRole('link', { name: 'New cron monitor' }).getAttribute('href')).toBe(`/orgs/${owner.organization.slug}/projects/${project.id}/crons/new`);
    await shot(page, 'timeline-00-overview-empty');

    // a failed load: the error with a retry; then the empty lanes
    let fail = true;
    const timelineCall = (url: URL) => url.pathname === `/api/v1/projects/${project.id}/timeline`;
    await page.route(timelineCall, (route) =>
      fail ? route.fulfill({ status: 503, json: { error: { code: 'internal_error', message: 'Down for maintenance.' }, requestId: 'req-e2e' } }) : route.fallback(),
    );
    await page.goto(`${base()}/timeline`);
    await page.getByRole('heading', { name: 'The timeline could not be loaded' }).waitFor();
    expect(await page.locator('.error-state').textContent()).toContain('req-e2e');
    fail = false;
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('timeline').waitFor();
    await page.unroute(timelineCall);
    const quiet = page.getByTestId('timeline').locator('.tl-quiet');
    expect(await quiet.count()).toBe(6); // releases, uptime, crons, errors, logs, requests
    expect(await page.getByRole('link', { name: 'add one' }).first().getAttribute('href')).toContain('/uptime/new');
    expect(new URL(page.url()).search).toBe(''); // the default window: the last 24 hours
    expect(await page.locator('.presets [aria-current="true"]').textContent()).toBe('24 h');
    await shot(page, 'timeline-00-empty');
  });

  test('errors, logs, requests, a release, cron runs and an outage arrive through the real doors', async () => {
    // the request history: two hours ago under the previous release, now under the new one
    for (const ago of [125, 123, 121]) await replayTransaction('tx-home.envelope', Date.now() - ago * MINUTE, PREVIOUS);
    for (const ago of [40, 30, 20]) await replayTransaction('tx-home.envelope', Date.now() - ago * 1000, RELEASE);
    for (const ago of [35, 25, 15]) await replayTransaction('tx-product-list.envelope', Date.now() - ago * 1000, RELEASE);
    // errors of the new release: a new issue three times, another twice
    for (const ago of [30, 20, 10]) await sendError('OperationalError', 'could not connect to server: Connection refused', ago);
    for (const ago of [25, 15]) await sendError('KeyError', "'cart'", ago);
    // the app's log lines of the same minutes
    const at = (ago: number) => new Date(Date.now() - ago * 1000).toISOString();
    await sendLogs([
      ...[40, 35, 30, 12, 5].map((ago) => ({ timestamp: at(ago), level: 'info', logger: 'gunicorn.access', message: 'GET /health-check/ HTTP/1.1 200', service: 'shop' })),
      { timestamp: at(28), level: 'warning', logger: 'django.db', message: 'slow query: 1200 ms', service: 'shop' },
      ...[26, 18, 9].map((ago) => ({ timestamp: at(ago), level: 'error', logger: 'django.request', message: 'Internal Server Error: /health-check/', service: 'shop' })),
    ]);
    // a cron with an OK run and a failed one
    await owner.api.expect(201, 'POST', `/api/v1/projects/${project.id}/crons`, { slug: 'nightly-report', name: 'Nightly report', schedule: { type: 'interval', value: 1, unit: 'hour' } });
    expect((await curl([`${vigil.baseUrl}/ping/${key()}/nightly-report`])).status).toBe(200);
    expect((await curl([`${vigil.baseUrl}/ping/${key()}/nightly-report/fail`])).status).toBe(200);
    // the monitored site: up for one round, then answering 500
    const monitor = await owner.api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/monitors`, { name: 'Shop health check', url: `${site.url}/health-check/` });
    monitorId = monitor.id;
    await cronRound();
    site.failing = true;
    await cronRound();
    const detail = await owner.api.expect<Json>(200, 'GET', `/api/v1/monitors/${monitorId}`);
    expect(detail.state).toBe('down');
    incident = detail.openIncident;

    // the queue consumer has counted everything when the timeline shows it all
    await expect
      .poll(
        async () => {
          const t = await timelineApi(`?from=${new Date(Date.now() - 3_600_000).toISOString()}`);
          return {
            errors: sum(t.errors.total),
            errorLogs: sum(t.logs.counts.map((c: Json) => c.error ?? 0)),
            requests: sum(t.requests.count),
            runs: t.crons[0]?.runs.length ?? 0,
            incidents: t.monitors[0]?.incidents.length ?? 0,
            release: t.releases.some((r: Json) => r.version === RELEASE),
          };
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toEqual({ errors: 5, errorLogs: 3, requests: 6, runs: 2, incidents: 1, release: true });
  });

  test('“What happened around this outage” opens the timeline at the incident ± 15 min, every lane filled', async () => {
    await page.goto(`${base()}/uptime/${monitorId}`);
    await page.getByRole('link', { name: 'What happened around this outage' }).click();
    await page.waitForURL(/\/timeline\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('from')).toBe(new Date(Date.parse(incident.startedAt) - 15 * MINUTE).toISOString());
    expect(Date.parse(url.searchParams.get('to')!)).toBeGreaterThan(Date.now() + 14 * MINUTE); // ongoing: to now + 15 min

    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    await timeline.locator(`[data-monitor="${monitorId}"] a[data-incident="${incident.id}"]`).waitFor();
    expect(await timeline.locator('[data-cron] a[data-run="ok"]').count()).toBe(1);
    expect(await timeline.locator('[data-cron] a[data-run="failed"]').count()).toBe(1);
    expect(await timeline.locator('[data-testid="errors-bars"] a[data-series^="issue-"]').count()).toBeGreaterThan(0);
    expect(await timeline.locator('a[data-mark="new"]').count()).toBe(2); // two issues first seen here
    expect(await timeline.locator('[data-testid="logs-bars"] a[data-series="error"]').count()).toBeGreaterThan(0);
    expect(await timeline.locator('[data-testid="requests-plot"] a[data-p95]').count()).toBeGreaterThan(0);
    await timeline.locator(`a[data-release="${RELEASE}"]`).waitFor();
    expect(await timeline.locator(`a[data-release="${PREVIOUS}"]`).count()).toBe(0); // two hours earlier: outside
    const legend = (await timeline.locator('.legend').allTextContents()).join(' ');
    expect(legend).toContain('OperationalError');
    expect(legend).toContain('KeyError');

    // every lane draws its bars on the same x: the errors', logs' and requests' plots share one box
    const boxes = await Promise.all(['errors-bars', 'logs-bars', 'requests-plot'].map(async (id) => (await timeline.getByTestId(id).boundingBox())!));
    for (const box of boxes) {
      expect(box.x).toBeCloseTo(boxes[0]!.x, 0);
      expect(box.width).toBeCloseTo(boxes[0]!.width, 0);
    }

    // hovering a bucket with errors: one cursor across the lanes, the bucket's numbers in the tooltip
    const bar = timeline.locator('[data-testid="errors-bars"] a[data-series^="issue-"]').first();
    const barBox = (await bar.boundingBox())!;
    await page.mouse.move(barBox.x + barBox.width / 2, barBox.y + barBox.height / 2);
    const tip = page.getByTestId('timeline-tooltip');
    await tip.waitFor();
    expect(await tip.textContent()).toContain('Errors');
    await shot(page, 'timeline-01-hover', 'desktop');
    await page.mouse.move(0, 0);
    await tip.waitFor({ state: 'detached' });
    await shot(page, 'timeline-01-incident');
  });

  test('dragging across a lane zooms every lane, in the URL', async () => {
    const timeline = page.getByTestId('timeline');
    const before = new URL(page.url());
    const plot = (await timeline.getByTestId('logs-bars').boundingBox())!;
    const y = plot.y + plot.height / 2;
    await page.mouse.move(plot.x + plot.width * 0.3, y);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(plot.x + plot.width * (0.3 + (0.4 * i) / 8), y);
    await page.mouse.up();
    await page.waitForURL((u) => u.searchParams.get('from') !== before.searchParams.get('from'));
    const after = new URL(page.url());
    expect(after.pathname).toBe(before.pathname); // a drag ending over a bar does not open it
    const span = Date.parse(after.searchParams.get('to')!) - Date.parse(after.searchParams.get('from')!);
    expect(span).toBeGreaterThanOrEqual(20 * MINUTE - 1000); // widened to the smallest zoom
    expect(span).toBeLessThan(Date.parse(before.searchParams.get('to')!) - Date.parse(before.searchParams.get('from')!));
    // the lanes follow: the chart's window is the new one, the data still in it
    await expect.poll(async () => Date.parse((await timeline.getAttribute('data-from')) ?? '')).toBe(Date.parse(after.searchParams.get('from')!));
    await timeline.locator('[data-testid="errors-bars"] a').first().waitFor();
    await timeline.locator(`[data-monitor="${monitorId}"] a[data-incident]`).waitFor();
    await page.getByRole('button', { name: 'Zoom out' }).waitFor();
    await page.mouse.move(0, 0);
    await shot(page, 'timeline-02-zoomed');
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('from') === before.searchParams.get('from'));
  });

  test('a click opens the thing: an issue, the logs of that minute, the slowest trace, the release', async () => {
    const timeline = page.getByTestId('timeline');
    await timeline.locator('[data-testid="errors-bars"] a[data-series^="issue-"]').first().click();
    await page.waitForURL(/\/issues\/\d+$/);
    await page.getByRole('heading', { level: 1, name: /OperationalError|KeyError/ }).waitFor();
    await page.goBack();

    await timeline.locator('[data-testid="logs-bars"] a[data-series="error"]').first().click();
    await page.waitForURL(/\/logs\?/);
    const logsUrl = new URL(page.url());
    expect(Date.parse(logsUrl.searchParams.get('to')!) - Date.parse(logsUrl.searchParams.get('from')!)).toBe(MINUTE); // that bucket
    await page.locator('.log-row', { hasText: 'Internal Server Error: /health-check/' }).first().waitFor();
    await page.goBack();

    const p95 = timeline.locator('[data-testid="requests-plot"] a[data-p95]').first();
    const traceHref = (await p95.getAttribute('href')) ?? '';
    expect(traceHref).toMatch(/\/performance\/traces\/[0-9a-f]{32}$/);
    await p95.click();
    await page.waitForURL(/\/performance\/traces\//);
    await page.getByRole('heading', { level: 1, name: /^[0-9a-f]{32}$/ }).waitFor();
    await page.goBack();

    await timeline.locator(`a[data-release="${RELEASE}"]`).click();
    await page.waitForURL(new RegExp(`/releases/${encodeURIComponent(RELEASE)}$`));
    await page.getByRole('heading', { level: 1, name: RELEASE }).waitFor();
    const issues = page.getByRole('region', { name: /Issues new in this release/ });
    await issues.getByRole('link', { name: /OperationalError/ }).waitFor();
    expect(await issues.getByRole('link').count()).toBe(2);
    // latency: the previous release's two hours ago against this one's (the product list is slower than home)
    const tiles = page.getByTestId('release-tiles');
    await tiles.waitFor();
    expect(await tiles.textContent()).toMatch(/p95 latency.*→.*slower/s);
    expect(await page.locator('tr[data-route="/products/"]').textContent()).toContain('new'); // no request before the release
    await shot(page, 'timeline-03-release');

    // every release, newest first
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Releases' }).click();
    await page.waitForURL(/\/releases$/);
    await page.locator(`tr[data-release="${PREVIOUS}"]`).waitFor();
    expect(await page.locator('tr[data-release]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-release')))).toEqual([RELEASE, PREVIOUS]);
    await shot(page, 'timeline-03-releases');
  });

  test('an issue’s “Around the first occurrence” opens the timeline around it', async () => {
    const list = await owner.api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues?query=OperationalError`);
    const issue = list.data[0]!;
    await page.goto(`${base()}/issues/${issue.id}`);
    await page.getByRole('link', { name: 'Around the first occurrence' }).click();
    await page.waitForURL(/\/timeline\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('from')).toBe(new Date(Date.parse(issue.firstSeen) - 15 * MINUTE).toISOString());
    expect(url.searchParams.get('to')).toBe(new Date(Date.parse(issue.firstSeen) + 15 * MINUTE).toISOString());
    await page.getByTestId('timeline').locator('a[data-mark="new"]').first().waitFor();
  });

  test('the overview: what needs attention, every monitor and cron, new issues, 24 h sparklines, releases', async () => {
    await page.goto(`${base()}/overview`);
    const verdict = page.getByTestId('verdict');
    await verdict.getByText('Needs attention:').waitFor();
    const said = (await verdict.textContent()) ?? '';
    expect(said).toContain('1 monitor down');
    expect(said).toContain('1 cron failing');
    expect(said).toMatch(/\d+ new issues/); // the two errors, and any N+1 query the product list's trace showed
    await page.locator(`[data-incident-monitor="${monitorId}"]`).getByRole('link', { name: 'What happened around it' }).waitFor();
    expect(await page.locator(`a[data-monitor="${monitorId}"]`).textContent()).toContain('Down');
    expect(await page.locator('a[data-cron]').textContent()).toContain('Failed');
    const fresh = page.getByTestId('issues-new');
    await fresh.getByRole('link', { name: /OperationalError/ }).waitFor();
    await fresh.getByRole('link', { name: /KeyError/ }).waitFor();
    expect(await page.locator('a[data-trend="errors"]').textContent()).toContain('5');
    expect(await page.locator('a[data-trend="logs"]').textContent()).toContain('3');
    expect(await page.locator('a[data-trend="p95"] svg rect').count()).toBeGreaterThan(0);
    const releases = page.getByRole('region', { name: 'Latest releases' });
    expect(await releases.locator('ul a').allTextContents()).toEqual([RELEASE, PREVIOUS]);
    await shot(page, 'timeline-04-overview');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${base()}/timeline?from=${encodeURIComponent(new Date(Date.parse(incident.startedAt) - 15 * MINUTE).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 15 * MINUTE).toISOString())}`);
    await page.getByTestId('timeline').locator('a[data-incident]').waitFor();
    await shot(page, 'timeline-05-dark', 'desktop');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(pageErrors).toEqual([]);
  });
});
