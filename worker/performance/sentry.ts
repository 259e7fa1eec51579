import { parseTimestamp } from "../errors/normalize";
import type { SpanRecord, TransactionRecord } from "./model";

/** Spans kept per transaction; the rest are counted and dropped (a loop of 10,000 queries is one N+1 anyway). */
export const MAX_SPANS = 1000;
/** Spans may reach this far outside their transaction (async work finishing after the response). */
const SPAN_SLACK_MS = 3_600_000;
/** Timestamps further than this from arrival are moved to the arrival time (the durations are kept). */
const MAX_SKEW_MS = 30 * 24 * 3_600_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown, max = 500): string | null => (typeof v === "string" && v.length ? v.slice(0, max) : typeof v === "number" ? String(v) : null);
const hex = (v: unknown, len: number): string | null => (typeof v === "string" && new RegExp(`^[0-9a-f]{${len}}$`).test(v.replaceAll("-", "").toLowerCase()) ? v.replaceAll("-", "").toLowerCase() : null);

function httpStatusOf(raw: Record<string, unknown>, trace: Record<string, unknown>): number | null {
  const contexts = isObject(raw.contexts) ? raw.contexts : {};
  const response = isObject(contexts.response) ? contexts.response : {};
  const data = isObject(trace.data) ? trace.data : {};
  const tags = isObject(raw.tags) ? raw.tags : {};
  for (const v of [response.status_code, data["http.response.status_code"], data["http.status_code"], tags["http.status_code"]]) {
    const n = Number(v);
    if (Number.isInteger(n) && n >= 100 && n <= 599) return n;
  }
  return null;
}

/**
 * A Sentry `transaction` item as Vigil's record, or null when it has no usable name or times.
 * `dropped` counts spans over MAX_SPANS or without times.
 */
export function transactionFromSentry(raw: Record<string, unknown>, eventId: string, receivedAt: number): { record: TransactionRecord; dropped: number } | null {
  const contexts = isObject(raw.contexts) ? raw.contexts : {};
  const trace = isObject(contexts.trace) ? contexts.trace : {};
  const name = text(raw.transaction, 200);
  let start = parseTimestamp(raw.start_timestamp);
  let end = parseTimestamp(raw.timestamp);
  if (!name || start === undefined || end === undefined || end < start) return null;
  // A client clock far off: keep the shape of the request, move it to when it arrived.
  const shift = Math.abs(end - receivedAt) > MAX_SKEW_MS ? receivedAt - end : 0;
  start += shift;
  end += shift;
  const rawSpans = Array.isArray(raw.spans) ? raw.spans : [];
  const spans: SpanRecord[] = [];
  let dropped = 0;
  for (const s of rawSpans) {
    if (!isObject(s) || spans.length >= MAX_SPANS) {
      dropped++;
      continue;
    }
    const sStart = parseTimestamp(s.start_timestamp);
    const sEnd = parseTimestamp(s.timestamp);
    // Outside the request by more than an hour: a broken clock, not a span of this request.
    if (sStart === undefined || sEnd === undefined || sEnd < sStart || sStart + shift < start - SPAN_SLACK_MS || sEnd + shift > end + SPAN_SLACK_MS) {
      dropped++;
      continue;
    }
    spans.push({
      spanId: hex(s.span_id, 16) ?? crypto.randomUUID().replaceAll("-", "").slice(0, 16),
      parentSpanId: hex(s.parent_span_id, 16),
      op: text(s.op, 100) ?? "default",
      description: text(s.description, 2000),
      start: sStart + shift,
      end: sEnd + shift,
      status: text(s.status, 50),
    });
  }
  const status = text(trace.status, 50) ?? "ok";
  return {
    record: {
      eventId,
      traceId: hex(trace.trace_id, 32) ?? eventId,
      spanId: hex(trace.span_id, 16) ?? eventId.slice(0, 16),
      name,
      op: text(trace.op, 100) ?? "default",
      status,
      httpStatus: httpStatusOf(raw, trace),
      start,
      end,
      environment: text(raw.environment, 64),
      release: text(raw.release, 200),
      spans,
      source: "sentry",
    },
    dropped,
  };
}

/** A request failed: Sentry counts every status but ok, cancelled and unknown. */
export const failed = (t: Pick<TransactionRecord, "status">) => !["ok", "cancelled", "unknown", "unset"].includes(t.status);

/** A record whose clock is far off (over 30 days from its arrival) moved to end at its arrival, its shape kept. */
export function anchorToArrival(t: TransactionRecord, receivedAt: number): TransactionRecord {
  if (Math.abs(t.end - receivedAt) <= MAX_SKEW_MS) return t;
  const shift = receivedAt - t.end;
  return { ...t, start: t.start + shift, end: t.end + shift, spans: t.spans.map((s) => ({ ...s, start: s.start + shift, end: s.end + shift })) };
}
