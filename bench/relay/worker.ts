// The queue between the accept path and Vigil's consumer in `npm run bench`, standing in for Cloudflare's queue
// service. Locally a queue's broker runs in the workerd process of its consumer, and a producer's send() waits
// for that broker: with Vigil's consumer as the broker's host, every send would wait while a batch is stored.
// This Worker runs next to the accept path (same `wrangler dev`), takes its messages and passes them on, a
// batch at a time, to the queue Vigil consumes in its own process.

interface Env {
  INGEST_QUEUE: Queue;
}

/** sendBatch takes at most 100 messages and about 256 KB. */
const MAX_BATCH_BYTES = 200_000;

/** About how many bytes a message takes: Vigil's event messages are their JSON payload plus a few ids. */
const sizeOf = (body: unknown) => {
  const payload = (body as { payload?: unknown }).payload;
  return typeof payload === "string" ? payload.length + 512 : JSON.stringify(body).length;
};

export default {
  fetch: () => new Response("vigil-bench-relay"),

  async queue(batch: MessageBatch, env: Env): Promise<void> {
    let chunk: MessageSendRequest[] = [];
    let bytes = 0;
    for (const message of batch.messages) {
      const size = sizeOf(message.body);
      if (chunk.length && bytes + size > MAX_BATCH_BYTES) {
        await env.INGEST_QUEUE.sendBatch(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push({ body: message.body });
      bytes += size;
    }
    if (chunk.length) await env.INGEST_QUEUE.sendBatch(chunk);
  },
} satisfies ExportedHandler<Env>;
