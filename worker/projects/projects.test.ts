import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { errorCode, signUp, withProject } from "../test/client";
import { dsnFor, publicOrigin } from "./dsn";

/** Parse a DSN the way sentry-sdk does (scheme://KEY@host[:port][/prefix]/PROJECT_ID). */
function parseDsn(dsn: string) {
  const url = new URL(dsn);
  const parts = url.pathname.split("/");
  return { scheme: url.protocol.slice(0, -1), key: url.username, host: url.host, projectId: parts.pop()!, prefix: parts.join("/") };
}

describe("projects", () => {
  it("creates a Django project with a numeric id, a slug and a working DSN", async () => {
    const { client, orgSlug } = await signUp();
    const res = await client.post(`/orgs/${orgSlug}/projects`, { name: "My Shop" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "My Shop", slug: "my-shop", platform: "django", organization: { slug: orgSlug } });
    expect(Number.isInteger(res.body.id)).toBe(true);
    const dsn = parseDsn(res.body.dsn);
    expect(dsn).toMatchObject({ scheme: "http", host: "localhost:8787", projectId: String(res.body.id), prefix: "" });
    expect(dsn.key).toMatch(/^[0-9a-f]{32}$/);
    const keys = await client.get(`/projects/${res.body.id}/keys`);
    expect(keys.body.data).toEqual([expect.objectContaining({ publicKey: dsn.key, dsn: res.body.dsn, status: "active", label: "Default" })]);
    const got = await client.get(`/projects/${res.body.id}`);
    expect(got.body).toEqual(res.body);
  });

  it("gives two projects with the same name different slugs", async () => {
    const { client, orgSlug } = await signUp();
    const a = await client.post(`/orgs/${orgSlug}/projects`, { name: "API" });
    const b = await client.post(`/orgs/${orgSlug}/projects`, { name: "API" });
    expect(a.body.slug).toBe("api");
    expect(b.body.slug).toBe("api-2");
    const list = await client.get(`/orgs/${orgSlug}/projects`);
    expect(list.body.data).toHaveLength(2);
  });

  it("renames, and deletes with its keys", async () => {
    const { client, project } = await withProject();
    const renamed = await client.patch(`/projects/${project.id}`, { name: "Storefront" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Storefront");
    expect((await client.delete(`/projects/${project.id}`)).status).toBe(204);
    expect((await client.get(`/projects/${project.id}`)).status).toBe(404);
    const keys = await env.DB.prepare("select count(*) as n from project_keys where project_id = ?").bind(project.id).first<{ n: number }>();
    expect(keys!.n).toBe(0);
  });

  it("answers non-numeric, unknown and empty-name requests clearly", async () => {
    const { client, orgSlug } = await signUp();
    const abc = await client.get("/projects/abc");
    expect(abc.status).toBe(400);
    expect(abc.body.error.message).toMatch(/numbers/);
    expect((await client.get("/projects/999999")).status).toBe(404);
    const empty = await client.post(`/orgs/${orgSlug}/projects`, { name: "   " });
    expect(empty.status).toBe(400);
    expect(errorCode(empty)).toBe("validation_failed");
    const other = await client.post(`/orgs/${orgSlug}/projects`, { name: "x", platform: "rails" });
    expect(other.status).toBe(400);
  });
});

describe("DSN keys", () => {
  it("creates extra keys, rotates and revokes them; the project DSN follows the oldest active key", async () => {
    const { client, project } = await withProject();
    const [first] = (await client.get(`/projects/${project.id}/keys`)).body.data;
    const extra = await client.post(`/projects/${project.id}/keys`, { label: "Celery workers" });
    expect(extra.status).toBe(201);
    expect(extra.body).toMatchObject({ label: "Celery workers", status: "active" });
    const noBody = await client.post(`/projects/${project.id}/keys`);
    expect(noBody.status).toBe(201);
    expect(noBody.body.label).toBe("Default");

    const rotated = await client.post(`/projects/${project.id}/keys/${first.id}/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body.label).toBe(first.label);
    expect(rotated.body.publicKey).not.toBe(first.publicKey);
    const keys = (await client.get(`/projects/${project.id}/keys`)).body.data as { id: string; status: string; revokedAt: string | null }[];
    const old = keys.find((k) => k.id === first.id)!;
    expect(old.status).toBe("revoked");
    expect(old.revokedAt).not.toBeNull();
    expect((await client.get(`/projects/${project.id}`)).body.dsn).toBe(extra.body.dsn);

    expect((await client.post(`/projects/${project.id}/keys/${first.id}/rotate`)).status).toBe(409);
    const revoked = await client.delete(`/projects/${project.id}/keys/${extra.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("revoked");
    expect((await client.delete(`/projects/${project.id}/keys/${extra.body.id}`)).body.status).toBe("revoked");
    expect((await client.delete(`/projects/${project.id}/keys/nope`)).status).toBe(404);
  });

  it("an unknown field in a key body is a 400, not silently dropped", async () => {
    const { client, project } = await withProject();
    const res = await client.post(`/projects/${project.id}/keys`, { label: "x", secret: "y" });
    expect(res.status).toBe(400);
  });
});

describe("DSN format", () => {
  it("keeps a path prefix and port, and prefers PUBLIC_URL over the request origin", () => {
    expect(dsnFor("https://vigil.example.com/monitor/", "abc", 7)).toBe("https://abc@vigil.example.com/monitor/7");
    expect(dsnFor("http://127.0.0.1:8787", "abc", 7)).toBe("http://abc@127.0.0.1:8787/7");
    expect(publicOrigin("https://vigil.example.com/", "http://internal:8787/api")).toBe("https://vigil.example.com");
    expect(publicOrigin("", "http://127.0.0.1:8787/api/v1/x")).toBe("http://127.0.0.1:8787");
  });
});

describe("project ingest settings", () => {
  it("admins change rate limit, quota, IP storage, extra scrub fields and the Apdex threshold", async () => {
    const { client, project } = await withProject();
    const got = await client.get(`/projects/${project.id}`);
    expect(got.body.settings).toEqual({ rateLimitPerMinute: 60000, monthlyQuota: 10000000, storeIp: false, scrubFields: [], apdexThresholdMs: 300, logsHotDays: 7, logsRetentionDays: 30, eventsRetentionDays: 90, checksRetentionDays: 91, transactionsRetentionDays: 14 });
    const res = await client.patch(`/projects/${project.id}`, { rateLimitPerMinute: 100, storeIp: true, scrubFields: ["order_note"], apdexThresholdMs: 500 });
    expect(res.status).toBe(200);
    expect(res.body.settings).toMatchObject({ rateLimitPerMinute: 100, storeIp: true, scrubFields: ["order_note"], apdexThresholdMs: 500 });
    expect((await client.patch(`/projects/${project.id}`, { rateLimitPerMinute: 0 })).status).toBe(400);
  });
});
