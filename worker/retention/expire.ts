/**
 * Per-project retention, run by the every-minute cron trigger. Each run deletes at most a fixed number of rows
 * per table, oldest first within each project, so one invocation stays small (a handful of D1 statements, one R2
 * delete per event batch, one R2 list) however large the backlog: a project that lowers its retention from 400
 * days to 1 is worked off over the following minutes, not in one run.
 *
 * - events: past the project's `eventsRetentionDays` (by event time), with their R2 objects;
 * - issues: deleted with their last event — an issue whose `last_seen` is past retention and has no event left
 *   goes, with its hourly counts, tags and users (as Sentry's cleanup does). A later event with the same
 *   fingerprint opens a new issue. Hourly counts of live issues older than retention go too;
 * - attachments: a sweep over `attachments/` (keys are not in time order) deletes those uploaded before their
 *   project's retention, or whose project is gone, a page of 1,000 per run;
 * - uptime: hourly check rows past `checksRetentionDays` (raw checks are folded into them after 48 hours by
 *   worker/uptime/rollup.ts);
 * - stored transactions: worker/performance/retention.ts, by `transactionsRetentionDays`; logs: each LogStore's alarm.
 *
 * The queries walk projects first (`CROSS JOIN` keeps that order) and, per project, the `(project_id, time)`
 * index up to the cutoff, so they never scan rows that are still kept.
 */

const DAY = 86_400_000;

export interface Limits {
  /** Events per batch: the most keys one R2 `delete()` takes. */
  events: number;
  /** Event batches per run. */
  eventBatches: number;
  /** Issues deleted per run (each with its hourly counts, tags and users). */
  issues: number;
  /** Hourly rows (issue counts, uptime history) deleted per table per run. */
  hourly: number;
  /** Attachments looked at per run (one R2 list page). */
  attachments: number;
}

export const LIMITS: Limits = { events: 1000, eventBatches: 2, issues: 200, hourly: 5000, attachments: 1000 };

export interface Expired {
  events: number;
  issues: number;
  issueHours: number;
  checkHours: number;
  attachments: number;
}

const int = (n: number) => Math.max(0, Math.floor(n));

/** Delete what is past its project's retention, within `limits`. Idempotent; answers what went. */
export async function expireData(env: Env, now = Date.now(), limits: Limits = LIMITS): Promise<Expired> {
  const out: Expired = { events: 0, issues: 0, issueHours: 0, checkHours: 0, attachments: 0 };
  for (let b = 0; b < limits.eventBatches; b++) {
    const n = await expireEvents(env, now, limits.events);
    out.events += n;
    if (n < limits.events) break;
  }
  out.issues = await expireIssues(env.DB, now, limits.issues);
  out.issueHours = await expireIssueHours(env.DB, now, limits.hourly);
  out.checkHours = await expireCheckHours(env.DB, now, limits.hourly);
  out.attachments = await sweepAttachments(env, now, limits.attachments);
  return out;
}

/** One batch of the oldest expired events: R2 first, then the rows (a crash between leaves rows to delete again). */
async function expireEvents(env: Env, now: number, limit: number): Promise<number> {
  const rows = await env.DB.prepare(
    `SELECT e.project_id AS projectId, e.event_id AS eventId, e.r2_key AS r2Key
     FROM projects p CROSS JOIN events e ON e.project_id = p.id AND e.timestamp < CAST(?1 AS INTEGER) - p.events_retention_days * ${DAY}
     ORDER BY p.id, e.timestamp LIMIT ${int(limit)}`,
  )
    .bind(now)
    .all<{ projectId: number; eventId: string; r2Key: string }>();
  if (rows.results.length === 0) return 0;
  await env.BLOBS.delete(rows.results.map((r) => r.r2Key));
  const deleted = await env.DB.prepare(`DELETE FROM events WHERE (project_id, event_id) IN (SELECT value->>0, value->>1 FROM json_each(?))`)
    .bind(JSON.stringify(rows.results.map((r) => [r.projectId, r.eventId])))
    .run();
  return deleted.meta.changes ?? 0;
}

/** Issues whose last event is past retention and gone. Events go first, so an issue never takes R2-backed rows with it. */
async function expireIssues(d1: D1Database, now: number, limit: number): Promise<number> {
  const r = await d1
    .prepare(
      `DELETE FROM issues WHERE id IN (
         SELECT i.id FROM projects p CROSS JOIN issues i ON i.project_id = p.id AND i.last_seen < CAST(?1 AS INTEGER) - p.events_retention_days * ${DAY}
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.issue_id = i.id)
         ORDER BY p.id, i.last_seen LIMIT ${int(limit)})`,
    )
    .bind(now)
    .run();
  return r.meta.changes ?? 0;
}

/** Hourly event counts (epoch hours) of issues that are still there, for hours past retention. */
async function expireIssueHours(d1: D1Database, now: number, limit: number): Promise<number> {
  const r = await d1
    .prepare(
      `DELETE FROM issue_hourly WHERE rowid IN (
         SELECT h.rowid FROM projects p CROSS JOIN issues i ON i.project_id = p.id CROSS JOIN issue_hourly h ON h.issue_id = i.id
         WHERE h.hour < (CAST(?1 AS INTEGER) - p.events_retention_days * ${DAY}) / 3600000 LIMIT ${int(limit)})`,
    )
    .bind(now)
    .run();
  return r.meta.changes ?? 0;
}

/** The hourly uptime history past `checksRetentionDays`. */
async function expireCheckHours(d1: D1Database, now: number, limit: number): Promise<number> {
  const r = await d1
    .prepare(
      `DELETE FROM monitor_hourly WHERE rowid IN (
         SELECT h.rowid FROM projects p CROSS JOIN monitors m ON m.project_id = p.id CROSS JOIN monitor_hourly h ON h.monitor_id = m.id
         WHERE h.hour < CAST(?1 AS INTEGER) - p.checks_retention_days * ${DAY} LIMIT ${int(limit)})`,
    )
    .bind(now)
    .run();
  return r.meta.changes ?? 0;
}

export const ATTACHMENTS_SWEEP = "attachments";

/**
 * One page of the walk over `attachments/{project}/{event}/{name}`: keys sort by event id, not time, so the walk
 * goes round the whole prefix, remembering where it stopped in `sweeps`, and starts over at the end.
 */
async function sweepAttachments(env: Env, now: number, limit: number): Promise<number> {
  if (limit <= 0) return 0;
  const d1 = env.DB;
  const at = await d1.prepare(`SELECT after FROM sweeps WHERE name = ?`).bind(ATTACHMENTS_SWEEP).first<{ after: string }>();
  const listed = await env.BLOBS.list({ prefix: "attachments/", limit: int(limit), ...(at?.after ? { startAfter: at.after } : {}) });
  const projectOf = (key: string) => Number(key.split("/")[1]);
  const ids = [...new Set(listed.objects.map((o) => projectOf(o.key)).filter((id) => Number.isInteger(id)))];
  const kept = new Map<number, number>();
  if (ids.length) {
    const rows = await d1
      .prepare(`SELECT id, events_retention_days AS days FROM projects WHERE id IN (SELECT value FROM json_each(?))`)
      .bind(JSON.stringify(ids))
      .all<{ id: number; days: number }>();
    for (const r of rows.results) kept.set(r.id, r.days);
  }
  const expired = listed.objects
    .filter((o) => {
      const days = kept.get(projectOf(o.key));
      return days === undefined || o.uploaded.getTime() < now - days * DAY;
    })
    .map((o) => o.key);
  if (expired.length) await env.BLOBS.delete(expired);
  const after = listed.truncated && listed.objects.length ? listed.objects[listed.objects.length - 1]!.key : "";
  await d1
    .prepare(`INSERT INTO sweeps (name, after, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET after = excluded.after, updated_at = excluded.updated_at`)
    .bind(ATTACHMENTS_SWEEP, after, now)
    .run();
  return expired.length;
}
