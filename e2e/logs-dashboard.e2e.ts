// The dashboard's Logs page in Chromium against a real Vigil. The empty page teaches the ways lines get in
// (enable_logs, OpenTelemetry, a log shipper) with the project's own addresses; lines then arrive through the
// real ingest door (POST /api/{id}/logs/ as NDJSON, the DSN key as Bearer), of several levels, loggers and
// hosts, one in a trace, one whose body is markup that must stay text. In the browser: the histogram is drawn;
// a word, a phrase, level:error, an exclusion and a level chip narrow the lines (each in the URL, Back works);
// a row opens with its attributes, "Show context" shows its stream around it, "Only this logger" narrows the
// search; a search is saved, another run, the saved one re-applied and deleted; Live shows a new line on top,
// Pause holds the next ones behind an "N new lines" button, a flood is counted as skipped. Links into Logs
// from an issue's event, the log retention settings and a logs.threshold alert rule. No JS dialog ever opens.
// Screenshots at 1440×900 and 390×844 go to e2e/artifacts/screenshots/logs-*.png.
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
const dialogs: string[] = [];
const consoleLines: string[] = [];

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const XSS = '<img src=x onerror=alert(1)> <script>alert(2)</script> review rejected';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lines as Vector's http sink posts them: NDJSON with the DSN key as a Bearer token. */
async function push(lines: Json[]): Promise<void> {
  const response = await fetch(`${vigil.baseUrl}/api/${project.id}/logs/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${new URL(project.dsn).username}` },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(JSON.parse(text)).toMatchObject({ accepted: lines.length, rejected: 0 });
}

function sample(now: number): Json[] {
  const ago = (s: number) => new Date(now - s * 1000).toISOString();
  const gunicorn = { source: 'gunicorn.error', logger: 'gunicorn.error', service: 'shop', host: 'web-1' };
  return [
    { timestamp: ago(20 * 3600), level: 'info', logger: 'shop.jobs', message: 'nightly report sent to 12 recipients', service: 'worker', host: 'worker-1' },
    { timestamp: ago(8 * 3600), level: 'warning', logger: 'shop.jobs', message: 'report took 42 s, longer than usual', service: 'worker', host: 'worker-1' },
    { timestamp: ago(3 * 3600), level: 'error', logger: 'celery.worker', message: 'Task shop.tasks.sync_stock raised ConnectionError', service: 'worker', host: 'worker-1' },
    { timestamp: ago(600), level: 'info', message: 'worker booted (pid:41)', ...gunicorn },
    { timestamp: ago(590), level: 'info', message: 'accepting connections', ...gunicorn },
    { timestamp: ago(580), level: 'error', message: 'WORKER TIMEOUT (pid:42)', ...gunicorn },
    { timestamp: ago(570), level: 'info', message: 'booting worker with pid: 43', ...gunicorn },
    { timestamp: ago(300), level: 'error', logger: 'django.request', message: 'Internal Server Error: /checkout/', service: 'shop', host: 'web-1', status_code: 500, path: '/checkout/', user_id: 42 },
    { timestamp: ago(240), level: 'warning', logger: 'django.security.DisallowedHost', message: "Invalid HTTP_HOST header: 'evil.example'", service: 'shop', host: 'web-2' },
    { timestamp: ago(200), level: 'info', logger: 'gunicorn.access', message: 'GET /products/ HTTP/1.1 200 5120', service: 'shop', host: 'web-1' },
    { timestamp: ago(190), level: 'info', logger: 'gunicorn.access', message: 'GET /health/ HTTP/1.1 200 2', service: 'shop', host: 'web-2' },
    { timestamp: ago(120), level: 'info', logger: 'shop.payments', message: 'Payment captured for order 1234', service: 'payments', host: 'web-2', trace_id: TRACE, span_id: '00f067aa0ba902b7', order_id: 1234 },
    { timestamp: ago(100), level: 'debug', logger: 'shop.cache', message: 'cache miss for product 42', service: 'shop', host: 'web-1' },
    { timestamp: ago(60), level: 'critical', logger: 'django.db.backends', message: 'Database connection lost: server closed the connection unexpectedly', service: 'shop', host: 'web-2' },
    { timestamp: ago(30), level: 'error', logger: 'shop.reviews', message: XSS, service: 'shop', host: 'web-1' },
  ];
}

const logsUrl = (qs = '') => `${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/logs${qs}`;
const rows = () => page.locator('.log-row');
const bodies = async () => (await page.locator('.log-row .body').allTextContents()).map((t) => t.trim());
const row = (text: string) => page.locator('.log-row', { has: page.locator('.body', { hasText: text }) });

/** Types a search into the bar and waits for its answer. */
async function searchFor(q: string): Promise<void> {
  const answer = page.waitForResponse((r) => r.url().includes(`/projects/${project.id}/logs?`) && r.request().method() === 'GET');
  await page.getByLabel('Search log lines').fill(q);
  await page.getByLabel('Search log lines').press('Enter');
  await answer;
  await page.waitForFunction(() => !document.querySelector('.list.stale'));
}

beforeAll(async () => {
  vigil = await startVigil('logs-dashboard');
  const signed = await signUp(vigil.baseUrl, { name: 'Ada Lovelace' });
  owner = { api: signed.api, organization: signed.organization, email: signed.user.email, password: signed.password };
  project = await owner.api.expect<Project>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/projects`, { name: 'Shop' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'logs-dashboard.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await vigil?.stop();
});

describe('logs in the browser', () => {
  test('the empty page teaches enable_logs, OpenTelemetry and log shippers with the project’s addresses', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.goto(logsUrl());
    await page.getByRole('heading', { name: 'No log lines yet' }).waitFor();
    const key = new URL(project.dsn).username;
    expect(await page.getByTestId('snippet-logs-sdk').textContent()).toContain('enable_logs=True');
    expect(await page.getByTestId('snippet-logs-sdk').textContent()).toContain(project.dsn);
    const vector = (await page.getByTestId('snippet-logs-vector').textContent()) ?? '';
    expect(vector).toContain(`uri = "${vigil.baseUrl}/api/${project.id}/logs/"`);
    expect(vector).toContain(`auth.token = "${key}"`);
    expect(await page.locator('.first-log').textContent()).toContain(`${vigil.baseUrl}/api/${project.id}/loki/api/v1/push`);
    expect(await page.getByRole('link', { name: 'Project setup' }).getAttribute('href')).toMatch(/\/setup$/);
    await shot(page, 'logs-01-empty');
  });

  test('lines posted through ingest show up by themselves: histogram, dense rows, markup as text', async () => {
    await push(sample(Date.now()));
    // The empty page looks again every 10 s.
    await page.locator('.log-row').first().waitFor({ timeout: 20_000 });
    expect(await rows().count()).toBe(15);
    // Newest first; the markup is text, not elements.
    const xssRow = rows().first();
    expect((await xssRow.locator('.body').textContent())?.trim()).toBe(XSS);
    expect(await page.locator('.log-list img, .log-list script').count()).toBe(0);
    expect(await xssRow.getAttribute('data-level')).toBe('error');
    expect(await xssRow.locator('.log-level').textContent()).toBe('Error');
    expect(await row('Database connection lost').getAttribute('data-level')).toBe('fatal');
    expect(await row('report took 42 s').getAttribute('data-level')).toBe('warn');
    expect(await row('cache miss').locator('.origin').textContent()).toBe('shop · web-1');
    // Local time to the millisecond.
    expect((await xssRow.locator('time').textContent())?.trim()).toMatch(/\d\d:\d\d:\d\d\.\d{3}$/);

    // The histogram: a canvas with bars drawn on it, and the level chips count every level.
    await page.locator('[data-testid="log-histogram"] canvas').first().waitFor();
    const painted = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="log-histogram"] canvas');
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx || canvas.width === 0) return 0;
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(500);
    expect(await page.locator('.chip[data-level="error"] .count').textContent()).toBe('4');
    expect(await page.locator('.chip[data-level="info"] .count').textContent()).toBe('7');
    expect(await page.locator('.chip[data-level="fatal"] .count').textContent()).toBe('1');
    expect(await page.locator('.overview .summary').textContent()).toContain('15 lines in the last 24 hours');
    expect(await page.locator('[data-testid="log-histogram"] figure').getAttribute('aria-label')).toMatch(/^15 matching lines, in bars of \d+ min, stacked by level$/);
    await page.getByText('All 15 matching lines in this range shown.').waitFor();
    await shot(page, 'logs-02-results');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await shot(page, 'logs-02-results-dark', 'desktop');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForTimeout(300); // the chart redraws in the light colors

    // Dragging across the chart zooms in: a window with a start and an end in the URL; Back returns.
    const over = page.locator('[data-testid="log-histogram"] .u-over');
    await over.waitFor();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL((url) => url.searchParams.has('from') && url.searchParams.has('to'));
    const zoomed = new URL(page.url()).searchParams;
    const span = Date.parse(zoomed.get('to')!) - Date.parse(zoomed.get('from')!);
    expect(span).toBeGreaterThan(9 * 3600_000);
    expect(span).toBeLessThan(12 * 3600_000);
    await page.locator('.time-range .current').waitFor();
    await page.goBack();
    await page.waitForURL((url) => !url.searchParams.has('to'));
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 15);

    // The search help: its examples go into the search.
    await page.getByRole('button', { name: 'Search help' }).click();
    await page.getByRole('region', { name: 'Search help' }).waitFor();
    await shot(page, 'logs-02-search-help');
    await page.getByRole('region', { name: 'Search help' }).getByRole('button', { name: 'level:warn+' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 7);
    expect(new URL(page.url()).searchParams.get('q')).toBe('level:warn+');
  });

  test('a word, a phrase, level:error, an exclusion and a level chip; each in the URL, Back works', async () => {
    await searchFor('timeout');
    expect(new URL(page.url()).searchParams.get('q')).toBe('timeout');
    expect(await bodies()).toEqual(['WORKER TIMEOUT (pid:42)']);

    await searchFor('"connection lost"');
    expect(await bodies()).toEqual(['Database connection lost: server closed the connection unexpectedly']);

    await searchFor('level:error');
    expect(await bodies()).toEqual([XSS, 'Internal Server Error: /checkout/', 'WORKER TIMEOUT (pid:42)', 'Task shop.tasks.sync_stock raised ConnectionError']);

    await searchFor('logger:gunicorn.access -health');
    expect(await bodies()).toEqual(['GET /products/ HTTP/1.1 200 5120']);

    // Back: the previous search, its lines and its text in the box.
    const back = page.waitForResponse((r) => r.url().includes(`/projects/${project.id}/logs?`));
    await page.goBack();
    await back;
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 4);
    expect(await page.getByLabel('Search log lines').inputValue()).toBe('level:error');

    // Chips: warn and fatal, in the URL as ?level=.
    await searchFor('');
    await page.locator('.chip[data-level="warn"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 2);
    await page.locator('.chip[data-level="fatal"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 3);
    expect(new URL(page.url()).searchParams.get('level')).toBe('warn,fatal');
    expect(await page.locator('.chip[data-level="warn"]').getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'All levels' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 15);

    // A link with a query and a window, as alerts send them.
    const from = new Date(Date.now() - 3600_000).toISOString();
    await page.goto(logsUrl(`?${new URLSearchParams({ q: 'host:web-2', from, to: new Date().toISOString() })}`));
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 4);
    expect(await page.getByLabel('Search log lines').inputValue()).toBe('host:web-2');
    expect(await page.locator('.time-range .current').textContent()).toMatch(/ – /);

    // A custom window, typed in the viewer's timezone.
    await page.getByRole('button', { name: 'Custom' }).click();
    const twoHoursAgo = await page.evaluate(() => {
      const d = new Date(Date.now() - 2 * 3600_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await page.getByLabel('From', { exact: true }).fill(twoHoursAgo);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => Math.abs(Date.parse(url.searchParams.get('from') ?? '') - (Date.now() - 2 * 3600_000)) < 120_000);
    expect(new URL(page.url()).searchParams.get('q')).toBe('host:web-2');
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 4);

    // Nothing matching: says so, offers a wider range.
    await searchFor('kangaroo');
    await page.getByRole('heading', { name: /No lines match kangaroo/ }).waitFor();
    expect(await page.getByRole('link', { name: 'Search the last 6 hours' }).count()).toBe(1);
    // A search Vigil cannot read says why.
    await searchFor('level:loud');
    await page.getByText('Vigil cannot read this search').waitFor();
    await page.getByRole('alert').getByText(/Unknown level/).waitFor();
  });

  test('a row opens with its fields and attributes; context around it; only this logger; its trace', async () => {
    await page.goto(logsUrl());
    await row('Internal Server Error').locator('.summary').click();
    const detail = row('Internal Server Error').locator('.log-detail');
    await detail.waitFor();
    expect(await row('Internal Server Error').locator('.summary').getAttribute('aria-expanded')).toBe('true');
    const attributes = Object.fromEntries(
      await detail.locator('table.attributes tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent])),
    );
    expect(attributes).toMatchObject({ status_code: '500', path: '/checkout/', user_id: '42' });
    expect(await detail.locator('.full-body').textContent()).toBe('Internal Server Error: /checkout/');
    expect(await detail.textContent()).toContain('django.request');
    // Copy as JSON is there; no trace, so no trace link.
    await detail.getByRole('button', { name: 'Copy JSON' }).waitFor();
    expect(await detail.getByRole('link', { name: 'Open trace' }).count()).toBe(0);

    // The XSS line opened: still text.
    await row('review rejected').locator('.summary').click();
    expect(await row('review rejected').locator('.full-body').textContent()).toBe(XSS);
    expect(await page.locator('.log-list img, .log-list script').count()).toBe(0);

    // Context: the lines of the same stream around the timeout, the timeout highlighted.
    await row('WORKER TIMEOUT').locator('.summary').click();
    await row('WORKER TIMEOUT').getByRole('button', { name: 'Show context' }).click();
    const context = row('WORKER TIMEOUT').locator('.context-line');
    await context.nth(3).waitFor();
    expect((await context.locator('.text').allTextContents()).map((t) => t.trim())).toEqual([
      'worker booted (pid:41)',
      'accepting connections',
      'WORKER TIMEOUT (pid:42)',
      'booting worker with pid: 43',
    ]);
    expect(await row('WORKER TIMEOUT').locator('.context-line.chosen .text').textContent()).toBe('WORKER TIMEOUT (pid:42)');
    await shot(page, 'logs-03-detail');

    // The payment line links to its trace.
    await row('Payment captured').locator('.summary').click();
    const trace = row('Payment captured').getByRole('link', { name: 'Open trace' });
    expect(await trace.getAttribute('href')).toBe(`/orgs/${owner.organization.slug}/projects/${project.id}/performance/traces/${TRACE}`);

    // Only this logger: the term joins the search.
    await row('Internal Server Error').getByRole('button', { name: 'Only this logger' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 1);
    expect(new URL(page.url()).searchParams.get('q')).toBe('logger:django.request');
  });

  test('save a search, run another, re-apply the saved one, delete it', async () => {
    await page.goto(logsUrl());
    await searchFor('level:warn+ -logger:shop.reviews');
    expect(await rows().count()).toBe(6);
    await page.getByRole('button', { name: /^Saved searches/ }).click();
    await page.getByRole('button', { name: 'Save this search' }).click();
    await page.getByLabel('Name of this search').fill('Warnings without reviews');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Search “Warnings without reviews” saved.').waitFor();
    const saved = await owner.api.expect<{ data: { name: string; query: string }[] }>(200, 'GET', `/api/v1/projects/${project.id}/saved-searches`);
    expect(saved.data).toEqual([expect.objectContaining({ name: 'Warnings without reviews', query: 'level:warn+ -logger:shop.reviews' })]);

    await searchFor('payment');
    expect(await rows().count()).toBe(1);
    await page.getByRole('button', { name: 'Saved searches (1)' }).click();
    await page.locator('.saved-searches .apply', { hasText: 'Warnings without reviews' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 6);
    expect(new URL(page.url()).searchParams.get('q')).toBe('level:warn+ -logger:shop.reviews');
    expect(await page.getByLabel('Search log lines').inputValue()).toBe('level:warn+ -logger:shop.reviews');

    await page.getByRole('button', { name: 'Saved searches (1)' }).click();
    await shot(page, 'logs-04-saved-searches');
    await page.getByRole('button', { name: 'Delete saved search Warnings without reviews' }).click();
    await page.getByText('Search “Warnings without reviews” deleted.').waitFor();
    expect((await owner.api.expect<{ data: unknown[] }>(200, 'GET', `/api/v1/projects/${project.id}/saved-searches`)).data).toEqual([]);
  });

  test('live tail: a new line on top, pause holds the next behind a counter, a flood is counted as skipped', async () => {
    await page.goto(logsUrl());
    await rows().first().waitFor();
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await page.locator('.live-controls .state[data-state="live"]').waitFor();
    expect(new URL(page.url()).searchParams.get('live')).toBe('1');

    await push([{ level: 'error', logger: 'shop.live', message: 'first live line', service: 'shop', host: 'web-3' }]);
    await row('first live line').waitFor();
    expect((await rows().first().locator('.body').textContent())?.trim()).toBe('first live line');
    expect(await rows().first().getAttribute('class')).toContain('fresh');
    expect((await rows().first().locator('time').textContent())?.trim()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);

    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.locator('.live-controls .state[data-state="paused"]').waitFor();
    await push([{ level: 'info', logger: 'shop.live', message: 'held while paused', service: 'shop' }]);
    await page.getByRole('button', { name: '1 new line · Resume' }).waitFor();
    expect(await row('held while paused').count()).toBe(0);
    await shot(page, 'logs-05-live-paused');
    await page.getByRole('button', { name: '1 new line · Resume' }).click();
    await row('held while paused').waitFor();
    expect((await rows().first().locator('.body').textContent())?.trim()).toBe('held while paused');

    // 300 lines at once: at most 100 a second reach the page, the rest are counted as skipped (told with the
    // next second's lines); every line is either shown or counted.
    await push(Array.from({ length: 300 }, (_, i) => ({ level: 'info', logger: 'shop.flood', message: `flood ${i}` })));
    await row('flood 299').waitFor();
    await sleep(1200);
    await push([{ level: 'info', logger: 'shop.flood', message: 'after the flood' }]);
    await row('after the flood').waitFor();
    const skipped = page.locator('.live-controls .skipped');
    await skipped.waitFor();
    const shownFlood = await page.locator('.log-row .body', { hasText: /^flood \d+$/ }).count();
    const count = Number(/^([\d,]+) lines? skipped to keep up$/.exec((await skipped.textContent()) ?? '')?.[1]?.replace(',', ''));
    expect(shownFlood).toBeLessThanOrEqual(200);
    expect(count).toBeGreaterThanOrEqual(100);
    expect(shownFlood + count).toBe(300);

    // The live filter follows the search.
    await searchFor('level:error');
    await sleep(500);
    await push([
      { level: 'info', message: 'quiet info line' },
      { level: 'error', message: 'loud error line' },
    ]);
    await row('loud error line').waitFor();
    expect(await row('quiet info line').count()).toBe(0);

    await page.getByRole('button', { name: 'Stop live' }).click();
    await page.getByRole('button', { name: 'Live', exact: true }).waitFor();
    expect(new URL(page.url()).searchParams.get('live')).toBeNull();
  });

  test('Load older pages back with the cursor', async () => {
    const now = Date.now();
    await push(Array.from({ length: 150 }, (_, i) => ({ timestamp: new Date(now - 3 * 3600_000 - i * 1000).toISOString(), level: 'info', logger: 'shop.batch', message: `batch line ${i}` })));
    await page.goto(logsUrl(`?q=${encodeURIComponent('logger:shop.batch')}`));
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 100);
    await page.getByRole('button', { name: 'Load older' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 150);
    expect((await rows().last().locator('.body').textContent())?.trim()).toBe('batch line 149');
    await page.getByText('All 150 matching lines in this range shown.').waitFor();
  });

  test('from an issue’s event: “Logs of this trace”', async () => {
    const publicKey = new URL(project.dsn).username;
    const eventId = crypto.randomUUID().replaceAll('-', '');
    const response = await fetch(`${vigil.baseUrl}/api/${project.id}/store/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sentry-Auth': `Sentry sentry_key=${publicKey}, sentry_version=7, sentry_client=e2e` },
      body: JSON.stringify({
        event_id: eventId,
        timestamp: Date.now() / 1000 - 120,
        platform: 'python',
        level: 'error',
        exception: { values: [{ type: 'PaymentError', value: 'card declined' }] },
        contexts: { trace: { trace_id: TRACE, span_id: '00f067aa0ba902b7' } },
      }),
    });
    expect(response.status, await response.text()).toBe(200);
    let issueId: number | undefined;
    await expect
      .poll(async () => {
        const list = await owner.api.expect<{ data: { id: number }[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues?query=`);
        issueId = list.data[0]?.id;
        return issueId;
      }, { timeout: 30_000, interval: 500 })
      .toBeDefined();

    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/issues/${issueId}`);
    const link = page.getByRole('link', { name: 'Logs of this trace' });
    await link.waitFor();
    await link.click();
    await page.waitForURL(/\/logs\?/);
    expect(new URL(page.url()).searchParams.get('q')).toBe(`trace:${TRACE}`);
    await page.waitForFunction(() => document.querySelectorAll('.log-row').length === 1);
    expect(await bodies()).toEqual(['Payment captured for order 1234']);
  });

  test('settings: log retention; alerts: a logs.threshold rule with its search', async () => {
    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/settings`);
    await page.getByLabel('Searchable for (days)').fill('3');
    await page.getByLabel('Kept for (days)').fill('2');
    await page.getByRole('button', { name: 'Save log retention' }).click();
    await page.getByText('Keep lines at least as long as they stay searchable.').waitFor();
    await page.locator('#logs-retention-heading').scrollIntoViewIfNeeded();
    await shot(page, 'logs-06-settings', 'phone');
    await page.getByLabel('Kept for (days)').fill('60');
    await page.getByRole('button', { name: 'Save log retention' }).click();
    await page.getByText(/Log retention saved/).waitFor();
    const saved = await owner.api.expect<{ settings: Json }>(200, 'GET', `/api/v1/projects/${project.id}`);
    expect(saved.settings).toMatchObject({ logsHotDays: 3, logsRetentionDays: 60 });

    await owner.api.expect(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/channels`, { type: 'email', name: 'On-call', email: 'oncall@example.com' });
    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/alerts?tab=rules`);
    await page.getByRole('button', { name: 'New rule' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Too many errors in the logs');
    const checked = page.locator('input[name="events"]:checked');
    while ((await checked.count()) > 0) await checked.first().uncheck();
    await page.getByRole('checkbox', { name: 'Log threshold' }).check();
    await page.getByLabel('Log search to count').fill('level:error+ logger:django.*');
    await page.locator('.frequency input').nth(0).fill('50');
    await page.locator('.frequency input').nth(1).fill('5');
    expect(await page.locator('.frequency').textContent()).toContain('matching log lines in');
    await shot(page, 'logs-07-alert-rule', 'desktop');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await expect
      .poll(async () => (await owner.api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${project.id}/alert-rules`)).data.find((r) => r.name === 'Too many errors in the logs'))
      .toMatchObject({ events: ['logs.threshold'], logQuery: 'level:error+ logger:django.*', frequencyCount: 50, frequencyMinutes: 5 });

    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
