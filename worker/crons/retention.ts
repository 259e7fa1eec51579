/** Runs are kept this long (the monitor's page shows the recent ones; the API pages through the rest). */
export const CHECKINS_KEPT_MS = 90 * 86_400_000;

/** Drop runs older than CHECKINS_KEPT_MS, at most 2,000 per cron tick. Answers how many. */
export async function cleanUpCheckins(d1: D1Database, now = Date.now()): Promise<number> {
  const r = await d1
    .prepare(`DELETE FROM cron_checkins WHERE rowid IN (SELECT rowid FROM cron_checkins WHERE received_at < ? LIMIT 2000)`)
    .bind(now - CHECKINS_KEPT_MS)
    .run();
  return r.meta.changes ?? 0;
}
