// Alerts, end to end, against a real Vigil: a fake Slack and a webhook receiver run in this process
// (node:http on 127.0.0.1), the receiver checking signatures with the Standard Webhooks reference library.
// In Chromium a person adds a Slack channel, sends a test alert and finds it in the delivery log; the real
// Python sentry-sdk raises an error that reaches a signed webhook exactly once; an email test alert lands
// in wrangler's local email folder.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { launchBrowser, shot, type Browser } from './support/browser.js';
import { artifactsDir, repoRoot, venvPython } from './support/paths.js';
import { run, runOk } from './support/run.js';
import { startVigil, type Vigil } from './support/vigil.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** An HTTP server on a free port of 127.0.0.1 that keeps every request and answers 200. */
async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The Standard Webhooks headers of a request, as the reference library wants them. */
function webhookHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** Every file under `dir` (recursively) that ends with `suffix`. */
function filesUnder(dir: string, suffix: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, suffix);
    return entry.name.endsWith(suffix) ? [full] : [];
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let vigil: Vigil;
let slack: Receiver;
let hooks: Receiver;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const consoleLines: string[] = [];

/** The person who uses the browser; owner of their organization. */
let owner: { api: ApiClient; organization: Organization; email: string; password: string };
let project: Project;

beforeAll(async () => {
  [vigil, slack, hooks] = await Promise.all([startVigil('alerts'), startReceiver(), startReceiver()]);
  const signed = await signUp(vigil.baseUrl, { name: 'Grace Hopper' });
  owner = {
    api: signed.api,
    organization: signed.organization,
    email: signed.user.email,
    password: signed.password,
  };
  project = await owner.api.expect<Project>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/projects`, { name: 'Shop' });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
});

afterAll(async () => {
  writeFileSync(path.join(artifactsDir, 'alerts.browser-console.log'), consoleLines.join('\n') + '\n');
  await browser?.close();
  await Promise.all([slack?.close(), hooks?.close()]);
  await vigil?.stop();
});

describe('alerts in the browser', () => {
  test('add a Slack channel, send a test alert, see it delivered and in the delivery log', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    const alertsUrl = `${vigil.baseUrl}/orgs/${owner.organization.slug}/projects/${project.id}/alerts`;
    await page.goto(alertsUrl);
    // No channel yet: the page says what to do, and the form is right there.
    await page.getByText('Add a Slack channel, a webhook or an email address to hear about new issues').waitFor();
    await shot(page, 'alerts-01-no-channels');

    const slackUrl = `${slack.url}/services/T0000/B0000/e2eSecretPart`;
    await page.getByLabel('Type').selectOption({ label: 'Slack' });
    await page.getByLabel('Name').fill('#incidents');
    await page.getByLabel('Webhook URL').fill(slackUrl);
    await page.getByRole('button', { name: 'Add channel' }).click();

    const row = page.getByRole('list', { name: 'Channels' }).getByRole('listitem').filter({ hasText: '#incidents' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Slack');
    // The URL's secret part is masked in the list.
    expect(await row.textContent()).not.toContain('e2eSecretPart');

    await row.getByRole('button', { name: 'Send test alert' }).click();
    const result = row.getByTestId('test-result');
    await result.waitFor();
    expect((await result.textContent())?.trim()).toMatch(/^Delivered \(200, \d+ ms\)$/);
    await shot(page, 'alerts-02-test-delivered');

    // What the fake Slack got: one Block Kit message.
    expect(slack.received).toHaveLength(1);
    const message = slack.received[0]!;
    expect(message.path).toBe('/services/T0000/B0000/e2eSecretPart');
    expect(message.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(message.body) as Json;
    expect(typeof body.text).toBe('string');
    const blockTypes = (body.blocks as Json[]).map((block) => block.type);
    expect(blockTypes).toEqual(expect.arrayContaining(['header', 'section', 'actions']));
    const header = (body.blocks as Json[]).find((block) => block.type === 'header')!;
    expect(header.text.type).toBe('plain_text');
    const button = (body.blocks as Json[]).find((block) => block.type === 'actions')!.elements[0];
    expect(button.type).toBe('button');
    expect(button.url).toMatch(new RegExp(`^${vigil.baseUrl}/`));

    // The delivery log has the test alert, sent, with its attempt.
    await page.getByRole('link', { name: /^Delivery log/ }).click();
    await page.waitForURL(/[?&]tab=log/);
    const logRow = page.getByRole('row').filter({ hasText: 'Test alert for' }).filter({ hasText: '#incidents' });
    await logRow.waitFor();
    const text = (await logRow.textContent()) ?? '';
    expect(text).toContain('Test');
    expect(text).toContain('Sent');
    expect(text).toContain('1 attempt');
    await logRow.getByRole('button', { name: /1 attempt/ }).click();
    await page.getByRole('list', { name: 'Attempts of this alert' }).getByText('200').waitFor();
    await shot(page, 'alerts-03-delivery-log');

    // The page's session sees the same row through the API.
    const log = await page.request.get(`${vigil.baseUrl}/api/v1/projects/${project.id}/alerts?type=test`);
    const alerts = ((await log.json()) as { data: Json[] }).data;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'test', status: 'sent', channel: { name: '#incidents', type: 'slack' } });
    expect(pageErrors).toEqual([]);
  });
});

describe('an error from the real sentry-sdk reaches a signed webhook once', () => {
  // A second organization whose first channel is the webhook, so it gets the default rule.
  let api: ApiClient;
  let org: Organization;
  let shop: Project;
  let secret: string;

  const sendError = (dsn: string) =>
    runOk(
      venvPython,
      [
        '-c',
        [
          'import sys, sentry_sdk',
          'sentry_sdk.init(dsn=sys.argv[1], environment="production", release="shop@1.4.2")',
          'def country_rate(country):',
          '    return {"FR": 0.2, "DE": 0.19}[country]',
          'try:',
          '    country_rate("IE")',
          'except Exception:',
          '    sentry_sdk.capture_exception()',
          'sentry_sdk.flush(timeout=10)',
        ].join('\n'),
        dsn,
      ],
      { timeoutMs: 30_000 },
    );

  /** Webhook deliveries to this test's path. */
  const deliveries = () => hooks.received.filter((r) => r.path === '/vigil-alerts');

  test('a webhook channel gets the default rule and a whsec_ secret, once', async () => {
    const signed = await signUp(vigil.baseUrl, { name: 'Ops' });
    api = signed.api;
    org = signed.organization;
    shop = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${org.slug}/projects`, { name: 'Shop' });
    const channel = await api.expect<Json>(201, 'POST', `/api/v1/orgs/${org.slug}/channels`, {
      type: 'webhook',
      name: 'Ops receiver',
      url: `${hooks.url}/vigil-alerts`,
    });
    expect(channel.secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    secret = channel.secret;

    const listed = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/orgs/${org.slug}/channels`);
    expect(listed.data.map((c) => c.id)).toEqual([channel.id]);
    expect(listed.data[0]).not.toHaveProperty('secret');

    const rules = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${shop.id}/alert-rules`);
    expect(rules.data).toHaveLength(1);
    expect(rules.data[0]!.channelIds).toEqual([channel.id]);
    expect(rules.data[0]!.events).toEqual(expect.arrayContaining(['issue.new', 'issue.regressed']));
  });

  test('one signed issue.new whose url opens the issue; the same error again sends nothing', async () => {
    expect(secret, 'the channel was created').toBeDefined();
    await sendError(shop.dsn);

    await expect.poll(() => deliveries().length, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(1);
    const delivery = deliveries()[0]!;
    const alert = new Webhook(secret).verify(delivery.body, webhookHeaders(delivery.headers)) as Json;
    // And a tampered body fails the same check.
    expect(() => new Webhook(secret).verify(delivery.body.replace('issue.new', 'issue.old'), webhookHeaders(delivery.headers))).toThrow();
    // The Python check the docs show (examples/webhooks/verify.py, docs/alerts.md) says the same of this delivery.
    const saved = path.join(artifactsDir, 'webhook-delivery');
    mkdirSync(saved, { recursive: true });
    writeFileSync(path.join(saved, 'headers.json'), JSON.stringify(webhookHeaders(delivery.headers)));
    writeFileSync(path.join(saved, 'body.json'), delivery.body);
    writeFileSync(path.join(saved, 'tampered.json'), delivery.body.replace('issue.new', 'issue.old'));
    const verifyPy = (body: string) =>
      run(venvPython, [path.join(repoRoot, 'examples/webhooks/verify.py'), path.join(saved, 'headers.json'), path.join(saved, body)], {
        env: { ...process.env, VIGIL_WEBHOOK_SECRET: secret },
        timeoutMs: 30_000,
      });
    const good = await verifyPy('body.json');
    expect(good, good.stderr).toMatchObject({ code: 0, stdout: 'ok\n' });
    const tampered = await verifyPy('tampered.json');
    expect(tampered).toMatchObject({ code: 1, stdout: '' });
    expect(tampered.stderr).toContain('no signature matches');

    expect(alert.type).toBe('issue.new');
    expect(alert.project).toMatchObject({ id: shop.id, name: 'Shop' });
    expect(alert.summary).toContain('KeyError');
    expect(alert.data).toMatchObject({ level: 'error', environment: 'production', release: 'shop@1.4.2' });
    const match = new RegExp(`^${vigil.baseUrl}/orgs/${org.slug}/projects/${shop.id}/issues/(\\d+)$`).exec(alert.url);
    expect(match, alert.url).not.toBeNull();
    const issueId = Number(match![1]);
    expect(alert.data.issueId).toBe(issueId);
    const issue = await api.expect<Json>(200, 'GET', `/api/v1/issues/${issueId}`);
    expect(issue.projectId).toBe(shop.id);
    expect(issue.title).toContain('KeyError');
    expect(issue.count).toBe(1);
    // The dashboard answers the url with the app (the SPA opens the issue from there).
    const opened = await fetch(alert.url);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('<div');

    // The same error again: the issue counts it, and no second alert goes out.
    await sendError(shop.dsn);
    await expect
      .poll(async () => (await api.expect<Json>(200, 'GET', `/api/v1/issues/${issueId}`)).count, { timeout: 20_000, interval: 250 })
      .toBe(2);
    await sleep(2_000);
    expect(deliveries()).toHaveLength(1);

    const log = await api.expect<{ data: Json[] }>(200, 'GET', `/api/v1/projects/${shop.id}/alerts?type=issue.new`);
    expect(log.data).toHaveLength(1);
    expect(log.data[0]).toMatchObject({ status: 'sent', url: alert.url, channel: { type: 'webhook', name: 'Ops receiver' } });
    expect(log.data[0]!.attempts).toEqual([expect.objectContaining({ status: 200 })]);
  });
});

describe('email', () => {
  test('a test alert to an email channel lands in wrangler\'s local email folder', async () => {
    const address = `oncall+${Date.now().toString(36)}@example.com`;
    const channel = await owner.api.expect<Json>(201, 'POST', `/api/v1/orgs/${owner.organization.slug}/channels`, {
      type: 'email',
      name: 'On-call',
      email: address,
    });
    const started = Date.now() - 1_000;
    const result = await owner.api.expect<Json>(200, 'POST', `/api/v1/channels/${channel.id}/test`);
    expect(result).toMatchObject({ ok: true, status: null });

    const emailDir = path.join(repoRoot, '.wrangler', 'tmp', 'email');
    const toHeader = (text: string) => /^To:\s*(.*)$/im.exec(text.split(/\r?\n\r?\n/)[0] ?? '')?.[1]?.trim() ?? '';
    let found: { file: string; text: string } | undefined;
    await expect
      .poll(
        () => {
          found = filesUnder(emailDir, '.eml')
            .filter((file) => statSync(file).mtimeMs >= started)
            .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
            .find(({ text }) => toHeader(text).includes(address));
          return found !== undefined;
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe(true);
    // The subject is RFC 2047-encoded when it holds non-ASCII text (the summary has a dash).
    const subject = (/^Subject:\s*(.*)$/im.exec(found!.text)?.[1] ?? '').replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b64: string) =>
      Buffer.from(b64, 'base64').toString('utf8'),
    );
    expect(subject).toMatch(/^\[Vigil\] Test alert/);
    expect(subject).toContain('On-call');
    expect(found!.text).toMatch(/^Content-Type: multipart\/alternative/im);
  });
});
