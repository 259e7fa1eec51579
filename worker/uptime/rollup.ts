/** Raw check results are kept this long; older hours are folded into `monitor_hourly`. */
export const RAW_CHECKS_KEPT_MS = 48 * 3_600_000;
/** Hours folded per cron tick at most, so a backlog is worked off without one long invocation. */
const HOURS_PER_TICK = 6;

const HOUR = 3_600_000;

/**
 * Fold the raw checks of whole hours older than the raw window into one row per monitor per hour
 * (checks, failures, degraded, min / average / p95 latency of the checks that answered), then delete
 * them. Idempotent: an hour folded twice (a retried tick) adds its counts once, because the raw rows
 * are deleted in the same transaction. Answers the hours folded.
 */
export async function rollUpChecks(d1: D1Database, now = Date.now()): Promise<number> {
  const cutoff = Math.floor((now - RAW_CHECKS_KEPT_MS) / HOUR) * HOUR;
  let folded = 0;
  for (; folded < HOURS_PER_TICK; folded++) {
    const oldest = await d1.prepare(`SELECT min(checked_at) AS t FROM monitor_checks`).first<{ t: number | null }>();
    if (oldest?.t === null || oldest?.t === undefined || oldest.t >= cutoff) break;
    const hour = Math.floor(oldest.t / HOUR) * HOUR;
    await d1.batch([
      d1
        .prepare(
          `WITH c AS (
             SELECT monitor_id, status, latency_ms,
               row_number() OVER (PARTITION BY monitor_id ORDER BY latency_ms IS NULL, latency_ms) AS rn,
               count(latency_ms) OVER (PARTITION BY monitor_id) AS answered
             FROM monitor_checks WHERE checked_at >= ?1 AND checked_at < ?2
           )
           INSERT INTO monitor_hourly (monitor_id, hour, checks, failures, degraded, min_ms, avg_ms, p95_ms)
           SELECT monitor_id, ?1, count(*), sum(status = 'down'), sum(status = 'degraded'),
             min(latency_ms), avg(latency_ms),
             max(CASE WHEN latency_ms IS NOT NULL AND rn <= (answered * 95 + 99) / 100 THEN latency_ms END)
           FROM c WHERE true GROUP BY monitor_id
           ON CONFLICT (monitor_id, hour) DO UPDATE SET
             checks = checks + excluded.checks, failures = failures + excluded.failures, degraded = degraded + excluded.degraded,
             min_ms = min(coalesce(min_ms, excluded.min_ms), coalesce(excluded.min_ms, min_ms)),
             avg_ms = coalesce(avg_ms, excluded.avg_ms), p95_ms = max(coalesce(p95_ms, 0), coalesce(excluded.p95_ms, 0))`,
        )
        .bind(hour, hour + HOUR),
      d1.prepare(`DELETE FROM monitor_checks WHERE checked_at >= ? AND checked_at < ?`).bind(hour, hour + HOUR),
    ]);
  }
  // Hourly rows are kept for their project's `checksRetentionDays` (91 unless changed): worker/retention/expire.ts.
  return folded;
}
