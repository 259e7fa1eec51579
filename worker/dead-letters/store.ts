/**
 * Dead letters: queue messages that failed every retry, kept in R2 with their raw payload under
 * `dead-letters/{projectId}/{day}-{messageId}.json` (the project first, so one project's letters are one listing).
 */
export const deadLetterPrefix = (projectId: number | "unknown") => `dead-letters/${projectId}/`;

export interface DeadLetter {
  id: string;
  attempts: number;
  deadAt: string;
  /** The queue message as it was sent (kind, projectId, eventId, inline payload or staged key). */
  message: Record<string, unknown> | null;
}

export async function keepDeadLetter(env: Env, message: Message<unknown>, now = new Date()): Promise<void> {
  const body = (message.body ?? null) as Record<string, unknown> | null;
  const projectId = typeof body?.projectId === "number" ? body.projectId : "unknown";
  const letter: DeadLetter = { id: message.id, attempts: message.attempts, deadAt: now.toISOString(), message: body };
  await env.BLOBS.put(`${deadLetterPrefix(projectId)}${now.toISOString().slice(0, 10)}-${message.id}.json`, JSON.stringify(letter), {
    httpMetadata: { contentType: "application/json" },
  });
}

/** One page of a project's dead letters, oldest first (R2 lists keys in order; the day leads the name). */
export async function listDeadLetters(env: Env, projectId: number, limit: number, cursor?: string): Promise<{ letters: (DeadLetter & { key: string })[]; cursor: string | null }> {
  const listed = await env.BLOBS.list({ prefix: deadLetterPrefix(projectId), limit, ...(cursor ? { cursor } : {}) });
  const letters = await Promise.all(
    listed.objects.map(async (o) => {
      const object = await env.BLOBS.get(o.key);
      const letter = object ? ((await object.json()) as DeadLetter) : { id: o.key, attempts: 0, deadAt: o.uploaded.toISOString(), message: null };
      return { ...letter, key: o.key };
    }),
  );
  return { letters, cursor: listed.truncated ? listed.cursor : null };
}

/** Send letters back to the ingest queue, then forget them (a letter that fails to send stays). */
export async function replayDeadLetters(env: Env, projectId: number, keys: string[]): Promise<{ replayed: number; skipped: number }> {
  let replayed = 0;
  let skipped = 0;
  for (const key of keys) {
    if (!key.startsWith(deadLetterPrefix(projectId))) {
      skipped++;
      continue;
    }
    const object = await env.BLOBS.get(key);
    const letter = object ? ((await object.json()) as DeadLetter) : null;
    if (!letter?.message || letter.message.projectId !== projectId) {
      skipped++;
      continue;
    }
    await env.INGEST_QUEUE.send(letter.message);
    await env.BLOBS.delete(key);
    replayed++;
  }
  return { replayed, skipped };
}
