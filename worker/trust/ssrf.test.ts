import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isPrivateHost, outgoingUrlProblem } from "../alerts/urls";
import { newApp } from "../app";
import { ORIGIN, withProject } from "../test/client";
import { newTarget } from "../test/targets-client";
import { MAX_REDIRECTS, runCheck, type CheckSpec } from "../uptime/check";

/**
 * Server-side request forgery: monitors and webhook/Slack channels must not reach loopback, private,
 * link-local (cloud metadata), reserved or IPv4-embedding IPv6 hosts, however the address is spelled, nor
 * anything but http(s) — unless ALERTS_ALLOW_PRIVATE_URLS is "true". The worker tests run with it on
 * (vitest.config.ts: alerts go to a receiver on 127.0.0.1), so the routes are driven here through the same
 * app with that one binding off, as production has it.
 */

const refused: [string, string][] = [
  ["loopback", "http://127.0.0.1/"],
  ["loopback, another address", "http://127.8.9.10:8080/x"],
  ["localhost", "http://localhost:8787/"],
  ["localhost with a trailing dot", "http://localhost./"],
  ["a .localhost name with a trailing dot", "http://vigil.localhost./"],
  ["a private 10/8 address", "http://10.0.0.5/"],
  ["a private 172.16/12 address", "http://172.31.255.255/"],
  ["a private 192.168/16 address", "https://192.168.0.1/hook"],
  ["carrier-grade NAT", "http://100.64.0.1/"],
  ["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
  ["metadata by name", "http://metadata.google.internal/computeMetadata/v1/"],
  ["this network", "http://0.0.0.0/"],
  ["0 as a host", "http://0/"],
  ["decimal IPv4", "http://2130706433/"],
  ["decimal metadata address", "http://2852039166/"],
  ["hex IPv4", "http://0x7f000001/"],
  ["dotted hex IPv4", "http://0x7f.0x0.0x0.0x1/"],
  ["octal IPv4", "http://0177.0.0.1/"],
  ["short IPv4", "http://127.1/"],
  ["a trailing dot on an IPv4 address", "http://127.0.0.1./"],
  ["benchmarking range", "http://198.18.0.1/"],
  ["multicast", "http://224.0.0.1/"],
  ["broadcast", "http://255.255.255.255/"],
  ["IPv6 loopback", "http://[::1]/"],
  ["IPv6 unspecified", "http://[::]/"],
  ["IPv6 loopback, long form", "http://[0:0:0:0:0:0:0:1]/"],
  ["IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/"],
  ["IPv4-mapped IPv6 metadata", "http://[::ffff:169.254.169.254]/"],
  ["IPv4-mapped IPv6, hex form", "http://[::ffff:7f00:1]/"],
  ["IPv4-compatible IPv6 loopback", "http://[::127.0.0.1]/"],
  ["NAT64 of loopback", "http://[64:ff9b::127.0.0.1]/"],
  ["NAT64 of metadata", "http://[64:ff9b::a9fe:a9fe]/"],
  ["IPv6 unique local", "http://[fd12:3456::1]/"],
  ["IPv6 link-local", "http://[fe80::1]/"],
  ["IPv6 link-local, upper half of fe80::/10", "http://[febf::1]/"],
  ["IPv6 site-local", "http://[fec0::1]/"],
  ["IPv6 multicast", "http://[ff02::1]/"],
];

const badScheme = ["ftp://example.com/hook", "file:///etc/passwd", "gopher://example.com/", "data:text/plain,hi", "javascript:alert(1)", "ws://example.com/", "dict://127.0.0.1:11211/"];

const allowed = [
  "https://hooks.slack.com/services/T000/B000/XXXX",
  "https://example.com/webhook",
  "http://1.1.1.1/",
  "http://172.32.0.1/",
  "http://192.169.0.1/",
  "http://100.128.0.1/",
  "http://169.255.0.1/",
  "http://[2606:4700:4700::1111]/",
  "http://[64:ff9b::101:101]/",
  "http://[2001:db8::ffff]/",
  "http://internal.example.com/",
];

describe("the URL rule (outgoingUrlProblem)", () => {
  it.each(refused)("refuses %s: %s", (_, url) => {
    expect(outgoingUrlProblem(url, false)).toMatch(/Private, loopback and link-local/);
    expect(isPrivateHost(new URL(url).hostname)).toBe(true);
  });

  it.each(refused)("allows %s when ALERTS_ALLOW_PRIVATE_URLS is on: %s", (_, url) => {
    expect(outgoingUrlProblem(url, true)).toBeUndefined();
  });

  it.each(badScheme)("refuses the scheme of %s, whatever the setting", (url) => {
    expect(outgoingUrlProblem(url, false)).toBeDefined();
    expect(outgoingUrlProblem(url, true)).toBeDefined();
  });

  it.each(allowed)("allows the public %s", (url) => {
    expect(outgoingUrlProblem(url, false)).toBeUndefined();
  });

  it("refuses credentials in the URL and what is not a URL", () => {
    expect(outgoingUrlProblem("https://user:pass@example.com/", false)).toMatch(/Credentials/);
    expect(outgoingUrlProblem("not a url", false)).toMatch(/valid URL/);
    expect(outgoingUrlProblem("//example.com/", false)).toMatch(/valid URL/);
  });
});

/** The production app with ALERTS_ALLOW_PRIVATE_URLS off, for one request as a signed-in browser. */
async function asProduction(cookie: string, method: string, path: string, body?: unknown) {
  const app = newApp();
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${ORIGIN}/api/v1${path}`, {
      method,
      headers: { cookie: `vigil_session=${cookie}`, origin: ORIGIN, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { ...env, ALERTS_ALLOW_PRIVATE_URLS: "false" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

describe("the routes refuse private targets when the setting is off", () => {
  const samples = ["http://169.254.169.254/latest/meta-data/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://localhost./", "http://[64:ff9b::127.0.0.1]/", "ftp://example.com/"];

  it.each(samples)("webhook and Slack channels: %s is 400 and nothing is saved", async (url) => {
    const owner = await withProject();
    for (const type of ["webhook", "slack"]) {
      const res = await asProduction(owner.client.cookie!, "POST", `/orgs/${owner.orgSlug}/channels`, { type, name: "x", url });
      expect(res.status, `${type} ${url}`).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await owner.client.get(`/orgs/${owner.orgSlug}/channels`)).body.data).toEqual([]);
  });

  it.each(samples)("monitors (create, test now, change the URL): %s is 400", async (url) => {
    const owner = await withProject();
    const create = await asProduction(owner.client.cookie!, "POST", `/projects/${owner.project.id}/monitors`, { name: "x", url });
    expect(create.status).toBe(400);
    expect(create.body.error.message).toMatch(/monitored|http/);
    const test = await asProduction(owner.client.cookie!, "POST", `/projects/${owner.project.id}/monitors/test`, { name: "x", url });
    expect(test.status).toBe(400);
    // A monitor saved with a public URL cannot be pointed inside afterwards.
    const saved = await owner.client.post(`/projects/${owner.project.id}/monitors`, { name: "public", url: "https://shop.example/" });
    expect(saved.status).toBe(201);
    const patch = await asProduction(owner.client.cookie!, "PATCH", `/monitors/${saved.body.id}`, { url });
    expect(patch.status).toBe(400);
    expect((await owner.client.get(`/monitors/${saved.body.id}`)).body.url).toBe("https://shop.example/");
  });

  it.each(["127.0.0.1:22", "[::1]:6379", "169.254.169.254:80", "2130706433:5432", "localhost:5432", "[::ffff:10.0.0.1]:5432"])("TCP monitors: %s is 400", async (target) => {
    const owner = await withProject();
    const res = await asProduction(owner.client.cookie!, "POST", `/projects/${owner.project.id}/monitors`, { name: "db", type: "tcp", url: target });
    expect(res.status).toBe(400);
  });

  it("a public webhook URL is accepted with the setting off", async () => {
    const owner = await withProject();
    const res = await asProduction(owner.client.cookie!, "POST", `/orgs/${owner.orgSlug}/channels`, { type: "webhook", name: "public", url: "https://hooks.example.com/vigil" });
    expect(res.status).toBe(201);
  });
});

describe("a monitor's redirects pass the same rule as its URL", () => {
  const spec = (url: string, over: Partial<CheckSpec> = {}): CheckSpec => ({
    monitorId: 1,
    type: "http",
    url,
    method: "GET",
    headers: {},
    body: null,
    expectedStatus: ["2xx"],
    keyword: null,
    keywordMode: "present",
    jsonAssertion: null,
    maxResponseMs: null,
    followRedirects: true,
    timeoutMs: 3000,
    ...over,
  });

  it("a redirect to a private address is not followed with the setting off, and is followed with it on", async () => {
    const inside = await newTarget({ body: "internal admin" });
    const outside = await newTarget({ status: 302, headers: { location: `${inside.url}/admin` }, body: "" });
    const refusedCheck = await runCheck(spec(outside.url), "weur", { allowPrivate: false });
    expect(refusedCheck).toMatchObject({ status: "down", errorClass: "connect" });
    expect(refusedCheck.error).toMatch(/not followed/);
    expect(await inside.log()).toEqual([]);
    const followed = await runCheck(spec(outside.url), "weur", { allowPrivate: true });
    expect(followed).toMatchObject({ status: "up", httpStatus: 200 });
    expect((await inside.log()).map((l) => l.path)).toEqual(["/admin"]);
  });

  it.each(["http://169.254.169.254/latest/meta-data/iam/", "http://[::ffff:a9fe:a9fe]/", "http://2852039166/", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO"])(
    "a redirect to %s is never followed with the setting off",
    async (location) => {
      const t = await newTarget({ status: 301, headers: { location }, body: "" });
      const r = await runCheck(spec(t.url), "wnam", { allowPrivate: false });
      expect(r).toMatchObject({ status: "down" });
      expect(r.error).toMatch(/not followed/);
    },
  );

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    const loop = await newTarget({ status: 302, headers: { location: "/again" }, body: "" });
    const r = await runCheck(spec(loop.url), "apac", { allowPrivate: true });
    expect(r).toMatchObject({ status: "down" });
    expect(r.error).toMatch(/redirects/);
    expect((await loop.log()).length).toBe(MAX_REDIRECTS + 1);
  });

  it("without following, the 3xx itself is judged and nothing else is fetched", async () => {
    const inside = await newTarget({ body: "internal" });
    const t = await newTarget({ status: 302, headers: { location: inside.url }, body: "" });
    const r = await runCheck(spec(t.url, { followRedirects: false, expectedStatus: ["3xx"] }), "wnam", { allowPrivate: true });
    expect(r).toMatchObject({ status: "up", httpStatus: 302 });
    expect(await inside.log()).toEqual([]);
  });
});
