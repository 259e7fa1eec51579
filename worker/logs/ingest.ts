/**
 * The log doors of the ingest front: OTLP/HTTP logs, JSON/NDJSON lines (Vector, Fluent Bit, Python handlers) and
 * the Loki push API. Each authenticates the DSN key, reads the body (decompressing with the shared caps), reads
 * the format into log lines, counts them against the project's `log_item` limits and stores them in the
 * project's LogStore before answering: an accepted line is a stored line.
 */
import type { Db } from "../db/client";
import { authorize, keyFromRequest } from "../ingest/auth";
import { readBody } from "../ingest/body";
import { admitItems } from "../ingest/service";
import { decodeJsonLines } from "./formats/http";
import { decodeLokiPush } from "./formats/loki";
import { decodeOtlpLogs } from "./formats/otlp";
import type { DecodedLogs } from "./model";
import { capLines, storeLines } from "./storage";

export interface LogsContext {
  env: Env;
  db: Db;
  req: Request;
  projectId: number;
}

export interface LogsAccepted {
  accepted: number;
  rejected: number;
  errors: string[];
  headers: Record<string, string>;
}

type Decoder = (bytes: Uint8Array, contentType: string, receivedAt: number) => DecodedLogs;

async function acceptWith(ctx: LogsContext, decode: Decoder): Promise<LogsAccepted> {
  const key = await authorize(ctx.db, ctx.projectId, keyFromRequest(ctx.req));
  const body = await readBody(ctx.req);
  const receivedAt = Date.now();
  const decoded = capLines(decode(body, ctx.req.headers.get("content-type") ?? "", receivedAt));
  if (decoded.lines.length === 0) return { accepted: 0, rejected: decoded.rejected, errors: decoded.errors, headers: {} };
  const { headers } = await admitItems(ctx.env, ctx.projectId, key, { log_item: decoded.lines.length });
  const accepted = await storeLines(ctx.env, ctx.projectId, decoded.lines);
  return { accepted, rejected: decoded.rejected, errors: decoded.errors, headers };
}

export const acceptOtlpLogs = (ctx: LogsContext) => acceptWith(ctx, decodeOtlpLogs);
export const acceptJsonLines = (ctx: LogsContext) => acceptWith(ctx, decodeJsonLines);
export const acceptLokiPush = (ctx: LogsContext) => acceptWith(ctx, decodeLokiPush);
