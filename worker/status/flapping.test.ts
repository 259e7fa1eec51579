import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { withProject } from "../test/client";
import { barTone, percent } from "./format";
import { addGap, backdate, createMonitor, DAY, dayStart, get, getJson, MINUTE, setState, type CreatedMonitor, type Owner } from "./testing";

/**
 * A monitor that flaps (down 45 s every 2 minutes for hours on end) has thousands of outages in 90 days.
 * The public page must still answer with the same uptime and bars as for any other history, summed
 * without loading every outage, and list a bounded number of them.
 */

interface Seeded {
  from: number;
  to: number | null;
}

let owner: Owner;
let flappy: CreatedMonitor;
let calm: CreatedMonitor;
let created = 0;
const outages: Seeded[] = [];
const gaps: { from: number; to: number }[] = [];
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Insert the outages 500 at a time (one statement each, the rows as a JSON array). */
async function insertOutages(m: CreatedMonitor, rows: Seeded[]) {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => [r.from, r.to]);
    await env.DB.prepare(
      `insert into monitor_incidents (monitor_id, project_id, started_at, confirmed_at, ended_at, failing_regions, first_error)
       select ?1, ?2, json_extract(value, '$[0]'), json_extract(value, '$[0]'), json_extract(value, '$[1]'), '["weur"]', '{"region":"weur","errorClass":"status"}'
       from json_each(?3)`,
    )
      .bind(m.id, m.projectId, JSON.stringify(chunk))
      .run();
  }
}

beforeAll(async () => {
  owner = await withProject("flapping");
  flappy = await createMonitor(owner, "Flappy", { public: true });
  calm = await createMonitor(owner, "Calm", { public: true });
  const now = Date.now();
  created = now - 120 * DAY;
  for (const m of [flappy, calm]) await backdate(m.id, 120, now);
  await setState(flappy.id, "down");
  await setState(calm.id, "up");

  // Oldest first, one after the other, as the uptime round records them.
  // Flapping before the 90 days (never read for the page, but there in the table).
  for (let t = dayStart(110, now); t < dayStart(110, now) + 20 * 3_600_000; t += 2 * MINUTE) outages.push({ from: t, to: t + 45_000 });
  // A long outage that began before the window and ends inside it.
  outages.push({ from: now - 95 * DAY, to: now - 89.5 * DAY });
  for (let daysAgo = 88; daysAgo >= 1; daysAgo--) {
    if (daysAgo === 51) {
      // Across midnight: 30 minutes on day -51, 45 on day -50.
      outages.push({ from: dayStart(50, now) - 30 * MINUTE, to: dayStart(50, now) + 45 * MINUTE });
    }
    if (daysAgo % 3 !== 1) continue;
    // Every third day flaps for 4 hours (120 outages, 90 min down: a red bar); every ninth only 10 times (7.5 min: amber).
    const count = daysAgo % 9 === 1 ? 10 : 120;
    const start = dayStart(daysAgo, now) + 6 * 3_600_000;
    for (let k = 0; k < count; k++) outages.push({ from: start + k * 2 * MINUTE, to: start + k * 2 * MINUTE + 45_000 });
  }
  // Down right now.
  outages.push({ from: now - 3 * MINUTE, to: null });
  await insertOutages(flappy, outages);

  // Two hours unchecked on day -60, and all of day -72.
  gaps.push({ from: dayStart(60, now) + 3_600_000, to: dayStart(60, now) + 3 * 3_600_000 }, { from: dayStart(72, now), to: dayStart(71, now) });
  for (const g of gaps) await addGap(flappy.id, g.from, g.to);
});

/** Down and unchecked time of the flapping monitor in [from, to), computed straight from the seeded rows. */
function expected(from: number, to: number, now: number) {
  const w = { from: Math.max(from, created), to: Math.min(to, now) };
  const overlap = (a: number, b: number) => Math.max(0, Math.min(b, w.to) - Math.max(a, w.from));
  let downMs = 0;
  let incidents = 0;
  for (const o of outages) {
    const ms = overlap(o.from, o.to ?? now);
    downMs += ms;
    if (ms > 0) incidents++;
  }
  const unknownMs = gaps.reduce((n, g) => n + overlap(g.from, g.to), 0);
  const known = w.to - w.from - unknownMs;
  return { downMs, incidents, uptime: known <= 0 ? null : 1 - downMs / known };
}

describe("a flapping public monitor", () => {
  it("the page answers with the 90-day uptime computed from every seeded outage", async () => {
    const res = await getJson(`/status/${owner.orgSlug}.json`);
    expect(res.status).toBe(200);
    const now = Date.parse(res.body.updatedAt);
    const m = res.body.monitors.find((x: { id: number }) => x.id === flappy.id);
    const want = expected(now - 90 * DAY, now, now);
    // Thousands of outages reach into the window: the point of this test.
    expect(want.incidents).toBeGreaterThan(2000);
    expect(m.uptime90d).toBeCloseTo(want.uptime!, 12);
    const other = res.body.monitors.find((x: { id: number }) => x.id === calm.id);
    expect(other.uptime90d).toBe(1);
  });

  it("each daily bar has the downtime and uptime of its day; the bars mark exactly the days with outages", async () => {
    const { body } = await getJson(`/status/${owner.orgSlug}.json`);
    const now = Date.parse(body.updatedAt);
    const m = body.monitors.find((x: { id: number }) => x.id === flappy.id);
    const today = Math.floor(now / DAY) * DAY;
    const want = Array.from({ length: 90 }, (_, i) => {
      const from = today - (89 - i) * DAY;
      const e = expected(from, from + DAY, now);
      return { date: date(from), downMs: e.downMs, uptime: e.uptime };
    });
    expect(m.days).toEqual(want);
    // Spot checks against the seeding itself, not just the arithmetic above.
    const day = (daysAgo: number) => m.days[89 - daysAgo];
    expect(day(4)).toMatchObject({ downMs: 120 * 45_000 });
    expect(day(10)).toMatchObject({ downMs: 10 * 45_000 });
    expect(day(51)).toMatchObject({ downMs: 30 * MINUTE });
    expect(day(50)).toMatchObject({ downMs: 45 * MINUTE });
    expect(day(72)).toMatchObject({ uptime: null, downMs: 0 });
    expect(day(5)).toMatchObject({ downMs: 0, uptime: 1 });
  });

  it("the HTML colors each bar from the seeded rows and shows the same uptime", async () => {
    const page = await get(`/status/${owner.orgSlug}`);
    expect(page.status).toBe(200);
    const now = Date.parse(/Updated <time datetime="([^"]+)"/.exec(page.text)![1]!);
    const row = page.text.slice(page.text.indexOf(`id="monitor-${flappy.id}"`)).split('<li class="monitor"')[0]!;
    const tones = [...row.matchAll(/<li class="tone-(ok|warn|down|none)" title="/g)].map((t) => t[1]);
    const today = Math.floor(now / DAY) * DAY;
    const want = Array.from({ length: 90 }, (_, i) => {
      const e = expected(today - (89 - i) * DAY, today - (88 - i) * DAY, now);
      return barTone(e.uptime, e.downMs);
    });
    expect(tones).toEqual(want);
    expect(new Set(tones)).toEqual(new Set(["ok", "warn", "down", "none"]));
    expect(row).toContain(`${percent(expected(now - 90 * DAY, now, now).uptime!)} uptime`);
  });

  it("lists the ongoing outage and only the 50 newest that ended in the last 30 days, and says there are more", async () => {
    const { body } = await getJson(`/status/${owner.orgSlug}.json`);
    const now = Date.parse(body.updatedAt);
    const ended = outages
      .filter((o) => o.to !== null && o.to >= now - 30 * DAY)
      .sort((a, b) => b.from - a.from)
      .slice(0, 50)
      .map((o) => [new Date(o.from).toISOString(), new Date(o.to!).toISOString()]);
    const ongoing = outages.filter((o) => o.to === null).map((o) => [new Date(o.from).toISOString(), null]);
    expect(body.incidents.map((i: { startedAt: string; endedAt: string | null }) => [i.startedAt, i.endedAt])).toEqual([...ongoing, ...ended]);
    expect(body.incidentsTruncated).toBe(true);

    const page = await get(`/status/${owner.orgSlug}`);
    const past = page.text.slice(page.text.indexOf('id="past"'));
    expect(past).toContain("· last 30 days · the 50 most recent");
    expect(past.match(/Flappy was down/g)).toHaveLength(50);
  });

  it("its badge over 90 days shows the same uptime, summed the same way", async () => {
    const before = Date.now();
    const badge = await get(`/badge/${flappy.id}.svg?window=90d`);
    const after = Date.now();
    expect(badge.status).toBe(200);
    // The badge does not say when it was drawn: its uptime is the one of a moment between the two clocks.
    const shown = /<title>Flappy: down \(([\d.]+%) over 90 days\)<\/title>/.exec(badge.text)?.[1];
    const at = (now: number) => percent(expected(now - 90 * DAY, now, now).uptime!);
    expect([at(before), at(after)]).toContain(shown);
  });
});
