import { createDb } from "../db/client";
import { sha256Hex } from "../lib/encoding";
import { merge, quantile, total, type Histogram } from "./histogram";
import { recordPerformanceIssues, type PerformanceFinding } from "./issues";

const DAY = 86_400_000;
/** p95 must rise by more than this share week over week… */
export const REGRESSION_RATIO = 1.5;
/** …with at least this many requests in each week, so a handful of slow requests is not a regression. */
export const REGRESSION_MIN_COUNT = 50;

/**
 * Once a day: routes whose p95 over the last 7 full days is more than 50% above the 7 days before (from
 * the day rollups, exact merges), each opening (or adding to) a performance issue. Answers how many.
 */
export async function detectRegressions(env: Env, now = Date.now()): Promise<number> {
  const today = Math.floor(now / DAY) * DAY;
  const rows = await env.DB.prepare(
    `SELECT project_id, "transaction", start, histogram FROM perf_rollups WHERE resolution = 'day' AND start >= ? AND start < ? LIMIT 100000`,
  )
    .bind(today - 14 * DAY, today)
    .all<{ project_id: number; transaction: string; start: number; histogram: string }>();
  const weeks = new Map<string, { projectId: number; route: string; current: Histogram; previous: Histogram }>();
  for (const r of rows.results) {
    const key = `${r.project_id}|${r.transaction}`;
    const w = weeks.get(key) ?? { projectId: r.project_id, route: r.transaction, current: {}, previous: {} };
    merge(r.start >= today - 7 * DAY ? w.current : w.previous, JSON.parse(r.histogram) as Histogram);
    weeks.set(key, w);
  }
  const findings: PerformanceFinding[] = [];
  for (const w of weeks.values()) {
    if (total(w.current) < REGRESSION_MIN_COUNT || total(w.previous) < REGRESSION_MIN_COUNT) continue;
    const before = quantile(w.previous, 0.95)!;
    const after = quantile(w.current, 0.95)!;
    if (!(after > before * REGRESSION_RATIO)) continue;
    const rise = Math.round((after / before - 1) * 100);
    const title = `Slower route: p95 of ${w.route} up ${rise}% week over week (${Math.round(before)} → ${Math.round(after)} ms)`;
    findings.push({
      projectId: w.projectId,
      eventId: (await sha256Hex(`regression:${w.projectId}:${w.route}:${today}`)).slice(0, 32),
      key: `p95_regression:${w.route}`,
      title,
      culprit: w.route,
      type: "Slower Route",
      value: `p95 ${Math.round(before)} ms → ${Math.round(after)} ms`,
      event: {
        timestamp: today / 1000,
        level: "warning",
        platform: "python",
        message: title,
        transaction: w.route,
        tags: { transaction: w.route, "performance.kind": "p95_regression" },
        extra: { performance: { kind: "p95_regression", p95Before: before, p95After: after, requestsBefore: total(w.previous), requestsAfter: total(w.current) } },
      },
      at: now,
    });
  }
  await recordPerformanceIssues(env, createDb(env.DB), findings);
  return findings.length;
}
