import { Hono, type Context } from "hono";
import type { HonoEnv } from "../env";
import { ApiError } from "../lib/errors";
import { authorize, lookupKey, type IngestKey } from "../ingest/auth";
import { admitCheckin, cronSlug, durationMsFromSeconds, monitorConfigFromSentry, recordCheckin, type CheckinOutcome } from "./checkin";
import type { CheckinInput } from "./machine";
import { LOG_LIMIT } from "./monitor-object";

/** A ping's body is the job's output; more than this is refused (the first LOG_LIMIT characters are kept). */
const PING_BODY_LIMIT = 100 * 1024;

async function readText(req: Request): Promise<string | null> {
  if (req.method !== "POST" || !req.body) return null;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > PING_BODY_LIMIT) throw new ApiError("payload_too_large", `Ping bodies are limited to ${PING_BODY_LIMIT / 1024} KB; send the end of the output.`);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > PING_BODY_LIMIT) {
      await reader.cancel();
      throw new ApiError("payload_too_large", `Ping bodies are limited to ${PING_BODY_LIMIT / 1024} KB; send the end of the output.`);
    }
    chunks.push(value);
  }
  if (!size) return null;
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  // A job's output is kept even when it is not valid UTF-8 (bytes that are not become U+FFFD), so the run still counts.
  return new TextDecoder().decode(all).slice(0, LOG_LIMIT);
}

function slugParam(c: Context<HonoEnv>): string {
  const slug = cronSlug(c.req.param("slug") ?? "");
  if (!slug) throw new ApiError("validation_failed", "The slug must have letters or digits.");
  return slug;
}

const runIdParam = (value: string | undefined) => (value ? value.slice(0, 64) : null);

function notFound(slug: string): ApiError {
  return new ApiError("not_found", `No cron monitor "${slug}" in this project. Create it in the dashboard, send a monitor_config, or ping with ?create=1.`);
}

/** `/ping/{key}/{slug}[/start|/fail|/{exit code}]`: what a ping means. */
function pingMeaning(action: string | undefined): Pick<CheckinInput, "status" | "exitCode"> {
  if (action === undefined || action === "") return { status: "ok", exitCode: null };
  if (action === "start") return { status: "in_progress", exitCode: null };
  if (action === "fail") return { status: "error", exitCode: null };
  if (/^\d{1,3}$/.test(action) && Number(action) <= 255) return { status: Number(action) === 0 ? "ok" : "error", exitCode: Number(action) };
  throw new ApiError("not_found", `Unknown ping "${action}": use /start, /fail or an exit code from 0 to 255.`);
}

async function ping(c: Context<HonoEnv>) {
  const publicKey = c.req.param("key") ?? "";
  const key: IngestKey | null = /^[0-9a-f]{32}$/i.test(publicKey) ? await lookupKey(c.get("db"), publicKey.toLowerCase()) : null;
  if (!key || key.revoked) throw new ApiError("invalid_key", "This ping key is not valid: use the public key of the project's DSN.");
  const meaning = pingMeaning(c.req.param("action"));
  const slug = slugParam(c);
  const log = await readText(c.req.raw);
  await admitCheckin(c.env, key);
  const outcome = await recordCheckin(c.env, c.get("db"), {
    projectId: key.projectId,
    slug,
    input: { ...meaning, runId: runIdParam(c.req.query("rid")), at: Date.now(), durationMs: null, log, source: "ping", environment: null },
    autoCreate: c.req.query("create") === "1",
  });
  if (outcome.kind === "unknown_monitor") throw notFound(slug);
  return c.text("OK", 200);
}

/** `/api/{project_id}/cron/{slug}/{key}/?status=in_progress|ok|error`: Sentry's HTTP check-in. */
async function sentryHttpCheckin(c: Context<HonoEnv>) {
  const projectId = Number(c.req.param("projectId"));
  const key = await authorize(c.get("db"), projectId, c.req.param("key"));
  const slug = slugParam(c);
  let body: Record<string, unknown> = {};
  const text = await readText(c.req.raw);
  if (text) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      else throw new Error();
    } catch {
      throw new ApiError("malformed_body", "The body must be a JSON object (status, check_in_id, duration, environment, monitor_config).");
    }
  }
  const status = String(c.req.query("status") ?? body.status ?? "");
  if (status !== "in_progress" && status !== "ok" && status !== "error") throw new ApiError("validation_failed", "status must be in_progress, ok or error.");
  const durationMs = durationMsFromSeconds(c.req.query("duration") ?? body.duration);
  const checkinId = String(c.req.query("check_in_id") ?? body.check_in_id ?? "").replaceAll("-", "").toLowerCase();
  const environment = c.req.query("environment") ?? (typeof body.environment === "string" ? body.environment : null);
  await admitCheckin(c.env, key);
  const outcome: CheckinOutcome = await recordCheckin(c.env, c.get("db"), {
    projectId,
    slug,
    input: {
      status,
      runId: /^[0-9a-f]{32}$/.test(checkinId) ? checkinId : null,
      ...(/^[0-9a-f]{32}$/.test(checkinId) ? { checkinId } : {}),
      at: Date.now(),
      durationMs,
      exitCode: null,
      log: null,
      source: "http",
      environment: environment ? environment.slice(0, 64) : null,
    },
    config: monitorConfigFromSentry(body.monitor_config),
  });
  if (outcome.kind === "unknown_monitor") throw notFound(slug);
  return c.json({ id: outcome.kind === "recorded" ? outcome.checkinId : null }, 202);
}

const METHODS = ["GET", "POST", "HEAD"];

/** Heartbeat pings at `/ping/...`. */
export const pingRoutes = new Hono<HonoEnv>()
  .on(METHODS, "/:key/:slug", ping)
  .on(METHODS, "/:key/:slug/:action", ping);

/** Sentry's HTTP check-in route, under `/api`. */
export const sentryCronRoutes = new Hono<HonoEnv>()
  .on(METHODS, "/:projectId{[0-9]+}/cron/:slug/:key", sentryHttpCheckin)
  .on(METHODS, "/:projectId{[0-9]+}/cron/:slug/:key/", sentryHttpCheckin);
