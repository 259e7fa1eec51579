import { familyOf } from "./breakdown";
import type { SpanRecord, TransactionRecord } from "./model";
import { isSelect, normalizeSql, sqlHash } from "./sql";

export type FindingKind = "n_plus_one" | "slow_db_query";

export interface Finding {
  kind: FindingKind;
  /** Identifies the problem for grouping into one performance issue: kind, route and query shape. */
  key: string;
  title: string;
  sql: string;
  spanIds: string[];
  totalMs: number;
}

/** N+1: at least this many consecutive sibling queries of one shape… */
export const N_PLUS_ONE_MIN_SPANS = 5;
/** …taking at least this long together. */
export const N_PLUS_ONE_MIN_TOTAL_MS = 50;
/** Loops that read up to this many queries per row are recognised (A B A B … as well as A A A …). */
export const MAX_BLOCK = 3;
/** One SELECT at least this slow. */
export const SLOW_QUERY_MS = 500;

const isDb = (s: SpanRecord) => familyOf(s.op) === "db" && !!s.description;

/**
 * What is wrong with a request's queries: runs of N_PLUS_ONE_MIN_SPANS or more consecutive sibling DB
 * spans with the same normalized SQL taking N_PLUS_ONE_MIN_TOTAL_MS together (a loop that queries once per
 * row) — or the same with a block of two or three queries repeated per row — and SELECTs slower than
 * SLOW_QUERY_MS. One finding per query shape and kind.
 */
export function detect(t: TransactionRecord): Finding[] {
  const findings = new Map<string, Finding>();
  const siblings = new Map<string, SpanRecord[]>();
  for (const s of t.spans) {
    if (!isDb(s)) continue;
    const parent = s.parentSpanId ?? t.spanId;
    let list = siblings.get(parent);
    if (!list) siblings.set(parent, (list = []));
    list.push(s);
  }
  for (const list of siblings.values()) {
    list.sort((a, b) => a.start - b.start);
    const shapes = list.map((s) => normalizeSql(s.description!));
    // A loop repeats a block of queries once per row: one query (period 1), or a few interleaved, as when a
    // template reads two relations per row (period 2 or 3). A run is where each query has the shape of the one
    // `period` places before it.
    for (let period = 1; period <= MAX_BLOCK; period++) {
      let runStart = 0;
      for (let i = period; i <= list.length; i++) {
        if (i < list.length && shapes[i] === shapes[i - period]) continue;
        // [runStart, i) is a run; the next one can start with the `period - 1` queries before i.
        if (i - runStart >= period * N_PLUS_ONE_MIN_SPANS) {
          const block = shapes.slice(runStart, runStart + period);
          for (let k = 0; k < period; k++) {
            const shape = block[k]!;
            if (block.indexOf(shape) !== k) continue; // a block like A A is period 1's
            const spans = list.slice(runStart, i).filter((_, j) => j % period === k);
            const total = spans.reduce((n, s) => n + (s.end - s.start), 0);
            const key = `n_plus_one:${t.name}:${sqlHash(shape)}`;
            if (total >= N_PLUS_ONE_MIN_TOTAL_MS && !findings.has(key)) {
              findings.set(key, { kind: "n_plus_one", key, title: "N+1 Query", sql: shape, spanIds: spans.map((s) => s.spanId), totalMs: total });
            }
          }
        }
        runStart = i - period + 1;
      }
    }
  }

  for (const s of t.spans) {
    if (!isDb(s) || !isSelect(s.description!) || s.end - s.start < SLOW_QUERY_MS) continue;
    const shape = normalizeSql(s.description!);
    const key = `slow_db_query:${t.name}:${sqlHash(shape)}`;
    const existing = findings.get(key);
    if (!existing || s.end - s.start > existing.totalMs) findings.set(key, { kind: "slow_db_query", key, title: "Slow DB Query", sql: shape, spanIds: [s.spanId], totalMs: s.end - s.start });
  }
  return [...findings.values()];
}
