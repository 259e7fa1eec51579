// First run, end to end: a person signs up in the dashboard, creates a project, copies
// the DSN, logs out and back in; the real Python sentry-sdk accepts that DSN; and the
// same API, driven with the real curl binary, refuses what it must refuse.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiClient, signUp, uniqueEmail, type ApiError, type Organization, type Project, type ProjectKey, type User } from './support/api.js';
import { DESKTOP, launchBrowser, PHONE, shot, type Browser } from './support/browser.js';
import { artifactsDir, djangoDir, venvPython } from './support/paths.js';
import { curl, type CurlResponse } from './support/curl.js';
import { run, runOk } from './support/run.js';
import { startVigil, type Vigil } from './support/vigil.js';

let vigil: Vigil;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const consoleLines: string[] = [];

// What the browser flow produced; later tests check it with other clients.
const person = { name: 'Ada Lovelace', email: uniqueEmail('ada'), password: 'analytical-engine-1843' };
const created = { orgSlug: '', projectId: 0, dsn: '', projectName: 'Shop' };

beforeAll(async () => {
  vigil = await startVigil('onboarding');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'onboarding.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await vigil?.stop();
});

/** GET through the browser's own cookies: what the dashboard's session can see. */
async function apiAsBrowser<T>(apiPath: string): Promise<{ status: number; body: T }> {
  const response = await page.request.get(vigil.baseUrl + apiPath);
  return { status: response.status(), body: (await response.json().catch(() => undefined)) as T };
}

async function dsnOnPage(): Promise<string> {
  const dsn = page.getByTestId('dsn');
  await expect.poll(async () => ((await dsn.textContent()) ?? '').trim(), { timeout: 15_000 }).toMatch(/^https?:\/\//);
  return ((await dsn.textContent()) ?? '').trim();
}

describe('onboarding in the browser', () => {
  test('sign up lands on "create your first project"', async () => {
    await page.goto(vigil.baseUrl + '/');
    // Logged out, the app sends us to log in; from there, to sign up.
    await page.waitForURL(/\/(login|signup)(\?|$)/);
    if (!/\/signup/.test(page.url())) {
      await shot(page, '01-login-empty');
      await page.getByRole('link', { name: /sign up|create (an )?account/i }).click();
      await page.waitForURL(/\/signup/);
    }
    await page.getByLabel('Name').fill(person.name);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await shot(page, '02-signup-filled');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL(/\/orgs\/[^/]+\/new-project/);
    created.orgSlug = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
    await expect(page.getByLabel('Project name').isVisible()).resolves.toBe(true);
    await shot(page, '03-new-project');

    // The session the page holds is the user just created, owner of that organization.
    const me = await apiAsBrowser<{ user: User; organizations: Organization[] }>('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(person.email);
    expect(me.body.user.name).toBe(person.name);
    expect(me.body.organizations.map((o) => o.slug)).toContain(created.orgSlug);
    expect(me.body.organizations.find((o) => o.slug === created.orgSlug)?.role).toBe('owner');
  });

  test('creating a project shows its setup page with the DSN', async () => {
    await page.getByLabel('Project name').fill(created.projectName);
    await page.getByRole('button', { name: 'Create project' }).click();

    await page.waitForURL(/\/orgs\/[^/]+\/projects\/\d+\//);
    created.dsn = await dsnOnPage();
    created.projectId = Number(new URL(page.url()).pathname.split('/')[4]);
    await shot(page, '04-project-setup');

    // The page shows exactly what the API says about the project.
    const project = await apiAsBrowser<Project>(`/api/v1/projects/${created.projectId}`);
    expect(project.status).toBe(200);
    expect(project.body.name).toBe(created.projectName);
    expect(project.body.organization.slug).toBe(created.orgSlug);
    expect(project.body.dsn).toBe(created.dsn);
    const list = await apiAsBrowser<{ data: Project[] }>(`/api/v1/orgs/${created.orgSlug}/projects`);
    expect(list.body.data.map((p) => p.id)).toEqual([created.projectId]);
  });

  test('log out (phone menu) and log back in returns to the project', async () => {
    await page.setViewportSize({ ...PHONE });
    const logOut = page.getByRole('button', { name: 'Log out' });
    if (!(await logOut.isVisible())) {
      await page.getByRole('button', { name: 'Menu' }).click();
      await shot(page, '05-phone-menu-open', 'phone');
    }
    await logOut.click();
    await page.waitForURL(/\/login/);
    await page.setViewportSize({ ...DESKTOP });
    expect((await apiAsBrowser('/api/v1/me')).status).toBe(401);
    await shot(page, '06-logged-out');

    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    expect((await apiAsBrowser('/api/v1/me')).status).toBe(200);
    await shot(page, '07-logged-in');

    // Back to the project: either we land in it, or one click on its name gets there.
    if (!new URL(page.url()).pathname.includes(`/projects/${created.projectId}/`)) {
      await page.getByRole('link', { name: created.projectName }).first().click();
      await page.waitForURL(new RegExp(`/projects/${created.projectId}/`));
    }
    expect(new URL(page.url()).pathname).toContain(`/orgs/${created.orgSlug}/projects/${created.projectId}/`);
    await shot(page, '08-back-in-project');

    // The setup page still shows the same DSN.
    await page.goto(`${vigil.baseUrl}/orgs/${created.orgSlug}/projects/${created.projectId}/setup`);
    expect(await dsnOnPage()).toBe(created.dsn);
  });

  test('no uncaught errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('the DSN works with the real Python sentry-sdk', () => {
  test('sentry_sdk.init(dsn=...) accepts it', async () => {
    expect(created.dsn).not.toBe('');
    const code = `import sentry_sdk; sentry_sdk.init(dsn=${JSON.stringify(created.dsn)})`;
    const result = await run(venvPython, ['-c', code], { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('sentry_sdk.utils.Dsn parses it to this Vigil and this project', async () => {
    const code = [
      'import json, sys',
      'from sentry_sdk.utils import Dsn',
      'd = Dsn(sys.argv[1])',
      'print(json.dumps({"scheme": d.scheme, "host": d.host, "port": d.port, "project_id": d.project_id,',
      '                  "public_key": d.public_key, "path": d.path, "envelope_url": d.to_auth().get_api_url()}))',
    ].join('\n');
    const { stdout } = await runOk(venvPython, ['-c', code, created.dsn], { timeoutMs: 30_000 });
    const parsed = JSON.parse(stdout) as Record<string, string | number>;
    const base = new URL(vigil.baseUrl);
    expect(parsed.scheme).toBe(base.protocol.replace(':', ''));
    expect(parsed.host).toBe(base.hostname);
    expect(parsed.port).toBe(vigil.port);
    expect(parsed.project_id).toBe(String(created.projectId));
    expect(parsed.path).toBe('/');

    // The key in the DSN is the project's active key, as the API lists it.
    const { api } = await loginAgain();
    const keys = await api.expect<{ data: ProjectKey[] }>(200, 'GET', `/api/v1/projects/${created.projectId}/keys`);
    const active = keys.data.filter((k) => k.status === 'active');
    expect(active.map((k) => k.publicKey)).toContain(parsed.public_key);
    expect(active.find((k) => k.publicKey === parsed.public_key)?.dsn).toBe(created.dsn);
    // Where the SDK will send envelopes: this Vigil's ingest path for the project.
    expect(parsed.envelope_url).toBe(`${vigil.baseUrl}/api/${created.projectId}/envelope/`);
  });
});

describe('the example shop starts with that DSN', () => {
  test('manage.py check with VIGIL_DSN set initialises the SDK against this Vigil', async () => {
    const code = [
      'import django, json, os, sentry_sdk',
      'django.setup()',
      'client = sentry_sdk.get_client()',
      'print(json.dumps({"active": client.is_active(), "dsn": client.dsn, "logs": client.options["enable_logs"],',
      '                  "traces": client.options["traces_sample_rate"], "pii": client.options["send_default_pii"]}))',
    ].join('\n');
    const env = { ...process.env, DJANGO_SETTINGS_MODULE: 'shop.settings', VIGIL_DSN: created.dsn, LOG_LEVEL: 'WARNING' };
    const check = await run(venvPython, ['manage.py', 'check'], { cwd: djangoDir, env, timeoutMs: 60_000 });
    expect(check.code, check.stderr).toBe(0);
    const { stdout } = await runOk(venvPython, ['-c', code], { cwd: djangoDir, env, timeoutMs: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ active: true, dsn: created.dsn, logs: true, traces: 1.0, pii: false });
  });
});

/** A second session for the same person, through the API client. */
async function loginAgain() {
  const api = new ApiClient(vigil.baseUrl);
  await api.expect(200, 'POST', '/api/v1/auth/login', { email: person.email, password: person.password });
  return { api };
}

describe('the same flow through the API with curl', () => {
  // Its own user, so these checks stand on their own even when the browser part fails.
  const curlPerson = { name: 'Grace Hopper', email: uniqueEmail('grace'), password: 'cobol-1959-flowmatic' };
  const curlProject = { id: 0, orgSlug: '' };
  let dir: string;
  let jar: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-e2e-curl-'));
    jar = path.join(dir, 'cookies.txt');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function expectJsonError(response: CurlResponse, status: number): ApiError['error'] {
    expect(response.status, response.raw).toBe(status);
    expect(response.contentType).toMatch(/^application\/json/);
    const body = response.body as ApiError;
    expect(typeof body.error.code).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(typeof body.requestId).toBe('string');
    return body.error;
  }

  const origin = () => ['-H', `Origin: ${vigil.baseUrl}`];
  const json = (value: unknown) => ['-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(value)];
  const sessionCookie = () => readFileSync(jar, 'utf8').match(/^#HttpOnly_\S+\t.*\tvigil_session\t(\S+)$/m)?.[1];

  test('sign up: 201 and an httpOnly session cookie', async () => {
    const response = await curl(['-c', jar, ...origin(), ...json(curlPerson), `${vigil.baseUrl}/api/v1/auth/signup`]);
    expect(response.status, response.raw).toBe(201);
    const body = response.body as { user: User; organization: Organization };
    expect(body.user.email).toBe(curlPerson.email);
    curlProject.orgSlug = body.organization.slug;
    // curl writes httpOnly cookies with a #HttpOnly_ prefix.
    expect(sessionCookie()).toBeTruthy();
  });

  test('create a project: 201 with a DSN for this Vigil', async () => {
    const response = await curl([
      '-b', jar, ...origin(), ...json({ name: 'Backend' }),
      `${vigil.baseUrl}/api/v1/orgs/${curlProject.orgSlug}/projects`,
    ]);
    expect(response.status, response.raw).toBe(201);
    const project = response.body as Project;
    curlProject.id = project.id;
    expect(new URL(project.dsn).host).toBe(new URL(vigil.baseUrl).host);
    expect(new URL(project.dsn).pathname).toBe(`/${project.id}`);
  });

  test('log out: 204, and the old cookie no longer works', async () => {
    const before = sessionCookie();
    const response = await curl(['-b', jar, '-c', jar, ...origin(), '-X', 'POST', `${vigil.baseUrl}/api/v1/auth/logout`]);
    expect(response.status, response.raw).toBe(204);
    const me = await curl(['-H', `Cookie: vigil_session=${before}`, `${vigil.baseUrl}/api/v1/me`]);
    expectJsonError(me, 401);
  });

  test('wrong password: 401 JSON, no session cookie', async () => {
    const response = await curl([
      '-c', jar, ...origin(), ...json({ email: curlPerson.email, password: 'not-the-password' }),
      `${vigil.baseUrl}/api/v1/auth/login`,
    ]);
    // The contract's list says `unauthenticated`; worker and dashboard agreed on `invalid_credentials`.
    expect(expectJsonError(response, 401).code).toBe('invalid_credentials');
    expect(sessionCookie()).toBeUndefined();
  });

  test('right password: 200 and a new session cookie', async () => {
    const response = await curl([
      '-c', jar, ...origin(), ...json({ email: curlPerson.email, password: curlPerson.password }),
      `${vigil.baseUrl}/api/v1/auth/login`,
    ]);
    expect(response.status, response.raw).toBe(200);
    expect((response.body as { user: User }).user.email).toBe(curlPerson.email);
    expect(sessionCookie()).toBeTruthy();
  });

  test('malformed JSON: 400 JSON', async () => {
    const response = await curl([
      '-b', jar, ...origin(), '-H', 'Content-Type: application/json', '--data-binary', '{"name": "Broken",',
      `${vigil.baseUrl}/api/v1/orgs/${curlProject.orgSlug}/projects`,
    ]);
    expect(expectJsonError(response, 400).code).toBe('malformed_json');
  });

  test('cookie-authenticated POST without Origin: 403 JSON, nothing created', async () => {
    const response = await curl([
      '-b', jar, ...json({ name: 'Cross-site' }),
      `${vigil.baseUrl}/api/v1/orgs/${curlProject.orgSlug}/projects`,
    ]);
    expect(expectJsonError(response, 403).code).toBe('csrf_failed');

    const list = await curl(['-b', jar, `${vigil.baseUrl}/api/v1/orgs/${curlProject.orgSlug}/projects`]);
    expect(list.status, list.raw).toBe(200);
    expect((list.body as { data: Project[] }).data.map((p) => p.id)).toEqual([curlProject.id]);
  });

  test("another user cannot see the project: 404", async () => {
    const stranger = await signUp(vigil.baseUrl, { name: 'Stranger' });
    const response = await stranger.api.request<ApiError>('GET', `/api/v1/projects/${curlProject.id}`);
    expect(response.status, response.text).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });
});
