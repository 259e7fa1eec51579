import { RESOLUTION_MS } from "./aggregate";
import type { Resolution } from "./schema";

/** How long rollups of each resolution are kept. */
export const KEPT_MS: Record<Resolution, number> = { minute: 2 * 86_400_000, hour: 35 * 86_400_000, day: 400 * 86_400_000 };

export interface Piece {
  resolution: Resolution;
  from: number;
  to: number;
}

const floorTo = (t: number, r: Resolution) => Math.floor(t / RESOLUTION_MS[r]) * RESOLUTION_MS[r];
const ceilTo = (t: number, r: Resolution) => Math.ceil(t / RESOLUTION_MS[r]) * RESOLUTION_MS[r];

/**
 * The fewest rollup rows that cover `from`..`to` exactly (to the minute): whole days from day rows, the
 * hours at either end from hour rows, the minutes at either end from minute rows — each coarser piece only
 * where it fits entirely, and finer ones only while they are kept.
 */
export function coveringPieces(from: number, to: number, now = Date.now()): Piece[] {
  const pieces: Piece[] = [];
  const add = (resolution: Resolution, a: number, b: number) => {
    if (b > a) pieces.push({ resolution, from: a, to: b });
  };
  const minuteKept = (t: number) => t >= now - KEPT_MS.minute;
  const start = floorTo(from, "minute");
  const end = ceilTo(to, "minute");
  const dayA = ceilTo(start, "day");
  const dayB = floorTo(end, "day");
  if (dayB > dayA) {
    const hourA = ceilTo(start, "hour");
    const hourB = floorTo(end, "hour");
    if (minuteKept(start)) add("minute", start, hourA);
    else add("hour", floorTo(start, "hour"), hourA);
    add("hour", hourA, dayA);
    add("day", dayA, dayB);
    add("hour", dayB, hourB);
    add("minute", hourB, end);
    return pieces;
  }
  const hourA = ceilTo(start, "hour");
  const hourB = floorTo(end, "hour");
  if (hourB > hourA) {
    if (minuteKept(start)) add("minute", start, hourA);
    else add("hour", floorTo(start, "hour"), hourA);
    add("hour", hourA, hourB);
    add("minute", hourB, end);
    return pieces;
  }
  add("minute", start, end);
  return pieces;
}

/** The resolution of a chart's points for a range: about 30–180 points. */
export function chartResolution(from: number, to: number): Resolution {
  const span = to - from;
  if (span <= 3 * 3_600_000) return "minute";
  if (span <= 7 * 86_400_000) return "hour";
  return "day";
}

/**
 * A long range widened to whole buckets so it needs few rows: up to 6 hours exact to the minute, up to 3
 * days to whole hours, longer ones to whole days (UTC). The answer says the range it covers.
 */
export function snapRange(from: number, to: number): { from: number; to: number; precision: Resolution } {
  const span = to - from;
  const precision: Resolution = span <= 6 * 3_600_000 ? "minute" : span <= 3 * 86_400_000 ? "hour" : "day";
  return { from: floorTo(from, precision), to: ceilTo(to, precision), precision };
}
