import { ApiError } from "./errors";

const EARLIEST = Date.UTC(2000, 0, 1);

/** A `from` / `to` query value: ISO 8601 or Unix seconds; absent → the fallback. */
export function parseTimeParam(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > Date.now() + 366 * 86_400_000) {
    throw new ApiError("validation_failed", `${name}: use an ISO 8601 time (2026-11-23T20:15:00Z) or Unix seconds.`, [{ path: name, message: "Not a time Vigil can use." }]);
  }
  return ms;
}

/** `from`..`to` from the query, defaulting to the last `defaultMs` and refusing an inverted range. */
export function timeRange(query: { from?: string; to?: string }, defaultMs: number, now = Date.now()): { from: number; to: number } {
  const to = parseTimeParam("to", query.to, now);
  const from = parseTimeParam("from", query.from, to - defaultMs);
  if (from >= to) throw new ApiError("validation_failed", "from must be before to.", [{ path: "from", message: "from must be before to." }]);
  return { from, to };
}
