// Uptime, end to end, against a real Vigil (wrangler dev): a site and a webhook receiver run in this
// process on 127.0.0.1. The cron route is triggered with curl, at the minutes a real cron would fire.
// The site goes down (its server stops), Vigil opens an incident and sends one signed `monitor.down`;
// the site comes back, the incident closes and one `monitor.up` arrives.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type ApiClient, type Organization, type Project } from './support/api.js';
import { curl } from './support/curl.js';
import { startVigil, type Vigil } from './support/vigil.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A small HTTP server that can be stopped and started again on the same port. */
class Site {
  server: Server | undefined;
  port = 0;
  requests: { userAgent: string }[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push({ userAgent: String(req.headers['user-agent']) });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok', checks: { database: 'ok' } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }
}

async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MINUTE = 60_000;

let vigil: Vigil;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const site = new Site();
let api: ApiClient;
let organization: Organization;
let project: Project;
let secret: string;

/** Fire the cron route as the platform would at `time` (ms); answers when the handler has finished. */
async function cron(time: number): Promise<void> {
  const res = await curl([`${vigil.baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}&time=${time}`]);
  expect(res.status).toBe(200);
}

async function deliveries(count: number, ms = 15_000): Promise<Json[]> {
  const deadline = Date.now() + ms;
  while (receiver.received.length < count && Date.now() < deadline) await sleep(200);
  return receiver.received.map((r) => {
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(r.headers[h])]));
    return new Webhook(secret).verify(r.body, headers) as Json;
  });
}

beforeAll(async () => {
  [vigil, receiver] = await Promise.all([startVigil('uptime'), startReceiver(), site.start()]);
  const signed = await signUp(vigil.baseUrl, { name: 'Uptime Tester' });
  api = signed.api;
  organization = signed.organization;
  const channel = await api.expect<Json>(201, 'POST', `/api/v1/orgs/${organization.slug}/channels`, { type: 'webhook', name: 'On call', url: `${receiver.url}/hooks/vigil` });
  secret = channel.secret;
  // Created after the channel: its default rules send monitor.down and monitor.up there.
  project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Shop' });
});

afterAll(async () => {
  await site.stop();
  await receiver?.close();
  await vigil?.stop();
});

describe('an outage, from the first failing check to the recovery alert', () => {
  test('down → one incident and one monitor.down; back up → the incident closes and one monitor.up', async () => {
    const monitor = await api.expect<Json>(201, 'POST', `/api/v1/projects/${project.id}/monitors`, {
      name: 'Shop health check',
      url: `http://127.0.0.1:${site.port}/health-check/`,
      jsonAssertion: { path: '$.checks.database', equals: 'ok' },
      public: true,
    });
    const start = Math.ceil(Date.now() / MINUTE) * MINUTE;

    await cron(start);
    let detail = await api.expect<Json>(200, 'GET', `/api/v1/monitors/${monitor.id}`);
    expect(detail.state).toBe('up');
    expect(site.requests.map((r) => /region=(\w+)/.exec(r.userAgent)?.[1]).sort()).toEqual(['apac', 'weur', 'wnam']);

    await site.stop();
    const stoppedAt = Date.now();
    await cron(start + MINUTE); // fails from every region, re-checked ~2 s later, confirmed
    detail = await api.expect<Json>(200, 'GET', `/api/v1/monitors/${monitor.id}`);
    expect(detail.state).toBe('down');
    expect(detail.openIncident).toMatchObject({ endedAt: null, failingRegions: ['apac', 'weur', 'wnam'], firstError: { errorClass: 'connect' } });
    expect(Date.parse(detail.openIncident.startedAt)).toBeGreaterThanOrEqual(stoppedAt);

    await cron(start + 2 * MINUTE); // still down: no second alert
    await site.start();
    const restartedAt = Date.now();
    await cron(start + 3 * MINUTE);
    detail = await api.expect<Json>(200, 'GET', `/api/v1/monitors/${monitor.id}`);
    expect(detail).toMatchObject({ state: 'up', openIncident: null });

    const incidents = (await api.expect<Json>(200, 'GET', `/api/v1/monitors/${monitor.id}/incidents`)).data;
    expect(incidents).toHaveLength(1);
    expect(Date.parse(incidents[0].endedAt)).toBeGreaterThanOrEqual(restartedAt);
    expect(incidents[0].durationSeconds).toBe(Math.round((Date.parse(incidents[0].endedAt) - Date.parse(incidents[0].startedAt)) / 1000));

    const sent = await deliveries(2);
    await sleep(1500); // nothing else arrives
    expect(receiver.received).toHaveLength(2);
    expect(sent.map((d) => d.type)).toEqual(['monitor.down', 'monitor.up']);
    expect(sent[0]).toMatchObject({ summary: expect.stringContaining('Shop health check is down'), data: { monitorId: monitor.id } });
    expect(sent[0]?.url).toBe(`${vigil.baseUrl}/orgs/${organization.slug}/projects/${project.id}/uptime/${monitor.id}`);

    // The 24 h uptime shows the outage, exactly.
    const downMs = Date.parse(incidents[0].endedAt) - Date.parse(incidents[0].startedAt);
    const list = (await api.expect<Json>(200, 'GET', `/api/v1/projects/${project.id}/monitors`)).data;
    expect(list[0].bars.at(-1).downMs).toBe(downMs);
  });
});
