import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ORIGIN, sendEvent, signUp, withProject } from "../test/client";

/**
 * The security headers of the Worker's own answers (worker/lib/init.ts). The dashboard's come from
 * dashboard/static/_headers and its CSP meta tag; e2e/xss-dashboard.e2e.ts checks those as served.
 */

const expectSecurityHeaders = (headers: Headers, referrer = "strict-origin-when-cross-origin") => {
  expect(headers.get("x-content-type-options")).toBe("nosniff");
  expect(headers.get("referrer-policy")).toBe(referrer);
};

describe("security headers of the Worker's answers", () => {
  it("a signed-in JSON answer of the management API carries nosniff and a referrer policy", async () => {
    const { client, orgSlug } = await signUp("headers");
    const reply = await client.get(`/orgs/${orgSlug}/projects`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("application/json");
    expectSecurityHeaders(reply.headers);
  });

  it("errors carry them too: unauthenticated, unknown route, and a write without a same-origin Origin", async () => {
    const anonymous = await SELF.fetch(`${ORIGIN}/api/v1/orgs`);
    expect(anonymous.status).toBe(401);
    expectSecurityHeaders(anonymous.headers);

    const missing = await SELF.fetch(`${ORIGIN}/api/v1/no-such-thing`);
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing.headers);

    const { client } = await signUp("headers-csrf");
    const crossSite = await client.post("/orgs", { name: "Elsewhere" }, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expectSecurityHeaders(crossSite.headers);
  });

  it("the OpenAPI document and the ingest door carry them", async () => {
    const doc = await SELF.fetch(`${ORIGIN}/api/v1/openapi.json`);
    expect(doc.status).toBe(200);
    expectSecurityHeaders(doc.headers);

    const { project } = await withProject("headers-ingest");
    const stored = await sendEvent(project, { message: "hello", level: "error", platform: "python" });
    expect(stored.status).toBe(200);
    expectSecurityHeaders(stored.headers);
  });

  it("the public status page keeps its own stricter referrer policy and CSP", async () => {
    const page = await SELF.fetch(`${ORIGIN}/status/no-such-organization`);
    expect(page.status).toBe(404);
    expectSecurityHeaders(page.headers, "no-referrer");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
