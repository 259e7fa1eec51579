import type { Db } from "../db/client";
import { ApiError } from "../lib/errors";
import { isolateAllowances } from "./allowance";
import { authorize, keyFromDsn, keyFromRequest, type IngestKey } from "./auth";
import { decodeUtf8, parseJson, readBody } from "./body";
import { categoryOf, rateLimitHeader, type Category } from "./categories";
import { itemJson, parseEnvelope, type EnvelopeItem } from "./envelope";
import { enqueueEvent, orSendAgain } from "./queue";
import { mapLimit } from "../lib/chunks";
import { decodeOtlpTraces } from "../performance/otlp";
import { anchorToArrival } from "../performance/sentry";
import { transactionsFromSpanItems } from "../performance/spans";
import { readSentryLogItem } from "../logs/formats/sentry";
import type { DecodedLogs } from "../logs/model";
import { capLines, storeLines } from "../logs/storage";

/** Item types whose payload must be a JSON object. */
const JSON_ITEMS = new Set(["event", "transaction", "check_in", "log", "span", "session", "sessions", "client_report"]);

/** What a check-in item may carry into the queue: its known fields, each bounded (the rest is dropped). */
function checkinFields(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["check_in_id", "monitor_slug", "status", "duration", "environment"] as const) {
    const v = json[k];
    if (typeof v === "number" || (typeof v === "string" && v.length <= 200)) out[k] = v;
  }
  const config = json.monitor_config;
  if (config && typeof config === "object" && JSON.stringify(config).length <= 2000) out.monitor_config = config;
  return out;
}

export interface Accepted {
  eventId: string | null;
  /** Response headers: X-Sentry-Rate-Limits when some items were dropped for limits. */
  headers: Record<string, string>;
}

/** A Sentry event id: 32 hex chars (a UUID with or without dashes). */
export function normalizeEventId(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const hex = value.replaceAll("-", "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex : null;
}

const newEventId = () => crypto.randomUUID().replaceAll("-", "");

interface Context {
  env: Env;
  db: Db;
  req: Request;
  projectId: number;
}

const admit = (ctx: Context, key: IngestKey, counts: Partial<Record<Category, number>>) => admitItems(ctx.env, ctx.projectId, key, counts);

/**
 * Count items against the project's per-minute and monthly limits, per category. Returns the categories let in
 * and the X-Sentry-Rate-Limits header for the others; when nothing is let in, throws 429 with Retry-After.
 */
export async function admitItems(env: Env, projectId: number, key: IngestKey, counts: Partial<Record<Category, number>>) {
  if (Object.keys(counts).length === 0) return { accepted: new Set<Category>(), headers: {} as Record<string, string> };
  const limits = { perMinute: key.rateLimitPerMinute, monthlyQuota: key.monthlyQuota };
  const result = await isolateAllowances.admit(env.INGEST_GATE, projectId, counts, limits);
  const headers: Record<string, string> = {};
  if (result.limited.length) headers["X-Sentry-Rate-Limits"] = rateLimitHeader(result.limited);
  if (result.accepted.length === 0 && result.limited.length) {
    const retryAfter = Math.max(...result.limited.map((l) => l.retryAfter));
    const quota = result.limited.some((l) => l.reason === "quota_exceeded");
    throw new ApiError(
      "too_many_requests",
      quota ? "This project used its monthly quota; events are refused until the month ends." : "This project sends too fast; slow down.",
      undefined,
      { ...headers, "Retry-After": String(retryAfter) },
    );
  }
  return { accepted: new Set(result.accepted), headers };
}

function clientIp(req: Request): string | null {
  return req.headers.get("cf-connecting-ip");
}

/** Attachments sent with an event (log files, screenshots) go straight to R2, next to the event. */
async function keepAttachments(env: Env, projectId: number, eventId: string, items: EnvelopeItem[]): Promise<void> {
  await Promise.all(
    items.slice(0, 20).map((item, i) => {
      const name = typeof item.headers.filename === "string" ? item.headers.filename.replace(/[^\w.-]+/g, "_").slice(0, 100) : `attachment-${i + 1}`;
      const contentType = typeof item.headers.content_type === "string" ? item.headers.content_type : "application/octet-stream";
      return env.BLOBS.put(attachmentKey(projectId, eventId, `${i + 1}-${name}`), item.payload, { httpMetadata: { contentType } });
    }),
  );
}

export const attachmentPrefix = (projectId: number, eventId: string) => `attachments/${projectId}/${eventId}/`;
const attachmentKey = (projectId: number, eventId: string, name: string) => `${attachmentPrefix(projectId, eventId)}${name}`;

/** `POST /api/{id}/envelope/`: authenticate, cap, parse, rate-limit and enqueue. Processing happens in the queue. */
export async function acceptEnvelope(ctx: Context): Promise<Accepted> {
  const headerKey = keyFromRequest(ctx.req);
  // A wrong key in the headers is refused before the body is read.
  const early = headerKey ? await authorize(ctx.db, ctx.projectId, headerKey) : undefined;
  const envelope = parseEnvelope(await readBody(ctx.req));
  const key = early ?? (await authorize(ctx.db, ctx.projectId, keyFromDsn(envelope.headers.dsn)));

  let event: { item: EnvelopeItem; json: Record<string, unknown> } | undefined;
  const checkins: Record<string, unknown>[] = [];
  let transaction: Record<string, unknown> | undefined;
  const attachments: EnvelopeItem[] = [];
  const logs: DecodedLogs = { lines: [], rejected: 0, errors: [] };
  const spanPayloads: Record<string, unknown>[] = [];
  const receivedAt = Date.now();
  let primaryItems = 0;
  const counts: Partial<Record<Category, number>> = {};
  envelope.items.forEach((item, index) => {
    const json = JSON_ITEMS.has(item.type) ? itemJson(item, index) : undefined;
    if (item.type === "event" || item.type === "transaction") primaryItems += 1;
    if (item.type === "event" && json) event = { item, json };
    if (item.type === "transaction" && json) transaction = json;
    if (item.type === "attachment") attachments.push(item);
    if (item.type === "check_in" && json) checkins.push(checkinFields(json));
    if (item.type === "log" && json) {
      const read = readSentryLogItem(json, receivedAt);
      logs.lines.push(...read.lines);
      logs.rejected += read.rejected;
      logs.errors.push(...read.errors);
      return;
    }
    // Span streaming: counted below as the transactions they make, not as spans.
    if (item.type === "span" && json) {
      spanPayloads.push(json);
      return;
    }
    const category = categoryOf(item.type);
    if (category) counts[category] = (counts[category] ?? 0) + 1;
  });
  const logLines = capLines(logs).lines;
  // Log items are counted by their lines, as Sentry's `log_item` category does.
  if (logLines.length) counts.log_item = logLines.length;
  // Each request (segment) whose segment span came in the envelope is a transaction; spans of segments not in
  // it are dropped (Vigil does not join segments across envelopes yet). Capped as an OTLP request is.
  const spanTransactions = transactionsFromSpanItems(spanPayloads, receivedAt).transactions.slice(0, MAX_OTLP_TRANSACTIONS);
  if (spanTransactions.length) counts.transaction = (counts.transaction ?? 0) + spanTransactions.length;
  if (primaryItems > 1) throw new ApiError("malformed_body", "An envelope may hold at most one event or transaction.");

  const { accepted, headers } = await admit(ctx, key, counts);
  const eventId = normalizeEventId(envelope.headers.event_id) ?? normalizeEventId(event?.json.event_id) ?? (event ? newEventId() : null);
  if (event && eventId && accepted.has("error")) {
    event.json.event_id = eventId;
    if (accepted.has("attachment")) await orSendAgain(() => keepAttachments(ctx.env, ctx.projectId, eventId, attachments));
    await enqueueEvent(
      ctx.env,
      { kind: "event", projectId: ctx.projectId, keyId: key.keyId, eventId, receivedAt: Date.now(), clientIp: clientIp(ctx.req) },
      JSON.stringify(event.json),
    );
  }
  const transactionId = transaction ? (normalizeEventId(envelope.headers.event_id) ?? normalizeEventId(transaction.event_id) ?? newEventId()) : null;
  if (transaction && transactionId && accepted.has("transaction")) {
    transaction.event_id = transactionId;
    await enqueueEvent(ctx.env, { kind: "transaction", projectId: ctx.projectId, eventId: transactionId, receivedAt: Date.now() }, JSON.stringify(transaction));
  }
  if (checkins.length && accepted.has("monitor")) {
    const receivedAt = Date.now();
    await orSendAgain(() => ctx.env.INGEST_QUEUE.sendBatch(checkins.slice(0, 100).map((payload) => ({ body: { kind: "check_in", projectId: ctx.projectId, receivedAt, payload } }))));
  }
  if (logLines.length && accepted.has("log_item")) await storeLines(ctx.env, ctx.projectId, logLines);
  if (spanTransactions.length && accepted.has("transaction")) {
    const receivedAt = Date.now();
    await mapLimit(spanTransactions, 6, (t) =>
      enqueueEvent(ctx.env, { kind: "transaction", format: "record", projectId: ctx.projectId, eventId: t.eventId, receivedAt }, JSON.stringify(anchorToArrival(t, receivedAt))),
    );
  }
  // Unknown item types are skipped.
  return { eventId: eventId ?? transactionId, headers };
}

/** `POST /api/{id}/store/`: one event as JSON (sentry-sdk 1.x, or any HTTP client). */
export async function acceptStore(ctx: Context): Promise<Accepted> {
  const key = await authorize(ctx.db, ctx.projectId, keyFromRequest(ctx.req));
  const json = parseJson(decodeUtf8(await readBody(ctx.req)), "The event");
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new ApiError("malformed_body", "The event must be a JSON object.");
  const event = json as Record<string, unknown>;
  const { headers } = await admit(ctx, key, { error: 1 });
  const eventId = normalizeEventId(event.event_id) ?? newEventId();
  event.event_id = eventId;
  await enqueueEvent(
    ctx.env,
    { kind: "event", projectId: ctx.projectId, keyId: key.keyId, eventId, receivedAt: Date.now(), clientIp: clientIp(ctx.req) },
    JSON.stringify(event),
  );
  return { eventId, headers };
}

/** Transactions (server spans) accepted from one OTLP request. */
export const MAX_OTLP_TRANSACTIONS = 200;

export interface OtlpAccepted {
  rejectedSpans: number;
  errorMessage?: string;
  headers: Record<string, string>;
}

/**
 * `POST /api/{id}/integration/otlp/v1/traces`: OpenTelemetry traces (protobuf or JSON). Each server span
 * with its descendants becomes a transaction, counted against the project's `transaction` limits and
 * processed in the queue like the SDK's transactions.
 */
export async function acceptOtlpTraces(ctx: Context): Promise<OtlpAccepted> {
  const key = await authorize(ctx.db, ctx.projectId, keyFromRequest(ctx.req));
  const body = await readBody(ctx.req);
  const decoded = decodeOtlpTraces(body, ctx.req.headers.get("content-type") ?? "");
  if (decoded.transactions.length === 0) return { rejectedSpans: decoded.rejectedSpans, ...(decoded.errorMessage ? { errorMessage: decoded.errorMessage } : {}), headers: {} };
  // A request's transactions beyond the cap are refused with their spans (exporters batch ~512 spans).
  const kept = decoded.transactions.slice(0, MAX_OTLP_TRANSACTIONS);
  const over = decoded.transactions.slice(MAX_OTLP_TRANSACTIONS);
  const overSpans = over.reduce((n, t) => n + 1 + t.spans.length, 0);
  const { headers } = await admit(ctx, key, { transaction: kept.length });
  const receivedAt = Date.now();
  await mapLimit(kept, 6, (t) =>
    enqueueEvent(ctx.env, { kind: "transaction", format: "record", projectId: ctx.projectId, eventId: t.eventId, receivedAt }, JSON.stringify(anchorToArrival(t, receivedAt))),
  );
  const messages = [decoded.errorMessage, over.length ? `Dropped ${over.length} transactions beyond the first ${MAX_OTLP_TRANSACTIONS} of the request; send smaller batches.` : ""].filter(Boolean);
  return { rejectedSpans: decoded.rejectedSpans + overSpans, ...(messages.length ? { errorMessage: messages.join(" ") } : {}), headers };
}
