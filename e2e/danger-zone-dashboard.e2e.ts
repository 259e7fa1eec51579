// Project settings in the browser: data retention saved within its bounds (refused outside them), then deleting: a project from its settings and then the organization from its own, each confirmed by
// typing the name (a wrong name keeps the button disabled). Afterwards the API no longer knows them, the project's
// DSN is turned away, and the dashboard has moved on (to the organization; to "create an organization").
// Screenshots: e2e/artifacts/screenshots/danger-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { startVigil, type Vigil } from './support/vigil.js';

let vigil: Vigil;
let browser: Browser;
let page: Page;
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
let doomed: Project;
let kept: Project;
const pageErrors: string[] = [];

/** A minimal Sentry envelope (one message event) to the project's DSN; the status code. */
async function sendEvent(project: Project): Promise<number> {
  const dsn = new URL(project.dsn);
  const header = JSON.stringify({ event_id: crypto.randomUUID().replaceAll('-', ''), dsn: project.dsn });
  const body = [header, JSON.stringify({ type: 'event' }), JSON.stringify({ message: 'hello from the doomed project', level: 'error' })].join('\n');
  const response = await fetch(`${vigil.baseUrl}/api/${project.id}/envelope/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-sentry-envelope', 'X-Sentry-Auth': `Sentry sentry_key=${dsn.username}, sentry_version=7` },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  vigil = await startVigil('danger-zone-dashboard');
  const signed = await signUp(vigil.baseUrl, { name: 'Ada Lovelace' });
  owner = { api: signed.api, organization: signed.organization, email: signed.user.email, password: signed.password };
  doomed = await owner.api.expect<Project>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/projects`, { name: 'Old shop' });
  kept = await owner.api.expect<Project>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/projects`, { name: 'New shop' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${vigil.baseUrl}/login`);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
});

afterAll(async () => {
  await browser?.close();
  await vigil?.stop();
});

describe('data retention', () => {
  test('a value outside its bounds is refused with them; a valid change is saved', async () => {
    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${doomed.id}/settings`);
    await page.getByRole('heading', { name: 'Data retention' }).waitFor();
    const before = await owner.api.expect<{ settings: Record<string, number> }>(200, 'GET', `/api/v1/projects/${doomed.id}`);
    await page.getByLabel('Uptime history (days)').fill('3');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByText('A whole number of days, 7 to 400.').waitFor();
    expect((await owner.api.expect<{ settings: Record<string, number> }>(200, 'GET', `/api/v1/projects/${doomed.id}`)).settings).toEqual(before.settings);

    const events = before.settings.eventsRetentionDays! - 60;
    await page.getByLabel('Uptime history (days)').fill(String(before.settings.checksRetentionDays));
    await page.getByLabel('Events (days)').fill(String(events));
    await page.getByRole('button', { name: 'Save retention' }).click();
    await expect.poll(async () => (await owner.api.expect<{ settings: Record<string, number> }>(200, 'GET', `/api/v1/projects/${doomed.id}`)).settings).toEqual({ ...before.settings, eventsRetentionDays: events });
    await shot(page, 'danger-00-retention-saved');
    expect(pageErrors).toEqual([]);
  });
});

describe('the danger zones', () => {
  test('a project is deleted only once its name is typed; its DSN is then turned away', async () => {
    expect(await sendEvent(doomed)).toBe(200);
    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${doomed.id}/settings`);
    await page.getByRole('heading', { name: 'Danger zone' }).waitFor();
    const button = page.getByRole('button', { name: 'Delete project' });
    const confirm = page.getByLabel(`To confirm, type “${doomed.name}”`);
    expect(await button.isDisabled()).toBe(true);
    await confirm.fill(kept.name);
    expect(await button.isDisabled()).toBe(true);
    await confirm.fill(doomed.name);
    expect(await button.isEnabled()).toBe(true);
    await shot(page, 'danger-01-project-confirmed');
    await button.click();
    await page.waitForURL((url) => url.pathname === `/orgs/${owner.organization.slug}`);

    expect((await owner.api.request('GET', `/api/v1/projects/${doomed.id}`)).status).toBe(404);
    const left = await owner.api.expect<{ data: Project[] }>(200, 'GET', `/api/v1/orgs/${owner.organization.slug}/projects`);
    expect(left.data.map((p) => p.id)).toEqual([kept.id]);
    expect(await sendEvent(doomed)).toBe(401);
    expect(await sendEvent(kept)).toBe(200);
    expect(pageErrors).toEqual([]);
  });

  test('the organization goes with its projects, and the dashboard offers to create one', async () => {
    await page.goto(`${vigil.baseUrl}/orgs/${owner.organization.slug}/settings`);
    await page.getByRole('heading', { name: 'Danger zone' }).waitFor();
    const button = page.getByRole('button', { name: 'Delete organization' });
    expect(await button.isDisabled()).toBe(true);
    await page.getByLabel(`To confirm, type “${owner.organization.name}”`).fill(owner.organization.name);
    await shot(page, 'danger-02-organization-confirmed');
    await button.click();
    await page.waitForURL((url) => url.pathname === '/orgs/new');
    await shot(page, 'danger-03-after');

    expect((await owner.api.request('GET', `/api/v1/orgs/${owner.organization.slug}`)).status).toBe(404);
    expect((await owner.api.request('GET', `/api/v1/projects/${kept.id}`)).status).toBe(404);
    expect(await sendEvent(kept)).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
