import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../index";
import { sha256Hex } from "../lib/encoding";
import { signUp, withProject } from "../test/client";

describe("cron trigger", () => {
  it("removes expired sessions and invites and keeps live ones", async () => {
    const expired = await signUp("expired");
    const live = await signUp("live");
    await env.DB.prepare("update sessions set expires_at = ? where id_hash = ?").bind(Date.now() - 1000, await sha256Hex(expired.client.cookie!)).run();
    const oldInvite = (await live.client.post(`/orgs/${live.orgSlug}/invites`, {})).body;
    const newInvite = (await live.client.post(`/orgs/${live.orgSlug}/invites`, {})).body;
    await env.DB.prepare("update invites set expires_at = ? where id = ?").bind(Date.now() - 1000, oldInvite.id).run();

    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    const sessions = await env.DB.prepare("select id_hash from sessions").all<{ id_hash: string }>();
    const hashes = sessions.results.map((r) => r.id_hash);
    expect(hashes).not.toContain(await sha256Hex(expired.client.cookie!));
    expect(hashes).toContain(await sha256Hex(live.client.cookie!));
    const invites = await env.DB.prepare("select id from invites").all<{ id: string }>();
    expect(invites.results.map((r) => r.id)).toEqual([newInvite.id]);
    expect((await live.client.get("/me")).status).toBe(200);
  });
});

describe("ingest queue consumer", () => {
  it("acknowledges messages of a kind no capability handles yet, instead of retrying them forever", async () => {
    const batch = createMessageBatch("vigil-ingest", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { kind: "future-kind", projectId: 1, receivedAt: Date.now() } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue!(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m1"]);
    expect(result.retryMessages).toEqual([]);
  });
});

describe("static dashboard and unknown API paths", () => {
  it("answers an unknown API path with the JSON error shape, not the dashboard", async () => {
    const res = await SELF.fetch("http://localhost:8787/api/v1/no-such-thing");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

describe("event processing through the queue", () => {
  const run = async (queue: string, messages: { id: string; body: unknown; attempts?: number }[]) => {
    const batch = createMessageBatch(
      queue,
      messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
    );
    const ctx = createExecutionContext();
    await worker.queue!(batch, env, ctx);
    return getQueueResult(batch, ctx);
  };

  it("acks good events and retries only the one that fails, so one bad event never blocks the batch", async () => {
    const { project } = await withProject();
    const base = { kind: "event", projectId: project.id, keyId: "k", receivedAt: Date.now(), clientIp: null };
    const result = await run("vigil-ingest", [
      { id: "good", body: { ...base, eventId: "1".repeat(32), payload: JSON.stringify({ message: "fine" }) } },
      { id: "bad", body: { ...base, eventId: "2".repeat(32), payload: "{not json" } },
      { id: "gone", body: { ...base, projectId: 999_999, eventId: "3".repeat(32), payload: "{}" } },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["gone", "good"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["bad"]);
    const stored = await env.DB.prepare("select event_id from events where project_id = ?").bind(project.id).all();
    expect(stored.results).toEqual([{ event_id: "1".repeat(32) }]);
  });

  it("keeps dead letters in R2 with their raw payload", async () => {
    const body = { kind: "event", projectId: 7, eventId: "4".repeat(32), payload: "{not json" };
    const result = await run("vigil-ingest-dlq", [{ id: "dead-1", body, attempts: 6 }]);
    expect(result.explicitAcks).toEqual(["dead-1"]);
    const listed = await env.BLOBS.list({ prefix: "dead-letters/7/" });
    const key = listed.objects.map((o) => o.key).find((k) => k.endsWith("-dead-1.json"));
    expect(key).toBeDefined();
    const kept = (await (await env.BLOBS.get(key!))!.json()) as { message: typeof body; attempts: number };
    expect(kept.message).toEqual(body);
    expect(kept.attempts).toBe(6);
  });
});

