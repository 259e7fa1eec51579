import { describe, expect, it } from "vitest";
import { breakdownOf } from "./breakdown";
import { detect } from "./detectors";
import { bucketOf, merge, quantile, record, RELATIVE_ERROR, valueOf, type Histogram } from "./histogram";
import type { SpanRecord, TransactionRecord } from "./model";
import { coveringPieces } from "./ranges";
import { normalizeSql, sqlHash } from "./sql";

/** A seeded generator, so the property tests are the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const exact = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

describe("latency histograms", () => {
  it.each([1, 2, 3, 4, 5])("percentiles are within 1%% of the exact ones on random data (seed %i), and merging equals recording all", (seed) => {
    const random = rng(seed);
    // Log-normal-ish latencies from 0.05 ms to a minute, like real requests.
    const values = Array.from({ length: 5000 }, () => Math.exp(random() * 14 - 3));
    const parts: Histogram[] = [{}, {}, {}];
    values.forEach((v, i) => record(parts[i % 3]!, v));
    const merged = parts.reduce((a, b) => merge(a, b), {} as Histogram);
    const whole = values.reduce((h, v) => record(h, v), {} as Histogram);
    expect(merged).toEqual(whole);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.75, 0.95, 0.99]) {
      const truth = exact(sorted, q);
      expect(Math.abs(quantile(merged, q)! - truth) / truth).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-9);
    }
  });

  it("every value reads back within 1%", () => {
    for (const v of [0.02, 0.5, 1, 7.3, 99.9, 300, 1234.5, 60_000]) expect(Math.abs(valueOf(bucketOf(v)) - v) / v).toBeLessThanOrEqual(RELATIVE_ERROR + 1e-9);
    expect(quantile({}, 0.5)).toBeNull();
  });
});

const span = (spanId: string, op: string, start: number, end: number, description: string | null = null, parentSpanId: string | null = "root"): SpanRecord => ({ spanId, parentSpanId, op, description, start, end, status: "ok" });
const tx = (spans: SpanRecord[], end = 100, name = "/products/"): TransactionRecord => ({
  eventId: "e".repeat(32),
  traceId: "t".repeat(32),
  spanId: "root",
  name,
  op: "http.server",
  status: "ok",
  httpStatus: 200,
  start: 0,
  end,
  environment: null,
  release: null,
  spans,
  source: "sentry",
});

describe("where the time went", () => {
  it("unions overlapping spans of a family, gives nested queries to the database, and the rest to Python", () => {
    const b = breakdownOf(
      tx([
        span("a", "db", 10, 30),
        span("b", "db", 20, 40), // overlaps a: db = 10..40
        span("t", "template.render", 50, 90),
        span("c", "db", 60, 70, null, "t"), // inside the template: database, not template
        span("h", "http.client", 95, 120), // runs past the end: clipped
        span("m", "middleware.django", 0, 100), // structure only
        span("k", "cache.get", 42, 44),
      ]),
    );
    expect(b).toEqual({ db: 40, cache: 2, template: 30, http: 5, python: 23 });
    expect(b.db + b.cache + b.template + b.http + b.python).toBe(100);
  });
});

describe("SQL shapes", () => {
  it.each([
    ['SELECT * FROM store_product WHERE id = 42', "SELECT * FROM store_product WHERE id = ?"],
    ['SELECT "store_supplier"."id" FROM "store_supplier" WHERE "store_supplier"."id" = %s LIMIT 21', 'SELECT "store_supplier"."id" FROM "store_supplier" WHERE "store_supplier"."id" = ? LIMIT ?'],
    ["SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'O''Brien'", "SELECT * FROM t WHERE id IN (?) AND name = ?"],
    ["SELECT * FROM t WHERE id IN (%s, %s,%s)", "SELECT * FROM t WHERE id IN (?)"],
    ["INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')", "INSERT INTO t (a, b) VALUES (?)"],
    ["select  *\n  from t where a = $1", "select * from t where a = ?"],
    ["SELECT col1, t2.col3 FROM t2", "SELECT col1, t2.col3 FROM t2"],
  ])("%s → %s", (input, shape) => {
    expect(normalizeSql(input)).toBe(shape);
  });

  it("the same shape gets the same hash", () => {
    expect(sqlHash(normalizeSql("SELECT 1 FROM t WHERE id = 5"))).toBe(sqlHash(normalizeSql("SELECT 1 FROM t WHERE id = 77")));
  });
});

describe("detectors", () => {
  const query = (i: number, ms: number, parent = "root", sql = `SELECT * FROM store_supplier WHERE id = ${i}`) => span(`q${i}`, "db", i * 20, i * 20 + ms, sql, parent);

  it("N+1: five consecutive sibling queries of one shape taking 50 ms together", () => {
    const findings = detect(tx([span("v", "view.render", 0, 200), ...Array.from({ length: 6 }, (_, i) => query(i, 10, "v"))], 200));
    expect(findings).toMatchObject([{ kind: "n_plus_one", title: "N+1 Query", sql: "SELECT * FROM store_supplier WHERE id = ?", totalMs: 60 }]);
    expect(findings[0]!.spanIds).toHaveLength(6);
  });

  it("not N+1: four queries, or five quick ones, or five interrupted by another query", () => {
    expect(detect(tx(Array.from({ length: 4 }, (_, i) => query(i, 20)), 200))).toEqual([]);
    expect(detect(tx(Array.from({ length: 5 }, (_, i) => query(i, 5)), 200))).toEqual([]);
    const interrupted = [query(0, 15), query(1, 15), span("x", "db", 45, 46, "SELECT * FROM other"), query(3, 15), query(4, 15), query(5, 15)];
    expect(detect(tx(interrupted, 200))).toEqual([]);
  });

  it("N+1 in a loop that reads two relations per row: A B A B … gives one finding per repeated query", () => {
    const spans: SpanRecord[] = [];
    for (let i = 0; i < 6; i++) {
      spans.push(span(`c${i}`, "db", i * 30, i * 30 + 12, `SELECT * FROM store_category WHERE id = ${i}`, "v"));
      spans.push(span(`i${i}`, "db", i * 30 + 14, i * 30 + 26, `SELECT * FROM store_image WHERE product_id = ${i}`, "v"));
    }
    const findings = detect(tx([span("v", "view.render", 0, 200), ...spans], 200));
    expect(findings.map((f) => [f.sql, f.spanIds.length, f.totalMs])).toEqual([
      ["SELECT * FROM store_category WHERE id = ?", 6, 72],
      ["SELECT * FROM store_image WHERE product_id = ?", 6, 72],
    ]);
    // Four rows only: not yet an N+1.
    expect(detect(tx([span("v", "view.render", 0, 200), ...spans.slice(0, 8)], 200))).toEqual([]);
  });

  it("slow query: a SELECT of 500 ms or more; an UPDATE that slow is not one", () => {
    expect(detect(tx([span("s", "db", 0, 650, "SELECT * FROM store_order WHERE total > 100")], 700))).toMatchObject([{ kind: "slow_db_query", totalMs: 650 }]);
    expect(detect(tx([span("u", "db", 0, 650, "UPDATE store_order SET total = 1")], 700))).toEqual([]);
  });
});

describe("time ranges from rollups", () => {
  it("covers a range exactly with the fewest rows: minutes, hours, days, hours, minutes", () => {
    const H = 3_600_000;
    const D = 24 * H;
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const pieces = coveringPieces(Date.UTC(2026, 10, 21, 22, 30), Date.UTC(2026, 10, 23, 10, 45), now);
    expect(pieces.map((p) => [p.resolution, (p.to - p.from) / 60_000])).toEqual([
      ["minute", 30],
      ["hour", 60],
      ["day", 24 * 60],
      ["hour", 10 * 60],
      ["minute", 45],
    ]);
    expect(pieces[0]!.from).toBe(Date.UTC(2026, 10, 21, 22, 30));
    expect(pieces.at(-1)!.to).toBe(Date.UTC(2026, 10, 23, 10, 45));
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]!.from).toBe(pieces[i - 1]!.to);
    expect(D).toBe(86_400_000);
  });
});
