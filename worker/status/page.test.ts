import { beforeAll, describe, expect, it } from "vitest";
import { withProject } from "../test/client";
import { percent, utcTime } from "./format";
import { overallStatus } from "./service";
import { addGap, addIncident, backdate, createMonitor, DAY, dayStart, get, getJson, MINUTE, setState, type CreatedMonitor, type Owner } from "./testing";

/** One organization with two projects, three public monitors with history and one private monitor. */
let owner: Owner;
let api: CreatedMonitor;
let website: CreatedMonitor;
let blog: CreatedMonitor;
let secret: CreatedMonitor;
const t = {
  now: 0,
  outage3: { from: 0, to: 0 },
  blip10: { from: 0, to: 0 },
  old40: { from: 0, to: 0 },
  gap5: { from: 0, to: 0 },
  ongoing: 0,
};
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  owner = await withProject("statuspage");
  const blogProject = await owner.client.post(`/orgs/${owner.orgSlug}/projects`, { name: "Blog" });
  expect(blogProject.status).toBe(201);
  api = await createMonitor(owner, "API", { public: true });
  website = await createMonitor(owner, "Website", { public: true });
  blog = await createMonitor({ ...owner, project: blogProject.body }, "Blog", { public: true });
  secret = await createMonitor(owner, "Internal billing DB", { url: "https://billing.internal.example/secret-health" });

  const now = Date.now();
  t.now = now;
  t.outage3 = { from: dayStart(3, now) + 10 * 60 * MINUTE, to: dayStart(3, now) + 10.5 * 60 * MINUTE };
  t.blip10 = { from: dayStart(10, now) + 12 * 60 * MINUTE, to: dayStart(10, now) + 12 * 60 * MINUTE + 2 * MINUTE };
  t.old40 = { from: dayStart(40, now) + 8 * 60 * MINUTE, to: dayStart(40, now) + 10 * 60 * MINUTE };
  t.gap5 = { from: dayStart(5, now), to: dayStart(4, now) };
  t.ongoing = now - 15 * MINUTE;
  for (const m of [api, website, blog, secret]) await backdate(m.id, 100, now);
  await addIncident(api, t.outage3.from, t.outage3.to);
  await addIncident(api, t.blip10.from, t.blip10.to);
  await addIncident(api, t.old40.from, t.old40.to);
  await addGap(api.id, t.gap5.from, t.gap5.to);
  await addIncident(website, t.ongoing, null);
  await addIncident(secret, now - 5 * MINUTE, null);
  await setState(api.id, "up");
  await setState(blog.id, "up");
  await setState(website.id, "down");
  await setState(secret.id, "down");
});

describe("GET /status/{org}.json", () => {
  it("lists the public monitors of every project of the organization, by name, with state, 90 days and uptime", async () => {
    const res = await getJson(`/status/${owner.orgSlug}.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    expect(res.body.organization).toEqual({ name: expect.any(String), slug: owner.orgSlug });
    expect(res.body.monitors.map((m: { name: string }) => m.name)).toEqual(["API", "Blog", "Website"]);
    expect(res.body.monitors.map((m: { id: number }) => m.id)).toEqual([api.id, blog.id, website.id]);
    expect(res.body.monitors.map((m: { state: string }) => m.state)).toEqual(["up", "up", "down"]);
    for (const m of res.body.monitors) {
      expect(Object.keys(m).sort()).toEqual(["days", "id", "name", "state", "uptime90d"]);
      expect(m.days).toHaveLength(90);
      expect(Object.keys(m.days[0]).sort()).toEqual(["date", "downMs", "uptime"]);
      expect(m.days.at(-1).date).toBe(date(t.now));
    }
  });

  it("bars and the 90-day uptime follow the incidents and gaps exactly", async () => {
    const { body } = await getJson(`/status/${owner.orgSlug}.json`);
    const m = body.monitors.find((x: { id: number }) => x.id === api.id);
    const day = (ms: number) => m.days.find((d: { date: string }) => d.date === date(ms));
    expect(day(t.outage3.from)).toEqual({ date: date(t.outage3.from), downMs: 30 * MINUTE, uptime: 1 - (30 * MINUTE) / DAY });
    expect(day(t.blip10.from)).toEqual({ date: date(t.blip10.from), downMs: 2 * MINUTE, uptime: 1 - (2 * MINUTE) / DAY });
    expect(day(t.old40.from)).toEqual({ date: date(t.old40.from), downMs: 120 * MINUTE, uptime: 1 - (120 * MINUTE) / DAY });
    // Vigil did not check on day -5: no data, neither up nor down.
    expect(day(t.gap5.from)).toEqual({ date: date(t.gap5.from), downMs: 0, uptime: null });
    expect(day(dayStart(20, t.now))).toEqual({ date: date(dayStart(20, t.now)), downMs: 0, uptime: 1 });
    // 152 min down out of 90 days, less the day without data.
    expect(m.uptime90d).toBeCloseTo(1 - (152 * MINUTE) / (89 * DAY), 9);
  });

  it("incidents: the ongoing one first, then the last 30 days, newest first, with exact times and durations", async () => {
    const { body } = await getJson(`/status/${owner.orgSlug}.json`);
    expect(body.incidents.map((i: { monitorName: string; startedAt: string }) => [i.monitorName, i.startedAt])).toEqual([
      ["Website", new Date(t.ongoing).toISOString()],
      ["API", new Date(t.outage3.from).toISOString()],
      ["API", new Date(t.blip10.from).toISOString()],
    ]);
    const [ongoing, outage3, blip10] = body.incidents;
    expect(ongoing).toMatchObject({ monitorId: website.id, endedAt: null });
    expect(ongoing.durationSeconds).toBeGreaterThanOrEqual(15 * 60);
    expect(ongoing.durationSeconds).toBeLessThan(16 * 60);
    expect(outage3).toEqual({ monitorId: api.id, monitorName: "API", startedAt: new Date(t.outage3.from).toISOString(), endedAt: new Date(t.outage3.to).toISOString(), durationSeconds: 1800 });
    expect(blip10.durationSeconds).toBe(120);
    expect(body.status).toBe("partial_outage");
  });
});

describe("GET /status/{org}", () => {
  it("is server-rendered HTML with no scripts, cacheable, with a strict CSP whose hash matches the inline stylesheet", async () => {
    const page = await get(`/status/${owner.orgSlug}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("cache-control")).toBe("public, max-age=30");
    expect(page.headers.get("set-cookie")).toBeNull();
    expect(page.text).toMatch(/^<!doctype html>/);
    expect(page.text).not.toMatch(/<script/i);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    const styles = [...page.text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(styles[0]));
    expect(csp).toContain(`style-src 'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`);
    expect(page.text).not.toMatch(/ style="/);
  });

  it("shows the banner, one row per public monitor with its state, bars and 90-day uptime", async () => {
    const page = await get(`/status/${owner.orgSlug}`);
    expect(page.text).toContain("Partial outage");
    const rows = [...page.text.matchAll(/<li class="monitor" id="monitor-(\d+)">/g)];
    expect(rows.map((r) => Number(r[1]))).toEqual([api.id, blog.id, website.id]);
    const row = (id: number) => page.text.slice(page.text.indexOf(`id="monitor-${id}"`)).split('<li class="monitor"')[0]!;
    expect(row(api.id)).toContain('class="state tone-ok">Operational<');
    expect(row(website.id)).toContain('class="state tone-down">Down<');
    expect(row(api.id).match(/<li class="tone-(ok|warn|down|none)" title="/g)).toHaveLength(90);
    const { body } = await getJson(`/status/${owner.orgSlug}.json`);
    expect(row(api.id)).toContain(`${percent(body.monitors[0].uptime90d)} uptime`);
  });

  it("colors and labels each day by its uptime: red beyond 1% down, amber below, grey without data", async () => {
    const page = await get(`/status/${owner.orgSlug}`);
    expect(page.text).toContain(`<li class="tone-down" title="${date(t.outage3.from)}: 97.91% uptime, down 30 min (1 incident)">`);
    expect(page.text).toContain(`<li class="tone-warn" title="${date(t.blip10.from)}: 99.86% uptime, down 2 min (1 incident)">`);
    expect(page.text).toContain(`<li class="tone-none" title="${date(t.gap5.from)}: no data">`);
    expect(page.text).toContain(`<li class="tone-ok" title="${date(dayStart(20, t.now))}: 100% uptime, no downtime">`);
  });

  it("lists the current incident and the past ones with exact UTC times and durations", async () => {
    const page = await get(`/status/${owner.orgSlug}`);
    const current = page.text.slice(page.text.indexOf('id="current"'), page.text.indexOf('id="monitors"'));
    expect(current).toContain("Website is down");
    expect(current).toContain("Ongoing");
    expect(current).toContain(`Since <time datetime="${new Date(t.ongoing).toISOString()}">${utcTime(new Date(t.ongoing))}</time> · 15 min`);
    const past = page.text.slice(page.text.indexOf('id="past"'));
    expect(past).toContain(
      `From <time datetime="${new Date(t.outage3.from).toISOString()}">${utcTime(new Date(t.outage3.from))}</time> to <time datetime="${new Date(t.outage3.to).toISOString()}">${utcTime(new Date(t.outage3.to))}</time> · 30 min`,
    );
    expect(past).toContain(`${utcTime(new Date(t.blip10.to))}</time> · 2 min`);
    expect(past.match(/API was down/g)).toHaveLength(2);
    // The outage 40 days ago is in the bars, not in the list.
    expect(page.text).not.toContain(utcTime(new Date(t.old40.from)));
  });

  it("without a current incident there is no current-incidents section", async () => {
    const other = await withProject("quietorg");
    const calm = await createMonitor(other, "Calm", { public: true });
    await setState(calm.id, "up");
    const page = await get(`/status/${other.orgSlug}`);
    expect(page.text).toContain("All systems operational");
    expect(page.text).not.toContain('id="current"');
    expect(page.text).toContain("No incidents in the last 30 days.");
  });
});

describe("overall status", () => {
  it("from the monitors' states: most down is a major outage; some down or degraded partial; maintenance otherwise", () => {
    expect(overallStatus(["up", "up"])).toBe("operational");
    expect(overallStatus(["up", "down", "up"])).toBe("partial_outage");
    expect(overallStatus(["up", "down"])).toBe("partial_outage");
    expect(overallStatus(["up", "degraded"])).toBe("partial_outage");
    expect(overallStatus(["down", "down", "up"])).toBe("major_outage");
    expect(overallStatus(["down"])).toBe("major_outage");
    expect(overallStatus(["up", "maintenance"])).toBe("maintenance");
    expect(overallStatus(["down", "maintenance", "up"])).toBe("partial_outage");
    // Paused and never-checked monitors do not count either way.
    expect(overallStatus(["down", "paused", "pending"])).toBe("major_outage");
    expect(overallStatus(["paused", "pending"])).toBe("operational");
  });

  it.each([
    [["up", "up", "up"], "operational", "All systems operational"],
    [["up", "down", "up"], "partial_outage", "Partial outage"],
    [["degraded", "up", "up"], "partial_outage", "Partial outage"],
    [["down", "down", "up"], "major_outage", "Major outage"],
    [["maintenance", "up", "up"], "maintenance", "Under maintenance"],
  ] as const)("states %j → %s on the page and in the JSON", async (states, status, banner) => {
    const org = await withProject("banner");
    const ms = [];
    for (const [i, s] of states.entries()) {
      const m = await createMonitor(org, `Service ${i}`, { public: true });
      await setState(m.id, s);
      ms.push(m);
    }
    // A private monitor that is down changes nothing.
    const hidden = await createMonitor(org, "Hidden", { public: false });
    await setState(hidden.id, "down");
    expect((await getJson(`/status/${org.orgSlug}.json`)).body.status).toBe(status);
    const page = await get(`/status/${org.orgSlug}`);
    expect(page.text).toContain(`<p class="title">${banner}</p>`);
  });
});
