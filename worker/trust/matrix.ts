import { SELF } from "cloudflare:test";
import { ORIGIN, PASSWORD, uniqueEmail } from "../test/client";
import { type Actor, type ActorName, call, join, must, type Role, type World } from "./world";

/**
 * The authorization table: one row per route of the management API, with the least role it needs and how to
 * call it for real. Used by authz.test.ts (every actor against every row) and secrets.test.ts (every GET answer).
 */

/** "public": no sign-in needed. "self": any signed-in user, acting on their own things. */
export type Need = "public" | "self" | Role;

/** Throwaway resources for one actor's call (ids, or a session to end). */
export type Fresh = { [name: string]: string | number | undefined; cookie?: string };

export interface Row {
  /** `METHOD /path` exactly as in the OpenAPI document. */
  route: string;
  need: Need;
  path: (w: World, f: Fresh) => string;
  body?: (w: World, f: Fresh, actor: Actor) => unknown;
  headers?: Record<string, string>;
  /** A destructive route runs on a resource made for this one call, so later rows still find theirs. */
  fresh?: (w: World, actor: Actor) => Promise<Fresh>;
  /** The answer of an allowed caller when it is not a 2xx (e.g. the route's own 4xx for a minimal body). */
  ok?: number;
}

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };
let n = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${++n}`;

const owner = (w: World) => w.actors.owner;
const P = (w: World) => `/projects/${w.project.id}`;
const O = (w: World) => `/orgs/${w.orgSlug}`;

/** A fresh organization where the world's member, admin and owner hold those roles (for deleting an org). */
async function freshOrg(w: World): Promise<Fresh> {
  const org = must(await call(owner(w), "POST", "/orgs", { name: unique("Throwaway org") }), 201, "fresh org");
  for (const role of ["member", "admin"] as const) {
    const invite = must(await call(owner(w), "POST", `/orgs/${org.body.slug}/invites`, { role }), 201, "fresh org invite");
    must(await call(w.actors[role], "POST", `/invites/${invite.body.token}/accept`), 200, "fresh org accept");
  }
  return { orgSlug: org.body.slug };
}

const created = (what: string, path: (w: World) => string, body: (w: World) => unknown, pick = "id") => async (w: World): Promise<Fresh> => {
  const res = must(await call(owner(w), "POST", path(w), body(w)), 201, `fresh ${what}`);
  return { id: res.body[pick] };
};

/** Another session of the actor's user, so the call can end it while the actor's own cookie lives on. */
async function secondSession(_w: World, a: Actor): Promise<Fresh> {
  if (!a.email) return {};
  const res = await SELF.fetch(`${ORIGIN}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json", origin: ORIGIN }, body: JSON.stringify({ email: a.email, password: PASSWORD }) });
  return { cookie: /vigil_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1]! };
}

export const rows: Row[] = [
  // Accounts and tokens
  // Signing in, up or out ends the session it was sent with: these rows use a second session of the actor.
  { route: "POST /auth/signup", need: "public", path: () => "/auth/signup", body: () => ({ email: uniqueEmail("signup"), password: PASSWORD }), fresh: secondSession },
  { route: "POST /auth/login", need: "public", path: () => "/auth/login", body: (w, _f, a) => ({ email: a.email ?? w.actors.owner.email, password: PASSWORD }), fresh: secondSession },
  { route: "POST /auth/logout", need: "public", path: () => "/auth/logout", fresh: secondSession },
  { route: "GET /openapi.json", need: "public", path: () => "/openapi.json" },
  { route: "GET /me", need: "self", path: () => "/me" },
  { route: "GET /tokens", need: "self", path: () => "/tokens" },
  { route: "POST /tokens", need: "self", path: () => "/tokens", body: () => ({ name: "matrix" }) },
  {
    route: "DELETE /tokens/{id}",
    need: "self",
    path: (_w, f) => `/tokens/${f.id}`,
    fresh: async (w, a) => ({ id: must(await call(a.cookie ? a : owner(w), "POST", "/tokens", { name: "throwaway" }), 201, "fresh token").body.id }),
  },
  // Organizations, members, invites
  { route: "GET /orgs", need: "self", path: () => "/orgs" },
  { route: "POST /orgs", need: "self", path: () => "/orgs", body: () => ({ name: unique("Matrix org") }) },
  { route: "GET /orgs/{orgSlug}", need: "member", path: O },
  { route: "PATCH /orgs/{orgSlug}", need: "admin", path: O, body: () => ({ name: "Matrix organization" }) },
  { route: "DELETE /orgs/{orgSlug}", need: "owner", path: (_w, f) => `/orgs/${f.orgSlug}`, fresh: freshOrg },
  { route: "GET /orgs/{orgSlug}/members", need: "member", path: (w) => `${O(w)}/members` },
  { route: "PATCH /orgs/{orgSlug}/members/{userId}", need: "admin", path: (w) => `${O(w)}/members/${w.ids.targetUserId}`, body: () => ({ role: "member" }) },
  {
    route: "DELETE /orgs/{orgSlug}/members/{userId}",
    need: "admin",
    path: (w, f) => `${O(w)}/members/${f.id}`,
    fresh: async (w) => ({ id: (await join(owner(w), w.orgSlug, "member", "leaver")).userId }),
  },
  { route: "GET /orgs/{orgSlug}/invites", need: "admin", path: (w) => `${O(w)}/invites` },
  { route: "POST /orgs/{orgSlug}/invites", need: "admin", path: (w) => `${O(w)}/invites`, body: () => ({ role: "member" }) },
  {
    route: "DELETE /orgs/{orgSlug}/invites/{inviteId}",
    need: "admin",
    path: (w, f) => `${O(w)}/invites/${f.id}`,
    fresh: created("invite", (w) => `${O(w)}/invites`, () => ({ role: "member" })),
  },
  { route: "GET /invites/{token}", need: "public", path: (w) => `/invites/${w.ids.inviteToken}` },
  {
    route: "POST /invites/{token}/accept",
    need: "self",
    path: (_w, f) => `/invites/${f.token}/accept`,
    fresh: async (w) => ({ token: must(await call(w.lobby, "POST", `/orgs/${w.lobby.orgSlug}/invites`, { role: "member" }), 201, "lobby invite").body.token }),
  },
  // Projects and DSN keys
  { route: "GET /orgs/{orgSlug}/projects", need: "member", path: (w) => `${O(w)}/projects` },
  { route: "POST /orgs/{orgSlug}/projects", need: "admin", path: (w) => `${O(w)}/projects`, body: () => ({ name: unique("Matrix") }) },
  { route: "GET /projects/{id}", need: "member", path: P },
  { route: "PATCH /projects/{id}", need: "admin", path: P, body: () => ({ name: "Shop" }) },
  {
    route: "DELETE /projects/{id}",
    need: "admin",
    path: (_w, f) => `/projects/${f.id}`,
    fresh: created("project", (w) => `${O(w)}/projects`, () => ({ name: unique("Doomed") })),
  },
  { route: "GET /projects/{id}/export", need: "admin", path: (w) => `${P(w)}/export` },
  { route: "GET /projects/{id}/dead-letters", need: "admin", path: (w) => `${P(w)}/dead-letters` },
  { route: "POST /projects/{id}/dead-letters/replay", need: "admin", path: (w) => `${P(w)}/dead-letters/replay`, body: () => ({}) },
  { route: "GET /projects/{id}/keys", need: "member", path: (w) => `${P(w)}/keys` },
  { route: "POST /projects/{id}/keys", need: "admin", path: (w) => `${P(w)}/keys`, body: () => ({ label: "matrix" }) },
  {
    route: "POST /projects/{id}/keys/{keyId}/rotate",
    need: "admin",
    path: (w, f) => `${P(w)}/keys/${f.id}/rotate`,
    fresh: created("key", (w) => `${P(w)}/keys`, () => ({ label: "to rotate" })),
  },
  {
    route: "DELETE /projects/{id}/keys/{keyId}",
    need: "admin",
    path: (w, f) => `${P(w)}/keys/${f.id}`,
    fresh: created("key", (w) => `${P(w)}/keys`, () => ({ label: "to revoke" })),
  },
  // Errors
  { route: "GET /projects/{id}/issues", need: "member", path: (w) => `${P(w)}/issues` },
  { route: "PATCH /projects/{id}/issues", need: "member", path: (w) => `${P(w)}/issues`, body: (w) => ({ ids: [w.ids.issueId], status: "unresolved" }) },
  { route: "POST /projects/{id}/sample-event", need: "member", path: (w) => `${P(w)}/sample-event` },
  { route: "GET /issues/{id}", need: "member", path: (w) => `/issues/${w.ids.issueId}` },
  { route: "PATCH /issues/{id}", need: "member", path: (w) => `/issues/${w.ids.issueId}`, body: () => ({ status: "unresolved" }) },
  { route: "GET /issues/{id}/events", need: "member", path: (w) => `/issues/${w.ids.issueId}/events` },
  { route: "GET /projects/{id}/events/{eventId}", need: "member", path: (w) => `${P(w)}/events/${w.ids.eventId}` },
  { route: "GET /projects/{id}/events/{eventId}/attachments/{name}", need: "member", path: (w) => `${P(w)}/events/${w.ids.eventId}/attachments/${w.ids.attachment}` },
  // Alerts
  { route: "GET /orgs/{orgSlug}/channels", need: "member", path: (w) => `${O(w)}/channels` },
  { route: "POST /orgs/{orgSlug}/channels", need: "admin", path: (w) => `${O(w)}/channels`, body: () => ({ type: "email", name: "Matrix", email: "matrix@example.com" }) },
  {
    route: "DELETE /channels/{id}",
    need: "admin",
    path: (_w, f) => `/channels/${f.id}`,
    fresh: created("channel", (w) => `${O(w)}/channels`, () => ({ type: "email", name: "Doomed", email: "doomed@example.com" })),
  },
  { route: "POST /channels/{id}/test", need: "member", path: (w) => `/channels/${w.ids.channelId}/test` },
  { route: "GET /projects/{id}/alert-rules", need: "member", path: (w) => `${P(w)}/alert-rules` },
  { route: "POST /projects/{id}/alert-rules", need: "admin", path: (w) => `${P(w)}/alert-rules`, body: (w) => ({ name: "Matrix", events: ["issue.new"], channelIds: [w.ids.channelId] }) },
  { route: "PATCH /alert-rules/{id}", need: "admin", path: (w) => `/alert-rules/${w.ids.ruleId}`, body: () => ({ name: "Authz rule" }) },
  {
    route: "DELETE /alert-rules/{id}",
    need: "admin",
    path: (_w, f) => `/alert-rules/${f.id}`,
    fresh: created("rule", (w) => `${P(w)}/alert-rules`, (w) => ({ name: "Doomed", events: ["issue.new"], channelIds: [w.ids.channelId] })),
  },
  { route: "GET /projects/{id}/alerts", need: "member", path: (w) => `${P(w)}/alerts` },
  // Uptime
  { route: "GET /projects/{id}/monitors", need: "member", path: (w) => `${P(w)}/monitors` },
  { route: "POST /projects/{id}/monitors", need: "member", path: (w) => `${P(w)}/monitors`, body: (w) => ({ name: "Matrix", url: w.targetUrl }) },
  { route: "POST /projects/{id}/monitors/test", need: "member", path: (w) => `${P(w)}/monitors/test`, body: (w) => ({ name: "Matrix", url: w.targetUrl }) },
  { route: "GET /monitors/{id}", need: "member", path: (w) => `/monitors/${w.ids.monitorId}` },
  { route: "PATCH /monitors/{id}", need: "member", path: (w) => `/monitors/${w.ids.monitorId}`, body: () => ({ name: "Authz site" }) },
  {
    route: "DELETE /monitors/{id}",
    need: "member",
    path: (_w, f) => `/monitors/${f.id}`,
    fresh: created("monitor", (w) => `${P(w)}/monitors`, (w) => ({ name: "Doomed", url: w.targetUrl })),
  },
  { route: "GET /monitors/{id}/checks", need: "member", path: (w) => `/monitors/${w.ids.monitorId}/checks` },
  { route: "GET /monitors/{id}/response-times", need: "member", path: (w) => `/monitors/${w.ids.monitorId}/response-times` },
  { route: "GET /monitors/{id}/incidents", need: "member", path: (w) => `/monitors/${w.ids.monitorId}/incidents` },
  // Crons
  { route: "GET /projects/{id}/crons", need: "member", path: (w) => `${P(w)}/crons` },
  { route: "POST /projects/{id}/crons", need: "member", path: (w) => `${P(w)}/crons`, body: () => ({ slug: unique("matrix"), schedule: { type: "interval", value: 1, unit: "hour" } }) },
  { route: "GET /crons/{id}", need: "member", path: (w) => `/crons/${w.ids.cronId}` },
  { route: "PATCH /crons/{id}", need: "member", path: (w) => `/crons/${w.ids.cronId}`, body: () => ({ name: "Nightly backup" }) },
  {
    route: "DELETE /crons/{id}",
    need: "member",
    path: (_w, f) => `/crons/${f.id}`,
    fresh: created("cron", (w) => `${P(w)}/crons`, () => ({ slug: unique("doomed"), schedule: { type: "interval", value: 1, unit: "hour" } })),
  },
  { route: "GET /crons/{id}/checkins", need: "member", path: (w) => `/crons/${w.ids.cronId}/checkins` },
  // Performance, logs, timeline, releases
  { route: "GET /projects/{id}/performance", need: "member", path: (w) => `${P(w)}/performance` },
  { route: "GET /projects/{id}/performance/route", need: "member", path: (w) => `${P(w)}/performance/route?transaction=%2F` },
  { route: "GET /projects/{id}/traces/{traceId}", need: "member", path: (w) => `${P(w)}/traces/${w.ids.traceId}` },
  { route: "GET /projects/{id}/logs", need: "member", path: (w) => `${P(w)}/logs` },
  { route: "GET /projects/{id}/logs/histogram", need: "member", path: (w) => `${P(w)}/logs/histogram` },
  { route: "GET /projects/{id}/logs/tail", need: "member", path: (w) => `${P(w)}/logs/tail`, headers: { upgrade: "websocket" }, ok: 101 },
  { route: "GET /projects/{id}/logs/{lineId}", need: "member", path: (w) => `${P(w)}/logs/${w.ids.lineId}` },
  { route: "GET /projects/{id}/logs/{lineId}/context", need: "member", path: (w) => `${P(w)}/logs/${w.ids.lineId}/context` },
  { route: "GET /projects/{id}/saved-searches", need: "member", path: (w) => `${P(w)}/saved-searches` },
  { route: "POST /projects/{id}/saved-searches", need: "member", path: (w) => `${P(w)}/saved-searches`, body: () => ({ name: unique("Matrix"), query: "level:error" }) },
  {
    route: "DELETE /projects/{id}/saved-searches/{searchId}",
    need: "member",
    path: (w, f) => `${P(w)}/saved-searches/${f.id}`,
    fresh: created("saved search", (w) => `${P(w)}/saved-searches`, () => ({ name: unique("Doomed"), query: "x" })),
  },
  { route: "GET /projects/{id}/timeline", need: "member", path: (w) => `${P(w)}/timeline` },
  { route: "GET /projects/{id}/releases", need: "member", path: (w) => `${P(w)}/releases` },
  { route: "GET /projects/{id}/releases/{version}", need: "member", path: (w) => `${P(w)}/releases/${encodeURIComponent(w.ids.release)}` },
];

/** The answer an actor should get: a status, or "2xx" for the route's normal success. */
export function expected(row: Row, actor: ActorName): number | "2xx" {
  const allowed = row.ok ?? "2xx";
  if (row.need === "public") return allowed;
  if (actor === "anonymous") return 401;
  if (row.need === "self") return allowed;
  if (actor === "outsider") return 404;
  return RANK[actor] >= RANK[row.need] ? allowed : 403;
}

