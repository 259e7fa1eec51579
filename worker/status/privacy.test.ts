import { beforeAll, describe, expect, it } from "vitest";
import { errorCode, withProject } from "../test/client";
import { addIncident, createMonitor, get, getJson, MINUTE, setState, type CreatedMonitor, type Owner } from "./testing";

/** What the public must never see: private monitors, URLs, error details, other organizations; and escaping. */

const EVIL = `<script>alert(1)</script> & "quoted" 'single'`;
const EVIL_ORG = `<img src=x onerror=alert(2)> Ltd`;

let acme: Owner;
let rival: Owner;
let shown: CreatedMonitor;
let evil: CreatedMonitor;
let hidden: CreatedMonitor;
let rivalPublic: CreatedMonitor;
let privateOnly: Owner;

beforeAll(async () => {
  acme = await withProject("acme");
  rival = await withProject("rival");
  privateOnly = await withProject("privateonly");
  shown = await createMonitor(acme, "Storefront", { public: true, url: "https://shop.example.com/health-public-xk2" });
  evil = await createMonitor(acme, EVIL, { public: true });
  hidden = await createMonitor(acme, "Internal billing DB zq9", { url: "https://billing.internal.example/secret-zq9" });
  rivalPublic = await createMonitor(rival, "Rival checkout q7", { public: true });
  await createMonitor(privateOnly, "Only private", { public: false });
  for (const m of [shown, evil, hidden, rivalPublic]) await setState(m.id, "down");
  await addIncident(shown, Date.now() - 10 * MINUTE, null);
  await addIncident(hidden, Date.now() - 20 * MINUTE, null);
  expect((await acme.client.patch(`/orgs/${acme.orgSlug}`, { name: EVIL_ORG })).status).toBe(200);
});

describe("only public monitors, names only", () => {
  it("a private monitor's name, id and URL never appear; nor any monitor's URL or error details", async () => {
    const page = await get(`/status/${acme.orgSlug}`);
    const json = await get(`/status/${acme.orgSlug}.json`);
    for (const text of [page.text, json.text]) {
      expect(text).toContain("Storefront");
      expect(text).not.toContain("Internal billing DB zq9");
      expect(text).not.toContain("secret-zq9");
      expect(text).not.toContain("billing.internal.example");
      expect(text).not.toContain("health-public-xk2");
      expect(text).not.toContain("shop.example.com");
      expect(text).not.toContain("secret stack trace");
      expect(text).not.toContain("HTTP 500");
      expect(text).not.toContain(`monitor-${hidden.id}"`);
    }
    const body = JSON.parse(json.text);
    expect(body.monitors.map((m: { id: number }) => m.id).sort()).toEqual([shown.id, evil.id].sort());
    expect(body.incidents.map((i: { monitorId: number }) => i.monitorId)).toEqual([shown.id]);
    // Two public monitors, both down.
    expect(body.status).toBe("major_outage");
  });

  it("the owner's session cookie changes nothing: the page reads no cookies", async () => {
    const page = await get(`/status/${acme.orgSlug}`, { cookie: `vigil_session=${acme.client.cookie}` });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("Internal billing DB zq9");
    expect(page.headers.get("set-cookie")).toBeNull();
  });

  it("another organization's monitors never appear, either way round", async () => {
    const ours = await get(`/status/${acme.orgSlug}`);
    const theirs = await get(`/status/${rival.orgSlug}`);
    expect(ours.text).not.toContain("Rival checkout q7");
    expect(theirs.text).toContain("Rival checkout q7");
    expect(theirs.text).not.toContain("Storefront");
    expect(theirs.text).not.toContain("alert(");
    const theirJson = await getJson(`/status/${rival.orgSlug}.json`);
    expect(theirJson.body.monitors.map((m: { id: number }) => m.id)).toEqual([rivalPublic.id]);
    expect(theirJson.body.incidents).toEqual([]);
  });
});

describe("escaping", () => {
  it("a monitor named like a script tag, and an organization named like an img tag, are text on the page", async () => {
    const page = await get(`/status/${acme.orgSlug}`);
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).not.toMatch(/<img/i);
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;");
    expect(page.text).toContain("<h1>&lt;img src=x onerror=alert(2)&gt; Ltd</h1>");
    expect(page.text).toContain("<title>&lt;img src=x onerror=alert(2)&gt; Ltd status</title>");
  });

  it("the JSON twin carries the names unchanged", async () => {
    const { body } = await getJson(`/status/${acme.orgSlug}.json`);
    expect(body.organization).toEqual({ name: EVIL_ORG, slug: acme.orgSlug });
    expect(body.monitors.map((m: { name: string }) => m.name)).toContain(EVIL);
  });
});

describe("not found", () => {
  it("an unknown organization and one without public monitors get the same friendly 404 page", async () => {
    const unknown = await get("/status/no-such-org-4f2a9");
    const empty = await get(`/status/${privateOnly.orgSlug}`);
    for (const page of [unknown, empty]) {
      expect(page.status).toBe(404);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.text).toContain("Status page not found");
      expect(page.text).not.toMatch(/<script/i);
    }
    expect(empty.text).toBe(unknown.text);
    expect(empty.text).not.toContain("Only private");
    expect(empty.text).not.toContain(privateOnly.orgSlug);
  });

  it("the JSON twin answers 404 in the one error shape, the same for both", async () => {
    const unknown = await getJson("/status/no-such-org-4f2a9.json");
    const empty = await getJson(`/status/${privateOnly.orgSlug}.json`);
    for (const res of [unknown, empty]) {
      expect(res.status).toBe(404);
      expect(errorCode(res)).toBe("not_found");
    }
    expect(empty.body.error).toEqual(unknown.body.error);
  });

  it.each(["/status/UPPER", "/status/-dash", "/status/a%20b", "/status/.json", `/status/x${"y".repeat(80)}`])("%s is the 404 page", async (path) => {
    const page = await get(path);
    expect(page.status).toBe(404);
  });
});
