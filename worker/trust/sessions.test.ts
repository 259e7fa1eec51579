import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LOGIN_LIMITS } from "../accounts/auth.service";
import { sha256Hex } from "../lib/encoding";
import { Client, errorCode, ORIGIN, PASSWORD, signUp, uniqueEmail } from "../test/client";

/**
 * Sessions, CSRF and login throttling beyond worker/accounts/auth.test.ts (which covers logout, expiry,
 * a missing or foreign Origin on a POST, text/plain and the basic per-email and per-IP 429s).
 * Vigil has no password change or reset yet, so there is nothing of that kind to invalidate.
 */

/** The session cookie a browser ends up with: Set-Cookie headers apply in order (a clearing one may come first). */
const sessionOf = (res: { headers: Headers }) =>
  res.headers
    .getSetCookie()
    .map((c) => /^vigil_session=([^;]*)/.exec(c)?.[1])
    .filter((v) => v !== undefined)
    .at(-1);

async function sessionRows(userId: string) {
  return (await env.DB.prepare("select id_hash from sessions where user_id = ?").bind(userId).all<{ id_hash: string }>()).results.map((r) => r.id_hash);
}

describe("session fixation", () => {
  it("a cookie value planted before login is never adopted: login answers a new one and the planted one stays unknown", async () => {
    const { email } = await signUp();
    const planted = "attacker-chosen-session-value-0123456789abcdefg";
    const browser = new Client();
    browser.cookie = planted;
    const res = await browser.post("/auth/login", { email, password: PASSWORD });
    expect(res.status).toBe(200);
    const issued = sessionOf(res);
    expect(issued).toBeTruthy();
    expect(issued).not.toBe(planted);
    browser.cookie = issued;
    const attacker = new Client();
    attacker.cookie = planted;
    expect((await attacker.get("/me")).status).toBe(401);
    expect((await browser.get("/me")).body.user.email).toBe(email);
  });

  it("signing in over an existing session ends that session on the server (a copy taken before sign-in stops working)", async () => {
    const victim = await signUp("victim");
    const other = await signUp("other");
    // The attacker's own valid session in the victim's browser, and a copy of it kept by the attacker.
    const browser = new Client();
    browser.cookie = other.client.cookie;
    const copy = other.client.cookie!;
    const res = await browser.post("/auth/login", { email: victim.email, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(sessionOf(res)).not.toBe(copy);
    const kept = new Client();
    kept.cookie = copy;
    const me = await kept.get("/me");
    expect(me.status).toBe(401);
    expect((await browser.get("/me")).body.user.email).toBe(victim.email);
    expect(await sessionRows(other.userId)).not.toContain(await sha256Hex(copy));
  });

  it("the same user signing in twice in one browser keeps one session there", async () => {
    const { email, userId, client } = await signUp();
    const first = client.cookie!;
    await client.post("/auth/login", { email, password: PASSWORD });
    expect(client.cookie).not.toBe(first);
    expect(await sessionRows(userId)).toEqual([await sha256Hex(client.cookie!)]);
  });

  it("logout ends only the session that asked; the user's other sessions continue", async () => {
    const { email, client: laptop } = await signUp();
    const phone = new Client();
    expect((await phone.post("/auth/login", { email, password: PASSWORD })).status).toBe(200);
    const phoneCookie = phone.cookie!;
    expect((await phone.post("/auth/logout")).status).toBe(204);
    const replay = new Client();
    replay.cookie = phoneCookie;
    expect((await replay.get("/me")).status).toBe(401);
    expect((await laptop.get("/me")).status).toBe(200);
  });

  it("logout from another origin is refused, so a foreign page cannot sign the user out", async () => {
    const { client } = await signUp();
    const res = await client.post("/auth/logout", undefined, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect((await client.get("/me")).status).toBe(200);
  });
});

describe("CSRF for cookie-authenticated writes", () => {
  const foreignOrigins = ["https://evil.example", "null", "http://localhost:8787.evil.example", "http://localhost:8788", "https://localhost:8787"];

  it.each(foreignOrigins)("POST, PATCH and DELETE with Origin %s are refused and change nothing", async (origin) => {
    const { client, orgSlug } = await signUp();
    const project = (await client.post(`/orgs/${orgSlug}/projects`, { name: "Shop" })).body;
    for (const [method, path, body] of [
      ["POST", `/orgs/${orgSlug}/projects`, { name: "Planted" }],
      ["PATCH", `/projects/${project.id}`, { name: "Renamed" }],
      ["DELETE", `/projects/${project.id}`, undefined],
    ] as const) {
      const res = await client.request(method, path, body, { origin });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(errorCode(res)).toBe("csrf_failed");
    }
    const after = (await client.get(`/orgs/${orgSlug}/projects`)).body.data;
    expect(after).toEqual([expect.objectContaining({ id: project.id, name: "Shop" })]);
  });

  it("a cookie-authenticated write without Origin is refused when the browser says it is cross-site", async () => {
    const { client, orgSlug } = await signUp();
    for (const site of ["cross-site", "same-site", "none"]) {
      const res = await client.post(`/orgs/${orgSlug}/projects`, { name: "Shop" }, { "x-no-origin": "1", "sec-fetch-site": site });
      expect(res.status, site).toBe(403);
    }
  });

  it.each(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain;charset=UTF-8", "application/jsonp", "text/json"])(
    "a body sent as %s (what a cross-site form or simple request can send) is 415, even from our own origin",
    async (type) => {
      const { client, orgSlug } = await signUp();
      const res = await client.post(`/orgs/${orgSlug}/projects`, '{"name":"Shop"}', { "content-type": type });
      expect(res.status).toBe(415);
      expect(errorCode(res)).toBe("unsupported_media_type");
      expect((await client.get(`/orgs/${orgSlug}/projects`)).body.data).toEqual([]);
    },
  );

  it("signup from another origin is refused (no login CSRF into an attacker's new account)", async () => {
    const res = await new Client().post("/auth/signup", { email: uniqueEmail(), password: PASSWORD }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("token-authenticated writes need no Origin, but still need a JSON body", async () => {
    const { client, orgSlug } = await signUp();
    const { token } = (await client.post("/tokens", { name: "ci" })).body;
    const script = new Client();
    script.bearer = token;
    expect((await script.post(`/orgs/${orgSlug}/projects`, { name: "From CI" }, { "x-no-origin": "1" })).status).toBe(201);
    const form = await script.post(`/orgs/${orgSlug}/projects`, "name=x", { "x-no-origin": "1", "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
  });

  it("a session cookie alongside a token does not let the token's origin rules carry a cookie write", async () => {
    // The token decides who is calling; a bad token is 401 even when a valid cookie rides along.
    const { client, orgSlug } = await signUp();
    const res = await client.post(`/orgs/${orgSlug}/projects`, { name: "x" }, { origin: "https://evil.example", authorization: "Bearer vgl_not-a-real-token" });
    expect(res.status).toBe(401);
    expect((await client.get(`/orgs/${orgSlug}/projects`)).body.data).toEqual([]);
  });
});

describe("login throttling", () => {
  async function login(email: string, password: string, ip: string) {
    return SELF.fetch(`${ORIGIN}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": ip },
      body: JSON.stringify({ email, password }),
    });
  }

  it("a throttled login starts no session, even with the right password, and says when to retry", async () => {
    const { email } = await signUp();
    for (let i = 0; i < LOGIN_LIMITS.email.limit; i++) expect((await login(email, `wrong ${i}`, `198.51.100.${i}`)).status).toBe(401);
    const blocked = await login(email, PASSWORD, "198.51.100.200");
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("set-cookie")).toBeNull();
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(((await blocked.json()) as { error: { message: string } }).error.message).toMatch(/minute/);
  });

  it("an unknown email is throttled exactly like a real one (the 429 reveals nothing about accounts)", async () => {
    const ghost = uniqueEmail("ghost");
    for (let i = 0; i < LOGIN_LIMITS.email.limit; i++) expect((await login(ghost, "guess", `203.0.113.${i}`)).status).toBe(401);
    const res = await login(ghost, "guess", "203.0.113.200");
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("a successful login clears the email's failures, so a user who found their password is not locked out later", async () => {
    const { email } = await signUp();
    for (let i = 0; i < LOGIN_LIMITS.email.limit - 1; i++) await login(email, `wrong ${i}`, "192.0.2.10");
    expect((await login(email, PASSWORD, "192.0.2.10")).status).toBe(200);
    for (let i = 0; i < LOGIN_LIMITS.email.limit - 1; i++) expect((await login(email, `wrong again ${i}`, "192.0.2.11")).status).toBe(401);
    expect((await login(email, PASSWORD, "192.0.2.11")).status).toBe(200);
  });

  it("the email limit is case- and space-insensitive (ANN@ and ann@ share one counter)", async () => {
    const { email } = await signUp();
    for (let i = 0; i < LOGIN_LIMITS.email.limit; i++) {
      const spelled = i % 2 ? email.toUpperCase() : ` ${email} `;
      await login(spelled, `wrong ${i}`, `192.0.2.${100 + i}`);
    }
    expect((await login(email, PASSWORD, "192.0.2.250")).status).toBe(429);
  });
});
