import { env, SELF } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../lib/encoding";
import { Client, keyOf, ORIGIN, PASSWORD, signUp } from "../test/client";
import { type Fresh, rows } from "./matrix";
import { buildWorld, call, must, type World } from "./world";

/**
 * Secrets stay where they belong: no GET answer of the API carries a password hash, a session id, an API
 * token, a webhook signing secret, an invite token or a full Slack URL; and failing requests (a wrong
 * password, token or key) never write what they were sent into the Worker's logs.
 */

let world: World;
/** Every secret the fixtures made, by what it is. */
let secrets: Record<string, string>;

beforeAll(async () => {
  world = await buildWorld();
  const owner = world.actors.owner;
  const token = must(await call(owner, "POST", "/tokens", { name: "walk" }), 201, "token").body.token as string;
  const slackUrl = `${world.receiverUrl}/services/T0SECRET/B0SECRET/slackPathSecretXYZ123456`;
  must(await call(owner, "POST", `/orgs/${world.orgSlug}/channels`, { type: "slack", name: "Walk slack", url: slackUrl }), 201, "slack");
  const hash = (await env.DB.prepare("select password_hash from users where id = ?").bind(owner.userId).first<{ password_hash: string }>())!.password_hash;
  secrets = {
    "password hash": hash,
    "password hash (its digest part)": hash.split("$").at(-1)!,
    "password": PASSWORD,
    "owner's session id": owner.cookie!,
    "owner's session id hash": await sha256Hex(owner.cookie!),
    "member's session id": world.actors.member.cookie!,
    "API token": token,
    "API token hash": await sha256Hex(token),
    "webhook secret": world.webhookSecret,
    "invite token": world.ids.inviteToken,
    "invite token hash": await sha256Hex(world.ids.inviteToken),
    "Slack webhook path": "slackPathSecretXYZ123456",
  };
  for (const [what, value] of Object.entries(secrets)) if (!value || value.length < 8) throw new Error(`fixture secret missing: ${what}`);
}, 120_000);

function leaks(text: string): string[] {
  const found = Object.entries(secrets)
    .filter(([, value]) => text.includes(value))
    .map(([what]) => what);
  if (/pbkdf2_sha256\$/.test(text)) found.push("a password hash");
  // A real signing secret (the API document's own prose mentions the `whsec_` prefix).
  if (/whsec_[A-Za-z0-9+/]{20,}/.test(text)) found.push("a whsec_ secret");
  // A DSN with a secret key (`public:secret@`): Vigil's DSNs carry only the public key.
  if (/https?:\/\/[0-9a-f]{32}:[^@/\s"]+@/.test(text)) found.push("a DSN secret key");
  return found;
}

describe("no GET answer carries a secret", () => {
  const gets = rows.filter((r) => r.route.startsWith("GET ") && !r.headers?.upgrade);

  it.each(gets.flatMap((r) => (["owner", "member"] as const).map((who) => [`${r.route} as ${who}`, r, who] as const)))("%s", async (_, row, who) => {
    const fresh: Fresh = row.fresh ? await row.fresh(world, world.actors[who]) : {};
    const res = await call(world.actors[who], "GET", row.path(world, fresh));
    expect(res.status, `${row.route}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    expect(leaks(res.text), `${row.route} as ${who} answered with a secret`).toEqual([]);
    for (const [name, value] of res.headers) if (name !== "set-cookie") expect(leaks(value), `header ${name}`).toEqual([]);
  });

  it("the webhook secret is in the answer that created the channel, and nowhere after", async () => {
    expect(world.webhookSecret).toMatch(/^whsec_/);
    const list = await call(world.actors.owner, "GET", `/orgs/${world.orgSlug}/channels`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(world.ids.channelId);
    expect(list.text).not.toContain("whsec_");
  });

  it("the walk really reads the fixtures (it would pass vacuously on empty answers)", async () => {
    const channels = await call(world.actors.owner, "GET", `/orgs/${world.orgSlug}/channels`);
    expect(channels.text).toContain("Walk slack");
    const tokens = await call(world.actors.owner, "GET", "/tokens");
    expect(tokens.body.data.map((t: { name: string }) => t.name)).toContain("walk");
    const keys = await call(world.actors.owner, "GET", `/projects/${world.project.id}/keys`);
    expect(keys.text).toContain(keyOf(world.project.dsn));
  });
});

describe("failing requests do not log what they were sent", () => {
  const logged: string[] = [];
  afterEach(() => vi.restoreAllMocks());

  function capture() {
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      const original = console[level].bind(console);
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
        original(...args);
      });
    }
  }

  it("wrong passwords, tokens and keys appear in no log line and in no answer", async () => {
    capture();
    const marker = `S3cret-${crypto.randomUUID()}`;
    const hexKey = crypto.randomUUID().replaceAll("-", "");
    const { email } = await signUp("logs");
    const answers: string[] = [];
    const api = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
      const res = await SELF.fetch(`${ORIGIN}/api/v1${path}`, { method, headers: { "content-type": "application/json", origin: ORIGIN, ...headers }, body });
      answers.push(await res.text());
      return res.status;
    };
    const ingest = async (path: string, headers: Record<string, string>, body = '{"message":"x"}') => {
      const res = await SELF.fetch(`${ORIGIN}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      answers.push(await res.text());
      return res.status;
    };

    expect(await api("POST", "/auth/login", JSON.stringify({ email, password: `wrong ${marker}` }))).toBe(401);
    expect(await api("POST", "/auth/login", JSON.stringify({ email: `nobody-${marker}@example.com`, password: marker }))).toBe(401);
    expect(await api("POST", "/auth/login", `{"email":"${email}","password":"${marker}"`)).toBe(400);
    expect(await api("POST", "/auth/login", JSON.stringify({ email, password: marker.repeat(10) }))).toBe(400);
    expect(await api("POST", "/auth/signup", JSON.stringify({ email: `weak-${Date.now()}@example.com`, password: "short1" }))).toBe(400);
    expect(await api("GET", "/me", undefined, { authorization: `Bearer vgl_${marker}` })).toBe(401);
    expect(await api("GET", "/me", undefined, { authorization: `Basic ${btoa(`user:${marker}`)}` })).toBe(401);
    expect(await api("POST", `/invites/${marker}/accept`, undefined, {})).toBe(401);
    expect(await api("GET", `/invites/${marker}`)).toBe(404);
    expect(await ingest(`/api/${world.project.id}/store/`, { "x-sentry-auth": `Sentry sentry_key=${hexKey}, sentry_version=7` })).toBe(401);
    expect(await ingest(`/api/${world.project.id}/envelope/?sentry_key=${hexKey}`, {}, '{}\n{"type":"event"}\n{}')).toBe(401);
    expect(await ingest(`/api/${world.project.id}/logs/`, { authorization: `Bearer ${hexKey}` })).toBe(401);
    const ping = await SELF.fetch(`${ORIGIN}/ping/${hexKey}/backup`);
    answers.push(await ping.text());
    expect(ping.status).toBeGreaterThanOrEqual(400);
    // Control: a request that does log (a check-in for a monitor nobody made) shows up here, so the capture works.
    const controlSlug = `control-${Date.now()}`;
    const checkIn = [JSON.stringify({}), JSON.stringify({ type: "check_in" }), JSON.stringify({ check_in_id: crypto.randomUUID().replaceAll("-", ""), monitor_slug: controlSlug, status: "ok" })];
    expect(await ingest(`/api/${world.project.id}/envelope/`, { "x-sentry-auth": `Sentry sentry_key=${keyOf(world.project.dsn)}, sentry_version=7` }, checkIn.join("\n"))).toBe(200);
    const deadline = Date.now() + 5000;
    while (!logged.some((l) => l.includes(controlSlug)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(logged.some((l) => l.includes(controlSlug)), "the console capture saw the Worker's own warning").toBe(true);

    for (const secret of [marker, hexKey, `vgl_${marker}`]) {
      expect(logged.filter((l) => l.includes(secret)), "log lines with a secret sent in a failing request").toEqual([]);
      expect(answers.filter((a) => a.includes(secret)), "answers echoing a secret").toEqual([]);
    }
    expect(logged.filter((l) => l.includes(PASSWORD))).toEqual([]);
  });

  it("the answers to a wrong token or key say what is wrong without repeating it", async () => {
    const res = await new Client().get("/me", { authorization: "Bearer vgl_definitely-not-valid-0123456789" });
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain("definitely-not-valid");
  });
});
