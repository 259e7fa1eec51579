import type { SpanRecord, TransactionRecord } from "./model";

export const PARTS = ["db", "cache", "template", "http", "python"] as const;
export type Part = (typeof PARTS)[number];
export type Breakdown = Record<Part, number>;

/** Which part of the time a span's op belongs to; null for spans that only structure the request (middleware, view). */
export function familyOf(op: string): Exclude<Part, "python"> | null {
  if (op === "db" || op.startsWith("db.")) return "db";
  if (op.startsWith("cache.")) return "cache";
  if (op.startsWith("template.") || op === "view.response.render") return "template";
  if (op === "http.client") return "http";
  return null;
}

type Interval = [number, number];

/** Sorted, non-overlapping intervals covering the same time. */
function union(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** `a` minus `b`, both unions. */
function subtract(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [start, end] of a) {
    let cursor = start;
    for (const [s, e] of b) {
      if (e <= cursor || s >= end) continue;
      if (s > cursor) out.push([cursor, s]);
      cursor = Math.max(cursor, e);
    }
    if (cursor < end) out.push([cursor, end]);
  }
  return out;
}

const length = (intervals: Interval[]) => intervals.reduce((n, [a, b]) => n + (b - a), 0);

/**
 * Where a request's time went, in ms: per family the union of its spans' intervals (clipped to the
 * request), overlaps given to the most specific family — database before outbound HTTP before cache
 * before templates, so a template that runs queries counts those queries as database — and the rest as
 * Python. The parts add up to the request's duration.
 */
export function breakdownOf(t: Pick<TransactionRecord, "start" | "end" | "spans">): Breakdown {
  const clip = (s: SpanRecord): Interval => [Math.max(s.start, t.start), Math.min(s.end, t.end)];
  const byFamily: Record<Exclude<Part, "python">, Interval[]> = { db: [], cache: [], template: [], http: [] };
  for (const s of t.spans) {
    const f = familyOf(s.op);
    if (f) byFamily[f].push(clip(s));
  }
  const out: Breakdown = { db: 0, cache: 0, template: 0, http: 0, python: 0 };
  let claimed: Interval[] = [];
  for (const f of ["db", "http", "cache", "template"] as const) {
    const own = subtract(union(byFamily[f]), claimed);
    out[f] = length(own);
    claimed = union([...claimed, ...own]);
  }
  out.python = Math.max(0, t.end - t.start - length(claimed));
  return out;
}
