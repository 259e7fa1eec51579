import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { notFound } from "../lib/errors";
import { timeRange } from "../lib/time";
import type { ProjectService } from "../projects/service";
import { apdex, emptyParts, mergeRollup, RESOLUTION_MS, type Rollup } from "./aggregate";
import { PARTS, type Breakdown } from "./breakdown";
import { merge, quantile, type Histogram } from "./histogram";
import type { TransactionRecord } from "./model";
import { chartResolution, coveringPieces, snapRange, type Piece } from "./ranges";
import { perfQueries, perfTransactions } from "./schema";
import { events, issues } from "../errors/schema";

const DAY = 86_400_000;

function rowToRollup(row: Record<string, unknown>): Rollup {
  return {
    projectId: row.project_id as number,
    resolution: row.resolution as Rollup["resolution"],
    start: row.start as number,
    transaction: row.transaction as string,
    count: row.count as number,
    failures: row.failures as number,
    satisfied: row.satisfied as number,
    tolerating: row.tolerating as number,
    durationSum: row.duration_sum as number,
    histogram: JSON.parse(row.histogram as string),
    partSums: JSON.parse(row.part_sums as string),
    partHistograms: JSON.parse(row.part_histograms as string),
  };
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** What the routes table and the route page show of a merged rollup. */
export function summarize(r: Rollup, minutes: number) {
  const avg = (p: keyof Breakdown) => (r.count ? r.partSums[p] / r.count : 0);
  return {
    count: r.count,
    tpm: minutes > 0 ? Math.round((r.count / minutes) * 100) / 100 : 0,
    p50: round1(quantile(r.histogram, 0.5)),
    p75: round1(quantile(r.histogram, 0.75)),
    p95: round1(quantile(r.histogram, 0.95)),
    p99: round1(quantile(r.histogram, 0.99)),
    avg: round1(r.count ? r.durationSum / r.count : null),
    failureRate: r.count ? r.failures / r.count : 0,
    apdex: apdex(r),
    breakdown: { db: round1(avg("db"))!, cache: round1(avg("cache"))!, template: round1(avg("template"))!, http: round1(avg("http"))!, other: round1(avg("python"))! },
    breakdownP95: Object.fromEntries(PARTS.map((p) => [p === "python" ? "other" : p, round1(quantile(r.partHistograms[p] ?? {}, 0.95)) ?? 0])) as Record<"db" | "cache" | "template" | "http" | "other", number>,
  };
}

const withoutPartP95 = ({ breakdownP95: _p95, ...rest }: ReturnType<typeof summarize>) => rest;

const emptyRollup = (projectId: number, transaction: string): Rollup => ({
  projectId,
  resolution: "minute",
  start: 0,
  transaction,
  count: 0,
  failures: 0,
  satisfied: 0,
  tolerating: 0,
  durationSum: 0,
  histogram: {},
  partSums: emptyParts(),
  partHistograms: { db: {}, cache: {}, template: {}, http: {}, python: {} },
});

export class PerformanceService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly projects: ProjectService,
  ) {}

  /** Rollup rows covering the pieces, for one route or all; without the per-part histograms unless asked. */
  private async rows(projectId: number, pieces: Piece[], transaction?: string, withPartHistograms = true): Promise<Rollup[]> {
    if (!pieces.length) return [];
    const conditions = pieces.map((p) => sql`(resolution = ${p.resolution} AND start >= ${p.from} AND start < ${p.to})`);
    const columns = withPartHistograms
      ? sql`*`
      : sql`project_id, resolution, start, "transaction", count, failures, satisfied, tolerating, duration_sum, histogram, part_sums, '{}' AS part_histograms`;
    const rows = await this.db.all<Record<string, unknown>>(sql`
      SELECT ${columns} FROM perf_rollups WHERE project_id = ${projectId}
        ${transaction !== undefined ? sql`AND "transaction" = ${transaction}` : sql``}
        AND (${sql.join(conditions, sql` OR `)})`);
    return rows.map(rowToRollup);
  }

  /** Per route over the range: tpm, percentiles, failure rate, Apdex and where the time went. */
  async routes(projectId: number, userId: string, query: { from?: string; to?: string }, now = Date.now()) {
    await this.projects.access(projectId, userId);
    const asked = timeRange(query, DAY, now);
    const { from, to } = snapRange(asked.from, asked.to);
    const merged = new Map<string, Rollup>();
    for (const r of await this.rows(projectId, coveringPieces(from, to, now), undefined, false)) {
      merged.set(r.transaction, mergeRollup(merged.get(r.transaction) ?? emptyRollup(projectId, r.transaction), r));
    }
    const minutes = (Math.min(to, now) - from) / 60_000;
    return { from, to, rows: [...merged.values()].map((r) => ({ transaction: r.transaction, ...withoutPartP95(summarize(r, minutes)) })).sort((a, b) => b.count * (b.p95 ?? 0) - a.count * (a.p95 ?? 0)) };
  }

  /** One route: percentiles and breakdown over time, its queries, its slowest requests. */
  async route(projectId: number, userId: string, query: { transaction: string; from?: string; to?: string }, now = Date.now()) {
    await this.projects.access(projectId, userId);
    const { from, to } = timeRange(query, DAY, now);
    const resolution = chartResolution(from, to);
    const step = RESOLUTION_MS[resolution];
    const start = Math.floor(from / step) * step;
    const rows = await this.rows(projectId, [{ resolution, from: start, to }], query.transaction);
    const byStart = new Map(rows.map((r) => [r.start, r]));
    const series = [];
    for (let t = start; t < to; t += step) {
      const r = byStart.get(t);
      series.push({ t, ...summarize(r ?? emptyRollup(projectId, query.transaction), step / 60_000) });
    }
    const all = rows.reduce((acc, r) => mergeRollup(acc, r), emptyRollup(projectId, query.transaction));
    const exact = (await this.rows(projectId, coveringPieces(from, to, now), query.transaction)).reduce((acc, r) => mergeRollup(acc, r), emptyRollup(projectId, query.transaction));
    const days = [Math.floor(from / DAY) * DAY, to];
    const queryRows = await this.db
      .select()
      .from(perfQueries)
      .where(and(eq(perfQueries.projectId, projectId), eq(perfQueries.transaction, query.transaction), gte(perfQueries.day, days[0]!), lt(perfQueries.day, days[1]!)))
      .all();
    const queries = new Map<string, (typeof queryRows)[number]>();
    for (const q of queryRows) {
      const seen = queries.get(q.hash);
      if (!seen) queries.set(q.hash, { ...q, histogram: { ...q.histogram } });
      else {
        seen.count += q.count;
        seen.requests += q.requests;
        seen.totalMs += q.totalMs;
        merge(seen.histogram as Histogram, q.histogram);
        if (q.slowestMs > seen.slowestMs) Object.assign(seen, { slowestMs: q.slowestMs, slowestEventId: q.slowestEventId });
      }
    }
    const slowest = await this.db
      .select()
      .from(perfTransactions)
      .where(and(eq(perfTransactions.projectId, projectId), eq(perfTransactions.transaction, query.transaction), gte(perfTransactions.start, from), lt(perfTransactions.start, to)))
      .orderBy(desc(perfTransactions.durationMs))
      .limit(20)
      .all();
    return {
      transaction: query.transaction,
      from,
      to,
      resolution,
      summary: summarize(exact.count ? exact : all, (Math.min(to, now) - from) / 60_000),
      series,
      queries: [...queries.values()]
        .map((q) => ({
          hash: q.hash,
          sql: q.sql,
          count: q.count,
          perRequest: q.requests ? Math.round((q.count / q.requests) * 10) / 10 : 0,
          totalMs: Math.round(q.totalMs),
          p95: round1(quantile(q.histogram, 0.95)),
          slowestMs: round1(q.slowestMs),
          slowestEventId: q.slowestEventId,
        }))
        .sort((a, b) => b.totalMs - a.totalMs)
        .slice(0, 50),
      slowest,
    };
  }

  /** The transactions of a trace (usually one), with their spans, for the waterfall. */
  async trace(projectId: number, userId: string, traceId: string) {
    await this.projects.access(projectId, userId);
    const rows = await this.db
      .select()
      .from(perfTransactions)
      .where(and(eq(perfTransactions.projectId, projectId), eq(perfTransactions.traceId, traceId.toLowerCase())))
      .orderBy(perfTransactions.start)
      .limit(50)
      .all();
    if (!rows.length) throw notFound("Trace");
    const records = await Promise.all(
      rows.map(async (r) => {
        const object = await this.env.BLOBS.get(r.r2Key);
        if (!object) return null;
        const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
        return JSON.parse(text) as TransactionRecord;
      }),
    );
    const errors = await this.db
      .select({ eventId: events.eventId, issueId: events.issueId, title: events.title, level: events.level, timestamp: events.timestamp })
      .from(events)
      .innerJoin(issues, eq(issues.id, events.issueId))
      .where(and(eq(events.projectId, projectId), eq(events.traceId, traceId.toLowerCase()), eq(issues.kind, "error")))
      .limit(100)
      .all();
    return { traceId: traceId.toLowerCase(), transactions: rows.map((r, i) => ({ index: r, record: records[i] ?? null })), errors };
  }

  /** A check that the counts add up, for tests and the benchmark: transactions counted per route over a range. */
  async counted(projectId: number): Promise<number> {
    const row = await this.db.all<{ n: number }>(sql`SELECT coalesce(sum(count), 0) AS n FROM perf_rollups WHERE project_id = ${projectId} AND resolution = 'day'`);
    return row[0]?.n ?? 0;
  }
}

