import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eventually, keyOf, sendEvent, signUp, withProject } from "../test/client";
import productList from "../test/fixtures/tx-product-list.envelope?raw";
import { newTarget } from "../test/targets-client";
import { runUptimeRound } from "../uptime/round";

const ORIGIN = "http://localhost:8787";
const MINUTE = 60_000;

/** A captured transaction replayed as if it ended `endsAgoMs` ago, with a fresh event id and the given release. */
function replay(envelope: string, release: string, endsAgoMs = 0) {
  const [header, itemHeader, payload] = envelope.split("\n");
  const tx = JSON.parse(payload!) as Record<string, any>;
  const shift = Date.now() - endsAgoMs - Date.parse(tx.timestamp);
  const move = (t: string) => new Date(Date.parse(t) + shift).toISOString();
  tx.start_timestamp = move(tx.start_timestamp);
  tx.timestamp = move(tx.timestamp);
  for (const s of tx.spans) {
    s.start_timestamp = move(s.start_timestamp);
    s.timestamp = move(s.timestamp);
  }
  tx.event_id = crypto.randomUUID().replaceAll("-", "");
  tx.release = release;
  const body = JSON.stringify(tx);
  return { traceId: tx.contexts.trace.trace_id as string, body: `${JSON.stringify({ ...JSON.parse(header!), event_id: tx.event_id })}\n${JSON.stringify({ ...JSON.parse(itemHeader!), length: new TextEncoder().encode(body).length })}\n${body}\n` };
}

describe("the timeline", () => {
  it("puts an outage, its errors, its error logs, slow requests, cron runs and the release on one axis", async () => {
    const { client, project } = await withProject("timeline");
    const key = keyOf(project.dsn);
    const now = Date.now();

    // An outage: every region gets 500 for two rounds (opened on the first, confirmed by its re-check), then recovers.
    const target = await newTarget({ failRegions: ["wnam", "weur", "apac"], failStatus: 500 });
    const monitor = (await client.post(`/projects/${project.id}/monitors`, { name: "Shop home", url: `${target.url}/` })).body as { id: number };
    // (A new monitor is due from its creation on: the rounds run at the coming minutes.)
    const minute = Math.ceil(now / MINUTE) * MINUTE;
    await runUptimeRound(env, minute, { recheckDelayMs: 50 });
    await runUptimeRound(env, minute + MINUTE, { recheckDelayMs: 50 });
    await target.configure({});
    await runUptimeRound(env, minute + 2 * MINUTE, { recheckDelayMs: 50 });

    // The errors of one minute, from a new release, and their log lines (early in that minute, so all in one bar).
    const errorMinute = Math.floor((now - 2 * MINUTE) / MINUTE) * MINUTE;
    for (let i = 0; i < 3; i++) {
      expect((await sendEvent(project, { message: "Database unavailable", level: "error", release: "shop@2.0.0", timestamp: (errorMinute + 1000) / 1000 })).status).toBe(200);
    }
    const logs = await SELF.fetch(`${ORIGIN}/api/${project.id}/logs/`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/x-ndjson" },
      body: Array.from({ length: 4 }, (_, i) => JSON.stringify({ timestamp: new Date(errorMinute + 1000 + i * 1000).toISOString(), level: "error", message: `connection refused ${i}` })).join("\n"),
    });
    expect(logs.status).toBe(200);
    // A slow request of the same release.
    const tx = replay(productList, "shop@2.0.0", 2 * MINUTE);
    const sent = await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, { method: "POST", headers: { "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7` }, body: tx.body });
    expect(sent.status).toBe(200);
    // A cron that ran and one that failed.
    await client.post(`/projects/${project.id}/crons`, { slug: "nightly-report", schedule: { type: "interval", value: 1, unit: "hour" } });
    expect((await SELF.fetch(`${ORIGIN}/ping/${key}/nightly-report`)).status).toBe(200);
    expect((await SELF.fetch(`${ORIGIN}/ping/${key}/nightly-report/fail`)).status).toBe(200);

    const range = `from=${new Date(now - 10 * MINUTE).toISOString()}&to=${new Date(now + 5 * MINUTE).toISOString()}`;
    const t = await eventually(async () => {
      const r = await client.get(`/projects/${project.id}/timeline?${range}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const b = r.body;
      const ready = b.errors.total.reduce((a: number, n: number) => a + n, 0) === 3 && b.requests.count.reduce((a: number, n: number) => a + n, 0) === 1 && b.releases.length === 1;
      return ready ? b : null;
    });

    expect(t.bucketSeconds).toBe(60);
    expect(t.buckets.length).toBe(Math.ceil((now + 5 * MINUTE - Math.floor((now - 10 * MINUTE) / MINUTE) * MINUTE) / MINUTE));
    const lanes = [t.errors.total, t.requests.count, t.requests.p95, t.requests.slowest, t.logs.counts];
    for (const lane of lanes) expect(lane).toHaveLength(t.buckets.length);

    // Uptime: one incident from the first failing round to the recovery; each region failing in those rounds.
    const [m] = t.monitors;
    expect(m).toMatchObject({ id: monitor.id, name: "Shop home" });
    expect(m.incidents).toHaveLength(1);
    const incident = m.incidents[0];
    // (Checks are stamped with the time they ran: these rounds ran just now.)
    expect(Date.parse(incident.from)).toBeGreaterThanOrEqual(now);
    expect(incident.to).not.toBeNull();
    expect(Date.parse(incident.to)).toBeGreaterThan(Date.parse(incident.from));
    expect(incident.regions.sort()).toEqual(["apac", "weur", "wnam"]);
    expect(m.regions.map((r: any) => r.region).sort()).toEqual(["apac", "weur", "wnam"]);
    for (const r of m.regions) expect(r.failing.length).toBeGreaterThanOrEqual(1);

    // Errors: all three in the bucket two minutes ago, the issue among the busiest, marked new.
    const errorBucket = t.buckets.findIndex((b: string) => Date.parse(b) === errorMinute);
    expect(t.errors.total[errorBucket]).toBe(3);
    const issue = t.errors.issues[0];
    expect(issue.counts[errorBucket]).toBe(3);
    expect(t.errors.marks).toEqual([expect.objectContaining({ kind: "new", issueId: issue.id })]);
    // Logs: the four error lines in the same minute.
    expect(t.logs.counts[errorBucket].error).toBe(4);
    // Requests: the slow one, its p95 and its trace to open.
    const txBucket = t.requests.count.findIndex((n: number) => n > 0);
    expect(t.requests.p95[txBucket]).toBeGreaterThan(0);
    expect(t.requests.slowest[txBucket]).toBe(tx.traceId);
    // Crons: both runs, with their outcome.
    expect(t.crons[0].runs).toHaveLength(2);
    expect(new Set(t.crons[0].runs.map((r: any) => r.status)).size).toBe(2);
    // The release, first seen on those events.
    expect(t.releases).toEqual([{ version: "shop@2.0.0", firstSeen: expect.any(String) }]);

    // Over a day: counts per bucket still exact, the p95 of each bucket's hour, no slowest trace (zoom in for it).
    const dayView = (await client.get(`/projects/${project.id}/timeline`)).body;
    expect(dayView.requests.count.reduce((a: number, n: number) => a + n, 0)).toBe(1);
    const busy = dayView.requests.count.findIndex((n: number) => n > 0);
    expect(dayView.requests.p95[busy]).toBe(t.requests.p95[txBucket]);
    expect(dayView.requests.slowest.every((x: string | null) => x === null)).toBe(true);
    expect(dayView.errors.total.reduce((a: number, n: number) => a + n, 0)).toBe(3);

    // Its page: the issue it brought, latency after it.
    const release = await client.get(`/projects/${project.id}/releases/${encodeURIComponent("shop@2.0.0")}`);
    expect(release.status).toBe(200);
    expect(release.body).toMatchObject({ version: "shop@2.0.0", newIssues: 1, issues: [expect.objectContaining({ id: issue.id })] });
    expect(release.body.performance.after.count).toBe(1);
    expect((await client.get(`/projects/${project.id}/releases`)).body.data).toEqual([expect.objectContaining({ version: "shop@2.0.0", newIssues: 1 })]);
    expect((await client.get(`/projects/${project.id}/releases/nope`)).status).toBe(404);
  });

  it("is empty, with the right buckets, for a quiet project; longer ranges get wider buckets; other organizations get 404", async () => {
    const { client, project } = await withProject("quiet");
    const now = Date.now();
    const day = await client.get(`/projects/${project.id}/timeline`);
    expect(day.status).toBe(200);
    expect(day.body.bucketSeconds).toBe(15 * 60);
    expect(day.body.buckets.length).toBeGreaterThanOrEqual(96);
    expect(day.body).toMatchObject({ monitors: [], crons: [], releases: [], errors: { issues: [], marks: [] } });
    expect(day.body.errors.total.every((n: number) => n === 0)).toBe(true);
    const week = await client.get(`/projects/${project.id}/timeline?from=${new Date(now - 7 * 86_400_000).toISOString()}`);
    expect(week.body.bucketSeconds).toBe(2 * 3600);
    const other = await signUp("outsider");
    expect((await other.client.get(`/projects/${project.id}/timeline`)).status).toBe(404);
    expect((await client.get(`/projects/${project.id}/timeline?from=${new Date(now).toISOString()}&to=${new Date(now - 1000).toISOString()}`)).status).toBe(400);
  });
});
