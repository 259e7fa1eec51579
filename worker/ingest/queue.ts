import { ApiError } from "../lib/errors";

/** An error event waiting to be processed. Bodies over ~100 KB are staged in R2 and referenced. */
export interface EventMessage {
  kind: "event";
  projectId: number;
  keyId: string;
  eventId: string;
  /** Epoch milliseconds when Vigil accepted it. */
  receivedAt: number;
  clientIp: string | null;
  payload?: string;
  staged?: string;
}

/** A Sentry `check_in` envelope item, for the cron monitor of its slug. */
export interface CheckinMessage {
  kind: "check_in";
  projectId: number;
  /** Epoch milliseconds when Vigil accepted it: the check-in's time. */
  receivedAt: number;
  payload: Record<string, unknown>;
}

/** A transaction to measure: a Sentry `transaction` item, or (`format: "record"`) an OTLP server span already read. */
export interface TransactionMessage {
  kind: "transaction";
  projectId: number;
  eventId: string;
  receivedAt: number;
  format?: "sentry" | "record";
  payload?: string;
  staged?: string;
}

export type IngestMessage = EventMessage | CheckinMessage | TransactionMessage;

/** Queue messages are limited to 128 KB; keep room for the envelope of the message itself. */
export const INLINE_LIMIT = 100 * 1024;

/**
 * Storage the accept path writes to before it answers (the queue, R2 staging and attachments): if it fails, the
 * client is told to send again (503 with Retry-After), so nothing is answered "accepted" that was not kept.
 */
export async function orSendAgain<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    console.error("accept path: storage unavailable:", e);
    throw new ApiError("unavailable", "Vigil could not keep this just now; send it again shortly.", undefined, { "Retry-After": "5" });
  }
}

export function enqueueEvent(env: Env, message: Omit<EventMessage, "payload" | "staged"> | Omit<TransactionMessage, "payload" | "staged">, json: string): Promise<void> {
  return orSendAgain(async () => {
    if (json.length <= INLINE_LIMIT) {
      await env.INGEST_QUEUE.send({ ...message, payload: json });
      return;
    }
    const staged = `staging/${message.projectId}/${message.kind}-${message.eventId}.json`;
    await env.BLOBS.put(staged, json);
    await env.INGEST_QUEUE.send({ ...message, staged });
  });
}

/** The event JSON of a message, inline or from R2 staging. */
export async function messagePayload(env: Env, message: Pick<EventMessage, "payload" | "staged">): Promise<string | null> {
  if (message.payload !== undefined) return message.payload;
  if (!message.staged) return null;
  const object = await env.BLOBS.get(message.staged);
  return object ? object.text() : null;
}
