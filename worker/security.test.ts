import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Client, errorCode, eventually, keyOf, sendEvent, withProject } from "./test/client";
import homeTransaction from "./test/fixtures/tx-home.envelope?raw";

/**
 * Tenant isolation: a signed-in user of another organization gets 404 for every id of ours (exactly as
 * for ids that do not exist) and changes nothing. Every route of the OpenAPI document must be listed here.
 */

interface World {
  victim: Awaited<ReturnType<typeof withProject>> & {
    keyId: string;
    inviteId: string;
    tokenId: string;
    issueId: number;
    eventId: string;
    channelId: string;
    ruleId: string;
    monitorId: number;
    cronId: number;
    traceId: string;
    lineId: string;
    savedSearchId: string;
  };
  attacker: Awaited<ReturnType<typeof withProject>> & { keyId: string };
}

type Case = { method: string; template: string; path: (w: World) => string; body?: unknown };

/** Routes that take an id of someone else's organization, project, key, member, invite or token. */
const foreign: Case[] = [
  { method: "DELETE", template: "/tokens/{id}", path: (w) => `/tokens/${w.victim.tokenId}` },
  { method: "GET", template: "/orgs/{orgSlug}", path: (w) => `/orgs/${w.victim.orgSlug}` },
  { method: "PATCH", template: "/orgs/{orgSlug}", path: (w) => `/orgs/${w.victim.orgSlug}`, body: { name: "pwned" } },
  { method: "DELETE", template: "/orgs/{orgSlug}", path: (w) => `/orgs/${w.victim.orgSlug}` },
  { method: "GET", template: "/orgs/{orgSlug}/members", path: (w) => `/orgs/${w.victim.orgSlug}/members` },
  { method: "PATCH", template: "/orgs/{orgSlug}/members/{userId}", path: (w) => `/orgs/${w.victim.orgSlug}/members/${w.victim.userId}`, body: { role: "member" } },
  { method: "DELETE", template: "/orgs/{orgSlug}/members/{userId}", path: (w) => `/orgs/${w.victim.orgSlug}/members/${w.victim.userId}` },
  { method: "GET", template: "/orgs/{orgSlug}/invites", path: (w) => `/orgs/${w.victim.orgSlug}/invites` },
  { method: "POST", template: "/orgs/{orgSlug}/invites", path: (w) => `/orgs/${w.victim.orgSlug}/invites`, body: { role: "owner" } },
  { method: "DELETE", template: "/orgs/{orgSlug}/invites/{inviteId}", path: (w) => `/orgs/${w.victim.orgSlug}/invites/${w.victim.inviteId}` },
  { method: "GET", template: "/orgs/{orgSlug}/projects", path: (w) => `/orgs/${w.victim.orgSlug}/projects` },
  { method: "POST", template: "/orgs/{orgSlug}/projects", path: (w) => `/orgs/${w.victim.orgSlug}/projects`, body: { name: "planted" } },
  { method: "GET", template: "/projects/{id}", path: (w) => `/projects/${w.victim.project.id}` },
  { method: "PATCH", template: "/projects/{id}", path: (w) => `/projects/${w.victim.project.id}`, body: { name: "pwned" } },
  { method: "DELETE", template: "/projects/{id}", path: (w) => `/projects/${w.victim.project.id}` },
  { method: "GET", template: "/projects/{id}/export", path: (w) => `/projects/${w.victim.project.id}/export` },
  { method: "GET", template: "/projects/{id}/keys", path: (w) => `/projects/${w.victim.project.id}/keys` },
  { method: "POST", template: "/projects/{id}/keys", path: (w) => `/projects/${w.victim.project.id}/keys`, body: { label: "mine" } },
  { method: "POST", template: "/projects/{id}/keys/{keyId}/rotate", path: (w) => `/projects/${w.victim.project.id}/keys/${w.victim.keyId}/rotate` },
  { method: "DELETE", template: "/projects/{id}/keys/{keyId}", path: (w) => `/projects/${w.victim.project.id}/keys/${w.victim.keyId}` },
  { method: "GET", template: "/projects/{id}/issues", path: (w) => `/projects/${w.victim.project.id}/issues` },
  { method: "PATCH", template: "/projects/{id}/issues", path: (w) => `/projects/${w.victim.project.id}/issues`, body: { ids: [1], status: "resolved" } },
  { method: "POST", template: "/projects/{id}/sample-event", path: (w) => `/projects/${w.victim.project.id}/sample-event` },
  { method: "GET", template: "/issues/{id}", path: (w) => `/issues/${w.victim.issueId}` },
  { method: "PATCH", template: "/issues/{id}", path: (w) => `/issues/${w.victim.issueId}`, body: { status: "resolved" } },
  { method: "GET", template: "/issues/{id}/events", path: (w) => `/issues/${w.victim.issueId}/events` },
  { method: "GET", template: "/projects/{id}/events/{eventId}", path: (w) => `/projects/${w.victim.project.id}/events/${w.victim.eventId}` },
  {
    method: "GET",
    template: "/projects/{id}/events/{eventId}/attachments/{name}",
    path: (w) => `/projects/${w.victim.project.id}/events/${w.victim.eventId}/attachments/1-app.log`,
  },
  { method: "GET", template: "/orgs/{orgSlug}/channels", path: (w) => `/orgs/${w.victim.orgSlug}/channels` },
  { method: "POST", template: "/orgs/{orgSlug}/channels", path: (w) => `/orgs/${w.victim.orgSlug}/channels`, body: { type: "email", name: "x", email: "x@example.com" } },
  { method: "DELETE", template: "/channels/{id}", path: (w) => `/channels/${w.victim.channelId}` },
  { method: "POST", template: "/channels/{id}/test", path: (w) => `/channels/${w.victim.channelId}/test` },
  { method: "GET", template: "/projects/{id}/alert-rules", path: (w) => `/projects/${w.victim.project.id}/alert-rules` },
  {
    method: "POST",
    template: "/projects/{id}/alert-rules",
    path: (w) => `/projects/${w.victim.project.id}/alert-rules`,
    body: { name: "x", events: ["issue.new"], channelIds: ["x"] },
  },
  { method: "PATCH", template: "/alert-rules/{id}", path: (w) => `/alert-rules/${w.victim.ruleId}`, body: { name: "pwned" } },
  { method: "DELETE", template: "/alert-rules/{id}", path: (w) => `/alert-rules/${w.victim.ruleId}` },
  { method: "GET", template: "/projects/{id}/alerts", path: (w) => `/projects/${w.victim.project.id}/alerts` },
  { method: "GET", template: "/projects/{id}/monitors", path: (w) => `/projects/${w.victim.project.id}/monitors` },
  { method: "POST", template: "/projects/{id}/monitors", path: (w) => `/projects/${w.victim.project.id}/monitors`, body: { name: "x", url: "https://example.com/" } },
  { method: "POST", template: "/projects/{id}/monitors/test", path: (w) => `/projects/${w.victim.project.id}/monitors/test`, body: { name: "x", url: "https://example.com/" } },
  { method: "GET", template: "/monitors/{id}", path: (w) => `/monitors/${w.victim.monitorId}` },
  { method: "PATCH", template: "/monitors/{id}", path: (w) => `/monitors/${w.victim.monitorId}`, body: { paused: true } },
  { method: "DELETE", template: "/monitors/{id}", path: (w) => `/monitors/${w.victim.monitorId}` },
  { method: "GET", template: "/monitors/{id}/checks", path: (w) => `/monitors/${w.victim.monitorId}/checks` },
  { method: "GET", template: "/monitors/{id}/response-times", path: (w) => `/monitors/${w.victim.monitorId}/response-times` },
  { method: "GET", template: "/monitors/{id}/incidents", path: (w) => `/monitors/${w.victim.monitorId}/incidents` },
  { method: "GET", template: "/projects/{id}/crons", path: (w) => `/projects/${w.victim.project.id}/crons` },
  { method: "POST", template: "/projects/{id}/crons", path: (w) => `/projects/${w.victim.project.id}/crons`, body: { slug: "planted", schedule: { type: "interval", value: 1, unit: "hour" } } },
  { method: "GET", template: "/crons/{id}", path: (w) => `/crons/${w.victim.cronId}` },
  { method: "PATCH", template: "/crons/{id}", path: (w) => `/crons/${w.victim.cronId}`, body: { paused: true } },
  { method: "DELETE", template: "/crons/{id}", path: (w) => `/crons/${w.victim.cronId}` },
  { method: "GET", template: "/crons/{id}/checkins", path: (w) => `/crons/${w.victim.cronId}/checkins` },
  { method: "GET", template: "/projects/{id}/performance", path: (w) => `/projects/${w.victim.project.id}/performance` },
  { method: "GET", template: "/projects/{id}/performance/route", path: (w) => `/projects/${w.victim.project.id}/performance/route?transaction=%2Fproducts%2F` },
  { method: "GET", template: "/projects/{id}/traces/{traceId}", path: (w) => `/projects/${w.victim.project.id}/traces/${w.victim.traceId}` },
  { method: "GET", template: "/projects/{id}/logs", path: (w) => `/projects/${w.victim.project.id}/logs?q=secret` },
  { method: "GET", template: "/projects/{id}/logs/histogram", path: (w) => `/projects/${w.victim.project.id}/logs/histogram` },
  { method: "GET", template: "/projects/{id}/logs/tail", path: (w) => `/projects/${w.victim.project.id}/logs/tail` },
  { method: "GET", template: "/projects/{id}/logs/{lineId}", path: (w) => `/projects/${w.victim.project.id}/logs/${w.victim.lineId}` },
  { method: "GET", template: "/projects/{id}/logs/{lineId}/context", path: (w) => `/projects/${w.victim.project.id}/logs/${w.victim.lineId}/context` },
  { method: "GET", template: "/projects/{id}/timeline", path: (w) => `/projects/${w.victim.project.id}/timeline` },
  { method: "GET", template: "/projects/{id}/releases", path: (w) => `/projects/${w.victim.project.id}/releases` },
  { method: "GET", template: "/projects/{id}/releases/{version}", path: (w) => `/projects/${w.victim.project.id}/releases/victim%401.0` },
  { method: "GET", template: "/projects/{id}/dead-letters", path: (w) => `/projects/${w.victim.project.id}/dead-letters` },
  { method: "POST", template: "/projects/{id}/dead-letters/replay", path: (w) => `/projects/${w.victim.project.id}/dead-letters/replay`, body: {} },
  { method: "GET", template: "/projects/{id}/saved-searches", path: (w) => `/projects/${w.victim.project.id}/saved-searches` },
  { method: "POST", template: "/projects/{id}/saved-searches", path: (w) => `/projects/${w.victim.project.id}/saved-searches`, body: { name: "planted", query: "x" } },
  { method: "DELETE", template: "/projects/{id}/saved-searches/{searchId}", path: (w) => `/projects/${w.victim.project.id}/saved-searches/${w.victim.savedSearchId}` },
];

/** Mixed ids: the attacker's own project or organization with the victim's key or member id. */
const mixed: Case[] = [
  { method: "POST", template: "/projects/{id}/keys/{keyId}/rotate", path: (w) => `/projects/${w.attacker.project.id}/keys/${w.victim.keyId}/rotate` },
  { method: "DELETE", template: "/projects/{id}/keys/{keyId}", path: (w) => `/projects/${w.attacker.project.id}/keys/${w.victim.keyId}` },
  { method: "PATCH", template: "/orgs/{orgSlug}/members/{userId}", path: (w) => `/orgs/${w.attacker.orgSlug}/members/${w.victim.userId}`, body: { role: "admin" } },
  { method: "DELETE", template: "/orgs/{orgSlug}/members/{userId}", path: (w) => `/orgs/${w.attacker.orgSlug}/members/${w.victim.userId}` },
  { method: "DELETE", template: "/orgs/{orgSlug}/invites/{inviteId}", path: (w) => `/orgs/${w.attacker.orgSlug}/invites/${w.victim.inviteId}` },
  { method: "GET", template: "/projects/{id}/events/{eventId}", path: (w) => `/projects/${w.attacker.project.id}/events/${w.victim.eventId}` },
  { method: "GET", template: "/projects/{id}/logs/{lineId}", path: (w) => `/projects/${w.attacker.project.id}/logs/${w.victim.lineId}` },
  { method: "DELETE", template: "/projects/{id}/saved-searches/{searchId}", path: (w) => `/projects/${w.attacker.project.id}/saved-searches/${w.victim.savedSearchId}` },
  {
    method: "GET",
    template: "/projects/{id}/events/{eventId}/attachments/{name}",
    path: (w) => `/projects/${w.attacker.project.id}/events/${w.victim.eventId}/attachments/1-app.log`,
  },
];

/** Routes with no foreign id: they only ever show the caller's own data, or need no sign-in by design. */
const ownOnly: Record<string, string> = {
  "POST /auth/signup": "public",
  "POST /auth/login": "public",
  "POST /auth/logout": "ends only the caller's session",
  "GET /me": "the caller",
  "GET /tokens": "the caller's tokens",
  "POST /tokens": "the caller's tokens",
  "GET /orgs": "the caller's organizations",
  "POST /orgs": "creates a new organization",
  "GET /invites/{token}": "possession of the secret token is the permission",
  "POST /invites/{token}/accept": "possession of the secret token is the permission",
  "GET /openapi.json": "public document",
};

let world: World;

async function snapshot(): Promise<string> {
  const tables = ["users", "organizations", "memberships", "invites", "projects", "project_keys", "api_tokens", "issues", "events", "issue_tags", "channels", "alert_rules", "alerts", "monitors", "monitor_checks", "monitor_incidents", "cron_monitors", "cron_checkins", "perf_rollups", "perf_transactions", "saved_searches", "releases"];
  const rows = await Promise.all(tables.map((t) => env.DB.prepare(`select * from ${t} order by rowid`).all()));
  return JSON.stringify(rows.map((r) => r.results));
}

beforeAll(async () => {
  const victim = await withProject("victim");
  const attacker = await withProject("attacker");
  const victimKey = (await victim.client.get(`/projects/${victim.project.id}/keys`)).body.data[0].id;
  const attackerKey = (await attacker.client.get(`/projects/${attacker.project.id}/keys`)).body.data[0].id;
  const invite = await victim.client.post(`/orgs/${victim.orgSlug}/invites`, { role: "member" });
  const token = await victim.client.post("/tokens", { name: "victim's script" });
  const sent = await sendEvent(victim.project, { message: "victim's secret error", level: "error", release: "victim@1.0" });
  const issueId = await eventually(async () => (await victim.client.get(`/projects/${victim.project.id}/issues`)).body.data[0]?.id as number | undefined);
  const channel = await victim.client.post(`/orgs/${victim.orgSlug}/channels`, { type: "email", name: "On call", email: "oncall@example.com" });
  const ruleId = (await victim.client.get(`/projects/${victim.project.id}/alert-rules`)).body.data[0].id as string;
  const monitor = await victim.client.post(`/projects/${victim.project.id}/monitors`, { name: "Victim's admin panel", url: "https://admin.victim.example/" });
  const cron = await victim.client.post(`/projects/${victim.project.id}/crons`, { slug: "victim-backup", schedule: { type: "crontab", value: "0 3 * * *" } });
  await SELF.fetch(`http://localhost:8787/api/${victim.project.id}/envelope/`, {
    method: "POST",
    headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(victim.project.dsn)}, sentry_version=7` },
    body: homeTransaction,
  });
  const traceId = JSON.parse(homeTransaction.split("\n")[2]!).contexts.trace.trace_id as string;
  await eventually(async () => (await victim.client.get(`/projects/${victim.project.id}/traces/${traceId}`)).status === 200);
  await SELF.fetch(`http://localhost:8787/api/${victim.project.id}/logs/`, {
    method: "POST",
    headers: { authorization: `Bearer ${keyOf(victim.project.dsn)}`, "content-type": "application/json" },
    body: JSON.stringify({ message: "victim's secret log line", level: "error" }),
  });
  const lineId = (await victim.client.get(`/projects/${victim.project.id}/logs`)).body.data[0].id as string;
  const saved = await victim.client.post(`/projects/${victim.project.id}/saved-searches`, { name: "Victim's errors", query: "level:error" });
  world = {
    victim: { ...victim, lineId, savedSearchId: saved.body.id, keyId: victimKey, inviteId: invite.body.id, tokenId: token.body.id, issueId, eventId: sent.body.id, channelId: channel.body.id, ruleId, monitorId: monitor.body.id, cronId: cron.body.id, traceId },
    attacker: { ...attacker, keyId: attackerKey },
  };
});

describe("tenant isolation", () => {
  it("every route of the API is covered by this file", async () => {
    const doc = (await (await SELF.fetch("http://localhost:8787/api/v1/openapi.json")).json()) as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    documented.push("GET /openapi.json");
    const covered = new Set([...foreign.map((c) => `${c.method} ${c.template}`), ...Object.keys(ownOnly)]);
    expect(documented.filter((r) => !covered.has(r))).toEqual([]);
  });

  it.each(foreign.map((c) => [`${c.method} ${c.template}`, c] as const))("%s with another organization's id is 404 and changes nothing", async (_, c) => {
    const before = await snapshot();
    const res = await world.attacker.client.request(c.method, c.path(world), c.body);
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe("not_found");
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(world.victim.email);
    expect(text).not.toContain(world.victim.project.dsn);
    expect(await snapshot()).toBe(before);
  });

  it.each(mixed.map((c) => [`${c.method} ${c.path.toString()}`, c] as const))("mixing ids across organizations is 404: %s", async (_, c) => {
    const before = await snapshot();
    const res = await world.attacker.client.request(c.method, c.path(world), c.body);
    expect(res.status).toBe(404);
    expect(await snapshot()).toBe(before);
  });

  it.each(foreign.map((c) => [`${c.method} ${c.template}`, c] as const))("%s without signing in is 401", async (_, c) => {
    const res = await new Client().request(c.method, c.path(world), c.body);
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe("unauthenticated");
  });

  it("bulk updates ignore another project's issue ids", async () => {
    const before = await snapshot();
    const res = await world.attacker.client.patch(`/projects/${world.attacker.project.id}/issues`, { ids: [world.victim.issueId], status: "ignored" });
    expect(res.status).toBe(200);
    expect(res.body.updated).toBe(0);
    expect(await snapshot()).toBe(before);
  });

  it("a rule cannot name another organization's channel", async () => {
    const res = await world.attacker.client.post(`/projects/${world.attacker.project.id}/alert-rules`, {
      name: "steal", events: ["issue.new"], channelIds: [world.victim.channelId],
    });
    expect(res.status).toBe(400);
  });

  it("a DSN key of one project cannot send to another", async () => {
    const res = await sendEvent({ id: world.victim.project.id, dsn: world.attacker.project.dsn }, { message: "planted" });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/another project/);
  });

  it("an API token acts only for its owner", async () => {
    const { token } = (await world.attacker.client.post("/tokens", { name: "attacker" })).body;
    const script = new Client();
    script.bearer = token;
    expect((await script.get(`/projects/${world.victim.project.id}`)).status).toBe(404);
    expect((await script.get(`/orgs/${world.victim.orgSlug}/projects`)).status).toBe(404);
    const own = await script.get(`/projects/${world.attacker.project.id}`);
    expect(own.status).toBe(200);
  });

  it("lists show only the caller's organizations and projects", async () => {
    const orgs = (await world.attacker.client.get("/orgs")).body.data as { slug: string }[];
    expect(orgs.map((o) => o.slug)).toEqual([world.attacker.orgSlug]);
    const tokens = (await world.attacker.client.get("/tokens")).body.data as { id: string }[];
    expect(tokens.map((t) => t.id)).not.toContain(world.victim.tokenId);
  });
});
