import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../index";
import { armFault, clearFaults } from "../lib/faults";
import { eventually, withProject } from "../test/client";

afterEach(() => clearFaults());

async function deliver(queue: string, message: { id: string; body: unknown; attempts: number }) {
  const batch = createMessageBatch(queue, [{ id: message.id, timestamp: new Date(), attempts: message.attempts, body: message.body }]);
  const ctx = createExecutionContext();
  await worker.queue!(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("dead letters", () => {
  it("an event that fails every retry is kept with its payload, listed for the project's admins, and replayed into an issue once", async () => {
    const owner = await withProject("dead-letters");
    const projectId = owner.project.id;
    const eventId = crypto.randomUUID().replaceAll("-", "");
    const body = {
      kind: "event",
      projectId,
      keyId: "k",
      eventId,
      receivedAt: Date.now(),
      clientIp: null,
      payload: JSON.stringify({ event_id: eventId, message: "Payment <b>declined</b> for order 42", level: "error" }),
    };
    // D1 refuses the event's row on every delivery the queue makes (max_retries = 5, so 6 attempts)...
    armFault({ target: "d1.write", matching: 'insert into "events"', times: Infinity });
    for (let attempt = 1; attempt <= 6; attempt++) {
      const result = await deliver("vigil-ingest", { id: "msg-1", body, attempts: attempt });
      expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-1"]);
    }
    // ...then the queue gives it to the dead-letter queue, whose consumer keeps it.
    expect((await deliver("vigil-ingest-dlq", { id: "msg-1", body, attempts: 6 })).explicitAcks).toEqual(["msg-1"]);
    clearFaults();

    const listed = await owner.client.get(`/projects/${projectId}/dead-letters`);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    const letter = listed.body.data[0];
    expect(letter).toMatchObject({ id: "msg-1", kind: "event", eventId, attempts: 6 });
    expect(letter.message.payload).toBe(body.payload);

    // Someone else's admin cannot replay it through their own project.
    const stranger = await withProject("dead-letters-stranger");
    const foreign = await stranger.client.post(`/projects/${stranger.project.id}/dead-letters/replay`, { keys: [letter.key] });
    expect(foreign.body).toEqual({ replayed: 0, skipped: 1 });
    expect((await stranger.client.get(`/projects/${projectId}/dead-letters`)).status).toBe(404);

    // Replayed after the cause is fixed: back on the real ingest queue, processed into one issue.
    const replayed = await owner.client.post(`/projects/${projectId}/dead-letters/replay`, {});
    expect(replayed.body).toEqual({ replayed: 1, skipped: 0 });
    const issue = await eventually(async () => {
      const issues = await owner.client.get(`/projects/${projectId}/issues`);
      return issues.body.data?.[0];
    });
    expect(issue.title).toContain("Payment <b>declined</b>");
    expect(issue.count).toBe(1);
    expect((await owner.client.get(`/projects/${projectId}/dead-letters`)).body.data).toEqual([]);

    // Replaying the same message again (say it was replayed twice) stores it once.
    await deliver("vigil-ingest", { id: "msg-1-again", body, attempts: 1 });
    expect((await owner.client.get(`/issues/${issue.id}`)).body.count).toBe(1);
  });
});
