import { SELF } from "cloudflare:test";
import { inject } from "vitest";
import { eventually, keyOf, ORIGIN, PASSWORD, signUp, withProject } from "../test/client";
import homeTransaction from "../test/fixtures/tx-home.envelope?raw";
import { newTarget } from "../test/targets-client";

/**
 * One organization with an owner, an admin and a member (joined through real invite links), a project with
 * one of every resource the API has an id for, and a signed-in outsider with an organization of their own.
 * Shared by the authorization matrix and the secrets walk.
 */

export type Role = "member" | "admin" | "owner";
export const ACTORS = ["anonymous", "outsider", "member", "admin", "owner"] as const;
export type ActorName = (typeof ACTORS)[number];

export interface Actor {
  name: ActorName;
  email?: string;
  userId?: string;
  /** The session cookie value; undefined for the anonymous caller. */
  cookie?: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/**
 * One request as a browser on the dashboard would send it (cookie, same-origin Origin on writes, JSON body).
 * Unlike test/client.ts's Client it never adopts a Set-Cookie, so a row that signs in or out cannot change
 * who the next row runs as; a WebSocket upgrade is accepted and closed at once.
 */
export async function call(actor: { cookie?: string; bearer?: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const h = new Headers(headers);
  if (body !== undefined && !h.has("content-type")) h.set("content-type", "application/json");
  if (method !== "GET" && method !== "HEAD" && !h.has("origin")) h.set("origin", ORIGIN);
  if (actor.cookie) h.set("cookie", `vigil_session=${actor.cookie}`);
  if (actor.bearer) h.set("authorization", `Bearer ${actor.bearer}`);
  const res = await SELF.fetch(`${ORIGIN}/api/v1${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "authorization test");
    return { status: res.status, headers: res.headers, text: "", body: null };
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (an attachment, say): keep the text
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Fail loudly when a fixture step does not answer what it should. */
export function must<T extends Reply>(reply: T, status: number, what: string): T {
  if (reply.status !== status) throw new Error(`${what}: expected ${status}, got ${reply.status} ${reply.text.slice(0, 300)}`);
  return reply;
}

/** Sign up a user and join them to `orgSlug` with `role` through an invite link created by `inviter`. */
export async function join(inviter: { cookie?: string }, orgSlug: string, role: Role, name: string = role): Promise<Actor & { cookie: string; userId: string; email: string }> {
  const user = await signUp(name);
  const invite = must(await call(inviter, "POST", `/orgs/${orgSlug}/invites`, { role }), 201, `invite a ${role}`);
  must(await call({ cookie: user.client.cookie }, "POST", `/invites/${invite.body.token}/accept`), 200, `accept a ${role} invite`);
  return { name: role === "owner" ? "owner" : role, email: user.email, userId: user.userId, cookie: user.client.cookie! };
}

export interface World {
  actors: Record<ActorName, Actor>;
  orgSlug: string;
  project: { id: number; dsn: string; slug: string };
  outsiderProjectId: number;
  ids: {
    issueId: number;
    eventId: string;
    attachment: string;
    traceId: string;
    lineId: string;
    release: string;
    monitorId: number;
    cronId: number;
    channelId: string;
    ruleId: string;
    keyId: string;
    inviteId: string;
    inviteToken: string;
    savedSearchId: string;
    /** A member the admin-only member routes act on (never one of the actors). */
    targetUserId: string;
  };
  /** A local HTTP target monitors can point at (no internet in tests). */
  targetUrl: string;
  receiverUrl: string;
  /** An organization none of the actors belongs to, whose invite links anyone may accept without changing their roles here. */
  lobby: { cookie?: string; orgSlug: string };
  /** The webhook channel's signing secret, from the answer that created it. */
  webhookSecret: string;
}

async function post(project: { id: number; dsn: string }, path: string, body: string, contentType?: string) {
  const res = await SELF.fetch(`${ORIGIN}/api/${project.id}${path}`, {
    method: "POST",
    headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7`, ...(contentType ? { "content-type": contentType } : {}) },
    body,
  });
  if (!res.ok) throw new Error(`ingest ${path}: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

export async function buildWorld(): Promise<World> {
  const owner = await withProject("owner");
  const ownerActor: Actor = { name: "owner", email: owner.email, userId: owner.userId, cookie: owner.client.cookie };
  const admin = await join(ownerActor, owner.orgSlug, "admin");
  const member = await join(ownerActor, owner.orgSlug, "member");
  const target = await join(ownerActor, owner.orgSlug, "member", "target");
  const outsider = await withProject("outsider");
  const project = owner.project;
  const as = (path: string, method = "GET", body?: unknown) => call(ownerActor, method, path, body);

  // An error event with a release and an attachment, a transaction and a log line, through the real ingest doors.
  const eventId = crypto.randomUUID().replaceAll("-", "");
  const release = "shop@1.0";
  const log = "attached log line\n";
  await post(
    project,
    "/envelope/",
    [
      JSON.stringify({ event_id: eventId }),
      JSON.stringify({ type: "event" }),
      JSON.stringify({ message: "authorization fixture", level: "error", release }),
      JSON.stringify({ type: "attachment", length: new TextEncoder().encode(log).length, filename: "app.log", content_type: "text/plain" }),
      log,
    ].join("\n"),
  );
  await post(project, "/envelope/", homeTransaction);
  await post(project, "/logs/", JSON.stringify({ message: "authorization fixture line", level: "error" }), "application/json");
  const traceId = JSON.parse(homeTransaction.split("\n")[2]!).contexts.trace.trace_id as string;
  const issueId = await eventually(async () => (await as(`/projects/${project.id}/issues`)).body.data?.[0]?.id as number | undefined);
  await eventually(async () => (await as(`/projects/${project.id}/events/${eventId}`)).status === 200);
  await eventually(async () => (await as(`/projects/${project.id}/traces/${traceId}`)).status === 200);
  const lineId = await eventually(async () => (await as(`/projects/${project.id}/logs`)).body.data?.[0]?.id as string | undefined);

  const targetSite = await newTarget({ body: "ok" });
  const receiverUrl = inject("receiverUrl");
  const channel = must(await as(`/orgs/${owner.orgSlug}/channels`, "POST", { type: "webhook", name: "Authz hook", url: `${receiverUrl}/authz` }), 201, "channel");
  const rule = must(await as(`/projects/${project.id}/alert-rules`, "POST", { name: "Authz rule", events: ["issue.new"], channelIds: [channel.body.id] }), 201, "rule");
  const monitor = must(await as(`/projects/${project.id}/monitors`, "POST", { name: "Authz site", url: targetSite.url }), 201, "monitor");
  const cron = must(await as(`/projects/${project.id}/crons`, "POST", { slug: "authz-backup", schedule: { type: "crontab", value: "0 3 * * *" } }), 201, "cron");
  const key = must(await as(`/projects/${project.id}/keys`, "POST", { label: "Authz key" }), 201, "key");
  const invite = must(await as(`/orgs/${owner.orgSlug}/invites`, "POST", { role: "member" }), 201, "invite");
  const lobby = await signUp("lobby");
  const saved = must(await as(`/projects/${project.id}/saved-searches`, "POST", { name: "Authz errors", query: "level:error" }), 201, "saved search");

  return {
    actors: {
      anonymous: { name: "anonymous" },
      outsider: { name: "outsider", email: outsider.email, userId: outsider.userId, cookie: outsider.client.cookie },
      member: { ...member, name: "member" },
      admin: { ...admin, name: "admin" },
      owner: ownerActor,
    },
    orgSlug: owner.orgSlug,
    project,
    outsiderProjectId: outsider.project.id,
    ids: {
      issueId,
      eventId,
      attachment: "1-app.log",
      traceId,
      lineId,
      release,
      monitorId: monitor.body.id,
      cronId: cron.body.id,
      channelId: channel.body.id,
      ruleId: rule.body.id,
      keyId: key.body.id,
      inviteId: invite.body.id,
      inviteToken: invite.body.token,
      savedSearchId: saved.body.id,
      targetUserId: target.userId,
    },
    targetUrl: targetSite.url,
    receiverUrl,
    lobby: { cookie: lobby.client.cookie, orgSlug: lobby.orgSlug },
    webhookSecret: channel.body.secret,
  };
}

export { PASSWORD };
