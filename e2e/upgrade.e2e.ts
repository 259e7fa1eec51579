// Upgrades: migrations are forward-only and tested from an empty database and from the previous release's
// schema with data in it.
//
// "The previous release" is the schema at migration 0009 (timeline): there are no release tags yet, and 0010
// (retention) and 0011 (token scopes) are the migrations added since (e2e/support/previous-release.ts).
// From empty: every migration applies, and a fresh Vigil signs up, creates a project and ingests.
// From the previous release: migrations 0000–0009 from a copy of the folder, that era's rows written with SQL
// (and one event's full copy in R2), then today's folder on the same state — wrangler applies only what is new —
// and today's Vigil reads the old rows through the API: old settings kept, new columns at their defaults (read
// from the migration files), the old API token authenticating with its default scopes, the old password logging
// in, and the old project's DSN key still ingesting.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ApiClient, signUp, type Project } from './support/api.js';
import { binDir, childEnv, repoRoot } from './support/paths.js';
import { migrationFiles, migrationsDir, PREVIOUS_RELEASE, previousReleaseConfig, previousReleaseData } from './support/previous-release.js';
import { runOk } from './support/run.js';
import { startVigil, type Vigil } from './support/vigil.js';

const wrangler = path.join(binDir, 'wrangler');
const started: Vigil[] = [];
const scratch: string[] = [];

afterAll(async () => {
  for (const vigil of started) await vigil.stop();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `vigil-e2e-upgrade-${name}-`));
  scratch.push(dir);
  return dir;
}

/** `wrangler d1 migrations apply` on a local state; the names of the migrations it applied. */
async function applyMigrations(stateDir: string, config?: string): Promise<string[]> {
  const args = ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir, ...(config ? ['--config', config] : [])];
  const { stdout } = await runOk(wrangler, args, { cwd: repoRoot, env: childEnv({ CI: 'true' }), timeoutMs: 60_000 });
  // Wrangler reprints its table as each migration finishes; the last one lists what it applied, each with ✅.
  if (/No migrations to apply/i.test(stdout)) return [];
  const last = stdout.slice(stdout.lastIndexOf('┌'));
  return [...last.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g)].map((m) => m[1]!);
}

async function query<T>(stateDir: string, sql: string, config?: string): Promise<T[]> {
  const args = ['d1', 'execute', 'DB', '--local', '--persist-to', stateDir, '--json', '--command', sql, ...(config ? ['--config', config] : [])];
  const { stdout } = await runOk(wrangler, args, { cwd: repoRoot, env: childEnv(), timeoutMs: 60_000 });
  return (JSON.parse(stdout) as { results: T[] }[])[0]!.results;
}

/** Tables, indexes and triggers as SQLite keeps them (D1's and SQLite's own left out). */
const SCHEMA_SQL = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY type, name";

/** Integer defaults of the `projects` columns a migration adds (`ALTER TABLE projects ADD x integer DEFAULT n`). */
function projectDefaults(file: string): Record<string, number> {
  const sql = readFileSync(path.join(migrationsDir, file), 'utf8');
  const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  return Object.fromEntries([...sql.matchAll(/ALTER TABLE `projects` ADD `(\w+)` integer DEFAULT (\d+)/g)].map((m) => [camel(m[1]!), Number(m[2])]));
}

function sentryEvent(message: string) {
  return { event_id: crypto.randomUUID().replaceAll('-', ''), level: 'error', platform: 'python', message, release: 'shop@1.5.0', environment: 'production' };
}

async function store(vigil: Vigil, projectId: number, key: string, event: object): Promise<Response> {
  return fetch(`${vigil.baseUrl}/api/${projectId}/store/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_key=${key}, sentry_version=7` },
    body: JSON.stringify(event),
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface IssueRow { id: number; title: string; culprit: string; status: string; count: number; userCount: number; firstSeen: string }

/** The issue whose events include this event id, once the queue consumer has stored it. */
function issueOfEvent(api: ApiClient, projectId: number, eventId: string) {
  return waitFor(`event ${eventId} stored`, async () => {
    const r = await api.request<{ issueId: number | null }>('GET', `/api/v1/projects/${projectId}/events/${eventId}`);
    return r.status === 200 ? r.body.issueId : undefined;
  });
}

let emptySchema: unknown[] = [];

describe('upgrade from an empty database', () => {
  test('every migration applies in order, and a fresh Vigil signs up, creates a project and ingests', async () => {
    const stateDir = tempDir('empty');
    expect(await applyMigrations(stateDir)).toEqual(migrationFiles());
    expect((await query<{ name: string }>(stateDir, 'SELECT name FROM d1_migrations ORDER BY id')).map((r) => r.name)).toEqual(migrationFiles());
    emptySchema = await query(stateDir, SCHEMA_SQL);

    const vigil = await startVigil('upgrade-empty', { stateDir });
    started.push(vigil);
    const { api, organization, user } = await signUp(vigil.baseUrl);
    expect((await api.expect<{ user: { id: string } }>(200, 'GET', '/api/v1/me')).user.id).toBe(user.id);
    const project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Fresh' });
    expect(project.dsn).toContain(`/${project.id}`);
    const listed = await api.expect<{ data: Project[] }>(200, 'GET', `/api/v1/orgs/${organization.slug}/projects`);
    expect(listed.data.map((p) => p.id)).toEqual([project.id]);

    const event = sentryEvent('fresh install works');
    expect((await store(vigil, project.id, new URL(project.dsn).username, event)).status).toBe(200);
    const issueId = await issueOfEvent(api, project.id, event.event_id);
    const issues = await api.expect<{ data: IssueRow[] }>(200, 'GET', `/api/v1/projects/${project.id}/issues`);
    expect(issues.data.map((i) => i.id)).toEqual([issueId]);

    for (const route of ['monitors', 'crons', 'alert-rules', 'saved-searches', 'releases']) {
      expect((await api.expect<{ data: unknown[] }>(200, 'GET', `/api/v1/projects/${project.id}/${route}`)).data, route).toBeInstanceOf(Array);
    }
    await api.expect(200, 'GET', `/api/v1/projects/${project.id}/timeline`);
  });
});

describe(`upgrade from the previous release (${PREVIOUS_RELEASE}) with data`, () => {
  test("applies only the new migrations, and today's Vigil reads, authenticates and ingests on the old data", async () => {
    const dir = tempDir('previous');
    const stateDir = path.join(dir, 'state');
    const config = previousReleaseConfig(dir);
    const files = migrationFiles();
    const previous = files.slice(0, files.indexOf(`${PREVIOUS_RELEASE}.sql`) + 1);
    const added = files.slice(previous.length);
    expect(added.length, 'migrations added since the previous release').toBeGreaterThan(0);

    // 1. The previous release: its migrations, then its data.
    expect(await applyMigrations(stateDir, config)).toEqual(previous);
    const old = previousReleaseData();
    const seed = path.join(dir, 'seed.sql');
    writeFileSync(seed, old.sql);
    await runOk(wrangler, ['d1', 'execute', 'DB', '--local', '--persist-to', stateDir, '--config', config, '--file', seed], { cwd: repoRoot, env: childEnv(), timeoutMs: 60_000 });
    const blob = path.join(dir, 'event.json.gz');
    writeFileSync(blob, old.storedEvent.body);
    await runOk(
      wrangler,
      ['r2', 'object', 'put', `vigil-blobs/${old.storedEvent.key}`, '--local', '--persist-to', stateDir, '--file', blob, '--content-type', 'application/json', '--content-encoding', 'gzip'],
      { cwd: repoRoot, env: childEnv(), timeoutMs: 60_000 },
    );

    // 2. The upgrade: today's migrations folder on the same state applies only what is new.
    expect(await applyMigrations(stateDir)).toEqual(added);
    expect((await query<{ name: string }>(stateDir, 'SELECT name FROM d1_migrations ORDER BY id')).map((r) => r.name)).toEqual(files);
    expect(await applyMigrations(stateDir), 'a second apply is a no-op').toEqual([]);
    // The upgraded schema is the one a fresh install gets.
    if (emptySchema.length) expect(await query(stateDir, SCHEMA_SQL)).toEqual(emptySchema);

    const vigil = await startVigil('upgrade-previous', { stateDir });
    started.push(vigil);

    // 3. The old password logs in; the organization, project and its changed settings are as they were.
    const api = new ApiClient(vigil.baseUrl);
    await api.expect(200, 'POST', '/api/v1/auth/login', { email: old.email, password: old.password });
    const projects = await api.expect<{ data: (Project & { settings: Record<string, unknown> })[] }>(200, 'GET', `/api/v1/orgs/${old.orgSlug}/projects`);
    expect(projects.data.map((p) => [p.id, p.slug])).toEqual([[old.projectId, old.projectSlug]]);
    const project = projects.data[0]!;
    expect(project.settings).toMatchObject(old.settings);
    expect(new URL(project.dsn).username, 'the DSN shows the active key, not the revoked one').toBe(old.publicKey);

    // New columns read as their migration's defaults — the same as a project created today gets.
    const defaults = { ...projectDefaults('0010_retention.sql') };
    expect(Object.keys(defaults).sort()).toEqual(['checksRetentionDays', 'eventsRetentionDays', 'transactionsRetentionDays']);
    expect(project.settings).toMatchObject(defaults);
    const fresh = await api.expect<Project & { settings: Record<string, unknown> }>(201, 'POST', `/api/v1/orgs/${old.orgSlug}/projects`, { name: 'After the upgrade' });
    expect(fresh.settings).toMatchObject(defaults);

    // 4. The old API token: listed with the default scopes of 0011, and it still reads and writes.
    const scopes = JSON.parse(/`scopes` text DEFAULT '([^']*)'/.exec(readFileSync(path.join(migrationsDir, '0011_token_scopes.sql'), 'utf8'))![1]!) as string[];
    const bearer = (method: string, route: string, body?: unknown) =>
      fetch(vigil.baseUrl + route, {
        method,
        headers: { authorization: `Bearer ${old.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const tokens = (await (await bearer('GET', '/api/v1/tokens')).json()) as { data: { id: string; scopes: string[] }[] };
    expect(tokens.data.map((t) => [t.id, t.scopes])).toEqual([[old.tokenId, scopes]]);
    expect((await bearer('PATCH', `/api/v1/projects/${fresh.id}`, { name: 'Renamed by the old token' })).status).toBe(200);
    const wrong = await fetch(vigil.baseUrl + '/api/v1/tokens', { headers: { authorization: `Bearer ${old.token}x` } });
    expect(wrong.status).toBe(401);

    // 5. Issues and events of the previous release.
    const unresolved = await api.expect<{ data: IssueRow[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/issues?status=unresolved`);
    expect(unresolved.data.map((i) => [i.id, i.title, i.culprit, i.count, i.userCount])).toEqual([[old.issue.id, old.issue.title, old.issue.culprit, old.issue.count, old.issue.userCount]]);
    const resolved = await api.expect<{ data: IssueRow[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/issues?status=resolved`);
    expect(resolved.data.map((i) => [i.id, i.title])).toEqual([[old.resolvedIssue.id, old.resolvedIssue.title]]);
    const issueEvents = await api.expect<{ data: { eventId: string }[] }>(200, 'GET', `/api/v1/issues/${old.issue.id}/events`);
    expect(issueEvents.data.map((e) => e.eventId).sort()).toEqual(old.eventIds.slice(0, 3).sort());
    const full = await api.expect<{ event: { message?: unknown } }>(200, 'GET', `/api/v1/projects/${old.projectId}/events/${old.eventIds[0]}`);
    expect(JSON.stringify(full.event)).toContain(old.storedEvent.message);
    const releases = await api.expect<{ data: { version: string }[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/releases`);
    expect(releases.data.map((r) => r.version)).toEqual([old.issue.release]);

    // 6. Uptime, crons, alerts and saved searches.
    const monitor = await api.expect<{ id: number; name: string; url: string }>(200, 'GET', `/api/v1/monitors/${old.monitor.id}`);
    expect([monitor.name, monitor.url]).toEqual([old.monitor.name, old.monitor.url]);
    const incidents = await api.expect<{ data: { id: number }[] }>(200, 'GET', `/api/v1/monitors/${old.monitor.id}/incidents`);
    expect(incidents.data.map((i) => i.id)).toEqual([old.monitor.incidentId]);
    const crons = await api.expect<{ data: { id: number; slug: string }[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/crons`);
    expect(crons.data.map((c) => [c.id, c.slug])).toEqual([[old.cron.id, old.cron.slug]]);
    // Check-in ids stored before they carried the monitor's id in front read as they were.
    const checkins = await api.expect<{ data: { id: string }[] }>(200, 'GET', `/api/v1/crons/${old.cron.id}/checkins`);
    expect(checkins.data.map((c) => c.id).sort()).toEqual([...old.cron.checkinIds].sort());
    const rules = await api.expect<{ data: { id: string; name: string; events: string[] }[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/alert-rules`);
    expect(rules.data.map((r) => [r.id, r.name, r.events])).toEqual([[old.rule.id, old.rule.name, old.rule.events]]);
    const sent = await api.expect<{ data: { ruleId: string; status: string }[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/alerts`);
    expect(sent.data.map((a) => [a.ruleId, a.status])).toEqual([[old.rule.id, 'sent']]);
    const channels = await api.expect<{ data: { id: string }[] }>(200, 'GET', `/api/v1/orgs/${old.orgSlug}/channels`);
    expect(channels.data.map((c) => c.id)).toEqual([old.channelId]);
    const searches = await api.expect<{ data: { id: string; query: string }[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/saved-searches`);
    expect(searches.data.map((s) => [s.id, s.query])).toEqual([[old.savedSearch.id, old.savedSearch.query]]);
    const from = new Date(Date.now() - 4 * 24 * 3_600_000).toISOString();
    const timeline = await api.expect<{ monitors: { id: number; incidents: { id: number }[] }[]; releases: { version: string }[] }>(200, 'GET', `/api/v1/projects/${old.projectId}/timeline?from=${from}`);
    expect(timeline.releases.map((r) => r.version)).toEqual([old.issue.release]);
    expect(timeline.monitors.map((m) => [m.id, m.incidents.map((i) => i.id)])).toEqual([[old.monitor.id, [old.monitor.incidentId]]]);

    // 7. The old project's DSN key still ingests; its revoked key is still refused.
    const event = sentryEvent('after the upgrade');
    expect((await store(vigil, old.projectId, old.publicKey, event)).status).toBe(200);
    const issueId = await issueOfEvent(api, old.projectId, event.event_id);
    expect(issueId).not.toBe(old.issue.id);
    expect((await store(vigil, old.projectId, old.revokedKey, sentryEvent('revoked'))).status).toBe(401);
    // A heartbeat ping to the old cron monitor lands (its Durable Object starts from the D1 row).
    const ping = await fetch(`${vigil.baseUrl}/ping/${old.publicKey}/${old.cron.slug}`);
    expect(ping.status).toBe(200);
    await waitFor('the ping as a check-in', async () => {
      const after = await api.expect<{ data: { id: string; source: string }[] }>(200, 'GET', `/api/v1/crons/${old.cron.id}/checkins`);
      return after.data.length === old.cron.checkinIds.length + 1 ? true : undefined;
    });
  });
});
