import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { errorCode, eventually, sendEvent, signUp, withProject } from "../test/client";
import { RETRY_SCHEDULE_MS, type TriggerInput } from "./deduper";
import { deduperFor } from "./deduper-stub";
import { outgoingUrlProblem } from "./urls";

const receiver = inject("receiverUrl");
let n = 0;
const uniquePath = (kind: string) => `/${kind}/${Date.now().toString(36)}-${++n}`;

interface Received {
  headers: Record<string, string>;
  body: string;
  status: number;
  verified: boolean | null;
}

async function configure(path: string, behaviour: { statuses?: number[]; retryAfter?: number; secret?: string }) {
  await fetch(`${receiver}/_config`, { method: "POST", body: JSON.stringify({ path, statuses: [200], ...behaviour }) });
}
async function received(path: string): Promise<Received[]> {
  return (await fetch(`${receiver}/_log?path=${encodeURIComponent(path)}`)).json();
}

async function channel(user: Awaited<ReturnType<typeof signUp>>, type: "slack" | "webhook", behaviour: Parameters<typeof configure>[1] = {}) {
  const path = uniquePath(type);
  const res = await user.client.post(`/orgs/${user.orgSlug}/channels`, { type, name: `${type} ${n}`, url: `${receiver}${path}` });
  expect(res.status).toBe(201);
  await configure(path, { ...behaviour, ...(res.body.secret ? { secret: res.body.secret } : {}) });
  return { id: res.body.id as string, path, secret: res.body.secret as string | undefined };
}

function input(projectId: number, orgId: string, channelId: string, over: Partial<TriggerInput["content"]> = {}, key = "issue:1"): TriggerInput {
  return {
    orgId,
    projectId,
    key,
    targets: [{ ruleId: null, channelId }],
    content: { type: "issue.new", project: { id: projectId, name: "Shop", slug: "shop" }, organization: "Org", summary: "KeyError: 'IE'", url: "http://localhost:8787/x", data: {}, ...over },
  };
}

const orgIdOf = async (slug: string) => (await env.DB.prepare("select id from organizations where slug = ?").bind(slug).first<{ id: string }>())!.id;

describe("channels", () => {
  it("creates Slack, webhook and email channels; the webhook secret is shown once", async () => {
    const user = await signUp();
    const webhook = await user.client.post(`/orgs/${user.orgSlug}/channels`, { type: "webhook", name: "Ops", url: `${receiver}/hook/x?token=abc` });
    expect(webhook.status).toBe(201);
    expect(webhook.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const email = await user.client.post(`/orgs/${user.orgSlug}/channels`, { type: "email", name: "On call", email: "Oncall@Example.com" });
    expect(email.body).toMatchObject({ type: "email", target: "oncall@example.com" });
    const list = (await user.client.get(`/orgs/${user.orgSlug}/channels`)).body.data;
    expect(list).toHaveLength(2);
    expect(JSON.stringify(list)).not.toContain(webhook.body.secret);
    expect(JSON.stringify(list)).not.toContain("token=abc");
  });

  it("refuses bad URLs and missing targets with 400", async () => {
    const user = await signUp();
    for (const [body, message] of [
      [{ type: "slack", name: "x", url: "ftp://example.com/hook" }, /http/],
      [{ type: "webhook", name: "x", url: "https://user:pass@example.com/hook" }, /Credentials/],
      [{ type: "webhook", name: "x", url: "not a url" }, /valid URL/],
      [{ type: "webhook", name: "x" }, /needs a URL/],
      [{ type: "email", name: "x" }, /email address/],
    ] as const) {
      const res = await user.client.post(`/orgs/${user.orgSlug}/channels`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
  });

  it("refuses loopback, private and link-local hosts unless local development allows them", () => {
    for (const url of ["http://127.0.0.1:9000/x", "http://localhost/x", "http://10.1.2.3/x", "http://192.168.1.1/x", "http://169.254.169.254/latest", "http://[::1]/x", "http://172.20.0.1/x"]) {
      expect(outgoingUrlProblem(url, false), url).toMatch(/Private/);
      expect(outgoingUrlProblem(url, true), url).toBeUndefined();
    }
    expect(outgoingUrlProblem("https://hooks.slack.com/services/T/B/X", false)).toBeUndefined();
  });

  it("members cannot create channels", async () => {
    const owner = await signUp("owner");
    const invite = await owner.client.post(`/orgs/${owner.orgSlug}/invites`, { role: "member" });
    const member = await signUp("member");
    await member.client.post(`/invites/${invite.body.token}/accept`);
    const res = await member.client.post(`/orgs/${owner.orgSlug}/channels`, { type: "slack", name: "x", url: `${receiver}/s` });
    expect(res.status).toBe(403);
  });
});

describe("test alerts", () => {
  it("sends a Block Kit message to Slack, answers the result, and logs it", async () => {
    const owner = await withProject();
    const slack = await channel(owner, "slack");
    const res = await owner.client.post(`/channels/${slack.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, status: 200 });
    const [msg] = await received(slack.path);
    const body = JSON.parse(msg!.body);
    expect(body.text).toMatch(/^Test alert:/);
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(expect.arrayContaining(["header", "section", "actions"]));
    expect(body.blocks.at(-1).elements[0].url).toMatch(/^http/);
    const log = (await owner.client.get(`/projects/${owner.project.id}/alerts`)).body.data;
    expect(log[0]).toMatchObject({ type: "test", status: "sent", channel: { id: slack.id, type: "slack" }, attempts: [expect.objectContaining({ status: 200 })] });
  });

  it("signs webhooks per Standard Webhooks (verified by the reference library)", async () => {
    const owner = await withProject();
    const hook = await channel(owner, "webhook");
    expect((await owner.client.post(`/channels/${hook.id}/test`)).body.ok).toBe(true);
    const [msg] = await received(hook.path);
    expect(msg!.verified).toBe(true);
    expect(msg!.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.parse(msg!.body)).toMatchObject({ type: "test", summary: expect.stringContaining("Test alert"), url: expect.any(String), data: expect.any(Object) });
  });

  it("reports a failing receiver without retrying", async () => {
    const owner = await withProject();
    const hook = await channel(owner, "webhook", { statuses: [503] });
    const res = await owner.client.post(`/channels/${hook.id}/test`);
    expect(res.body).toMatchObject({ ok: false, status: 503, error: expect.stringContaining("503") });
    expect(await received(hook.path)).toHaveLength(1);
  });
});

describe("deduplication", () => {
  it("sends one alert for 100 concurrent triggers of the same key, then one follow-up with the count", async () => {
    const owner = await withProject();
    const slack = await channel(owner, "slack");
    const orgId = await orgIdOf(owner.orgSlug);
    const stub = deduperFor(env, `project:${owner.project.id}`, "issue:burst");
    const results = await Promise.all(Array.from({ length: 100 }, () => stub.trigger({ ...input(owner.project.id, orgId, slack.id, {}, "issue:burst"), cooldownMinutes: 0.01 })));
    expect(results.filter((r) => r.decision === "sent")).toHaveLength(1);
    expect(results.filter((r) => r.decision === "suppressed")).toHaveLength(99);
    await runDurableObjectAlarm(stub);
    expect(await received(slack.path)).toHaveLength(1);
    const [first] = (await owner.client.get(`/projects/${owner.project.id}/alerts`)).body.data;
    expect(first.suppressed).toBe(99);
    await new Promise((r) => setTimeout(r, 700));
    await runDurableObjectAlarm(stub); // cooldown over: the collapsed follow-up
    await runDurableObjectAlarm(stub); // and its delivery
    const messages = await received(slack.path);
    expect(messages).toHaveLength(2);
    expect(JSON.parse(messages[1]!.body).text).toMatch(/and 99 more in the last 1 min/);
  });

  it("never sends up without a prior down, and holds back flapping", async () => {
    const owner = await withProject();
    const hook = await channel(owner, "webhook");
    const orgId = await orgIdOf(owner.orgSlug);
    const stub = deduperFor(env, `project:${owner.project.id}`, "monitor:7");
    const send = (type: "monitor.down" | "monitor.up") => stub.trigger(input(owner.project.id, orgId, hook.id, { type, summary: "shop.example.com" }, "monitor:7"));
    expect((await send("monitor.up")).decision).toBe("ignored");
    expect((await send("monitor.down")).decision).toBe("sent");
    expect((await send("monitor.down")).decision).toBe("suppressed");
    expect((await send("monitor.up")).decision).toBe("sent");
    expect((await send("monitor.down")).decision).toBe("flapping");
    expect((await send("monitor.up")).decision).toBe("suppressed");
    expect((await send("monitor.down")).decision).toBe("suppressed");
    await runDurableObjectAlarm(stub);
    const bodies = (await received(hook.path)).map((m) => JSON.parse(m.body));
    expect(bodies.map((b) => b.type)).toEqual(["monitor.down", "monitor.up", "monitor.down"]);
    expect(bodies[2].summary).toMatch(/flapping/);
  });
});

describe("delivery retries", () => {
  /** Make the next pending retry due now and run the alarm; returns how long the deduper had planned to wait. */
  async function runNextRetry(stub: ReturnType<typeof deduperFor>): Promise<number> {
    const wait = await runInDurableObject(stub, async (_, state) => {
      const pending = [...(await state.storage.list<{ dueAt: number; deliveryId: string }>({ prefix: "pending:" })).entries()];
      const [key, p] = pending[0]!;
      const planned = p.dueAt - Date.now();
      await state.storage.put(key, { ...p, dueAt: Date.now() });
      await state.storage.setAlarm(Date.now());
      return planned;
    });
    await runDurableObjectAlarm(stub);
    return wait;
  }

  it("retries on the schedule until the receiver accepts, recording every attempt", async () => {
    const owner = await withProject();
    const hook = await channel(owner, "webhook", { statuses: [500, 502, 200] });
    const orgId = await orgIdOf(owner.orgSlug);
    const stub = deduperFor(env, `project:${owner.project.id}`, "issue:retry");
    await stub.trigger(input(owner.project.id, orgId, hook.id, {}, "issue:retry"));
    await runDurableObjectAlarm(stub);
    const first = await runNextRetry(stub);
    expect(first).toBeGreaterThan(RETRY_SCHEDULE_MS[0]! - 2000);
    expect(first).toBeLessThanOrEqual(RETRY_SCHEDULE_MS[0]!);
    const second = await runNextRetry(stub);
    expect(second).toBeGreaterThan(RETRY_SCHEDULE_MS[1]! - 2000);
    const [alert] = (await owner.client.get(`/projects/${owner.project.id}/alerts`)).body.data;
    expect(alert.status).toBe("sent");
    expect(alert.attempts.map((a: { status: number }) => a.status)).toEqual([500, 502, 200]);
    expect((await received(hook.path)).every((m) => m.verified)).toBe(true);
  });

  it("gives up at once on 410", async () => {
    const owner = await withProject();
    const hook = await channel(owner, "webhook", { statuses: [410] });
    const orgId = await orgIdOf(owner.orgSlug);
    const stub = deduperFor(env, `project:${owner.project.id}`, "issue:gone");
    await stub.trigger(input(owner.project.id, orgId, hook.id, {}, "issue:gone"));
    await runDurableObjectAlarm(stub);
    const [alert] = (await owner.client.get(`/projects/${owner.project.id}/alerts`)).body.data;
    expect(alert).toMatchObject({ status: "failed", attempts: [expect.objectContaining({ status: 410 })] });
    expect(await runInDurableObject(stub, async (_, state) => (await state.storage.list({ prefix: "pending:" })).size)).toBe(0);
  });

  it("honours Retry-After on 429", async () => {
    const owner = await withProject();
    const hook = await channel(owner, "webhook", { statuses: [429, 200], retryAfter: 7 });
    const orgId = await orgIdOf(owner.orgSlug);
    const stub = deduperFor(env, `project:${owner.project.id}`, "issue:429");
    await stub.trigger(input(owner.project.id, orgId, hook.id, {}, "issue:429"));
    await runDurableObjectAlarm(stub);
    const wait = await runNextRetry(stub);
    expect(wait).toBeGreaterThan(5000);
    expect(wait).toBeLessThanOrEqual(7000);
  });
});

describe("alerts from errors", () => {
  it("a new issue reaches the organization's first channel through the default rule, once", async () => {
    const owner = await withProject();
    const hook = await channel(owner, "webhook");
    const rules = (await owner.client.get(`/projects/${owner.project.id}/alert-rules`)).body.data;
    expect(rules).toEqual([expect.objectContaining({ channelIds: [hook.id], events: expect.arrayContaining(["issue.new", "issue.regressed", "monitor.down"]) })]);
    await sendEvent(owner.project, { message: "<b>Payment</b> failed", level: "error", environment: "production" });
    await sendEvent(owner.project, { message: "<b>Payment</b> failed", level: "error", environment: "production" });
    const [msg] = await eventually(async () => {
      const got = await received(hook.path);
      return got.length > 0 && got;
    });
    const body = JSON.parse(msg!.body);
    expect(body).toMatchObject({ type: "issue.new", summary: expect.stringContaining("<b>Payment</b> failed"), project: { id: owner.project.id } });
    expect(body.url).toMatch(new RegExp(`/projects/${owner.project.id}/issues/\\d+$`));
    expect(msg!.verified).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await received(hook.path)).toHaveLength(1);
  });

  it("a project created after the channel gets the default rule; rules filter by environment", async () => {
    const user = await signUp();
    const hook = await channel(user, "webhook");
    const project = (await user.client.post(`/orgs/${user.orgSlug}/projects`, { name: "Later" })).body;
    const rules = (await user.client.get(`/projects/${project.id}/alert-rules`)).body.data;
    expect(rules).toHaveLength(1);
    const patched = await user.client.patch(`/alert-rules/${rules[0].id}`, { environment: "production" });
    expect(patched.body.environment).toBe("production");
    await sendEvent(project, { message: "staging only", environment: "staging" });
    await sendEvent(project, { message: "in production", environment: "production" });
    const got = await eventually(async () => {
      const r = await received(hook.path);
      return r.length > 0 && r;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await received(hook.path)).map((m) => JSON.parse(m.body).summary)).toEqual([expect.stringContaining("in production")]);
    expect(got).toHaveLength(1);
  });

  it("issue.frequency fires when more than N events arrive within M minutes", async () => {
    const user = await withProject();
    const hook = await channel(user, "webhook");
    const res = await user.client.post(`/projects/${user.project.id}/alert-rules`, {
      name: "Busy", events: ["issue.frequency"], channelIds: [hook.id], frequencyCount: 3, frequencyMinutes: 5,
    });
    expect(res.status).toBe(201);
    for (let i = 0; i < 4; i++) await sendEvent(user.project, { message: "noisy", level: "error" });
    const got = await eventually(async () => {
      const r = (await received(hook.path)).map((m) => JSON.parse(m.body));
      return r.some((b) => b.type === "issue.frequency") && r;
    }, 15_000);
    expect(got.find((b) => b.type === "issue.frequency").summary).toMatch(/more than 3 events in 5 min/);
  });

  it("refuses rules with channels of another organization, or frequency without numbers", async () => {
    const a = await withProject("a");
    const b = await signUp("b");
    const foreign = await channel(b, "slack");
    const res = await a.client.post(`/projects/${a.project.id}/alert-rules`, { name: "x", events: ["issue.new"], channelIds: [foreign.id] });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("validation_failed");
    const own = await channel(a, "slack");
    const freq = await a.client.post(`/projects/${a.project.id}/alert-rules`, { name: "x", events: ["issue.frequency"], channelIds: [own.id] });
    expect(freq.status).toBe(400);
    expect(freq.body.error.message).toMatch(/frequencyCount/);
  });
});

describe("deleting a channel", () => {
  it("keeps the delivery history and takes the channel out of rules", async () => {
    const owner = await withProject();
    const first = await channel(owner, "slack");
    const second = await channel(owner, "webhook");
    const [rule] = (await owner.client.get(`/projects/${owner.project.id}/alert-rules`)).body.data;
    await owner.client.patch(`/alert-rules/${rule.id}`, { channelIds: [first.id, second.id] });
    expect((await owner.client.post(`/channels/${first.id}/test`, { projectId: owner.project.id })).body.ok).toBe(true);
    const [sent] = (await owner.client.get(`/projects/${owner.project.id}/alerts`)).body.data;
    expect(sent.url).toMatch(new RegExp(`/projects/${owner.project.id}/alerts$`));
    expect((await owner.client.delete(`/channels/${first.id}`)).status).toBe(204);
    const log = (await owner.client.get(`/projects/${owner.project.id}/alerts`)).body.data;
    expect(log).toHaveLength(1);
    expect(log[0].channel).toMatchObject({ id: null, name: sent.channel.name, type: "slack", deleted: true });
    expect((await owner.client.get(`/projects/${owner.project.id}/alert-rules`)).body.data[0].channelIds).toEqual([second.id]);
  });
});
