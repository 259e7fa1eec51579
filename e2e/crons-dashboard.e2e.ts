// The dashboard's Crons pages in Chromium against a real Vigil. The empty list teaches the three ways a
// job checks in (Sentry's @monitor, Celery beat, a curl in a crontab line) with the project's own DSN and
// ping URL; a person creates an every-minute monitor through the form; a "job" (Node's fetch) pings it:
// /start?rid=, then success with its output as the body and the same rid, then /fail with markup in the
// body. The monitor page shows the runs with their duration and logs as text, and the state goes to
// failed; the list shows the schedule in words, the next run and the strip of runs. Pause, resume, edit
// (a PATCH with only the changed field), a slug the Worker refuses shown under the field, delete, and a
// heartbeat created by its first ping whose runs page with "Load older runs".
// Screenshots of the empty list, the form, the monitor page and the list at 1440×900 and 390×844 go to
// e2e/artifacts/screenshots/crons-*.png.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { artifactsDir } from './support/paths.js';
import { startVigil, type Vigil } from './support/vigil.js';

interface Cron {
  id: number;
  slug: string;
  name: string;
  state: string;
  pingUrl: string;
  scheduleText: string;
  checkinMargin: number;
  schedule: { type: string; value: unknown; unit?: string };
}

let vigil: Vigil;
let browser: Browser;
let page: Page;
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
let project: Project;
const pageErrors: string[] = [];
const dialogs: string[] = [];
const consoleLines: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A ping as a job sends it: GET, or POST with its output as the body. */
async function ping(url: string, body?: string): Promise<void> {
  const response = await fetch(url, body === undefined ? {} : { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
  const text = await response.text();
  expect(response.status, `${url}: ${text}`).toBe(200);
}

/** Reload until `check` passes (writes land asynchronously from the browser's view). */
async function reloadUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for the page to show the expected state');
    await sleep(1000);
    await page.reload();
  }
}

const listUrl = () => `${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/crons`;

beforeAll(async () => {
  vigil = await startVigil('crons-dashboard');
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
  writeFileSync(path.join(artifactsDir, 'crons-dashboard.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await vigil?.stop();
});

describe('crons in the browser', () => {
  let cronUrl = '';
  let pingUrl = '';

  test('the empty list teaches the three ways in; the form creates an every-minute monitor', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.goto(listUrl());
    await page.getByRole('heading', { name: 'No cron monitors yet' }).waitFor();
    // The snippets carry the project's DSN and its ping URL.
    const publicKey = new URL(project.dsn).username;
    expect(publicKey).toMatch(/^[0-9a-f]{32}$/);
    const sentry = (await page.getByTestId('snippet-sentry').textContent()) ?? '';
    expect(sentry).toContain('from sentry_sdk.crons import monitor');
    expect(sentry).toContain('monitor_slug="nightly-report"');
    expect(sentry).toContain('{"type": "crontab", "value": "0 3 * * *"}');
    expect(sentry).toContain('"timezone": "Europe/Paris"');
    const celery = (await page.getByTestId('snippet-celery').textContent()) ?? '';
    expect(celery).toContain('CeleryIntegration(monitor_beat_tasks=True)');
    expect(celery).toContain(project.dsn);
    const curl = (await page.getByTestId('snippet-curl').textContent()) ?? '';
    expect(curl).toBe(`0 3 * * * cd /srv/shop && python manage.py nightly_report && curl -fsS -m 10 --retry 3 ${vigil.baseUrl}/ping/${publicKey}/nightly-report`);
    await shot(page, 'crons-01-empty');

    await page.getByRole('link', { name: 'New cron monitor' }).click();
    await page.waitForURL(/\/crons\/new$/);

    // The slug follows the name.
    await page.getByLabel('Name').fill('Nightly backup');
    expect(await page.getByLabel('Slug').inputValue()).toBe('nightly-backup');

    // The crontab line reads back in words, with its next runs, as it is typed; a wrong one says why once
    // the field is left.
    await page.getByLabel('Timezone').fill('Europe/Paris');
    await page.getByLabel('Crontab line').fill('30 2 * * 1-5');
    await page.getByText('at 02:30, Monday through Friday Europe/Paris').waitFor();
    await page.getByText(/^Next: .+ · .+ · .+/).waitFor();
    await shot(page, 'crons-02-form-crontab');
    await page.getByLabel('Crontab line').fill('61 * * * *');
    await page.getByLabel('Timezone').focus();
    await page.locator('#cf-schedule-error').waitFor();
    expect(await page.getByLabel('Crontab line').getAttribute('aria-invalid')).toBe('true');

    // Every minute, with a minute of margin.
    await page.getByRole('radio', { name: 'Interval' }).check();
    await page.getByLabel('Interval length').fill('1');
    await page.getByLabel('Interval unit').selectOption('minute');
    await page.getByText('every minute, counted from the last check-in').waitFor();
    await page.getByLabel('Margin').fill('1');
    await page.getByLabel('Timezone').fill('UTC');
    await shot(page, 'crons-02-form');

    await page.getByRole('button', { name: 'Create cron monitor' }).click();
    await page.waitForURL(/\/crons\/\d+$/);
    cronUrl = page.url();
    await page.getByRole('heading', { name: 'Nightly backup', level: 1 }).waitFor();
    expect(await page.locator('.cron-state').first().getAttribute('data-state')).toBe('new');
    await page.getByText('Waiting for the first check-in').waitFor();

    // Saved as typed; the page shows the monitor's ping URL with its curl lines.
    const list = await owner.api.expect<{ data: Cron[] }>(200, 'GET', `/api/v1/projects/${project.id}/crons`);
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ slug: 'nightly-backup', name: 'Nightly backup', schedule: { type: 'interval', value: 1, unit: 'minute' }, checkinMargin: 1, scheduleText: 'every minute' });
    pingUrl = list.data[0]!.pingUrl;
    expect(pingUrl).toBe(`${vigil.baseUrl}/ping/${publicKey}/nightly-backup`);
    expect(await page.getByTestId('ping-url').textContent()).toBe(pingUrl);
    const exitLine = (await page.locator('[data-line="exit"] pre').textContent()) ?? '';
    expect(exitLine).toBe(`python manage.py nightly_backup; curl -fsS -m 10 --retry 3 ${pingUrl}/$?`);
    expect(await page.locator('[data-line="start"] pre').textContent()).toBe(`curl -fsS -m 10 --retry 3 ${pingUrl}/start`);
    expect(await page.locator('[data-line="fail"] pre').textContent()).toBe(`curl -fsS -m 10 --retry 3 ${pingUrl}/fail`);
  });

  test('a run pinged with /start and a log, then a failure: durations, logs as text, state failed', async () => {
    await ping(`${pingUrl}/start?rid=run-1`);
    await sleep(1300);
    await ping(`${pingUrl}?rid=run-1`, 'backup done: 42 files');
    await ping(`${pingUrl}/fail`, 'error: disk full\n<script>alert(1)</script>\n<img src=x onerror="window.__pwned=1">');

    await page.goto(cronUrl);
    await reloadUntil(async () => (await page.locator('.cron-state').first().getAttribute('data-state')) === 'error');
    await page.getByRole('alert').filter({ hasText: 'The last run failed' }).waitFor();

    const rows = page.locator('tr.run');
    expect(await rows.count()).toBe(2);
    // Newest first: the failure, then the run that took a little over a second.
    const failedRow = rows.nth(0);
    const okRow = rows.nth(1);
    expect(await failedRow.getAttribute('data-status')).toBe('error');
    expect(await failedRow.textContent()).toContain('Failed');
    expect(await failedRow.textContent()).toContain('Ping');
    expect(await okRow.getAttribute('data-status')).toBe('ok');
    const duration = (await okRow.locator('.c-duration').textContent())?.trim() ?? '';
    expect(duration).toMatch(/^\d\.\d s$/);
    expect(Number.parseFloat(duration)).toBeGreaterThanOrEqual(1.2);

    // The logs open as text.
    await okRow.getByRole('button', { name: 'Log' }).click();
    const okLog = page.locator(`#log-${await okRow.getAttribute('data-run')} pre`);
    expect(await okLog.textContent()).toBe('backup done: 42 files');
    expect(await page.locator(`#log-${await okRow.getAttribute('data-run')}`).textContent()).toContain('run-1');
    await failedRow.getByRole('button', { name: 'Log' }).click();
    const failedLog = page.locator(`#log-${await failedRow.getAttribute('data-run')} pre`);
    expect(await failedLog.textContent()).toContain('<script>alert(1)</script>');
    expect(await failedLog.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await failedLog.locator('script, img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);

    // Both runs on the timeline and in the durations chart.
    expect(await page.locator('.run-timeline .mark[data-status]').count()).toBe(2);
    expect(await page.locator('.run-durations .slot[data-status]').count()).toBe(2);
    expect(await page.locator('.run-durations .slot[data-status="ok"]').getAttribute('title')).toMatch(/^OK · .+ · \d\.\d s$/);
    await page.locator('.run-durations figcaption', { hasText: 'median' }).waitFor();
    await shot(page, 'crons-03-monitor');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    await shot(page, 'crons-03-monitor-dark', 'desktop');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('the list: state, schedule in words, next run, last duration and the strip of runs', async () => {
    // More monitors, as jobs with other schedules would have them.
    const create = (body: object) => owner.api.expect<Cron>(201, 'POST', `/api/v1/projects/${project.id}/crons`, body);
    await create({ slug: 'db-vacuum', name: 'Vacuum the database', schedule: { type: 'crontab', value: '0 3 * * *' }, timezone: 'Europe/Paris', checkinMargin: 15 });
    await create({ slug: 'celery-cleanup', schedule: { type: 'interval', value: 6, unit: 'hour' }, paused: true });
    const invoices = await create({ slug: 'send-invoices', name: 'Send invoices', schedule: { type: 'crontab', value: '*/15 * * * *' } });
    for (const rid of ['a', 'b', 'c']) {
      await ping(`${invoices.pingUrl}/start?rid=${rid}`);
      await sleep(150);
      await ping(`${invoices.pingUrl}?rid=${rid}`);
    }
    await ping(`${invoices.pingUrl}/start?rid=d`);

    await page.goto(listUrl());
    const row = page.locator('tr[data-slug="nightly-backup"]');
    await row.waitFor();
    // Failed (or missed, if a minute and its margin went by meanwhile).
    expect(['error', 'missed']).toContain(await row.locator('.cron-state').getAttribute('data-state'));
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Nightly backup');
    expect(text).toContain('nightly-backup');
    expect(text).toContain('every minute');
    const next = row.locator('.next-run');
    expect(await next.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const squares = row.locator('.run-strip .run[data-status]');
    expect(await squares.count()).toBeGreaterThanOrEqual(2);
    expect(await squares.nth(0).getAttribute('title')).toMatch(/^OK · .+ · \d\.\d s$/);
    expect(await squares.nth(1).getAttribute('title')).toMatch(/^Failed · /);

    const running = page.locator('tr[data-slug="send-invoices"]');
    expect(await running.locator('.cron-state').getAttribute('data-state')).toBe('in_progress');
    expect(await running.textContent()).toContain('every 15 minutes');
    expect(await running.textContent()).toMatch(/took \d+ ms/);
    expect(await running.locator('.run-strip .run[data-status]').count()).toBe(4);
    expect(await page.locator('tr[data-slug="db-vacuum"]').textContent()).toContain('every day at 03:00 Europe/Paris');
    expect(await page.locator('tr[data-slug="db-vacuum"]').textContent()).toContain('waits for the first check-in');
    expect(await page.locator('tr[data-slug="celery-cleanup"] .cron-state').getAttribute('data-state')).toBe('paused');
    // Worst first.
    expect(await page.locator('tr[data-slug]').first().getAttribute('data-slug')).toBe('nightly-backup');
    await page.getByText('4 cron monitors').waitFor();
    await shot(page, 'crons-04-list');
  });

  test('pause and resume; the edit form keeps the values, shows the Worker’s refusal by its field, and sends only the change', async () => {
    await page.goto(cronUrl);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await page.locator('.cron-state').first().getAttribute('data-state')).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await page.locator('.cron-state').first().getAttribute('data-state')).not.toBe('paused');

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    expect(await page.getByLabel('Slug').inputValue()).toBe('nightly-backup');
    expect(await page.getByRole('radio', { name: 'Interval' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Interval length').inputValue()).toBe('1');
    expect(await page.getByLabel('Interval unit').inputValue()).toBe('minute');
    expect(await page.getByLabel('Margin').inputValue()).toBe('1');
    await shot(page, 'crons-05-form-edit');

    // A slug another monitor has: only the Worker knows; its message lands under the slug.
    await page.getByLabel('Slug').fill('db-vacuum');
    await page.getByRole('button', { name: 'Save cron monitor' }).click();
    await page.locator('#cf-slug-error', { hasText: 'Already taken' }).waitFor();
    expect(page.url()).toMatch(/\/edit$/);

    await page.getByLabel('Slug').fill('nightly-backup');
    await page.getByLabel('Name').fill('Nightly backup (S3)');
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && /\/api\/v1\/crons\/\d+$/.test(r.url()));
    await page.getByRole('button', { name: 'Save cron monitor' }).click();
    expect((await patch).postDataJSON()).toEqual({ name: 'Nightly backup (S3)' });
    await page.waitForURL(/\/crons\/\d+$/);
    await page.getByRole('heading', { name: 'Nightly backup (S3)', level: 1 }).waitFor();
  });

  test('delete asks first, then the monitor is gone from the list', async () => {
    await page.goto(listUrl());
    await page.locator('tr[data-slug="celery-cleanup"] a.name').click();
    await page.waitForURL(/\/crons\/\d+$/);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete cron monitor' }).click();
    await page.waitForURL(/\/crons$/);
    await page.locator('tr[data-slug="nightly-backup"]').waitFor();
    expect(await page.locator('tr[data-slug="celery-cleanup"]').count()).toBe(0);
  });

  test('a heartbeat created by its first ping; its 55 runs page with "Load older runs"', async () => {
    const publicKey = new URL(project.dsn).username;
    const heartbeat = `${vigil.baseUrl}/ping/${publicKey}/hourly-sync`;
    await ping(`${heartbeat}?create=1`);
    for (let i = 0; i < 54; i++) await ping(heartbeat);

    await page.goto(listUrl());
    await page.locator('tr[data-slug="hourly-sync"] a.name').click();
    await page.waitForURL(/\/crons\/\d+$/);
    await page.getByRole('heading', { name: 'hourly-sync', level: 1 }).waitFor();
    expect(await page.locator('.cron-state').first().getAttribute('data-state')).toBe('ok');
    const rows = page.locator('tr.run');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Load older runs' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tr.run').length === 55);
    expect(await page.getByRole('button', { name: 'Load older runs' }).count()).toBe(0);
    expect(await page.getByText('55 shown, newest first').count()).toBe(1);
    await shot(page, 'crons-06-heartbeat');
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
