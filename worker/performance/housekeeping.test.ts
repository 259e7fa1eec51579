import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { withProject } from "../test/client";
import { record, type Histogram } from "./histogram";
import { detectRegressions, REGRESSION_MIN_COUNT, REGRESSION_PAGE_ROWS } from "./regression";
import { cleanUpPerformance, TRACES_KEPT_MS } from "./retention";
import { KEPT_MS } from "./ranges";

const DAY = 86_400_000;
const parts = JSON.stringify({ db: 0, cache: 0, template: 0, http: 0, python: 0 });
const partHistograms = JSON.stringify({ db: {}, cache: {}, template: {}, http: {}, python: {} });

async function dayRow(projectId: number, route: string, start: number, latencies: number[]) {
  const h: Histogram = {};
  for (const ms of latencies) record(h, ms);
  await env.DB.prepare(
    `INSERT INTO perf_rollups (project_id, resolution, start, "transaction", count, failures, satisfied, tolerating, duration_sum, histogram, part_sums, part_histograms)
     VALUES (?, 'day', ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)`,
  )
    .bind(projectId, start, route, latencies.length, latencies.reduce((a, b) => a + b, 0), JSON.stringify(h), parts, partHistograms)
    .run();
}

describe("week-over-week p95 regressions", () => {
  it("opens one performance issue for a route whose p95 rose by more than half, and none for steady ones", async () => {
    const { client, project } = await withProject("regress");
    const now = Date.UTC(2026, 10, 23, 0, 5);
    const today = Math.floor(now / DAY) * DAY;
    const per = Math.ceil(REGRESSION_MIN_COUNT / 7) + 2;
    for (let d = 1; d <= 14; d++) {
      const start = today - d * DAY;
      const previousWeek = d > 7;
      await dayRow(project.id, "/checkout/", start, Array.from({ length: per }, (_, i) => (previousWeek ? 100 : 180) + i));
      await dayRow(project.id, "/products/", start, Array.from({ length: per }, (_, i) => 100 + i));
    }
    expect(await detectRegressions(env, now)).toBe(1);
    expect(await detectRegressions(env, now)).toBe(1); // the same day again: the same event
    const issues = (await client.get(`/projects/${project.id}/issues`)).body.data as { title: string; culprit: string; count: number }[];
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ culprit: "/checkout/", count: 1 });
    expect(issues[0]!.title).toMatch(/^Slower route: p95 of \/checkout\/ up \d+% week over week/);
  });
  it("reads every route of every project when the day rows fill many pages, each route whole", async () => {
    // Three projects × three routes × 14 days, read 10 rows a page: a route's 14 days always straddle a page
    // boundary, and the regressed route is the very last row read (highest project id, last route name).
    const projects = [await withProject("pages-a"), await withProject("pages-b"), await withProject("pages-c")];
    const now = Date.UTC(2027, 1, 10, 0, 5);
    const today = Math.floor(now / DAY) * DAY;
    const per = Math.ceil(REGRESSION_MIN_COUNT / 7) + 2;
    const pageRows = 10;
    let seeded = 0;
    for (const { project } of projects) {
      for (const route of ["/a/", "/m/", "/z/"]) {
        for (let d = 1; d <= 14; d++) {
          const regressed = project.id === projects[2]!.project.id && route === "/z/" && d <= 7;
          await dayRow(project.id, route, today - d * DAY, Array.from({ length: per }, (_, i) => (regressed ? 300 : 100) + i));
          seeded++;
        }
      }
    }
    expect(seeded).toBeGreaterThan(pageRows * 10);
    expect(pageRows).toBeLessThan(REGRESSION_PAGE_ROWS);

    expect(await detectRegressions(env, now, pageRows)).toBe(1);
    for (const { client, project } of projects) {
      const issues = (await client.get(`/projects/${project.id}/issues`)).body.data as { title: string; culprit: string; count: number }[];
      if (project.id !== projects[2]!.project.id) expect(issues).toEqual([]);
      else {
        expect(issues).toHaveLength(1);
        expect(issues[0]).toMatchObject({ culprit: "/z/", count: 1 });
        expect(issues[0]!.title).toMatch(/^Slower route: p95 of \/z\/ up \d+% week over week/);
      }
    }
    // Both weeks whole: the requests of 7 days on each side, not a week cut at a page boundary.
    const { client, project } = projects[2]!;
    const issue = (await client.get(`/projects/${project.id}/issues`)).body.data[0] as { id: number };
    const listed = (await client.get(`/issues/${issue.id}/events`)).body.data as { eventId: string }[];
    expect(listed).toHaveLength(1);
    const detail = (await client.get(`/projects/${project.id}/events/${listed[0]!.eventId}`)).body;
    expect(detail.event.extra.performance).toMatchObject({ requestsBefore: 7 * per, requestsAfter: 7 * per });
  });
});

describe("performance retention", () => {
  it("drops minute rollups after 2 days and stored transactions (with their R2 records) after 14", async () => {
    const { project } = await withProject("retention");
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO perf_rollups (project_id, resolution, start, "transaction", count, failures, satisfied, tolerating, duration_sum, histogram, part_sums, part_histograms)
       VALUES (?1, 'minute', ?2, '/old', 1, 0, 1, 0, 5, '{}', ?4, ?5), (?1, 'minute', ?3, '/new', 1, 0, 1, 0, 5, '{}', ?4, ?5)`,
    )
      .bind(project.id, now - KEPT_MS.minute - 60_000, now - 60_000, parts, partHistograms)
      .run();
    const key = `traces/${project.id}/old.json.gz`;
    await env.BLOBS.put(key, "x");
    await env.DB.prepare(
      `INSERT INTO perf_transactions (project_id, event_id, trace_id, "transaction", start, duration_ms, status, span_count, breakdown, r2_key, aggregated) VALUES (?, 'old', 't', '/old', ?, 5, 'ok', 0, ?, ?, 1)`,
    )
      .bind(project.id, now - TRACES_KEPT_MS - DAY, parts, key)
      .run();
    await cleanUpPerformance(env, now);
    const left = await env.DB.prepare(`SELECT "transaction" FROM perf_rollups WHERE project_id = ?`).bind(project.id).all<{ transaction: string }>();
    expect(left.results.map((r) => r.transaction)).toEqual(["/new"]);
    expect(await env.DB.prepare(`SELECT count(*) AS n FROM perf_transactions WHERE project_id = ?`).bind(project.id).first("n")).toBe(0);
    expect(await env.BLOBS.get(key)).toBeNull();
  });
});
