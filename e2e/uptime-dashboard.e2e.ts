// The dashboard's Uptime pages in Chromium against a real Vigil: a monitored site runs in this process
// (node:http on 127.0.0.1). A person creates a monitor through the form, tries it with "Test now"
// (one row per region; a failing URL shows what the site answered, as text), saves it, and sees it go
// up after a cron round; the site is stopped, the next round fails and its confirmation re-check fails
// too, and the monitor page shows it down with the incident. Screenshots of the list, the monitor page
// and the form at 1440×900 and 390×844 go to e2e/artifacts/screenshots/uptime-*.png.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { artifactsDir } from './support/paths.js';
import { startVigil, type Vigil } from './support/vigil.js';

interface Target {
  url: string;
  hits: number;
  stop(): Promise<void>;
}

/** The monitored site: a Django-like health check, and a broken page whose body must show as text. */
async function startTarget(): Promise<Target> {
  const state = { hits: 0 };
  const server: Server = createServer((req, res) => {
    state.hits += 1;
    if (req.url === '/health-check/') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok', database: 'ok', cache: 'ok' }));
    } else if (req.url === '/broken/') {
      res.writeHead(500, { 'Content-Type': 'text/html' }).end('<h1>Server Error (500)</h1><img src=x onerror="window.__pwned=1">');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let vigil: Vigil;
let target: Target;
let browser: Browser;
let page: Page;
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
let project: Project;
const pageErrors: string[] = [];
const consoleLines: string[] = [];

/**
 * One run of the every-minute cron through wrangler's scheduled route. Each call is the next minute
 * (a monitor checked every minute is due once per minute), starting with the minute after now.
 */
let nextRound = (Math.floor(Date.now() / 60_000) + 1) * 60_000;
async function cronRound(): Promise<void> {
  const time = Math.max(nextRound, (Math.floor(Date.now() / 60_000) + 1) * 60_000);
  nextRound = time + 60_000;
  const response = await fetch(`${vigil.baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}&time=${time}`);
  const text = await response.text();
  expect(response.status, text).toBe(200);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reload until `check` passes (the round's writes land asynchronously from the browser's view). */
async function reloadUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for the page to show the expected state');
    await sleep(1000);
    await page.reload();
  }
}

beforeAll(async () => {
  [vigil, target] = await Promise.all([startVigil('uptime-dashboard'), startTarget()]);
  const signed = await signUp(vigil.baseUrl, { name: 'Ada Lovelace' });
  owner = { api: signed.api, organization: signed.organization, email: signed.user.email, password: signed.password };
  project = await owner.api.expect<Project>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/projects`, { name: 'Shop' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'uptime-dashboard.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await target?.stop().catch(() => undefined);
  await vigil?.stop();
});

describe('uptime in the browser', () => {
  let monitorUrl = '';

  test('the empty list teaches; the form tests a definition from each region, then creates the monitor', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    const listUrl = `${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/uptime`;
    await page.goto(listUrl);
    await page.getByRole('heading', { name: 'No uptime monitors yet' }).waitFor();
    await page.getByText('Point it at a health check').waitFor();
    await shot(page, 'uptime-01-empty');

    await page.getByRole('link', { name: 'Create your first monitor' }).click();
    await page.waitForURL(/\/uptime\/new$/);

    // Live validation: a field left empty says so.
    await page.getByLabel('Name').focus();
    await page.getByLabel('URL').focus();
    await page.getByText('Give the monitor a name.').waitFor();

    await page.getByLabel('Name').fill('Shop health check');
    // A URL that answers 500: every region fails, and the answer shows as text, not markup.
    await page.getByLabel('URL').fill(`${target.url}/broken/`);
    await page.getByRole('button', { name: 'Test now' }).click();
    const results = page.getByRole('table', { name: 'Test results' });
    await results.waitFor();
    const rows = results.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await results.locator('tbody tr[data-region]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-region')))).toEqual([
      'wnam',
      'weur',
      'apac',
    ]);
    const first = rows.first();
    expect(await first.textContent()).toContain('Down');
    expect(await first.textContent()).toContain('500');
    await first.getByText('Response').click();
    const excerpt = first.locator('pre');
    expect(await excerpt.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await excerpt.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // The health check, with a JSON assertion behind "Advanced": up from every region.
    await page.getByLabel('URL').fill(`${target.url}/health-check/`);
    await page.locator('summary', { hasText: 'Advanced' }).click();
    await page.getByLabel('JSON path').fill('$.status');
    await page.getByLabel('Expected JSON value').fill('"ok"');
    await page.getByRole('button', { name: 'Test now' }).click();
    await page.getByText('passed from all 3 regions').waitFor();
    for (const region of ['wnam', 'weur', 'apac']) {
      const row = results.locator(`tr[data-region="${region}"]`);
      expect(await row.textContent()).toContain('Up');
      expect(await row.textContent()).toContain('200');
      expect(await row.textContent()).toMatch(/\d+ ms/);
    }
    await shot(page, 'uptime-02-form-tested');

    await page.getByRole('button', { name: 'Create monitor' }).click();
    await page.waitForURL(/\/uptime\/\d+$/);
    monitorUrl = page.url();
    await page.getByRole('heading', { name: 'Shop health check', level: 1 }).waitFor();
    expect(await page.locator('.monitor-state').first().getAttribute('data-state')).toBe('pending');

    // Saved as typed: the API has the assertion and the default regions.
    const list = await owner.api.expect<{ data: { name: string; regions: string[]; jsonAssertion: unknown; url: string }[] }>(
      200,
      'GET',
      `/api/v1/projects/${project.id}/monitors`,
    );
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({
      name: 'Shop health check',
      url: `${target.url}/health-check/`,
      regions: ['wnam', 'weur', 'apac'],
      jsonAssertion: { path: '$.status', equals: 'ok' },
    });
  });

  test('a cron round checks it: up, with a check, in the list', async () => {
    const before = target.hits;
    await cronRound();
    expect(target.hits).toBeGreaterThanOrEqual(before + 3);

    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/uptime`);
    const row = page.locator('tr[data-monitor]').first();
    await reloadUntil(async () => (await row.locator('.monitor-state').getAttribute('data-state')) === 'up');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Shop health check');
    expect(text).toContain(`${target.url}/health-check/`);
    expect(text).toContain('Up');
    expect(text).toMatch(/just now|min ago/);
    expect(text).toContain('100 %');
    await page.getByText('1 up').waitFor();
    await shot(page, 'uptime-03-list-up');
  });

  test('the site stops: the next round and its re-check fail, the monitor is down with an incident', async () => {
    await target.stop();
    await cronRound();

    await page.goto(monitorUrl);
    await reloadUntil(async () => (await page.locator('.monitor-state').first().getAttribute('data-state')) === 'down');
    await page.getByRole('alert').filter({ hasText: 'Down for' }).waitFor();

    const incident = page.getByRole('list', { name: 'Incidents' }).getByRole('listitem').first();
    await incident.waitFor();
    const text = (await incident.textContent()) ?? '';
    expect(text).toContain('Ongoing');
    expect(text).toContain('Started');
    expect(text).toContain('Confirmed');
    expect(text).toContain('Connection');
    expect(text).toMatch(/wnam|weur|apac/);

    // "Show on the chart" zooms the chart to the incident, 15 minutes either side.
    await incident.getByRole('link', { name: 'Show on the chart' }).click();
    await page.waitForURL(/[?&]from=.+&to=/);
    const zoomed = new URL(page.url());
    const started = Date.parse((await incident.locator('time').first().getAttribute('datetime')) ?? '');
    expect(Date.parse(zoomed.searchParams.get('from') ?? '')).toBe(started - 15 * 60_000);
    await page.getByRole('link', { name: 'Reset zoom' }).waitFor();

    // The last errors list the failing checks; the uptime tiles have numbers.
    expect(await page.getByRole('list', { name: 'Last errors' }).getByRole('listitem').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.tile').count()).toBe(4);
    // The chart is drawn, with its range selector.
    await page.locator('.time-chart canvas').first().waitFor();
    // 7 days: hourly rollups and the recent raw checks, one line for all regions.
    await page.getByRole('group', { name: 'Time range' }).getByRole('link', { name: '7 d' }).click();
    await page.waitForURL(/range=7d/);
    await page.locator('.chart:not(.stale) .time-chart canvas').first().waitFor();
    await page.getByText('All regions', { exact: true }).waitFor();
    expect(await page.getByText('The response times could not be loaded').count()).toBe(0);
    await page.getByRole('group', { name: 'Time range' }).getByRole('link', { name: '1 h' }).click();
    await page.waitForURL(/range=1h/);
    await page.locator('.time-chart canvas').first().waitFor();
    // Drag across the last half of the hour: the URL holds the window, the chart shows it.
    const plot = page.locator('.chart:not(.stale) .time-chart .u-over').first();
    await plot.waitFor();
    let box = await plot.boundingBox();
    for (let i = 0; !box && i < 20; i++) {
      await sleep(250); // the chart is redrawn when its data arrives
      box = await plot.boundingBox();
    }
    if (!box) throw new Error('the chart has no plot area');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width + 20, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL(/[?&]from=.+&to=/);
    await page.getByRole('link', { name: 'Reset zoom' }).waitFor();
    await page.locator('.time-chart canvas').first().waitFor();
    await shot(page, 'uptime-04-monitor-down');
    // The chart follows the theme (its canvas colors come from the CSS tokens).
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await shot(page, 'uptime-04-monitor-down-dark', 'desktop');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/uptime`);
    await page.getByText('1 down').waitFor();
    await shot(page, 'uptime-05-list-down');
  });

  test('pause and resume from the monitor page; the edit form keeps the values', async () => {
    await page.goto(monitorUrl);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await page.locator('.monitor-state').first().getAttribute('data-state')).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await page.locator('.monitor-state').first().getAttribute('data-state')).toBe('pending');

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    expect(await page.getByLabel('Name').inputValue()).toBe('Shop health check');
    expect(await page.getByLabel('JSON path').inputValue()).toBe('$.status');
    expect(await page.getByLabel('Expected JSON value').inputValue()).toBe('"ok"');
    await shot(page, 'uptime-06-form-edit');

    // A recurring window whose schedule only the Worker can reject: its message lands under the windows.
    await page.getByRole('button', { name: 'Recurring window' }).click();
    await page.getByLabel('Starts (cron)').fill('61 * * * *');
    await page.getByRole('button', { name: 'Save monitor' }).click();
    const problem = page.locator('[data-field="maintenance"] .error');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/Recurring window/);
    expect(page.url()).toMatch(/\/edit$/);
    expect(pageErrors).toEqual([]);
  });
});
