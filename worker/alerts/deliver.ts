import { EmailMessage } from "cloudflare:email";
import { emailMessage, slackBody, webhookBody, type AlertContent } from "./messages";
import type { channels } from "./schema";
import { signWebhook } from "./signing";
import { outgoingUrlProblem } from "./urls";

export type Channel = typeof channels.$inferSelect;

/** Every outgoing request gives up after this long. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error?: string;
  /** Do not retry: the receiver said no for good (4xx other than 408/429), or the channel is misconfigured. */
  permanent?: boolean;
  /** The receiver asked to wait this many seconds (429 Retry-After). */
  retryAfter?: number;
}

export const allowPrivate = (env: Env) => String(env.ALERTS_ALLOW_PRIVATE_URLS) === "true";

async function post(url: string, body: string, headers: Record<string, string>, started: number): Promise<AttemptResult> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Vigil-Alerts/1", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await res.body?.cancel();
    const latencyMs = Date.now() - started;
    if (res.ok) return { ok: true, status: res.status, latencyMs };
    const retryAfter = Number(res.headers.get("retry-after"));
    return {
      ok: false,
      status: res.status,
      latencyMs,
      error: `The receiver answered ${res.status}.`,
      permanent: res.status >= 300 && res.status < 500 && res.status !== 408 && res.status !== 429,
      ...(res.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}),
    };
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError";
    return {
      ok: false,
      status: null,
      latencyMs: Date.now() - started,
      error: timedOut ? `No answer within ${DELIVERY_TIMEOUT_MS / 1000} s.` : `Could not connect: ${(err as Error).message}`,
    };
  }
}

/** One attempt to deliver one alert to one channel. Never throws; never logs secrets or URLs with tokens. */
export async function attemptDelivery(env: Env, channel: Channel, content: AlertContent, deliveryId: string): Promise<AttemptResult> {
  const started = Date.now();
  if (channel.type === "email") {
    if (!env.EMAIL) return { ok: false, status: null, latencyMs: 0, error: "Email is not configured: no send_email binding (see docs/deploy.md#email).", permanent: true };
    const from = env.ALERTS_EMAIL_FROM || "alerts@vigil.localhost";
    try {
      await env.EMAIL.send(new EmailMessage(from, channel.email!, emailMessage(content, from, channel.email!, deliveryId)));
      return { ok: true, status: null, latencyMs: Date.now() - started };
    } catch (err) {
      return { ok: false, status: null, latencyMs: Date.now() - started, error: `Email not sent: ${(err as Error).message}` };
    }
  }
  const url = channel.url ?? "";
  const problem = outgoingUrlProblem(url, allowPrivate(env));
  if (problem) return { ok: false, status: null, latencyMs: 0, error: problem, permanent: true };
  if (channel.type === "slack") return post(url, JSON.stringify(slackBody(content)), {}, started);
  const body = JSON.stringify(webhookBody(content));
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = await signWebhook(channel.secret ?? "", deliveryId, timestamp, body);
  return post(url, body, { "webhook-id": deliveryId, "webhook-timestamp": String(timestamp), "webhook-signature": signature }, started);
}
