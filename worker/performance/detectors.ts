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
/** One SELECT at least this slow. */
export const SLOW_QUERY_MS = 500;

const isDb = (s: SpanRecord) => familyOf(s.op) === "db" && !!s.description;

/**
 * What is wrong with a request's queries: runs of N_PLUS_ONE_MIN_SPANS or more consecutive sibling DB
 * spans with the same normalized SQL taking N_PLUS_ONE_MIN_TOTAL_MS together (a loop that queries once per
 * row), and SELECTs slower than SLOW_QUERY_MS. One finding per query shape and kind.
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
    let run: SpanRecord[] = [];
    let shape = "";
    const close = () => {
      const total = run.reduce((n, s) => n + (s.end - s.start), 0);
      if (run.length >= N_PLUS_ONE_MIN_SPANS && total >= N_PLUS_ONE_MIN_TOTAL_MS) {
        const key = `n_plus_one:${t.name}:${sqlHash(shape)}`;
        if (!findings.has(key)) findings.set(key, { kind: "n_plus_one", key, title: "N+1 Query", sql: shape, spanIds: run.map((s) => s.spanId), totalMs: total });
      }
    };
    for (const s of list) {
      const normalized = normalizeSql(s.description!);
      if (normalized !== shape) {
        close();
        run = [];
        shape = normalized;
      }
      run.push(s);
    }
    close();
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
