// "The previous release" for the upgrade test, and data as that release wrote it.
//
// There are no release tags yet, so the previous release is the schema at migration 0009 (timeline): the last
// migration before 0010 (retention) and 0011 (token scopes). The rows below are what Vigil at 0009 stored for a
// team that had been using it — written with SQL, column by column as migrations 0000–0009 define them, because
// the Worker in this checkout is today's and cannot write the old shape itself.
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './paths.js';

/** The last migration of the previous release (the tag in migrations/meta/_journal.json). */
export const PREVIOUS_RELEASE = '0009_timeline';

export const migrationsDir = path.join(repoRoot, 'migrations');

/** Migration files in the order wrangler applies them (by name). */
export function migrationFiles(): string[] {
  return readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/**
 * A wrangler config whose D1 is Vigil's (same binding, name and id, so the local state is the same database)
 * but whose migrations folder holds only the previous release's migrations.
 */
export function previousReleaseConfig(dir: string): string {
  const migrations = path.join(dir, 'migrations');
  mkdirSync(migrations, { recursive: true });
  for (const file of migrationFiles()) {
    copyFileSync(path.join(migrationsDir, file), path.join(migrations, file));
    if (file === `${PREVIOUS_RELEASE}.sql`) break;
  }
  const config = path.join(dir, 'wrangler.toml');
  writeFileSync(
    config,
    [
      'name = "vigil"',
      'compatibility_date = "2026-11-01"',
      '[[d1_databases]]',
      'binding = "DB"',
      'database_name = "vigil"',
      'database_id = "00000000-0000-0000-0000-000000000000"',
      `migrations_dir = ${JSON.stringify(migrations)}`,
      '',
    ].join('\n'),
  );
  return config;
}

const HOUR = 3_600_000;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** A password hash in the stored format (`pbkdf2_sha256$<iterations>$<salt>$<hash>`, as Django's). */
function passwordHash(password: string): string {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, 100_000, 32, 'sha256');
  return `pbkdf2_sha256$100000$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.replaceAll("'", "''")}'`;
}

function insert(table: string, row: Record<string, unknown>): string {
  const columns = Object.keys(row).map((c) => `\`${c}\``).join(', ');
  return `INSERT INTO \`${table}\` (${columns}) VALUES (${Object.values(row).map(literal).join(', ')});`;
}

/** What the seeded team had before the upgrade: the facts the test reads back after it. */
export interface PreviousReleaseData {
  email: string;
  password: string;
  /** A read-and-write API token created before tokens had scopes. */
  token: string;
  tokenId: string;
  orgSlug: string;
  projectId: number;
  projectSlug: string;
  publicKey: string;
  revokedKey: string;
  /** Settings the team had changed from their defaults (columns of 0001–0008). */
  settings: { rateLimitPerMinute: number; monthlyQuota: number; storeIp: boolean; scrubFields: string[]; apdexThresholdMs: number; logsHotDays: number; logsRetentionDays: number };
  issue: { id: number; title: string; culprit: string; count: number; userCount: number; release: string };
  resolvedIssue: { id: number; title: string; status: 'resolved' };
  eventIds: string[];
  /** The full event kept in R2 for eventIds[0] (its key and gzip body). */
  storedEvent: { key: string; body: Buffer; message: string };
  monitor: { id: number; name: string; url: string; incidentId: number };
  cron: { id: number; slug: string; checkinIds: string[] };
  channelId: string;
  rule: { id: string; name: string; events: string[] };
  savedSearch: { id: string; query: string };
  sql: string;
}

/** The previous release's data for one user, organization and project, as one SQL script. */
export function previousReleaseData(now = Date.now()): PreviousReleaseData {
  const userId = hex(8);
  const orgId = hex(8);
  const projectId = 1;
  const t0 = now - 3 * 24 * HOUR;
  const email = `legacy.${hex(3)}@example.com`;
  const password = 'legacy horse battery staple';
  const token = `vgl_${randomBytes(32).toString('base64url')}`;
  const tokenId = hex(8);
  const publicKey = hex(16);
  const revokedKey = hex(16);
  const settings = { rateLimitPerMinute: 5_000, monthlyQuota: 2_000_000, storeIp: true, scrubFields: ['card_number'], apdexThresholdMs: 450, logsHotDays: 3, logsRetentionDays: 60 };
  const issue = { id: 1, title: "KeyError: 'sku'", culprit: 'shop.views.cart_add', count: 3, userCount: 2, release: 'shop@1.4.0' };
  const resolvedIssue = { id: 2, title: 'ZeroDivisionError: division by zero', status: 'resolved' as const };
  const eventIds = [hex(16), hex(16), hex(16), hex(16)];
  const storedEventMessage = "KeyError: 'sku' while adding to the cart";
  const storedEventKey = `events/${projectId}/${eventIds[0]}.json.gz`;
  const storedEventBody = gzipSync(
    JSON.stringify({
      event_id: eventIds[0],
      level: 'error',
      platform: 'python',
      release: issue.release,
      environment: 'production',
      timestamp: (t0 + 2 * HOUR) / 1000,
      message: storedEventMessage,
      exception: { values: [{ type: 'KeyError', value: "'sku'", stacktrace: { frames: [{ filename: 'shop/views.py', function: 'cart_add', lineno: 42, in_app: true }] } }] },
    }),
  );
  const monitor = { id: 1, name: 'Shop home', url: 'https://shop.example.com/', incidentId: 1 };
  const cron = { id: 1, slug: 'nightly-report', checkinIds: [`missed-${t0 + 24 * HOUR}`, hex(16)] };
  const channelId = hex(8);
  const rule = { id: hex(8), name: 'New issues to the team hook', events: ['issue.new', 'issue.regressed', 'monitor.down'] };
  const savedSearch = { id: hex(8), query: 'level:error logger:shop.payments' };

  const rows: string[] = [
    insert('users', { id: userId, email, name: 'Legacy Owner', password_hash: passwordHash(password), created_at: t0 }),
    insert('organizations', { id: orgId, slug: 'legacy-shop', name: 'Legacy Shop', created_at: t0 }),
    insert('memberships', { org_id: orgId, user_id: userId, role: 'owner', created_at: t0 }),
    insert('api_tokens', { id: tokenId, user_id: userId, name: 'deploy script', token_hash: sha256Hex(token), prefix: token.slice(0, 10), created_at: t0, last_used_at: null }),
    insert('projects', {
      id: projectId, org_id: orgId, slug: 'shop', name: 'Shop', platform: 'django', created_at: t0,
      rate_limit_per_minute: settings.rateLimitPerMinute, monthly_quota: settings.monthlyQuota, store_ip: settings.storeIp,
      scrub_fields: settings.scrubFields, apdex_threshold_ms: settings.apdexThresholdMs, logs_hot_days: settings.logsHotDays,
      logs_retention_days: settings.logsRetentionDays,
    }),
    insert('project_keys', { id: hex(8), project_id: projectId, public_key: publicKey, label: 'Default', created_at: t0, revoked_at: null }),
    insert('project_keys', { id: hex(8), project_id: projectId, public_key: revokedKey, label: 'Leaked', created_at: t0, revoked_at: t0 + HOUR }),
    insert('issues', {
      id: issue.id, project_id: projectId, kind: 'error', hash: hex(16), grouping_algorithm: 'v1:exception', title: issue.title,
      culprit: issue.culprit, type: 'KeyError', value: "'sku'", level: 'error', status: 'unresolved', substatus: 'ongoing',
      first_seen: t0 + 2 * HOUR, last_seen: t0 + 30 * HOUR, first_release: issue.release, last_release: issue.release,
      count: issue.count, user_count: issue.userCount, regressed_at: null,
    }),
    insert('issues', {
      id: resolvedIssue.id, project_id: projectId, kind: 'error', hash: hex(16), grouping_algorithm: 'v1:exception', title: resolvedIssue.title,
      culprit: 'shop.reports.average', type: 'ZeroDivisionError', value: 'division by zero', level: 'error', status: 'resolved',
      substatus: 'new', resolved_in_release: issue.release, resolved_at: t0 + 40 * HOUR, first_seen: t0 + 5 * HOUR, last_seen: t0 + 5 * HOUR,
      first_release: issue.release, last_release: issue.release, count: 1, user_count: 0,
    }),
    ...eventIds.map((eventId, i) =>
      insert('events', {
        project_id: projectId, event_id: eventId, issue_id: i < 3 ? issue.id : resolvedIssue.id, timestamp: t0 + (i < 3 ? 2 + 14 * i : 5) * HOUR,
        received_at: t0 + (i < 3 ? 2 + 14 * i : 5) * HOUR + 80, level: 'error', title: i < 3 ? issue.title : resolvedIssue.title,
        release: issue.release, environment: 'production', user_label: i < 2 ? `customer${i}@example.com` : null,
        url: 'https://shop.example.com/cart/add', r2_key: `events/${projectId}/${eventId}.json.gz`, trace_id: hex(16),
      }),
    ),
    insert('issue_hourly', { issue_id: issue.id, hour: Math.floor((t0 + 2 * HOUR) / HOUR), count: 1 }),
    insert('issue_hourly', { issue_id: issue.id, hour: Math.floor((t0 + 16 * HOUR) / HOUR), count: 1 }),
    insert('issue_hourly', { issue_id: issue.id, hour: Math.floor((t0 + 30 * HOUR) / HOUR), count: 1 }),
    insert('issue_hourly', { issue_id: resolvedIssue.id, hour: Math.floor((t0 + 5 * HOUR) / HOUR), count: 1 }),
    insert('issue_tags', { issue_id: issue.id, key: 'environment', value: 'production', count: issue.count }),
    insert('issue_tags', { issue_id: issue.id, key: 'release', value: issue.release, count: issue.count }),
    insert('issue_users', { issue_id: issue.id, user_hash: hex(16) }),
    insert('issue_users', { issue_id: issue.id, user_hash: hex(16) }),
    insert('releases', { project_id: projectId, version: issue.release, first_seen: t0 + 2 * HOUR }),
    insert('monitors', {
      id: monitor.id, project_id: projectId, name: monitor.name, type: 'http', url: monitor.url, method: 'GET', headers: {},
      body: null, expected_status: ['2xx'], keyword: null, keyword_mode: 'present', json_assertion: null, max_response_ms: 2_000,
      follow_redirects: true, timeout_ms: 10_000, interval_seconds: 60, regions: ['wnam', 'weur', 'apac'], confirm_rounds: 0,
      public: true, paused: false, maintenance: [], state: 'up', state_since: t0 + 20 * HOUR, fail_streak: 0,
      open_incident_id: null, last_check_at: now - 60_000, last_latency_ms: 180,
      // Far ahead: no round should probe shop.example.com from the test.
      next_check_at: now + 365 * 24 * HOUR, lease_until: null, created_at: t0, updated_at: t0 + 20 * HOUR,
    }),
    insert('monitor_incidents', {
      id: monitor.incidentId, monitor_id: monitor.id, project_id: projectId, started_at: t0 + 19 * HOUR, confirmed_at: t0 + 19 * HOUR + 60_000,
      ended_at: t0 + 20 * HOUR, failing_regions: ['wnam', 'weur'], first_error: { region: 'wnam', errorClass: 'status', message: 'HTTP 502', httpStatus: 502 },
    }),
    insert('monitor_checks', { id: hex(8), monitor_id: monitor.id, round_at: now - 60_000, region: 'weur', status: 'up', http_status: 200, latency_ms: 180, error_class: null, error: null, excerpt: null, checked_at: now - 59_800 }),
    insert('monitor_hourly', { monitor_id: monitor.id, hour: Math.floor((t0 + 19 * HOUR) / HOUR) * HOUR, checks: 180, failures: 120, degraded: 0, min_ms: 150, avg_ms: 210.5, p95_ms: 400 }),
    insert('cron_monitors', {
      id: cron.id, project_id: projectId, slug: cron.slug, name: 'Nightly report', schedule: { type: 'crontab', value: '0 3 * * *' },
      timezone: 'UTC', checkin_margin: 5, max_runtime: 30, failure_threshold: 1, recovery_threshold: 1, environment: null,
      paused: false, state: 'ok', state_since: t0 + 48 * HOUR, last_checkin_at: t0 + 48 * HOUR, last_duration_ms: 4_200,
      next_expected_at: t0 + 72 * HOUR, created_at: t0, updated_at: t0 + 48 * HOUR,
    }),
    // Check-in ids as 0009 stored them: the schedule's `missed-<time>` and a client's id, without the monitor in front.
    insert('cron_checkins', { id: cron.checkinIds[0], monitor_id: cron.id, status: 'missed', run_id: null, source: 'vigil', environment: null, started_at: t0 + 24 * HOUR, finished_at: null, duration_ms: null, exit_code: null, log: null, received_at: t0 + 24 * HOUR + 300_000 }),
    insert('cron_checkins', { id: cron.checkinIds[1], monitor_id: cron.id, status: 'ok', run_id: cron.checkinIds[1], source: 'ping', environment: null, started_at: t0 + 48 * HOUR - 4_200, finished_at: t0 + 48 * HOUR, duration_ms: 4_200, exit_code: 0, log: 'report sent to 12 recipients', received_at: t0 + 48 * HOUR }),
    insert('channels', { id: channelId, org_id: orgId, type: 'webhook', name: 'Team hook', url: 'https://hooks.example.com/vigil', email: null, secret: `whsec_${randomBytes(24).toString('base64')}`, created_at: t0 }),
    insert('alert_rules', { id: rule.id, project_id: projectId, name: rule.name, events: rule.events, channel_ids: [channelId], environment: 'production', min_level: 'error', frequency_count: null, frequency_minutes: null, log_query: null, created_at: t0 }),
    insert('alerts', {
      id: hex(8), org_id: orgId, project_id: projectId, rule_id: rule.id, channel_id: channelId, channel_name: 'Team hook', channel_type: 'webhook',
      type: 'issue.new', alert_key: `issue.new:${issue.id}`, summary: `New issue: ${issue.title}`, url: `https://vigil.example.com/issues/${issue.id}`,
      status: 'sent', attempts: [{ at: new Date(t0 + 2 * HOUR + 1_000).toISOString(), status: 200, latencyMs: 140 }], suppressed: 0, created_at: t0 + 2 * HOUR, updated_at: t0 + 2 * HOUR + 1_000,
    }),
    insert('saved_searches', { id: savedSearch.id, project_id: projectId, name: 'Payment errors', query: savedSearch.query, created_by: userId, created_at: t0 }),
  ];

  return {
    email, password, token, tokenId, orgSlug: 'legacy-shop', projectId, projectSlug: 'shop', publicKey, revokedKey, settings, issue, resolvedIssue, eventIds,
    storedEvent: { key: storedEventKey, body: storedEventBody, message: storedEventMessage },
    monitor, cron, channelId, rule, savedSearch, sql: rows.join('\n') + '\n',
  };
}
