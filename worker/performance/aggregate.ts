import { breakdownOf, familyOf, PARTS, type Breakdown, type Part } from "./breakdown";
import { merge, record, type Histogram } from "./histogram";
import type { TransactionRecord } from "./model";
import type { Resolution } from "./schema";
import { failed } from "./sentry";
import { normalizeSql, sqlHash } from "./sql";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
export const RESOLUTION_MS: Record<Resolution, number> = { minute: MINUTE, hour: HOUR, day: DAY };

export const emptyParts = (): Breakdown => ({ db: 0, cache: 0, template: 0, http: 0, python: 0 });
const emptyPartHistograms = (): Record<Part, Histogram> => ({ db: {}, cache: {}, template: {}, http: {}, python: {} });

export interface Rollup {
  projectId: number;
  resolution: Resolution;
  start: number;
  transaction: string;
  count: number;
  failures: number;
  satisfied: number;
  tolerating: number;
  durationSum: number;
  histogram: Histogram;
  partSums: Breakdown;
  partHistograms: Record<Part, Histogram>;
}

export interface QueryStat {
  projectId: number;
  day: number;
  transaction: string;
  hash: string;
  sql: string;
  count: number;
  requests: number;
  totalMs: number;
  histogram: Histogram;
  slowestMs: number;
  slowestEventId: string;
}

export const rollupKey = (r: Pick<Rollup, "projectId" | "resolution" | "start" | "transaction">) => `${r.projectId}|${r.resolution}|${r.start}|${r.transaction}`;
export const queryKey = (q: Pick<QueryStat, "projectId" | "day" | "transaction" | "hash">) => `${q.projectId}|${q.day}|${q.transaction}|${q.hash}`;

/** Add `b` into `a` (same key): counts and sums add, histograms merge. */
export function mergeRollup(a: Rollup, b: Rollup): Rollup {
  a.count += b.count;
  a.failures += b.failures;
  a.satisfied += b.satisfied;
  a.tolerating += b.tolerating;
  a.durationSum += b.durationSum;
  merge(a.histogram, b.histogram);
  for (const p of PARTS) {
    a.partSums[p] += b.partSums[p];
    if (b.partHistograms[p]) a.partHistograms[p] = merge(a.partHistograms[p] ?? {}, b.partHistograms[p]);
  }
  return a;
}

export function mergeQuery(a: QueryStat, b: QueryStat): QueryStat {
  a.count += b.count;
  a.requests += b.requests;
  a.totalMs += b.totalMs;
  merge(a.histogram, b.histogram);
  if (b.slowestMs > a.slowestMs) Object.assign(a, { slowestMs: b.slowestMs, slowestEventId: b.slowestEventId });
  return a;
}

/** One transaction's contribution to its route's minute, hour and day, and to its queries of the day. */
export function contributions(projectId: number, t: TransactionRecord, apdexMs: number): { rollups: Rollup[]; queries: QueryStat[]; breakdown: Breakdown } {
  const duration = t.end - t.start;
  const breakdown = breakdownOf(t);
  const partHistograms = emptyPartHistograms();
  for (const p of PARTS) record(partHistograms[p], breakdown[p]);
  const rollups = (["minute", "hour", "day"] as const).map<Rollup>((resolution) => ({
    projectId,
    resolution,
    start: Math.floor(t.start / RESOLUTION_MS[resolution]) * RESOLUTION_MS[resolution],
    transaction: t.name,
    count: 1,
    failures: failed(t) ? 1 : 0,
    satisfied: duration <= apdexMs ? 1 : 0,
    tolerating: duration > apdexMs && duration <= 4 * apdexMs ? 1 : 0,
    durationSum: duration,
    histogram: record({}, duration),
    partSums: { ...breakdown },
    partHistograms: structuredClone(partHistograms),
  }));
  const byShape = new Map<string, QueryStat>();
  const day = Math.floor(t.start / DAY) * DAY;
  for (const s of t.spans) {
    if (familyOf(s.op) !== "db" || !s.description) continue;
    const sql = normalizeSql(s.description);
    const hash = sqlHash(sql);
    const ms = s.end - s.start;
    const q = byShape.get(hash) ?? { projectId, day, transaction: t.name, hash, sql, count: 0, requests: 1, totalMs: 0, histogram: {}, slowestMs: -1, slowestEventId: t.eventId };
    q.count++;
    q.totalMs += ms;
    record(q.histogram, ms);
    if (ms > q.slowestMs) q.slowestMs = ms;
    byShape.set(hash, q);
  }
  return { rollups, queries: [...byShape.values()], breakdown };
}

/** Apdex from its classes: (satisfied + tolerating / 2) / count. */
export const apdex = (r: Pick<Rollup, "count" | "satisfied" | "tolerating">) => (r.count ? (r.satisfied + r.tolerating / 2) / r.count : null);
