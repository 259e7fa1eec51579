/**
 * A mergeable latency histogram with logarithmic buckets (the DDSketch idea): bucket i holds values in
 * (γ^(i-1), γ^i] milliseconds, γ = (1+α)/(1−α), and reads back as 2γ^i/(γ+1) — within α = 1% of any
 * value in it. Merging two histograms adds their counts, so percentiles over any time range are exact
 * merges of per-minute histograms, never averages of percentiles. Stored sparse: `{ bucket: count }`.
 */
export type Histogram = Record<string, number>;

export const RELATIVE_ERROR = 0.01;
const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) share bucket 0 and read back as 0. */
const MIN_VALUE = 0.01;

export function bucketOf(ms: number): number {
  if (!(ms > MIN_VALUE)) return 0;
  return Math.max(1, Math.ceil(Math.log(ms / MIN_VALUE) / LOG_GAMMA));
}

export function valueOf(bucket: number): number {
  if (bucket <= 0) return 0;
  return (MIN_VALUE * 2 * GAMMA ** bucket) / (GAMMA + 1);
}

export function record(h: Histogram, ms: number, count = 1): Histogram {
  const b = String(bucketOf(ms));
  h[b] = (h[b] ?? 0) + count;
  return h;
}

export function merge(into: Histogram, from: Histogram | null | undefined): Histogram {
  if (from) for (const [b, n] of Object.entries(from)) into[b] = (into[b] ?? 0) + n;
  return into;
}

export const total = (h: Histogram) => Object.values(h).reduce((a, b) => a + b, 0);

/** The value at quantile q (0..1), nearest rank; null for an empty histogram. */
export function quantile(h: Histogram, q: number): number | null {
  const n = total(h);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const b of Object.keys(h).map(Number).sort((a, c) => a - c)) {
    seen += h[String(b)]!;
    if (seen >= rank) return valueOf(b);
  }
  return null;
}
