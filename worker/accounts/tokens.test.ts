import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../lib/encoding";
import { Client, errorCode, signUp } from "../test/client";

async function tokenClient(token: string) {
  const c = new Client();
  c.bearer = token;
  return c;
}

describe("API tokens", () => {
  it("creates a token shown once, lists it without the secret, and stores only its hash", async () => {
    const { client } = await signUp();
    const created = await client.post("/tokens", { name: "deploy script" });
    expect(created.status).toBe(201);
    const { token, prefix, id } = created.body;
    expect(token).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(prefix)).toBe(true);
    const list = await client.get("/tokens");
    expect(list.body.data).toEqual([expect.objectContaining({ id, name: "deploy script", prefix, lastUsedAt: null })]);
    expect(JSON.stringify(list.body)).not.toContain(token);
    const row = await env.DB.prepare("select token_hash from api_tokens where id = ?").bind(id).first<{ token_hash: string }>();
    expect(row!.token_hash).toBe(await sha256Hex(token));
  });

  it("authenticates scripts with Authorization: Bearer, without cookies or Origin", async () => {
    const { client, orgSlug, email } = await signUp();
    const { token } = (await client.post("/tokens", { name: "ci" })).body;
    const script = await tokenClient(token);
    const me = await script.get("/me");
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);
    const project = await script.post(`/orgs/${orgSlug}/projects`, { name: "From CI" }, { "x-no-origin": "1" });
    expect(project.status).toBe(201);
    const listed = await client.get("/tokens");
    expect(listed.body.data[0].lastUsedAt).not.toBeNull();
  });

  it("answers a wrong, malformed or revoked token with 401", async () => {
    const { client } = await signUp();
    const { token, id } = (await client.post("/tokens", { name: "temp" })).body;
    const wrong = await (await tokenClient(`${token.slice(0, -2)}xx`)).get("/me");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/not valid/);
    const basic = await new Client().get("/me", { authorization: "Basic dXNlcjpwYXNz" });
    expect(basic.status).toBe(401);
    expect(basic.body.error.message).toMatch(/Bearer/);
    expect((await client.delete(`/tokens/${id}`)).status).toBe(204);
    const revoked = await (await tokenClient(token)).get("/me");
    expect(revoked.status).toBe(401);
    expect(errorCode(revoked)).toBe("unauthenticated");
  });

  it("refuses to name a token with nothing or too much", async () => {
    const { client } = await signUp();
    expect((await client.post("/tokens", { name: "  " })).status).toBe(400);
    expect((await client.post("/tokens", { name: "x".repeat(101) })).status).toBe(400);
    expect((await client.post("/tokens", {})).status).toBe(400);
  });
});
