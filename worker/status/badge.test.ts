import { beforeAll, describe, expect, it } from "vitest";
import { withProject } from "../test/client";
import { addIncident, backdate, createMonitor, dayStart, get, MINUTE, setState, type CreatedMonitor, type Owner } from "./testing";

let owner: Owner;
let up: CreatedMonitor;
let down: CreatedMonitor;
let hidden: CreatedMonitor;
let named: CreatedMonitor;

beforeAll(async () => {
  owner = await withProject("badges");
  up = await createMonitor(owner, "Checkout", { public: true });
  down = await createMonitor(owner, "Search", { public: true });
  hidden = await createMonitor(owner, "Private admin", { public: false });
  named = await createMonitor(owner, `<script>alert("x")</script>`, { public: true });
  const now = Date.now();
  for (const m of [up, down, hidden, named]) await backdate(m.id, 100, now);
  // 30 minutes down 3 days ago: 99.93% over 30 days, 100% over the last 24 hours.
  await addIncident(up, dayStart(3, now) + 10 * 3_600_000, dayStart(3, now) + 10 * 3_600_000 + 30 * MINUTE);
  await addIncident(down, now - 5 * MINUTE, null);
  await setState(up.id, "up");
  await setState(down.id, "down");
  await setState(hidden.id, "up");
  await setState(named.id, "up");
});

const texts = (svg: string) => [...svg.matchAll(/<text x="[^"]*" y="140"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe("GET /badge/{monitor}.svg", () => {
  it("a public monitor that is up: 'uptime | up 99.93%' over 30 days, green, cached briefly", async () => {
    const res = await get(`/badge/${up.id}.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="20"/);
    expect(texts(res.text)).toEqual(["uptime", "up 99.93%"]);
    expect(res.text).toContain('fill="#3fa33f"');
    expect(res.text).toContain("<title>Checkout: up (99.93% over 30 days)</title>");
    expect(res.text).toContain('aria-label="uptime: up 99.93%"');
  });

  it("?window= picks the period, ?label= the left text", async () => {
    expect(texts((await get(`/badge/${up.id}.svg?window=24h`)).text)).toEqual(["uptime", "up 100%"]);
    expect(texts((await get(`/badge/${up.id}.svg?window=bogus`)).text)).toEqual(["uptime", "up 99.93%"]);
    expect(texts((await get(`/badge/${up.id}.svg?window=constructor`)).text)).toEqual(["uptime", "up 99.93%"]);
    expect(texts((await get(`/badge/${up.id}.svg?label=checkout`)).text)).toEqual(["checkout", "up 99.93%"]);
  });

  it("a public monitor that is down says 'down' in red", async () => {
    const res = await get(`/badge/${down.id}.svg`);
    expect(res.status).toBe(200);
    expect(texts(res.text)).toEqual(["uptime", "down"]);
    expect(res.text).toContain('fill="#e05d44"');
  });

  it.each([
    ["a private monitor", () => `/badge/${hidden.id}.svg`],
    ["an unknown monitor", () => "/badge/987654321.svg"],
    ["a malformed id", () => "/badge/abc.svg"],
    ["another extension", () => `/badge/${up.id}.png`],
  ])("%s is an 'unknown' badge with 404, naming nothing", async (_, path) => {
    const res = await get(path());
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(texts(res.text)).toEqual(["uptime", "unknown"]);
    expect(res.text).toContain("<title>uptime: unknown</title>");
    expect(res.text).not.toContain("Private admin");
  });

  it("escapes the label and the monitor's name", async () => {
    const res = await get(`/badge/${named.id}.svg?label=${encodeURIComponent(`<b>"hi" & 'bye'</b>`)}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/<script|<b>/);
    expect(texts(res.text)).toEqual(["&lt;b&gt;&quot;hi&quot; &amp; &#39;bye&#39;&lt;/b&gt;", "up 100%"]);
    expect(res.text).toContain("<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;: up (100% over 30 days)</title>");
  });
});
