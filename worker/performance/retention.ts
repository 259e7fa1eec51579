import type { Resolution } from "./schema";
import { KEPT_MS } from "./ranges";

/**
 * Stored transactions (their index rows and full records in R2) are kept this long by default; each project
 * sets its own (`transactionsRetentionDays`). The rollups are kept longer, by resolution, for every project.
 */
export const TRACES_KEPT_MS = 14 * 86_400_000;
/** Rows deleted per table per cron tick at most, so a backlog is worked off without one long invocation. */
const PER_TICK = 2000;

/**
 * Drop what is past its retention: minute rollups after 2 days, hour rollups after 35, day rollups after
 * 400, query stats after 35 days, and stored transactions (index + R2) after their project's
 * `transactionsRetentionDays` (14 unless changed), oldest first per project. Answers rows deleted.
 */
export async function cleanUpPerformance(env: Env, now = Date.now()): Promise<number> {
  const d1 = env.DB;
  let deleted = 0;
  for (const resolution of ["minute", "hour", "day"] as Resolution[]) {
    const r = await d1
      .prepare(`DELETE FROM perf_rollups WHERE rowid IN (SELECT rowid FROM perf_rollups WHERE resolution = ? AND start < ? LIMIT ${PER_TICK})`)
      .bind(resolution, now - KEPT_MS[resolution])
      .run();
    deleted += r.meta.changes ?? 0;
  }
  const q = await d1.prepare(`DELETE FROM perf_queries WHERE rowid IN (SELECT rowid FROM perf_queries WHERE day < ? LIMIT ${PER_TICK})`).bind(now - KEPT_MS.hour).run();
  deleted += q.meta.changes ?? 0;
  const old = await d1
    // Projects first (CROSS JOIN keeps that order), then each project's (project_id, start) index up to its cutoff.
    .prepare(
      `SELECT t.project_id, t.event_id, t.r2_key FROM projects p CROSS JOIN perf_transactions t
         ON t.project_id = p.id AND t.start < CAST(?1 AS INTEGER) - p.transactions_retention_days * 86400000
       ORDER BY p.id, t.start LIMIT 1000`,
    )
    .bind(now)
    .all<{ project_id: number; event_id: string; r2_key: string }>();
  if (old.results.length) {
    await env.BLOBS.delete(old.results.map((r) => r.r2_key));
    const t = await d1
      .prepare(`DELETE FROM perf_transactions WHERE (project_id, event_id) IN (SELECT value->>0, value->>1 FROM json_each(?))`)
      .bind(JSON.stringify(old.results.map((r) => [r.project_id, r.event_id])))
      .run();
    deleted += t.meta.changes ?? 0;
  }
  return deleted;
}
