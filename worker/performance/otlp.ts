/**
 * OpenTelemetry traces (OTLP/HTTP `/v1/traces`) → Vigil transactions.
 *
 * Every server span becomes a transaction, its descendants in the same request its spans (stopping at another
 * server span, which is a transaction of its own). A trace with no server span in the request — a management
 * command, a worker's task — makes a transaction of each root span instead. Spans that belong to neither (their
 * server span was not in this request, e.g. a batch exporter flushed the children before the request ended) are
 * counted as rejected, as are spans over the limits below: OTLP clients report them from `partialSuccess`.
 */
import { createHash } from "node:crypto";
import type { SpanRecord, TransactionRecord } from "./model";
import { readOtlpSpans, type Attributes, type OtlpSpan } from "./otlp-decode";

/** Spans read from one request; the rest are counted as rejected. */
export const MAX_REQUEST_SPANS = 10_000;
/** Spans kept per transaction (the earliest by start time); the rest are counted as rejected. */
export const MAX_TRANSACTION_SPANS = 1_000;

export interface OtlpTracesResult {
  transactions: TransactionRecord[];
  /** For `partialSuccess.rejectedSpans`: spans received but in no transaction. */
  rejectedSpans: number;
  /** For `partialSuccess.errorMessage`: why spans were rejected, when some were. */
  errorMessage?: string;
}

const KIND_SERVER = 2;
const KIND_CLIENT = 3;
const KIND_PRODUCER = 4;
const KIND_CONSUMER = 5;
const STATUS_ERROR = 2;

/**
 * Decode an OTLP/HTTP traces body (`application/x-protobuf` or `application/json`, already decompressed) into
 * transactions. Throws ApiError `malformed_body` for a body that cannot be read, `unsupported_media_type` for
 * another content type.
 */
export function decodeOtlpTraces(body: Uint8Array, contentType: string): OtlpTracesResult {
  const { spans, received } = readOtlpSpans(body, contentType, MAX_REQUEST_SPANS);
  const dropped = { overRequest: received - spans.length, noId: 0, duplicate: 0, orphan: 0, overTransaction: 0 };

  const traces = new Map<string, Map<string, OtlpSpan>>();
  for (const span of spans) {
    if (!span.traceId || !span.spanId) {
      dropped.noId++;
      continue;
    }
    let trace = traces.get(span.traceId);
    if (!trace) traces.set(span.traceId, (trace = new Map()));
    if (trace.has(span.spanId)) dropped.duplicate++;
    else trace.set(span.spanId, span);
  }

  const transactions: TransactionRecord[] = [];
  for (const trace of traces.values()) {
    const { roots, children, orphans } = placeSpans(trace);
    dropped.orphan += orphans;
    for (const root of roots) {
      const own = children.get(root.spanId) ?? [];
      own.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
      dropped.overTransaction += Math.max(0, own.length - MAX_TRANSACTION_SPANS);
      transactions.push(toTransaction(root, own.slice(0, MAX_TRANSACTION_SPANS)));
    }
  }

  const kept = transactions.reduce((n, t) => n + 1 + t.spans.length, 0);
  const result: OtlpTracesResult = { transactions, rejectedSpans: received - kept };
  const reasons = [
    [dropped.overRequest, `beyond the first ${MAX_REQUEST_SPANS} of the request`],
    [dropped.noId, "without a trace id or span id"],
    [dropped.duplicate, "repeating a span id already in the request"],
    [dropped.orphan, "whose server span (or, without one, root span) was not in the request"],
    [dropped.overTransaction, `beyond ${MAX_TRANSACTION_SPANS} in one transaction`],
  ] as const;
  const said = reasons.filter(([n]) => n > 0).map(([n, why]) => `${n} span${n === 1 ? "" : "s"} ${why}`);
  if (said.length) result.errorMessage = `Dropped ${said.join(", ")}.`;
  return result;
}

/** The transaction roots of one trace, each root's descendants, and how many spans reach no root. */
function placeSpans(trace: Map<string, OtlpSpan>) {
  const all = [...trace.values()];
  const servers = all.filter((s) => s.kind === KIND_SERVER);
  const roots = servers.length ? servers : all.filter((s) => s.parentSpanId === null);
  const rootIds = new Set(roots.map((s) => s.spanId));

  // Walk up each span's parents to the nearest root, remembering the answer for every span on the way.
  const owner = new Map<string, string | null>();
  const ownerOf = (span: OtlpSpan): string | null => {
    const path: OtlpSpan[] = [];
    let found: string | null = null;
    for (let cur: OtlpSpan | undefined = span; cur; ) {
      const known = owner.get(cur.spanId);
      if (known !== undefined) {
        found = known;
        break;
      }
      if (cur !== span && rootIds.has(cur.spanId)) {
        found = cur.spanId;
        break;
      }
      path.push(cur);
      if (path.length > trace.size) break; // parents in a cycle: no root
      cur = cur.parentSpanId === null ? undefined : trace.get(cur.parentSpanId);
    }
    for (const p of path) owner.set(p.spanId, found);
    return found;
  };

  const children = new Map<string, OtlpSpan[]>();
  let orphans = 0;
  for (const span of all) {
    if (rootIds.has(span.spanId)) continue;
    const root = ownerOf(span);
    if (root === null) {
      orphans++;
      continue;
    }
    const list = children.get(root);
    if (list) list.push(span);
    else children.set(root, [span]);
  }
  return { roots, children, orphans };
}

/** Epoch nanoseconds (beyond 2^53) → epoch milliseconds with fractions, rounded once. */
export function nanosToMs(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

/** 32 hex, the same for the same span sent twice, so a retried export stores nothing new. */
export function otlpEventId(traceId: string, spanId: string): string {
  return createHash("sha256").update(`otlp:${traceId}:${spanId}`).digest("hex").slice(0, 32);
}

function str(attributes: Attributes, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = attributes.get(key);
    if (typeof value === "string" && value !== "") return value;
  }
  return null;
}

function httpStatusOf(span: OtlpSpan): number | null {
  const value = span.attributes.get("http.response.status_code") ?? span.attributes.get("http.status_code");
  const code = typeof value === "string" ? Number(value) : value;
  return typeof code === "number" && Number.isInteger(code) && code >= 100 && code <= 999 ? code : null;
}

/** OTel status ERROR → internal_error; else by HTTP status: 5xx internal_error, 404 not_found; else ok. */
function statusOf(span: OtlpSpan): string {
  if (span.statusCode === STATUS_ERROR) return "internal_error";
  const http = httpStatusOf(span);
  if (http !== null && http >= 500) return "internal_error";
  if (http === 404) return "not_found";
  return "ok";
}

const httpMethodOf = (span: OtlpSpan) => str(span.attributes, "http.request.method", "http.method");

function toTransaction(root: OtlpSpan, spans: OtlpSpan[]): TransactionRecord {
  const method = httpMethodOf(root);
  const route = str(root.attributes, "http.route");
  const server = root.kind === KIND_SERVER;
  return {
    eventId: otlpEventId(root.traceId, root.spanId),
    traceId: root.traceId,
    spanId: root.spanId,
    // Cut as a Sentry transaction's name is: a route is at most 200 characters everywhere (the route page asks for it by name).
    name: (server && method && route ? `${method} ${route}` : root.name).slice(0, 200),
    op: server ? "http.server" : spanOp(root).op,
    status: statusOf(root),
    httpStatus: httpStatusOf(root),
    start: nanosToMs(root.startNs),
    end: nanosToMs(root.endNs),
    environment: str(root.resource, "deployment.environment.name", "deployment.environment"),
    release: str(root.resource, "service.version"),
    spans: spans.map(toSpan),
    source: "otlp",
  };
}

function toSpan(span: OtlpSpan): SpanRecord {
  const { op, description } = spanOp(span);
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    op,
    description,
    start: nanosToMs(span.startNs),
    end: nanosToMs(span.endNs),
    status: statusOf(span),
  };
}

const CACHE_SYSTEMS = new Set(["memcached"]);
const CACHE_NAME = /^cache[._ ]/i;

/** cache.get / cache.put / cache.remove for a span that is clearly a cache call, else null. */
function cacheOp(span: OtlpSpan, dbSystem: string | null): string | null {
  const a = span.attributes;
  const isCache = a.has("cache.key") || a.has("cache.hit") || CACHE_NAME.test(span.name) || (dbSystem !== null && CACHE_SYSTEMS.has(dbSystem));
  if (!isCache) return null;
  const verb = (str(a, "db.operation.name", "db.operation") ?? span.name.replace(CACHE_NAME, "")).toLowerCase();
  if (/^(get|mget|fetch|read|has)/.test(verb)) return "cache.get";
  if (/^(set|put|add|replace|cas|append|prepend|incr|decr|touch|write)/.test(verb)) return "cache.put";
  if (/^(delete|remove|del)/.test(verb)) return "cache.remove";
  return null;
}

/** Sentry's op vocabulary for a child span, and what to show for it. */
function spanOp(span: OtlpSpan): { op: string; description: string | null } {
  const a = span.attributes;
  const dbSystem = str(a, "db.system.name", "db.system");
  const statement = str(a, "db.statement", "db.query.text");
  const cache = cacheOp(span, dbSystem);
  if (cache) return { op: cache, description: str(a, "cache.key") ?? statement ?? span.name };
  if (dbSystem) return { op: "db", description: statement ?? span.name };
  const method = httpMethodOf(span);
  if (span.kind === KIND_CLIENT && method) {
    const url = str(a, "url.full", "http.url");
    return { op: "http.client", description: url ? `${method} ${url}` : span.name };
  }
  const template = str(a, "template.name");
  if (template || /^render(\b|_)/i.test(span.name)) return { op: "template.render", description: template ?? span.name };
  if (str(a, "messaging.system") && span.kind === KIND_PRODUCER) return { op: "queue.publish", description: span.name };
  if (str(a, "messaging.system") && span.kind === KIND_CONSUMER) return { op: "queue.process", description: span.name };
  return { op: "function", description: span.name };
}
