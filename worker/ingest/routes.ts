import { Hono, type Context } from "hono";
import type { HonoEnv } from "../env";
import { ApiError } from "../lib/errors";
import { acceptJsonLines, acceptLokiPush, acceptOtlpLogs } from "../logs/ingest";
import { acceptEnvelope, acceptOtlpTraces, acceptStore, type Accepted } from "./service";

/** Browser SDKs post from other origins; ingest is authenticated by the DSN key, not cookies. */
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, X-Sentry-Auth, Authorization, sentry-trace, baggage",
  "Access-Control-Expose-Headers": "X-Sentry-Rate-Limits, Retry-After",
  "Access-Control-Max-Age": "86400",
};

function projectIdOf(c: Context<HonoEnv>): number {
  const id = Number(c.req.param("projectId"));
  if (!Number.isSafeInteger(id) || id <= 0) throw new ApiError("not_found", "No such project.");
  return id;
}

async function answer(c: Context<HonoEnv>, accept: (ctx: Parameters<typeof acceptEnvelope>[0]) => Promise<Accepted>) {
  const { eventId, headers } = await accept({ env: c.env, db: c.get("db"), req: c.req.raw, projectId: projectIdOf(c) });
  return c.json({ id: eventId }, 200, { ...CORS, ...headers });
}

/**
 * Field 1 (partial_success) of ExportTraceServiceResponse / ExportLogsServiceResponse: rejected_spans or
 * rejected_log_records (1, varint) and error_message (2).
 */
function partialSuccessProtobuf(rejected: number, message: string): Uint8Array<ArrayBuffer> {
  const varint = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      out.push(b);
    } while (n > 0);
    return out;
  };
  const text = [...new TextEncoder().encode(message)];
  const inner = [0x08, ...varint(rejected), ...(text.length ? [0x12, ...varint(text.length), ...text] : [])];
  return new Uint8Array([0x0a, ...varint(inner.length), ...inner]);
}

/** OTLP/HTTP answers in the request's encoding: an empty response, or a partial success saying what was dropped. */
async function otlpTraces(c: Context<HonoEnv>) {
  const r = await acceptOtlpTraces({ env: c.env, db: c.get("db"), req: c.req.raw, projectId: projectIdOf(c) });
  const json = (c.req.header("content-type") ?? "").includes("json");
  const headers = { ...CORS, ...r.headers };
  if (json) return c.json(r.rejectedSpans ? { partialSuccess: { rejectedSpans: String(r.rejectedSpans), errorMessage: r.errorMessage ?? "" } } : {}, 200, headers);
  const bytes = r.rejectedSpans ? partialSuccessProtobuf(r.rejectedSpans, r.errorMessage ?? "") : new Uint8Array(new ArrayBuffer(0));
  return c.body(bytes, 200, { ...headers, "content-type": "application/x-protobuf" });
}

const logsCtx = (c: Context<HonoEnv>) => ({ env: c.env, db: c.get("db"), req: c.req.raw, projectId: projectIdOf(c) });

/** OTLP/HTTP logs: an empty ExportLogsServiceResponse, or a partial success naming what was refused. */
async function otlpLogs(c: Context<HonoEnv>) {
  const r = await acceptOtlpLogs(logsCtx(c));
  const json = (c.req.header("content-type") ?? "").includes("json");
  const headers = { ...CORS, ...r.headers };
  const message = r.errors.slice(0, 5).join(" ");
  if (json) return c.json(r.rejected ? { partialSuccess: { rejectedLogRecords: String(r.rejected), errorMessage: message } } : {}, 200, headers);
  const bytes = r.rejected ? partialSuccessProtobuf(r.rejected, message) : new Uint8Array(new ArrayBuffer(0));
  return c.body(bytes, 200, { ...headers, "content-type": "application/x-protobuf" });
}

/** When a request had lines but none could be read, that is the sender's mistake: 400 with the reasons. */
function nothingRead(r: { accepted: number; rejected: number; errors: string[] }) {
  if (r.accepted === 0 && r.rejected > 0) throw new ApiError("malformed_body", `None of the ${r.rejected} log lines could be read: ${r.errors.slice(0, 3).join(" ")}`);
}

/** JSON object, array or NDJSON lines: how many were stored and why others were not. */
async function jsonLines(c: Context<HonoEnv>) {
  const r = await acceptJsonLines(logsCtx(c));
  nothingRead(r);
  return c.json({ accepted: r.accepted, rejected: r.rejected, errors: r.errors.slice(0, 10) }, 200, { ...CORS, ...r.headers });
}

/** Loki answers a push with 204 No Content. */
async function lokiPush(c: Context<HonoEnv>) {
  const r = await acceptLokiPush(logsCtx(c));
  nothingRead(r);
  return c.body(null, 204, { ...CORS, ...r.headers });
}

/** The ingest front door: Sentry's envelope and store, OTLP traces and logs, JSON log lines, Loki push. */
export const ingestRoutes = new Hono<HonoEnv>()
  .use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(CORS)) c.res.headers.set(k, v);
  })
  .options("/:projectId{[0-9]+}/*", (c) => c.body(null, 204, CORS))
  .post("/:projectId{[0-9]+}/envelope", (c) => answer(c, acceptEnvelope))
  .post("/:projectId{[0-9]+}/envelope/", (c) => answer(c, acceptEnvelope))
  .post("/:projectId{[0-9]+}/store", (c) => answer(c, acceptStore))
  .post("/:projectId{[0-9]+}/store/", (c) => answer(c, acceptStore))
  .post("/:projectId{[0-9]+}/integration/otlp/v1/traces", otlpTraces)
  .post("/:projectId{[0-9]+}/integration/otlp/v1/traces/", otlpTraces)
  .post("/:projectId{[0-9]+}/integration/otlp/v1/logs", otlpLogs)
  .post("/:projectId{[0-9]+}/integration/otlp/v1/logs/", otlpLogs)
  .post("/:projectId{[0-9]+}/logs", jsonLines)
  .post("/:projectId{[0-9]+}/logs/", jsonLines)
  .post("/:projectId{[0-9]+}/loki/api/v1/push", lokiPush)
  .post("/:projectId{[0-9]+}/loki/api/v1/push/", lokiPush);
