import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../lib/encoding";
import { Client, errorCode, PASSWORD, signUp, uniqueEmail } from "../test/client";
import { LOGIN_LIMITS } from "./auth.service";
import { SESSION_TTL_MS } from "./sessions";

describe("signup", () => {
  it("creates the user, a personal organization they own, and a session cookie", async () => {
    const client = new Client();
    const email = uniqueEmail("ann");
    const res = await client.post("/auth/signup", { email: `  ${email.toUpperCase()} `, password: PASSWORD, name: "Ann" });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email, name: "Ann" });
    expect(res.body.organization).toMatchObject({ role: "owner", name: "Ann's organization" });
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/vigil_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain-HTTP localhost
    const me = await client.get("/me");
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    expect(me.body.organizations).toEqual([res.body.organization]);
  });

  it("marks the cookie Secure outside localhost", async () => {
    const client = new Client("https://vigil.example.com");
    const res = await client.post("/auth/signup", { email: uniqueEmail(), password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("stores only a hash of the session id", async () => {
    const { client } = await signUp();
    const stored = await env.DB.prepare("select id_hash from sessions where id_hash = ?").bind(await sha256Hex(client.cookie!)).first();
    expect(stored).not.toBeNull();
    const raw = await env.DB.prepare("select count(*) as n from sessions where id_hash = ?").bind(client.cookie!).first<{ n: number }>();
    expect(raw!.n).toBe(0);
  });

  it("refuses an email that already has an account (any case) with 409", async () => {
    const { email } = await signUp();
    const res = await new Client().post("/auth/signup", { email: email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe("conflict");
    expect(res.body.error.message).toMatch(/already exists/);
  });

  it("refuses weak passwords with a reason", async () => {
    for (const password of ["short", "password123", "aaaaaaaaaaaaaa"]) {
      const res = await new Client().post("/auth/signup", { email: uniqueEmail(), password });
      expect(res.status, password).toBe(400);
      expect(errorCode(res)).toBe("validation_failed");
      expect(res.body.error.details[0].path).toBe("password");
    }
  });

  it("refuses a 1 MB password with 413 before doing any work, and a 300-character one with 400", async () => {
    const huge = await new Client().post("/auth/signup", { email: uniqueEmail(), password: "a".repeat(1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(errorCode(huge)).toBe("payload_too_large");
    const long = await new Client().post("/auth/signup", { email: uniqueEmail(), password: "ab1!".repeat(75) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/at most 256/);
  });

  it("answers malformed JSON, wrong types, unknown fields and a bad email with clear 400s", async () => {
    const c = new Client();
    const malformed = await c.post("/auth/signup", '{"email": "a@example.com", "password": ');
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe("malformed_json");

    const unknown = await c.post("/auth/signup", { email: uniqueEmail(), password: PASSWORD, isAdmin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/Unknown field: isAdmin/);

    const types = await c.post("/auth/signup", { email: 42, password: PASSWORD });
    expect(types.status).toBe(400);
    expect(errorCode(types)).toBe("validation_failed");

    const email = await c.post("/auth/signup", { email: "not-an-email", password: PASSWORD });
    expect(email.status).toBe(400);
    expect(email.body.error.message).toMatch(/valid email/);

    const array = await c.post("/auth/signup", [1, 2, 3]);
    expect(array.status).toBe(400);
  });

  it("wants JSON: a form-encoded body is 415", async () => {
    const res = await new Client().post("/auth/signup", "email=a%40example.com&password=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
    expect(errorCode(res)).toBe("unsupported_media_type");
  });

  it("keeps SQL-looking and HTML names as plain text", async () => {
    const name = `Robert'); DROP TABLE users;-- <script>alert(1)</script>`;
    const { client } = await signUp(name);
    const me = await client.get("/me");
    expect(me.body.user.name).toBe(name);
    const count = await env.DB.prepare("select count(*) as n from users").first<{ n: number }>();
    expect(count!.n).toBeGreaterThan(0);
  });
});

describe("login and logout", () => {
  it("logs in with the right password, case-insensitively on the email", async () => {
    const { email } = await signUp();
    const client = new Client();
    const res = await client.post("/auth/login", { email: email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(email);
    expect((await client.get("/me")).status).toBe(200);
  });

  it("answers a wrong password and an unknown email the same way: 401", async () => {
    const { email } = await signUp();
    const wrong = await new Client().post("/auth/login", { email, password: "not the password" });
    const unknown = await new Client().post("/auth/login", { email: uniqueEmail("nobody"), password: PASSWORD });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe("invalid_credentials");
      expect(res.body.error.message).toBe("Email or password is incorrect.");
    }
  });

  it("throttles repeated failures per email with 429 and Retry-After, even for the right password", async () => {
    const { email } = await signUp();
    for (let i = 0; i < LOGIN_LIMITS.email.limit; i++) {
      const res = await new Client().post("/auth/login", { email, password: `wrong ${i}` }, { "cf-connecting-ip": `10.0.0.${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await new Client().post("/auth/login", { email, password: PASSWORD }, { "cf-connecting-ip": "10.0.1.1" });
    expect(blocked.status).toBe(429);
    expect(errorCode(blocked)).toBe("too_many_requests");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_LIMITS.email.windowSeconds);
  });

  it("throttles repeated failures per IP across emails", async () => {
    const ip = "192.0.2.77";
    for (let i = 0; i < LOGIN_LIMITS.ip.limit; i++) {
      const res = await new Client().post("/auth/login", { email: uniqueEmail("guess"), password: "wrong password" }, { "cf-connecting-ip": ip });
      expect(res.status).toBe(401);
    }
    const { email } = await signUp();
    const blocked = await new Client().post("/auth/login", { email, password: PASSWORD }, { "cf-connecting-ip": ip });
    expect(blocked.status).toBe(429);
    const elsewhere = await new Client().post("/auth/login", { email, password: PASSWORD }, { "cf-connecting-ip": "192.0.2.78" });
    expect(elsewhere.status).toBe(200);
  });

  it("logout ends the session on the server, not just in the browser", async () => {
    const { client } = await signUp();
    const stolen = client.cookie!;
    const res = await client.post("/auth/logout");
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/vigil_session=;/);
    const replay = new Client();
    replay.cookie = stolen;
    const me = await replay.get("/me");
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe("unauthenticated");
  });

  it("an expired session is 401 and its cookie is cleared", async () => {
    const { client } = await signUp();
    await env.DB.prepare("update sessions set expires_at = ? where id_hash = ?").bind(Date.now() - 1000, await sha256Hex(client.cookie!)).run();
    const me = await client.get("/me");
    expect(me.status).toBe(401);
    expect(me.headers.get("set-cookie")).toMatch(/vigil_session=;/);
  });

  it("slides the expiry forward when a session is used after a day", async () => {
    const { client } = await signUp();
    const hash = await sha256Hex(client.cookie!);
    const twoDaysIn = Date.now() + SESSION_TTL_MS - 2 * 24 * 3600 * 1000;
    await env.DB.prepare("update sessions set expires_at = ? where id_hash = ?").bind(twoDaysIn, hash).run();
    const me = await client.get("/me");
    expect(me.status).toBe(200);
    expect(me.headers.get("set-cookie")).toMatch(/vigil_session=/);
    const row = await env.DB.prepare("select expires_at from sessions where id_hash = ?").bind(hash).first<{ expires_at: number }>();
    expect(row!.expires_at).toBeGreaterThan(twoDaysIn + 24 * 3600 * 1000);
  });

  it("a fresh session is not rewritten on every request", async () => {
    const { client } = await signUp();
    const me = await client.get("/me");
    expect(me.headers.get("set-cookie")).toBeNull();
  });
});

describe("CSRF protection for cookie-authenticated writes", () => {
  it("refuses a write with the session cookie but no Origin", async () => {
    const { client, orgSlug } = await signUp();
    const res = await client.post(`/orgs/${orgSlug}/projects`, { name: "Shop" }, { "x-no-origin": "1" });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe("csrf_failed");
  });

  it("refuses a write from another origin", async () => {
    const { client, orgSlug } = await signUp();
    const res = await client.post(`/orgs/${orgSlug}/projects`, { name: "Shop" }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/evil\.example/);
  });

  it("accepts Sec-Fetch-Site: same-origin when a browser omits Origin", async () => {
    const { client, orgSlug } = await signUp();
    const res = await client.post(`/orgs/${orgSlug}/projects`, { name: "Shop" }, { "x-no-origin": "1", "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(201);
  });

  it("refuses a cross-site form post (text/plain) with 415", async () => {
    const { client, orgSlug } = await signUp();
    const res = await client.post(`/orgs/${orgSlug}/projects`, '{"name":"Shop"}', { "content-type": "text/plain" });
    expect(res.status).toBe(415);
  });

  it("refuses a login posted from another origin", async () => {
    const { email } = await signUp();
    const res = await new Client().post("/auth/login", { email, password: PASSWORD }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });
});
