/**
 * One time axis for a project: outages, cron runs, errors, log volume, throughput and latency, releases — each
 * read from where its capability keeps it and cut into the same buckets, so the same minutes line up.
 */
import type { Db } from "../db/client";
import { timeRange } from "../lib/time";
import type { Level } from "../logs/model";
import { bucketFor } from "../logs/service";
import { logStore } from "../logs/storage";
import { merge, quantile, type Histogram } from "../performance/histogram";
import type { ProjectService } from "../projects/service";
import { notFound } from "../lib/errors";
import { publicCheckinId } from "../crons/schema";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Raw uptime checks are kept this long; older ranges show incidents only. */
const RAW_CHECKS_MS = 48 * HOUR;
/** Minute rollups of performance are kept this long; older ranges use hour rows. */
const MINUTE_ROLLUPS_MS = 48 * HOUR;
/** Ranges up to this long get exact p95 per bucket and each bucket's slowest trace (see `requests`). */
const FINE_RANGE = 6 * HOUR;
// D1 binds numbers as REAL: bucket numbers are cast back to integers in SQL.

/** Upper bounds on what one timeline reads, so a busy project cannot make it slow. */
const LIMITS = { monitors: 50, failingChecks: 20_000, crons: 50, runs: 5_000, marks: 100, topIssues: 5, releases: 50 } as const;

interface Band {
  from: number;
  to: number | null;
}

export interface Timeline {
  from: number;
  to: number;
  bucketMs: number;
  buckets: number[];
  monitors: { id: number; name: string; url: string; incidents: (Band & { id: number; regions: string[]; cause: string })[]; regions: { region: string; failing: Band[] }[] }[];
  crons: { id: number; slug: string; name: string; runs: { id: string; at: number; status: string; durationMs: number | null }[] }[];
  errors: { total: number[]; issues: { id: number; title: string; level: string; counts: number[] }[]; marks: { at: number; kind: "new" | "regressed"; issueId: number; title: string }[] };
  logs: { counts: Partial<Record<Level, number>>[] };
  requests: { count: number[]; failures: number[]; p95: (number | null)[]; slowest: (string | null)[] };
  releases: { version: string; firstSeen: number }[];
}

export class TimelineService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly projects: ProjectService,
  ) {}

  private get d1() {
    return this.env.DB;
  }

  async timeline(projectId: number, userId: string, query: { from?: string; to?: string }, now = Date.now()): Promise<Timeline> {
    await this.projects.access(projectId, userId);
    const { from, to } = timeRange(query, DAY, now);
    const bucketMs = bucketFor(to - from);
    const start = Math.floor(from / bucketMs) * bucketMs;
    const buckets: number[] = [];
    for (let t = start; t < to; t += bucketMs) buckets.push(t);
    const index = (t: number) => Math.min(buckets.length - 1, Math.max(0, Math.floor((t - start) / bucketMs)));
    const zeros = () => buckets.map(() => 0);

    const [monitors, crons, errors, logs, requests, releases] = await Promise.all([
      this.monitors(projectId, from, to, now),
      this.crons(projectId, from, to),
      this.errors(projectId, start, to, bucketMs, zeros),
      this.logs(projectId, start, to, bucketMs, buckets),
      this.requests(projectId, start, to, bucketMs, index, zeros, now),
      this.d1
        .prepare("SELECT version, first_seen FROM releases WHERE project_id = ? AND first_seen >= ? AND first_seen < ? ORDER BY first_seen LIMIT ?")
        .bind(projectId, from, to, LIMITS.releases)
        .all<{ version: string; first_seen: number }>(),
    ]);
    return { from, to, bucketMs, buckets, monitors, crons, errors, logs, requests, releases: releases.results.map((r) => ({ version: r.version, firstSeen: r.first_seen })) };
  }

  /** Incidents overlapping the range, and per region the runs of failing checks (from raw checks, within their 48 h). */
  private async monitors(projectId: number, from: number, to: number, now: number): Promise<Timeline["monitors"]> {
    const list = await this.d1
      .prepare("SELECT id, name, url, interval_seconds, regions FROM monitors WHERE project_id = ? ORDER BY name LIMIT ?")
      .bind(projectId, LIMITS.monitors)
      .all<{ id: number; name: string; url: string; interval_seconds: number; regions: string }>();
    if (list.results.length === 0) return [];
    const ids = JSON.stringify(list.results.map((m) => m.id));
    const [incidents, checks] = await Promise.all([
      this.d1
        .prepare(
          `SELECT id, monitor_id, started_at, ended_at, failing_regions, first_error FROM monitor_incidents
           WHERE project_id = ? AND started_at < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at`,
        )
        .bind(projectId, to, from)
        .all<{ id: number; monitor_id: number; started_at: number; ended_at: number | null; failing_regions: string; first_error: string }>(),
      from >= now - RAW_CHECKS_MS - HOUR
        ? this.d1
            .prepare(
              `SELECT monitor_id, region, checked_at FROM monitor_checks
               WHERE monitor_id IN (SELECT value FROM json_each(?)) AND checked_at >= ? AND checked_at < ? AND status = 'down'
               ORDER BY monitor_id, region, checked_at LIMIT ?`,
            )
            .bind(ids, from, to, LIMITS.failingChecks)
            .all<{ monitor_id: number; region: string; checked_at: number }>()
        : Promise.resolve({ results: [] as { monitor_id: number; region: string; checked_at: number }[] }),
    ]);
    return list.results.map((m) => {
      const interval = m.interval_seconds * 1000;
      // Consecutive failing checks of a region (no more than 1.5 intervals apart) make one band, lasting one interval past the last
      const regions = new Map<string, Band[]>();
      for (const c of checks.results) {
        if (c.monitor_id !== m.id) continue;
        const bands = regions.get(c.region) ?? [];
        const last = bands[bands.length - 1];
        // (never past now: a run that is still failing ends at the present)
        if (last && last.to !== null && c.checked_at - last.from >= 0 && c.checked_at <= (last.to ?? c.checked_at) + interval * 0.5) last.to = Math.min(now, c.checked_at + interval);
        else bands.push({ from: c.checked_at, to: Math.min(now, c.checked_at + interval) });
        regions.set(c.region, bands);
      }
      return {
        id: m.id,
        name: m.name,
        url: m.url,
        incidents: incidents.results
          .filter((i) => i.monitor_id === m.id)
          .map((i) => {
            const first = JSON.parse(i.first_error) as { message?: string; errorClass?: string };
            return { id: i.id, from: i.started_at, to: i.ended_at, regions: JSON.parse(i.failing_regions) as string[], cause: first.message ?? first.errorClass ?? "" };
          }),
        regions: (JSON.parse(m.regions) as string[]).map((region) => ({ region, failing: regions.get(region) ?? [] })),
      };
    });
  }

  private async crons(projectId: number, from: number, to: number): Promise<Timeline["crons"]> {
    const list = await this.d1.prepare("SELECT id, slug, name FROM cron_monitors WHERE project_id = ? ORDER BY slug LIMIT ?").bind(projectId, LIMITS.crons).all<{ id: number; slug: string; name: string }>();
    if (list.results.length === 0) return [];
    const runs = await this.d1
      .prepare(
        `SELECT id, monitor_id, started_at, status, duration_ms FROM cron_checkins
         WHERE monitor_id IN (SELECT value FROM json_each(?)) AND started_at >= ? AND started_at < ? ORDER BY started_at LIMIT ?`,
      )
      .bind(JSON.stringify(list.results.map((c) => c.id)), from, to, LIMITS.runs)
      .all<{ id: string; monitor_id: number; started_at: number; status: string; duration_ms: number | null }>();
    return list.results.map((c) => ({
      ...c,
      runs: runs.results.filter((r) => r.monitor_id === c.id).map((r) => ({ id: publicCheckinId(r.id), at: r.started_at, status: r.status, durationMs: r.duration_ms })),
    }));
  }

  /** Error events per bucket (error issues only, not performance findings), the busiest issues' own counts, new and regressed marks. */
  private async errors(projectId: number, start: number, to: number, bucketMs: number, zeros: () => number[]): Promise<Timeline["errors"]> {
    const [perBucket, marks] = await Promise.all([
      this.d1
        .prepare(
          `SELECT CAST((e.timestamp - ?1) / ?2 AS INTEGER) AS b, e.issue_id, count(*) AS n FROM events e JOIN issues i ON i.id = e.issue_id
           WHERE e.project_id = ?3 AND e.timestamp >= ?1 AND e.timestamp < ?4 AND i.kind = 'error' GROUP BY b, e.issue_id`,
        )
        .bind(start, bucketMs, projectId, to)
        .all<{ b: number; issue_id: number; n: number }>(),
      this.d1
        .prepare(
          `SELECT id, title, level, first_seen, regressed_at FROM issues
           WHERE project_id = ?1 AND kind = 'error' AND ((first_seen >= ?2 AND first_seen < ?3) OR (regressed_at >= ?2 AND regressed_at < ?3)) LIMIT ?4`,
        )
        .bind(projectId, start, to, LIMITS.marks)
        .all<{ id: number; title: string; level: string; first_seen: number; regressed_at: number | null }>(),
    ]);
    const total = zeros();
    const byIssue = new Map<number, number[]>();
    for (const r of perBucket.results) {
      const i = Math.min(total.length - 1, r.b);
      total[i]! += r.n;
      const counts = byIssue.get(r.issue_id) ?? zeros();
      counts[i]! += r.n;
      byIssue.set(r.issue_id, counts);
    }
    const top = [...byIssue.entries()].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).slice(0, LIMITS.topIssues);
    const titles = top.length
      ? await this.d1
          .prepare("SELECT id, title, level FROM issues WHERE id IN (SELECT value FROM json_each(?))")
          .bind(JSON.stringify(top.map(([id]) => id)))
          .all<{ id: number; title: string; level: string }>()
      : { results: [] };
    const info = new Map(titles.results.map((t) => [t.id, t]));
    return {
      total,
      issues: top.map(([id, counts]) => ({ id, title: info.get(id)?.title ?? "", level: info.get(id)?.level ?? "error", counts })),
      marks: marks.results
        .flatMap((m) => [
          ...(m.first_seen >= start && m.first_seen < to ? [{ at: m.first_seen, kind: "new" as const, issueId: m.id, title: m.title }] : []),
          ...(m.regressed_at !== null && m.regressed_at >= start && m.regressed_at < to ? [{ at: m.regressed_at, kind: "regressed" as const, issueId: m.id, title: m.title }] : []),
        ])
        .sort((a, b) => a.at - b.at),
    };
  }

  /** Log lines per bucket per level, from the project's LogStore (its per-minute counts: no line is read). */
  private async logs(projectId: number, start: number, to: number, bucketMs: number, buckets: number[]): Promise<Timeline["logs"]> {
    const h = await logStore(this.env, projectId).histogram(projectId, "", start, to - 1, bucketMs);
    const byT = new Map(h.buckets.map((b) => [b.t, b.counts]));
    return { counts: buckets.map((t) => byT.get(t) ?? {}) };
  }

  /**
   * Throughput, failures and p95 per bucket, and each bucket's slowest trace. Up to 6 hours: minute rollups merged
   * per bucket (their histograms give an exact p95) and the slowest stored transaction of each bucket. Longer:
   * counts summed per bucket in SQL, p95 per hour from the hour rollups (each bucket shows its hour's), and no
   * slowest trace (finding it reads every stored transaction of the range; zoom in to get one).
   */
  private async requests(
    projectId: number,
    start: number,
    to: number,
    bucketMs: number,
    index: (t: number) => number,
    zeros: () => number[],
    now: number,
  ): Promise<Timeline["requests"]> {
    const count = zeros();
    const failures = zeros();
    const histograms: (Histogram | null)[] = count.map(() => null);
    const traces: (string | null)[] = count.map(() => null);
    const fine = to - start <= FINE_RANGE && start >= now - MINUTE_ROLLUPS_MS;
    if (fine) {
      const [rows, slowest] = await Promise.all([
        this.d1
          .prepare(`SELECT start, count, failures, histogram FROM perf_rollups WHERE project_id = ? AND resolution = 'minute' AND start >= ? AND start < ?`)
          .bind(projectId, start, to)
          .all<{ start: number; count: number; failures: number; histogram: string }>(),
        this.d1
          .prepare(
            `SELECT CAST((start - ?1) / ?2 AS INTEGER) AS b, trace_id, max(duration_ms) AS d FROM perf_transactions
             WHERE project_id = ?3 AND start >= ?1 AND start < ?4 GROUP BY b`,
          )
          .bind(start, bucketMs, projectId, to)
          .all<{ b: number; trace_id: string; d: number }>(),
      ]);
      for (const r of rows.results) {
        const i = index(r.start);
        count[i]! += r.count;
        failures[i]! += r.failures;
        histograms[i] = merge(histograms[i] ?? {}, JSON.parse(r.histogram) as Histogram);
      }
      for (const s of slowest.results) if (s.b >= 0 && s.b < traces.length) traces[s.b] = s.trace_id;
      return { count, failures, p95: histograms.map((h) => (h ? quantile(h, 0.95) : null)), slowest: traces };
    }
    const minuteRows = start >= now - MINUTE_ROLLUPS_MS && bucketMs < HOUR;
    const [sums, hours] = await Promise.all([
      this.d1
        .prepare(
          `SELECT CAST((start - ?1) / ?2 AS INTEGER) AS b, sum(count) AS n, sum(failures) AS f FROM perf_rollups
           WHERE project_id = ?3 AND resolution = ?4 AND start >= ?5 AND start < ?6 GROUP BY b`,
        )
        .bind(start, bucketMs, projectId, minuteRows ? "minute" : "hour", minuteRows ? start : Math.floor(start / HOUR) * HOUR, to)
        .all<{ b: number; n: number; f: number }>(),
      this.d1
        .prepare(`SELECT start, histogram FROM perf_rollups WHERE project_id = ? AND resolution = 'hour' AND start >= ? AND start < ?`)
        .bind(projectId, Math.floor(start / HOUR) * HOUR, to)
        .all<{ start: number; histogram: string }>(),
    ]);
    for (const r of sums.results) {
      const i = Math.min(count.length - 1, Math.max(0, r.b));
      count[i]! += r.n;
      failures[i]! += r.f;
    }
    const perHour = new Map<number, Histogram>();
    for (const r of hours.results) perHour.set(r.start, merge(perHour.get(r.start) ?? {}, JSON.parse(r.histogram) as Histogram));
    const p95 = count.map((_, i) => {
      const t = start + i * bucketMs;
      // A bucket of an hour or more merges its hours; a shorter one shows the p95 of the hour it is in.
      const hist: Histogram = {};
      for (let h = Math.floor(t / HOUR) * HOUR; h < Math.max(t + bucketMs, Math.floor(t / HOUR) * HOUR + 1); h += HOUR) merge(hist, perHour.get(h));
      return count[i] ? quantile(hist, 0.95) : null;
    });
    return { count, failures, p95, slowest: traces };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Releases

  async releases(projectId: number, userId: string) {
    await this.projects.access(projectId, userId);
    const rows = await this.d1
      .prepare(
        `SELECT r.version, r.first_seen, (SELECT count(*) FROM issues i WHERE i.project_id = r.project_id AND i.first_release = r.version AND i.kind = 'error') AS new_issues
         FROM releases r WHERE r.project_id = ? ORDER BY r.first_seen DESC LIMIT 100`,
      )
      .bind(projectId)
      .all<{ version: string; first_seen: number; new_issues: number }>();
    return rows.results.map((r) => ({ version: r.version, firstSeen: r.first_seen, newIssues: r.new_issues }));
  }

  /** A release: the issues it brought, and latency before vs after it (24 h each side, all routes and the busiest). */
  async release(projectId: number, userId: string, version: string, now = Date.now()) {
    await this.projects.access(projectId, userId);
    const release = await this.d1.prepare("SELECT version, first_seen FROM releases WHERE project_id = ? AND version = ?").bind(projectId, version).first<{ version: string; first_seen: number }>();
    if (!release) throw notFound("Release");
    const at = release.first_seen;
    const issues = await this.d1
      .prepare("SELECT id, title, level, count, first_seen FROM issues WHERE project_id = ? AND first_release = ? AND kind = 'error' ORDER BY count DESC LIMIT 50")
      .bind(projectId, version)
      .all<{ id: number; title: string; level: string; count: number; first_seen: number }>();
    // Hour rollups around the release: the hour it landed in counts as "after".
    const hour = Math.floor(at / HOUR) * HOUR;
    const rows = await this.d1
      .prepare(`SELECT start, "transaction", count, failures, histogram FROM perf_rollups WHERE project_id = ? AND resolution = 'hour' AND start >= ? AND start < ?`)
      .bind(projectId, hour - DAY, Math.min(hour + DAY, now + HOUR))
      .all<{ start: number; transaction: string; count: number; failures: number; histogram: string }>();
    type Acc = { count: number; failures: number; histogram: Histogram };
    const empty = (): Acc => ({ count: 0, failures: 0, histogram: {} });
    const overall = { before: empty(), after: empty() };
    const perRoute = new Map<string, { before: Acc; after: Acc }>();
    for (const r of rows.results) {
      const side = r.start < hour ? "before" : "after";
      const route = perRoute.get(r.transaction) ?? { before: empty(), after: empty() };
      for (const acc of [overall[side], route[side]]) {
        acc.count += r.count;
        acc.failures += r.failures;
        acc.histogram = merge(acc.histogram, JSON.parse(r.histogram) as Histogram);
      }
      perRoute.set(r.transaction, route);
    }
    const window = (a: Acc) => ({ count: a.count, p50: quantile(a.histogram, 0.5), p95: quantile(a.histogram, 0.95), failureRate: a.count ? a.failures / a.count : null });
    const routes = [...perRoute.entries()]
      .sort((a, b) => b[1].before.count + b[1].after.count - (a[1].before.count + a[1].after.count))
      .slice(0, 10)
      .map(([transaction, r]) => ({ transaction, before: window(r.before), after: window(r.after) }));
    return {
      version,
      firstSeen: at,
      newIssues: issues.results.length,
      issues: issues.results.map((i) => ({ id: i.id, title: i.title, level: i.level, count: i.count, firstSeen: i.first_seen })),
      performance: { before: window(overall.before), after: window(overall.after) },
      routes,
    };
  }
}
