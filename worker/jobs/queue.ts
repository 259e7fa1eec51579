/**
 * Messages on the ingest queue. Each capability adds its kind here (events, transactions, logs,
 * check-ins) with the function that processes a batch of them.
 */
export type IngestMessage = { kind: string; projectId: number; receivedAt: number };

type Handler = (messages: Message<IngestMessage>[], env: Env) => Promise<void>;

const handlers: Record<string, Handler> = {};

/** Route each message to its capability; a kind nobody handles is logged and acknowledged, never retried forever. */
export async function consumeBatch(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  const byKind = new Map<string, Message<IngestMessage>[]>();
  for (const message of batch.messages) {
    const kind = message.body?.kind ?? "unknown";
    byKind.set(kind, [...(byKind.get(kind) ?? []), message]);
  }
  for (const [kind, messages] of byKind) {
    const handler = handlers[kind];
    if (!handler) {
      console.warn(`ingest queue: no handler for kind "${kind}"; ${messages.length} message(s) acknowledged`);
      for (const m of messages) m.ack();
      continue;
    }
    await handler(messages, env);
  }
}
