import { processCheckinBatch } from "../crons/process";
import { processEventBatch } from "../errors/process";
import { processTransactionBatch } from "../performance/process";
import type { IngestMessage } from "../ingest/queue";
import { keepDeadLetter } from "../dead-letters/store";

export const INGEST_QUEUE = "vigil-ingest";
export const DEAD_LETTER_QUEUE = "vigil-ingest-dlq";

type Handler<M> = (messages: Message<M>[], env: Env) => Promise<void>;

/** Each message kind and the capability that processes it. Later capabilities add theirs here. */
const handlers: { [K in IngestMessage["kind"]]: Handler<Extract<IngestMessage, { kind: K }>> } = {
  event: processEventBatch,
  check_in: processCheckinBatch,
  transaction: processTransactionBatch,
};

/** Messages that failed every retry land here: kept in R2 with their raw payload for inspection and replay. */
async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    await keepDeadLetter(env, message);
    message.ack();
  }
}

/** Route each message to its capability; a kind nobody handles is logged and acknowledged, never retried forever. */
export async function consumeBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) return keepDeadLetters(batch, env);
  const byKind = new Map<string, Message<unknown>[]>();
  for (const message of batch.messages) {
    const kind = (message.body as { kind?: unknown } | null)?.kind;
    const key = typeof kind === "string" ? kind : "unknown";
    byKind.set(key, [...(byKind.get(key) ?? []), message]);
  }
  for (const [kind, messages] of byKind) {
    const handler = handlers[kind as IngestMessage["kind"]] as Handler<unknown> | undefined;
    if (!handler) {
      console.warn(`ingest queue: no handler for kind "${kind}"; ${messages.length} message(s) acknowledged`);
      for (const m of messages) m.ack();
      continue;
    }
    await handler(messages, env);
  }
}
