/**
 * Sentry span streaming ("span v2") → Vigil transactions.
 *
 * With `trace_lifecycle="stream"` sentry-python 2.x sends no `transaction` item: every span is sent on its own,
 * in envelope items of type `span` (content type `application/vnd.sentry.items.span.v2+json`) whose payload is
 * `{"version": 2, "items": [SpanJSON, …]}`. A SpanJSON, as sentry-sdk 2.75 writes it (see
 * worker/test/fixtures/capture_spans.py and the `spans-*.envelope` it captured):
 *
 *     trace_id (32 hex), span_id (16 hex), parent_span_id (absent on the request's span), name, status ("ok" or
 *     "error", nothing finer), is_segment, start_timestamp and end_timestamp (epoch seconds as floats), and
 *     attributes, each `{"value": …, "type": "string" | "integer" | "double" | "boolean" | "array"}`:
 *     sentry.op (`http.server`, `db`, `template.render`, `event.django`, …), sentry.segment.id and
 *     sentry.segment.name (the span's segment, i.e. the request it ran in), sentry.environment, sentry.release,
 *     db.query.text and db.system.name on queries, http.request.method, http.route and
 *     http.response.status_code on the request's span, and the SDK's own (thread, process, sdk).
 *
 * The SDK buffers spans per trace and flushes a trace's buffer when its segment span (the request) ends, so one
 * envelope normally holds a whole request: the segment span and everything under it. Each segment whose segment
 * span (`is_segment: true`) is in the envelope becomes one TransactionRecord, as a `transaction` item of the
 * same request would: named by its segment name (Django's route, `/products/`), its op from `sentry.op`, its
 * status from the HTTP status as the SDK's transactions derive it, and its other spans as the transaction's
 * spans, with Sentry's op vocabulary and the SQL as description, so the breakdown and the N+1 / slow query
 * detectors see the same request.
 *
 * Spans whose segment span is not in the envelope are rejected, counted and explained: Vigil does not join a
 * segment's spans across envelopes yet. That happens when the SDK flushed part of a request early (over 1,000
 * spans, or its periodic flush during a request of several seconds), or for spans that belong to a classic
 * `transaction` sent alongside (sentry-python moves gen-AI spans of a transaction into a `span` item).
 */
import { createHash } from "node:crypto";
import { parseTimestamp } from "../errors/normalize";
import { ApiError } from "../lib/errors";
import { familyOf } from "./breakdown";
import type { SpanRecord, TransactionRecord } from "./model";
import { anchorToArrival, MAX_SPANS } from "./sentry";

/** Spans read from one envelope (the SDK sends at most 1,000 per envelope); the rest are rejected. */
export const MAX_ENVELOPE_SPANS = 1_000;
/** Spans may reach this far outside their segment (work finishing after the response); further is a broken clock. */
const SPAN_SLACK_MS = 3_600_000;

export interface SpanItemsResult {
  transactions: TransactionRecord[];
  /** Spans received but in no transaction. */
  rejectedSpans: number;
  /** Why spans were rejected, one sentence per reason; empty when none were. */
  errors: string[];
}

interface Parsed {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** The segment span's id, from `sentry.segment.id` (or itself for a segment span); null when not said. */
  segmentId: string | null;
  isSegment: boolean;
  name: string | null;
  start: number;
  end: number;
  status: string | null;
  attributes: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const cut = (v: unknown, max: number): string | null => (typeof v === "string" && v !== "" ? v.slice(0, max) : null);
const hex = (v: unknown, len: number): string | null => {
  if (typeof v !== "string" || v.length > 64) return null;
  const h = v.replaceAll("-", "").toLowerCase();
  return h.length === len && /^[0-9a-f]+$/.test(h) ? h : null;
};

/** An attribute's value: span v2 writes `{value, type}`; a bare value is taken as it is. */
function attr(attributes: Record<string, unknown>, key: string): unknown {
  const a = attributes[key];
  return isObject(a) ? a.value : a;
}
const attrText = (attributes: Record<string, unknown>, key: string, max: number) => cut(attr(attributes, key), max);

/** 32 hex, the same for the same segment sent twice, so a resent envelope stores nothing new. */
export function spanEventId(traceId: string, segmentSpanId: string): string {
  return createHash("sha256").update(`span:${traceId}:${segmentSpanId}`).digest("hex").slice(0, 32);
}

const CLIENT_ERRORS: Record<number, string> = { 401: "unauthenticated", 403: "permission_denied", 404: "not_found", 409: "already_exists", 413: "failed_precondition", 429: "resource_exhausted" };
const SERVER_ERRORS: Record<number, string> = { 501: "unimplemented", 503: "unavailable", 504: "deadline_exceeded" };

/** Sentry's status for an HTTP status, exactly as sentry-sdk's `get_span_status_from_http_code` (the transaction path). */
export function statusOfHttp(code: number): string {
  if (code < 400) return "ok";
  if (code < 500) return CLIENT_ERRORS[code] ?? "invalid_argument";
  if (code < 600) return SERVER_ERRORS[code] ?? "internal_error";
  return "unknown_error";
}

function httpStatusOf(attributes: Record<string, unknown>): number | null {
  for (const key of ["http.response.status_code", "http.status_code"]) {
    const v = attr(attributes, key);
    const n = typeof v === "string" && v.length <= 3 ? Number(v) : v;
    if (typeof n === "number" && Number.isInteger(n) && n >= 100 && n <= 599) return n;
  }
  return null;
}

/** Span v2 says only `ok` or `error`; `error` is Sentry's `internal_error`, any finer status sent is kept. */
const spanStatus = (status: string | null) => (status === "error" ? "internal_error" : status);

/**
 * The request's status as the SDK's transaction would carry it: from the HTTP status when there is one (404 is
 * `not_found`, 500 `internal_error`), else from the span's own status; a span marked `error` under a 2xx/3xx
 * response is still `internal_error`.
 */
function segmentStatus(span: Parsed, httpStatus: number | null): string {
  const own = spanStatus(span.status) ?? "ok";
  if (httpStatus === null) return own;
  const byHttp = statusOfHttp(httpStatus);
  return byHttp === "ok" && own !== "ok" ? own : byHttp;
}

/** Sentry's op for a span: `sentry.op`, else guessed from OpenTelemetry attributes (a database or outbound HTTP call). */
function opOf(span: Parsed): string {
  const a = span.attributes;
  const op = attrText(a, "sentry.op", 100);
  if (op) return op;
  if (attrText(a, "db.system.name", 100) ?? attrText(a, "db.system", 100)) return "db";
  if (!span.isSegment && attrText(a, "http.request.method", 20) && (attrText(a, "url.full", 1) ?? attrText(a, "http.url", 1))) return "http.client";
  return "default";
}

/** What the transaction path shows for a span: its description (the SQL for queries, the template, the URL). */
function descriptionOf(span: Parsed, op: string): string | null {
  const a = span.attributes;
  return attrText(a, "sentry.description", 2000) ?? (familyOf(op) === "db" ? attrText(a, "db.query.text", 2000) : null) ?? span.name;
}

/** One SpanJSON, or the reason it cannot be read. */
function parseSpan(raw: unknown): Parsed | "malformed" | "noId" | "noTime" {
  if (!isObject(raw)) return "malformed";
  const traceId = hex(raw.trace_id, 32);
  const spanId = hex(raw.span_id, 16);
  if (!traceId || !spanId) return "noId";
  const start = parseTimestamp(raw.start_timestamp);
  const end = parseTimestamp(raw.end_timestamp ?? raw.timestamp);
  if (start === undefined || end === undefined || end < start) return "noTime";
  const attributes = isObject(raw.attributes) ? raw.attributes : {};
  const isSegment = raw.is_segment === true;
  return {
    traceId,
    spanId,
    parentSpanId: hex(raw.parent_span_id, 16),
    segmentId: isSegment ? spanId : hex(attr(attributes, "sentry.segment.id"), 16),
    isSegment,
    name: cut(raw.name, 2000),
    start,
    end,
    status: cut(raw.status, 50),
    attributes,
  };
}

/**
 * The `span` items of one envelope (their parsed JSON payloads) as transactions, one per segment whose segment
 * span is among them. Throws ApiError `malformed_body` for a payload that is not `{"items": [...]}`; anything
 * odd inside is rejected span by span, counted in `rejectedSpans` and explained in `errors`.
 */
export function transactionsFromSpanItems(payloads: unknown[], receivedAt: number): SpanItemsResult {
  for (const [i, payload] of payloads.entries()) {
    if (!isObject(payload) || !Array.isArray(payload.items)) {
      throw new ApiError("malformed_body", `Span item ${i + 1}: the payload must be a JSON object with an "items" array (span v2).`);
    }
  }
  const dropped = { overEnvelope: 0, malformed: 0, noId: 0, noTime: 0, duplicate: 0, orphan: 0, noName: 0, farOff: 0 };
  let received = 0;

  // Every span of the envelope by trace and span id.
  const traces = new Map<string, Map<string, Parsed>>();
  for (const payload of payloads as { items: unknown[] }[]) {
    for (const raw of payload.items) {
      received++;
      if (received > MAX_ENVELOPE_SPANS) {
        dropped.overEnvelope++;
        continue;
      }
      const span = parseSpan(raw);
      if (typeof span === "string") {
        dropped[span]++;
        continue;
      }
      let trace = traces.get(span.traceId);
      if (!trace) traces.set(span.traceId, (trace = new Map()));
      if (trace.has(span.spanId)) dropped.duplicate++;
      else trace.set(span.spanId, span);
    }
  }

  const transactions: TransactionRecord[] = [];
  for (const trace of traces.values()) {
    // A span without `sentry.segment.id` belongs to the nearest segment span above it, if one is here.
    const segmentOf = (span: Parsed): string | null => {
      let cur: Parsed | undefined = span;
      for (let hops = 0; cur && hops <= trace.size; hops++) {
        if (cur.segmentId) return cur.segmentId;
        cur = cur.parentSpanId ? trace.get(cur.parentSpanId) : undefined;
      }
      return null;
    };
    const groups = new Map<string, Parsed[]>();
    for (const span of trace.values()) {
      if (span.isSegment) continue;
      const segmentId = segmentOf(span);
      const segment = segmentId ? trace.get(segmentId) : undefined;
      if (!segmentId || !segment?.isSegment) {
        dropped.orphan++;
        continue;
      }
      const list = groups.get(segmentId);
      if (list) list.push(span);
      else groups.set(segmentId, [span]);
    }
    for (const segment of trace.values()) {
      if (!segment.isSegment) continue;
      const children = groups.get(segment.spanId) ?? [];
      const record = toTransaction(segment, children, dropped);
      if (record) transactions.push(anchorToArrival(record, receivedAt));
    }
  }

  const kept = transactions.reduce((n, t) => n + 1 + t.spans.length, 0);
  const reasons = [
    [dropped.overEnvelope, `beyond the first ${MAX_ENVELOPE_SPANS} of the envelope`],
    [dropped.malformed, "that are not JSON objects"],
    [dropped.noId, "without a trace id (32 hex) or span id (16 hex)"],
    [dropped.noTime, "without a start and end timestamp (or ending before they start)"],
    [dropped.duplicate, "repeating a span id already in the envelope"],
    [dropped.orphan, "whose segment span was not in the envelope (Vigil does not join a segment's spans across envelopes yet)"],
    [dropped.noName, "in segments whose segment span has no name"],
    [dropped.farOff, "more than an hour outside their segment"],
  ] as const;
  const errors = reasons.filter(([n]) => n > 0).map(([n, why]) => `Dropped ${n} span${n === 1 ? "" : "s"} ${why}.`);
  return { transactions, rejectedSpans: received - kept, errors };
}

function toTransaction(segment: Parsed, children: Parsed[], dropped: { noName: number; farOff: number }): TransactionRecord | null {
  const a = segment.attributes;
  const name = attrText(a, "sentry.segment.name", 200) ?? cut(segment.name, 200);
  if (!name) {
    dropped.noName += 1 + children.length;
    return null;
  }
  const httpStatus = httpStatusOf(a);
  const spans: SpanRecord[] = [];
  for (const s of [...children].sort((x, y) => x.start - y.start)) {
    if (s.start < segment.start - SPAN_SLACK_MS || s.end > segment.end + SPAN_SLACK_MS) {
      dropped.farOff++;
      continue;
    }
    if (spans.length >= MAX_SPANS) break; // unreachable: an envelope holds at most MAX_ENVELOPE_SPANS
    const op = opOf(s);
    spans.push({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      op,
      description: descriptionOf(s, op),
      start: s.start,
      end: s.end,
      status: spanStatus(s.status),
    });
  }
  return {
    eventId: spanEventId(segment.traceId, segment.spanId),
    traceId: segment.traceId,
    spanId: segment.spanId,
    name,
    op: opOf(segment),
    status: segmentStatus(segment, httpStatus),
    httpStatus,
    start: segment.start,
    end: segment.end,
    environment: attrText(a, "sentry.environment", 64),
    release: attrText(a, "sentry.release", 200),
    spans,
    source: "sentry",
  };
}
