// API tokens in the browser: the account page creates a read-only token and a read-and-write one, the list
// says which is which, and the read-only token shown once really only reads (GET 200, POST 403
// insufficient_scope) while the other writes without an Origin header. Revoking from the page ends it at once.
// Screenshots: e2e/artifacts/screenshots/tokens-*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { startVigil, type Vigil } from './support/vigil.js';

let vigil: Vigil;
let browser: Browser;
let page: Page;
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
const pageErrors: string[] = [];

/** A script's call with a bearer token and no cookie or Origin, as curl sends it. */
async function script(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(vigil.baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null };
}

beforeAll(async () => {
  vigil = await startVigil('tokens-dashboard');
  const signed = await signUp(vigil.baseUrl, { name: 'Grace Hopper' });
  owner = { api: signed.api, organization: signed.organization, email: signed.user.email, password: signed.password };
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

afterAll(async () => {
  await browser?.close();
  await vigil?.stop();
});

describe('API tokens on the account page', () => {
  let readerToken = '';
  let writerToken = '';

  test('creates a read-only and a read-and-write token; the list shows their access', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.goto(`${vigil.baseUrl}/account`);
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();

    await page.getByLabel('Token name').fill('Grafana');
    await page.getByLabel('Access').selectOption({ label: 'Read only' });
    await page.getByRole('button', { name: 'Create token' }).click();
    readerToken = ((await page.getByTestId('api-token').textContent()) ?? '').trim();
    expect(readerToken).toMatch(/^vgl_/);
    await page.getByRole('cell', { name: 'Grafana', exact: true }).waitFor();
    await shot(page, 'tokens-01-read-only-created');

    await page.getByLabel('Token name').fill('Deploy script');
    await page.getByLabel('Access').selectOption({ label: 'Read and write' });
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('cell', { name: 'Deploy script', exact: true }).waitFor();
    writerToken = ((await page.getByTestId('api-token').textContent()) ?? '').trim();
    expect(writerToken).toMatch(/^vgl_/);
    expect(writerToken).not.toBe(readerToken);

    const row = (name: string) => page.locator('tr', { has: page.getByRole('cell', { name, exact: true }) });
    expect(await row('Grafana').textContent()).toContain('read only');
    expect(await row('Deploy script').textContent()).toContain('read and write');
    // The answer of the list API agrees with the page.
    const listed = await owner.api.expect<{ data: { name: string; scopes: string[] }[] }>(200, 'GET', '/api/v1/tokens');
    expect(Object.fromEntries(listed.data.map((t) => [t.name, t.scopes]))).toEqual({ Grafana: ['read'], 'Deploy script': ['read', 'write'] });
    await shot(page, 'tokens-02-list');
    expect(pageErrors).toEqual([]);
  });

  test('the read-only token reads and is refused writes; the other writes; neither can mint tokens', async () => {
    const projects = `/api/v1/orgs/${owner.organization.slug}/projects`;
    expect((await script(readerToken, 'GET', projects)).status).toBe(200);
    const refused = await script(readerToken, 'POST', projects, { name: 'Planted' });
    expect(refused.status).toBe(403);
    expect(refused.body?.error?.code).toBe('insufficient_scope');
    expect(refused.body?.error?.message).toMatch(/read-only/);
    expect((await script(writerToken, 'POST', projects, { name: 'From CI' })).status).toBe(201);
    expect((await script(writerToken, 'POST', '/api/v1/tokens', { name: 'minted' })).status).toBe(403);
  });

  test('revoking on the page ends the token at once', async () => {
    await page.getByRole('button', { name: 'Revoke token Grafana' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token', exact: true }).click();
    await page.getByText('Token “Grafana” revoked.').waitFor();
    expect((await script(readerToken, 'GET', '/api/v1/me')).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
