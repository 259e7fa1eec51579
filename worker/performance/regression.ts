import { createDb } from "../db/client";
import { sha256Hex } from "../lib/encoding";
import { merge, quantile, total, type Histogram } from "./histogram";
import { recordPerformanceIssues, type PerformanceFinding } from "./issues";

const DAY = 86_400_000;
/** p95 must rise by more than this share week over week… */
export const REGRESSION_RATIO = 1.5;
/** …with at least this many requests in each week, so a handful of slow requests is not a regression. */
export const REGRESSION_MIN_COUNT = 50;
/** Day rollup rows read per query. A route's 14 rows may straddle two pages: the cursor carries it over. */
export const REGRESSION_PAGE_ROWS = 5_000;
/** Findings recorded at a time, so a day with many slower routes does not hold them all. */
const FINDINGS_PER_WRITE = 100;

interface DayRow {
  project_id: number;
  transaction: string;
  start: number;
  histogram: string;
}

/**
 * Every day rollup row of [from, to), ordered by project, route and day, read `pageRows` at a time.
 *
 * Keyset paging on (project_id, "transaction", start). The primary key is (project_id, resolution, start,
 * "transaction"), so that order costs a sort of the rows each query looks at; to keep that to the rows of the
 * page's own projects (not every project's window again for every page), projects are read in groups of
 * about a page, sized by one count per project first. A project larger than a page is a group of its own and
 * is read in several pages. The count only groups: paging stops at a short page, so a row written meanwhile
 * (a late transaction of yesterday) is read all the same.
 */
async function* dayRows(d1: D1Database, from: number, to: number, pageRows: number): AsyncGenerator<DayRow> {
  const counts = await d1
    .prepare(`SELECT project_id, COUNT(*) AS n FROM perf_rollups WHERE resolution = 'day' AND start >= ? AND start < ? GROUP BY project_id ORDER BY project_id`)
    .bind(from, to)
    .all<{ project_id: number; n: number }>();
  const groups: number[][] = [];
  let size = 0;
  for (const { project_id, n } of counts.results) {
    if (!groups.length || size + n > pageRows) {
      groups.push([]);
      size = 0;
    }
    groups.at(-1)!.push(project_id);
    size += n;
  }
  const page = d1.prepare(
    `SELECT project_id, "transaction", start, histogram FROM perf_rollups
       WHERE project_id IN (SELECT value FROM json_each(?1)) AND resolution = 'day' AND start >= ?2 AND start < ?3
         AND (project_id, "transaction", start) > (CAST(?4 AS INTEGER), ?5, CAST(?6 AS INTEGER))
       ORDER BY project_id, "transaction", start LIMIT CAST(?7 AS INTEGER)`,
  );
  for (const group of groups) {
    let cursor: [number, string, number] = [-1, "", -1];
    for (;;) {
      const rows = await page.bind(JSON.stringify(group), from, to, ...cursor, pageRows).all<DayRow>();
      yield* rows.results;
      if (rows.results.length < pageRows) break;
      const last = rows.results.at(-1)!;
      cursor = [last.project_id, last.transaction, last.start];
    }
  }
}

interface RouteWeeks {
  projectId: number;
  route: string;
  current: Histogram;
  previous: Histogram;
}

/** The finding for a route whose p95 rose past the ratio with enough requests in both weeks, or null. */
async function regressionOf(w: RouteWeeks, today: number, now: number): Promise<PerformanceFinding | null> {
  if (total(w.current) < REGRESSION_MIN_COUNT || total(w.previous) < REGRESSION_MIN_COUNT) return null;
  const before = quantile(w.previous, 0.95)!;
  const after = quantile(w.current, 0.95)!;
  if (!(after > before * REGRESSION_RATIO)) return null;
  const rise = Math.round((after / before - 1) * 100);
  const title = `Slower route: p95 of ${w.route} up ${rise}% week over week (${Math.round(before)} → ${Math.round(after)} ms)`;
  return {
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
  };
}

/**
 * Once a day: routes whose p95 over the last 7 full days is more than 50% above the 7 days before (from
 * the day rollups, exact merges), each opening (or adding to) a performance issue. Answers how many.
 *
 * The rows come route by route (`dayRows`), so only the route being read is held, whatever the number of
 * projects and routes.
 */
export async function detectRegressions(env: Env, now = Date.now(), pageRows = REGRESSION_PAGE_ROWS): Promise<number> {
  const today = Math.floor(now / DAY) * DAY;
  const db = createDb(env.DB);
  let findings: PerformanceFinding[] = [];
  let found = 0;
  const finish = async (w: RouteWeeks | null) => {
    const finding = w && (await regressionOf(w, today, now));
    if (finding) findings.push(finding);
    if (findings.length >= FINDINGS_PER_WRITE) {
      await recordPerformanceIssues(env, db, findings);
      found += findings.length;
      findings = [];
    }
  };
  let route: RouteWeeks | null = null;
  for await (const r of dayRows(env.DB, today - 14 * DAY, today, pageRows)) {
    if (!route || route.projectId !== r.project_id || route.route !== r.transaction) {
      await finish(route);
      route = { projectId: r.project_id, route: r.transaction, current: {}, previous: {} };
    }
    merge(r.start >= today - 7 * DAY ? route.current : route.previous, JSON.parse(r.histogram) as Histogram);
  }
  await finish(route);
  await recordPerformanceIssues(env, db, findings);
  return found + findings.length;
}
