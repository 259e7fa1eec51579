// The public status page in a real browser: an organization's public monitors with 90 days of history
// (outages and a gap written into the local D1 with `wrangler d1 execute`), seen logged out, at desktop
// and phone sizes (the page has no scripts at all; the Worker tests check that). Screenshots: e2e/artifacts/screenshots/status-*.png.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, PHONE, shot, type Browser } from './support/browser.js';
import { artifactsDir, binDir, childEnv, repoRoot } from './support/paths.js';
import { runOk } from './support/run.js';
import { startVigil, type Vigil } from './support/vigil.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

let vigil: Vigil;
let browser: Browser;
let page: Page;
let api: ApiClient;
let organization: Organization;
const consoleLines: string[] = [];
const monitorIds: Record<string, number> = {};

/** SQL straight into the running Vigil's local D1: history that would otherwise take 90 days to record. */
async function sql(statements: string[]): Promise<void> {
  await runOk(path.join(binDir, 'wrangler'), ['d1', 'execute', 'DB', '--local', '--persist-to', vigil.stateDir, '--command', statements.join(';\n')], {
    cwd: repoRoot,
    env: { ...childEnv(), CI: 'true' },
    timeoutMs: 120_000,
  });
}

beforeAll(async () => {
  vigil = await startVigil('status-page');
  const owner = await signUp(vigil.baseUrl, { name: 'Status owner' });
  api = owner.api;
  organization = owner.organization;
  await api.expect(200, 'PATCH', `/api/v1/orgs/${organization.slug}`, { name: 'Acme Shop' });
  const project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Shop' });
  const monitors: [string, boolean][] = [['Storefront', true], ['Checkout API', true], ['Search', true], ['Internal admin', false]];
  for (const [name, isPublic] of monitors) {
    const m = await api.expect<{ id: number }>(201, 'POST', `/api/v1/projects/${project.id}/monitors`, {
      name,
      url: `https://shop.example.com/${name.toLowerCase().replace(/ /g, '-')}`,
      public: isPublic,
    });
    monitorIds[name] = m.id;
  }
  const now = Date.now();
  const today = Math.floor(now / DAY) * DAY;
  const at = (daysAgo: number, hour: number, minute = 0) => today - daysAgo * DAY + hour * 3_600_000 + minute * MINUTE;
  const incident = (name: string, from: number, to: number | null) =>
    `insert into monitor_incidents (monitor_id, project_id, started_at, confirmed_at, ended_at, failing_regions, first_error) values (${monitorIds[name]}, ${project.id}, ${from}, ${from + MINUTE}, ${to ?? 'null'}, '["weur","wnam"]', '{"region":"weur","errorClass":"status","message":"HTTP 502","httpStatus":502,"excerpt":null}')`;
  await sql([
    `update monitors set created_at = ${now - 120 * DAY}, state = 'up' where project_id = ${project.id}`,
    `update monitors set state = 'down' where id = ${monitorIds['Checkout API']}`,
    incident('Checkout API', now - 23 * MINUTE, null),
    incident('Checkout API', at(2, 14, 5), at(2, 14, 41)),
    incident('Checkout API', at(12, 3, 0), at(12, 3, 4)),
    incident('Storefront', at(6, 9, 30), at(6, 11, 55)),
    incident('Storefront', at(47, 22, 0), at(47, 22, 20)),
    incident('Search', at(20, 1, 0), at(20, 1, 1)),
    `insert into monitor_gaps (monitor_id, "from", "to") values (${monitorIds['Search']}, ${at(33, 0)}, ${at(32, 0)})`,
    incident('Internal admin', at(1, 5, 0), at(1, 6, 0)),
  ]);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${String(error)}`));
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'status-page.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await vigil?.stop();
});

describe('public status page', () => {
  test('a visitor sees the banner, the public monitors with 90 daily bars, and the incidents', async () => {
    await page.goto(`${vigil.baseUrl}/status/${organization.slug}`);
    await expect.poll(() => page.title()).toBe('Acme Shop status');
    expect(await page.locator('.banner .title').textContent()).toBe('Partial outage');
    expect(await page.locator('li.monitor h3').allTextContents()).toEqual(['Checkout API', 'Search', 'Storefront']);
    expect(await page.locator('li.monitor').first().locator('.bars li').count()).toBe(90);
    expect(await page.locator('#current ~ ul').textContent()).toContain('Checkout API is down');
    expect(await page.content()).not.toContain('Internal admin');
    await shot(page, 'status-01-page');
    // Nothing blocked by the Content-Security-Policy, nothing failed.
    expect(consoleLines.filter((l) => /error|refused|violat/i.test(l))).toEqual([]);
  });

  test('in dark mode too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'status-04-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('on a phone the strip shows the last 30 days and nothing overflows', async () => {
    await page.setViewportSize({ ...PHONE });
    const visible = await page.locator('li.monitor').first().locator('.bars li:visible').count();
    expect(visible).toBe(30);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test('a day bar says its date, uptime and downtime in its tooltip', async () => {
    const title = await page.locator('li.monitor').first().locator('.bars li.tone-down').first().getAttribute('title');
    expect(title).toMatch(/^\d{4}-\d{2}-\d{2}: \d+\.\d\d% uptime, down 36 min \(1 incident\)$/);
  });

  test('an unknown organization gets the friendly 404 page', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const response = await page.goto(`${vigil.baseUrl}/status/no-such-org`);
    expect(response?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Status page not found');
    await shot(page, 'status-02-not-found');
  });

  test('the badge of a public monitor renders', async () => {
    await page.goto(`${vigil.baseUrl}/badge/${monitorIds['Storefront']}.svg`);
    expect(await page.locator('svg').getAttribute('aria-label')).toMatch(/^uptime: up \d+\.\d\d%$/);
    await page.locator('svg').screenshot({ path: path.join(artifactsDir, 'screenshots', 'status-03-badge.png') });
  });
});
