import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../lib/encoding";
import { Client, errorCode, signUp, withProject } from "../test/client";

/** API tokens are scoped (read, or read and write), cannot mint tokens, and stop working the moment they are revoked. */

function script(token: string) {
  const c = new Client();
  c.bearer = token;
  return c;
}

describe("API token scopes", () => {
  it("a token is read and write unless asked otherwise, and the list shows each token's scopes", async () => {
    const { client } = await signUp();
    const full = await client.post("/tokens", { name: "deploy" });
    const reader = await client.post("/tokens", { name: "grafana", scopes: ["read"] });
    expect(full.status).toBe(201);
    expect(full.body.scopes).toEqual(["read", "write"]);
    expect(reader.body.scopes).toEqual(["read"]);
    const list = (await client.get("/tokens")).body.data as { id: string; scopes: string[] }[];
    expect(Object.fromEntries(list.map((t) => [t.id, t.scopes]))).toEqual({ [full.body.id]: ["read", "write"], [reader.body.id]: ["read"] });
    // Stored as text in the row, as the migration declares.
    const row = await env.DB.prepare("select scopes from api_tokens where id = ?").bind(reader.body.id).first<{ scopes: string }>();
    expect(JSON.parse(row!.scopes)).toEqual(["read"]);
  });

  it("a token made before scopes existed (a row without the column, as migration 0011 finds it) can still write", async () => {
    const { client, orgSlug, userId } = await signUp();
    const token = `vgl_${"o".repeat(43)}${Date.now()}`;
    await env.DB.prepare("insert into api_tokens (id, user_id, name, token_hash, prefix, created_at) values (?, ?, 'old', ?, 'vgl_oo', ?)")
      .bind(crypto.randomUUID(), userId, await sha256Hex(token), Date.now())
      .run();
    expect(((await client.get("/tokens")).body.data as { scopes: string[] }[])[0]!.scopes).toEqual(["read", "write"]);
    expect((await script(token).post(`/orgs/${orgSlug}/projects`, { name: "Still writes" })).status).toBe(201);
  });

  it("refuses scopes that are not read/write or that leave out read", async () => {
    const { client } = await signUp();
    for (const scopes of [[], ["admin"], ["write"], "read", ["read", "write", "delete"]]) {
      const res = await client.post("/tokens", { name: "x", scopes });
      expect(res.status, JSON.stringify(scopes)).toBe(400);
      expect(errorCode(res)).toBe("validation_failed");
    }
    const spelled = await client.post("/tokens", { name: "x", scopes: ["write", "read", "read"] });
    expect(spelled.body.scopes).toEqual(["read", "write"]);
  });

  it("a read-only token reads everything its owner can, and every other method is 403 insufficient_scope", async () => {
    const owner = await withProject();
    const { token } = (await owner.client.post("/tokens", { name: "dashboards", scopes: ["read"] })).body;
    const reader = script(token);
    const before = await reader.get(`/projects/${owner.project.id}`);
    expect(before.status).toBe(200);
    expect((await reader.get(`/orgs/${owner.orgSlug}/projects`)).status).toBe(200);
    const writes: [string, string, unknown?][] = [
      ["POST", `/orgs/${owner.orgSlug}/projects`, { name: "Planted" }],
      ["PATCH", `/projects/${owner.project.id}`, { name: "Renamed" }],
      ["DELETE", `/projects/${owner.project.id}`],
      ["POST", `/projects/${owner.project.id}/keys`, { label: "x" }],
      ["POST", "/auth/logout"],
      ["PUT", `/projects/${owner.project.id}`, { name: "x" }],
    ];
    for (const [method, path, body] of writes) {
      const res = await reader.request(method, path, body, { "x-no-origin": "1" });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(errorCode(res)).toBe("insufficient_scope");
      expect(res.body.error.message).toMatch(/read-only/);
      expect(res.body.error.message).toContain(method);
    }
    // Nothing changed.
    expect((await owner.client.get(`/projects/${owner.project.id}`)).body).toEqual(before.body);
    expect((await owner.client.get(`/orgs/${owner.orgSlug}/projects`)).body.data).toHaveLength(1);
    expect((await owner.client.get(`/projects/${owner.project.id}/keys`)).body.data).toHaveLength(1);
  });

  it("a read-write token writes without an Origin header (tokens are not cookies: no CSRF check)", async () => {
    const { client, orgSlug } = await signUp();
    const { token } = (await client.post("/tokens", { name: "ci" })).body;
    const res = await script(token).post(`/orgs/${orgSlug}/projects`, { name: "From CI" }, { "x-no-origin": "1" });
    expect(res.status).toBe(201);
    const foreign = await script(token).post(`/orgs/${orgSlug}/projects`, { name: "From CI 2" }, { origin: "https://ci.example" });
    expect(foreign.status).toBe(201);
  });
});

describe("tokens cannot mint tokens", () => {
  it("creating a token with a token is 403, for read-write and read-only tokens alike, and creates nothing", async () => {
    const { client } = await signUp();
    const full = (await client.post("/tokens", { name: "full" })).body.token;
    const reader = (await client.post("/tokens", { name: "reader", scopes: ["read"] })).body.token;
    for (const token of [full, reader]) {
      const res = await script(token).post("/tokens", { name: "minted" });
      expect(res.status).toBe(403);
      expect(["forbidden", "insufficient_scope"]).toContain(errorCode(res));
    }
    const res = await script(full).post("/tokens", { name: "minted" });
    expect(res.body.error.message).toMatch(/cannot create API tokens/);
    const names = ((await client.get("/tokens")).body.data as { name: string }[]).map((t) => t.name);
    expect(names).not.toContain("minted");
  });

  it("a read-write token can list its owner's tokens and revoke one (revoking is how a leak is cut off)", async () => {
    const { client } = await signUp();
    const full = (await client.post("/tokens", { name: "full" })).body;
    const other = (await client.post("/tokens", { name: "other" })).body;
    expect((await script(full.token).get("/tokens")).status).toBe(200);
    expect((await script(full.token).delete(`/tokens/${other.id}`)).status).toBe(204);
    expect((await script(other.token).get("/me")).status).toBe(401);
  });
});

describe("revocation", () => {
  it("a revoked token is 401 on its very next request, for reads and writes", async () => {
    const { client, orgSlug } = await signUp();
    const { token, id } = (await client.post("/tokens", { name: "leaked" })).body;
    const s = script(token);
    expect((await s.get("/me")).status).toBe(200);
    expect((await client.delete(`/tokens/${id}`)).status).toBe(204);
    const read = await s.get("/me");
    const write = await s.post(`/orgs/${orgSlug}/projects`, { name: "After revocation" });
    for (const res of [read, write]) {
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe("unauthenticated");
    }
    expect((await client.get(`/orgs/${orgSlug}/projects`)).body.data).toHaveLength(0);
  });

  it("a revoked token cannot revoke itself again or any other token", async () => {
    const { client } = await signUp();
    const a = (await client.post("/tokens", { name: "a" })).body;
    const b = (await client.post("/tokens", { name: "b" })).body;
    await client.delete(`/tokens/${a.id}`);
    expect((await script(a.token).delete(`/tokens/${b.id}`)).status).toBe(401);
    expect(((await client.get("/tokens")).body.data as { id: string }[]).map((t) => t.id)).toEqual([b.id]);
  });
});
