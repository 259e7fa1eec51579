import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import committed from "../docs/openapi.json";

interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses: Record<string, unknown>; summary?: string; parameters?: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

async function fetchDoc(): Promise<Doc> {
  const res = await SELF.fetch("http://localhost:8787/api/v1/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  return res.json();
}

/** Every `$ref` in the document, wherever it is. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 with the routes of the API reference", async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("Vigil management API");
    for (const path of ["/auth/signup", "/auth/login", "/auth/logout", "/me", "/tokens", "/tokens/{id}", "/orgs", "/orgs/{orgSlug}",
      "/orgs/{orgSlug}/members", "/orgs/{orgSlug}/invites", "/orgs/{orgSlug}/projects", "/projects/{id}", "/projects/{id}/keys"]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearer", "session"]);
  });

  it("has only references that resolve, and every operation documents a success and its errors", async () => {
    const doc = await fetchDoc();
    for (const ref of refs(doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas, ref).toHaveProperty([ref.split("/").pop()!]);
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses);
        // A WebSocket route succeeds by switching protocols (101).
        expect(codes.some((c) => c.startsWith("2") || c === "101"), `${method} ${path}`).toBe(true);
        expect(op.summary, `${method} ${path} summary`).toBeTruthy();
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          expect(op.parameters?.some((p) => p.in === "path" && `{${p.name}}` === name), `${method} ${path} ${name}`).toBe(true);
        }
      }
    }
  });

  it("describes the error shape every route answers with", async () => {
    const doc = await fetchDoc();
    expect(doc.components.schemas).toHaveProperty("Error");
    const projectGet = doc.paths["/projects/{id}"]!.get!;
    expect(Object.keys(projectGet.responses)).toEqual(expect.arrayContaining(["200", "401", "404"]));
  });

  it("matches docs/openapi.json, from which the API reference is generated (run `npm run docs:api` after changing routes)", async () => {
    const served = (await fetchDoc()) as Doc & { servers?: unknown };
    const { servers: _served, ...liveDoc } = served;
    const { servers: _committed, ...committedDoc } = committed as typeof served;
    expect(liveDoc).toEqual(committedDoc);
  });
});
