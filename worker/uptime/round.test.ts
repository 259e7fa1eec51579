import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, inject, it } from "vitest";
import worker from "../index";
import { errorCode, signUp, withProject } from "../test/client";
import { newTarget, type Target } from "../test/targets-client";
import { rollUpChecks } from "./rollup";
import { CHECKS_PER_PROBE_CALL } from "./probe";
import { runUptimeRound } from "./round";

const receiver = inject("receiverUrl");
const MINUTE = 60_000;
let hooks = 0;

/** A user with a webhook channel (to the test receiver) and a project created after it, so default rules send monitor alerts there. */
async function projectWithWebhook() {
  const user = await signUp("uptime");
  const path = `/uptime-hook/${Date.now().toString(36)}-${++hooks}`;
  const channel = await user.client.post(`/orgs/${user.orgSlug}/channels`, { type: "webhook", name: "Ops", url: `${receiver}${path}` });
  expect(channel.status).toBe(201);
  const project = (await user.client.post(`/orgs/${user.orgSlug}/projects`, { name: "Shop" })).body as { id: number };
  const deliveries = async () =>
    ((await (await fetch(`${receiver}/_log?path=${encodeURIComponent(path)}`)).json()) as { body: string }[]).map((r) => JSON.parse(r.body) as { type: string; summary: string; data: any });
  return { ...user, project, deliveries };
}

async function createMonitor(user: Awaited<ReturnType<typeof signUp>>, projectId: number, target: Target, over: Record<string, unknown> = {}) {
  const res = await user.client.post(`/projects/${projectId}/monitors`, { name: `Shop ${target.id}`, url: `${target.url}/health-check/`, ...over });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number };
}

/** Rounds at simulated minutes after a start time, each only for the given monitors' due times. */
function clock(start = Math.ceil(Date.now() / MINUTE) * MINUTE) {
  let minute = 0;
  return { next: () => start + minute++ * MINUTE, at: (m: number) => start + m * MINUTE };
}

// Rounds take every due monitor: each test starts with none left over from the one before.
afterEach(async () => {
  await env.DB.prepare("DELETE FROM monitors").run();
});

const round = (at: number) => runUptimeRound(env, at, { recheckDelayMs: 50 });

async function waitForDeliveries<T>(get: () => Promise<T[]>, count: number, ms = 8000): Promise<T[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await get();
    if (list.length >= count || Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("an uptime round", () => {
  it("the scheduled handler checks a new monitor from its three regions and marks it up", async () => {
    const target = await newTarget({ body: "ok" });
    const { client, project } = await withProject("sched");
    const m = await createMonitor({ client } as never, project.id, target);
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now() + MINUTE, cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const detail = (await client.get(`/monitors/${m.id}`)).body;
    expect(detail).toMatchObject({ state: "up", lastLatencyMs: expect.any(Number), openIncident: null });
    const checks = (await client.get(`/monitors/${m.id}/checks`)).body.data as { region: string; status: string }[];
    expect(checks.map((c) => c.region).sort()).toEqual(["apac", "weur", "wnam"]);
    expect(checks.every((c) => c.status === "up")).toBe(true);
    expect((await target.log()).map((l) => l.region).sort()).toEqual(["apac", "weur", "wnam"]);
  });

  it("one failing region is not an outage; half of them failing twice is — with one alert down and one up, and exact windows", async () => {
    const target = await newTarget();
    const user = await projectWithWebhook();
    const m = await createMonitor(user, user.project.id, target);
    const t = clock();

    await target.configure({ failRegions: ["apac"] });
    await round(t.next());
    expect((await user.client.get(`/monitors/${m.id}`)).body.state).toBe("up");

    await target.configure({ failRegions: ["apac", "weur"], failStatus: 503 });
    const stats = await round(t.next());
    expect(stats).toMatchObject({ monitors: 1, rechecked: 1, opened: 1 });
    const down = (await user.client.get(`/monitors/${m.id}`)).body;
    expect(down.state).toBe("down");
    const failing = ((await user.client.get(`/monitors/${m.id}/checks?status=down`)).body.data as { checkedAt: string; roundAt: string }[]).sort((a, b) => a.checkedAt.localeCompare(b.checkedAt));
    const firstRound = failing.filter((c) => c.roundAt === new Date(t.at(1)).toISOString());
    expect(firstRound).toHaveLength(2);
    const [incident] = (await user.client.get(`/monitors/${m.id}/incidents`)).body.data;
    expect(incident).toMatchObject({ endedAt: null, failingRegions: ["apac", "weur"], firstError: { errorClass: "status", httpStatus: 503 } });
    expect(incident.startedAt).toBe(firstRound[0]!.checkedAt);
    expect(Date.parse(incident.confirmedAt)).toBeGreaterThan(Date.parse(incident.startedAt));
    expect(down.openIncident.id).toBe(incident.id);

    await round(t.next()); // still down: no new incident, no new alert
    await target.configure({});
    await round(t.next());
    const up = (await user.client.get(`/monitors/${m.id}`)).body;
    expect(up).toMatchObject({ state: "up", openIncident: null });
    const [closed] = (await user.client.get(`/monitors/${m.id}/incidents`)).body.data;
    const recovery = ((await user.client.get(`/monitors/${m.id}/checks?status=up`)).body.data as { checkedAt: string; roundAt: string }[]).filter((c) => c.roundAt === new Date(t.at(3)).toISOString());
    expect(closed.endedAt).toBe(recovery.map((c) => c.checkedAt).sort()[0]);
    expect(closed.durationSeconds).toBe(Math.round((Date.parse(closed.endedAt) - Date.parse(closed.startedAt)) / 1000));

    const sent = await waitForDeliveries(user.deliveries, 2);
    expect(sent.map((d) => d.type)).toEqual(["monitor.down", "monitor.up"]);
    expect(sent[0]!.summary).toContain(`Shop ${target.id} is down`);
    expect(sent[0]!.data).toMatchObject({ monitorId: m.id, failingRegions: ["apac", "weur"] });
    expect(sent[1]!.summary).toMatch(/is up again after/);
  });

  it("a failure that clears before the re-check (flapping) opens nothing and alerts no one", async () => {
    const target = await newTarget({ status: 500 });
    const user = await projectWithWebhook();
    const m = await createMonitor(user, user.project.id, target);
    const t = clock();
    const running = runUptimeRound(env, t.next(), { recheckDelayMs: 1500 });
    await new Promise((r) => setTimeout(r, 700));
    await target.configure({ status: 200 });
    const stats = await running;
    expect(stats).toMatchObject({ rechecked: 1, opened: 0 });
    expect((await user.client.get(`/monitors/${m.id}`)).body.state).toBe("up");
    expect((await user.client.get(`/monitors/${m.id}/incidents`)).body.data).toEqual([]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await user.deliveries()).toEqual([]);
  });

  it("confirmation by rounds: down only after N failing rounds in a row", async () => {
    const target = await newTarget();
    const { client, project } = await withProject("rounds");
    const m = await createMonitor({ client } as never, project.id, target, { confirmRounds: 3, regions: ["wnam", "weur"] });
    await target.stop();
    const t = clock();
    const states = [];
    for (let i = 0; i < 3; i++) {
      const stats = await round(t.next());
      expect(stats.rechecked).toBe(0);
      states.push((await client.get(`/monitors/${m.id}`)).body.state);
    }
    await target.start();
    expect(states).toEqual(["pending", "pending", "down"]);
    const [incident] = (await client.get(`/monitors/${m.id}/incidents`)).body.data;
    expect(incident.firstError).toMatchObject({ errorClass: "connect" });
    const roundOne = (await client.get(`/monitors/${m.id}/checks?status=down`)).body.data.filter((c: { roundAt: string }) => c.roundAt === new Date(t.at(0)).toISOString());
    expect(incident.startedAt).toBe(roundOne.map((c: { checkedAt: string }) => c.checkedAt).sort()[0]);
  });

  it("during a maintenance window a failing site opens no incident and sends no alert", async () => {
    const target = await newTarget({ status: 502 });
    const user = await projectWithWebhook();
    const t = clock();
    const m = await createMonitor(user, user.project.id, target, {
      maintenance: [{ kind: "once", startsAt: new Date(t.at(0) - MINUTE).toISOString(), endsAt: new Date(t.at(2)).toISOString() }],
    });
    await round(t.next());
    await round(t.next());
    expect((await user.client.get(`/monitors/${m.id}`)).body).toMatchObject({ state: "maintenance", openIncident: null });
    expect((await user.client.get(`/monitors/${m.id}/incidents`)).body.data).toEqual([]);
    await round(t.next()); // the window has ended: now it is an outage
    expect((await user.client.get(`/monitors/${m.id}`)).body.state).toBe("down");
    const sent = await waitForDeliveries(user.deliveries, 1);
    expect(sent.map((d) => d.type)).toEqual(["monitor.down"]);
  });

  it("TCP monitors: down when the port closes, up when it opens", async () => {
    const target = await newTarget();
    const { client, project } = await withProject("tcp");
    const m = await createMonitor({ client } as never, project.id, target, { type: "tcp", url: target.tcp });
    const t = clock();
    await round(t.next());
    expect((await client.get(`/monitors/${m.id}`)).body.state).toBe("up");
    await target.stop();
    await round(t.next());
    expect((await client.get(`/monitors/${m.id}`)).body.state).toBe("down");
    await target.start();
    await round(t.next());
    expect((await client.get(`/monitors/${m.id}`)).body.state).toBe("up");
  });

  it("paused monitors are not checked; a round that missed a whole interval records a gap (the watchdog)", async () => {
    const target = await newTarget();
    const { client, project } = await withProject("gaps");
    const m = await createMonitor({ client } as never, project.id, target, { regions: ["wnam"] });
    const t = clock();
    await round(t.at(0));
    await round(t.at(3)); // minutes 1 and 2 never ran
    const detail = (await client.get(`/monitors/${m.id}`)).body;
    expect(detail.gaps).toEqual([{ from: new Date(t.at(1)).toISOString(), to: new Date(t.at(3)).toISOString() }]);

    await client.patch(`/monitors/${m.id}`, { paused: true });
    const before = (await target.log()).length;
    expect((await round(t.at(4))).monitors).toBe(0);
    expect((await target.log()).length).toBe(before);
    expect((await client.get(`/monitors/${m.id}`)).body.state).toBe("paused");
    await client.patch(`/monitors/${m.id}`, { paused: false });
    expect((await round(t.at(10))).monitors).toBe(1);
    expect((await client.get(`/monitors/${m.id}`)).body.gaps).toHaveLength(1);
  });

  it("a round that died holding a monitor: the monitor waits out the lease, is picked up again, and the lost time is a gap", async () => {
    const target = await newTarget();
    const { client, project } = await withProject("dead");
    const m = await createMonitor({ client } as never, project.id, target, { regions: ["wnam"] });
    const t = clock();
    await round(t.at(0));
    // A round at minute 1 claimed it and then died: the claim moved its next check on and holds a lease.
    await env.DB.prepare("UPDATE monitors SET next_check_at = ?, lease_until = ? WHERE id = ?").bind(t.at(2), Date.now() + 5 * MINUTE, m.id).run();
    expect((await round(t.at(2))).monitors).toBe(0);
    // Five minutes later the lease has run out.
    await env.DB.prepare("UPDATE monitors SET lease_until = ? WHERE id = ?").bind(Date.now() - 1, m.id).run();
    expect((await round(t.at(6))).monitors).toBe(1);
    const detail = (await client.get(`/monitors/${m.id}`)).body;
    expect(detail).toMatchObject({ state: "up", gaps: [{ from: new Date(t.at(1)).toISOString(), to: new Date(t.at(6)).toISOString() }] });
  });

  it("fans 1,000 monitors out within Workers limits: ≤ 40 checks per probe call, a few D1 statements, every check made", { timeout: 180_000 }, async () => {
    const target = await newTarget({ body: "ok" });
    const { project } = await withProject("fanout");
    const now = Date.now();
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    await env.DB.prepare(
      `INSERT INTO monitors (project_id, name, type, url, method, headers, expected_status, timeout_ms, interval_seconds, regions, maintenance, state_since, next_check_at, created_at, updated_at)
       SELECT ?1, 'bulk ' || value, 'http', ?2 || '/bulk/' || value, 'GET', '{}', '["2xx"]', 10000, 60, '["wnam","weur","apac"]', '[]', ?3, ?3, ?3, ?3 FROM json_each(?4)`,
    )
      .bind(project.id, target.url, now, JSON.stringify(rows))
      .run();
    const stats = await runUptimeRound(env, now + MINUTE);
    expect(stats.monitors).toBeGreaterThanOrEqual(1000);
    expect(stats.maxChecksPerProbeCall).toBeLessThanOrEqual(CHECKS_PER_PROBE_CALL);
    expect(stats.probeCalls).toBe(Math.ceil(stats.monitors / CHECKS_PER_PROBE_CALL) * 3);
    expect(stats.d1Statements).toBeLessThan(30);
    const log = await target.log();
    expect(log.filter((l) => l.path.startsWith("/bulk/")).length).toBe(3000);
    const states = await env.DB.prepare(`SELECT state, count(*) AS n FROM monitors WHERE project_id = ? GROUP BY state`).bind(project.id).all<{ state: string; n: number }>();
    expect(states.results).toEqual([{ state: "up", n: 1000 }]);
    const checks = await env.DB.prepare(`SELECT count(*) AS n FROM monitor_checks c JOIN monitors m ON m.id = c.monitor_id WHERE m.project_id = ?`).bind(project.id).first<{ n: number }>();
    expect(checks!.n).toBe(3000);
    await env.DB.prepare(`DELETE FROM monitors WHERE project_id = ?`).bind(project.id).run();
  });
});

describe("raw checks are folded into hourly rows after 48 hours", () => {
  it("keeps count, failures, min / average / p95 latency, deletes the raw rows, and stays right when run again", async () => {
    const target = await newTarget();
    const { client, project } = await withProject("rollup");
    const m = await createMonitor({ client } as never, project.id, target, { regions: ["wnam"] });
    const hour = Math.floor((Date.now() - 72 * 3_600_000) / 3_600_000) * 3_600_000;
    const latencies = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10..200 ms
    const rows = [...latencies.map((ms, i) => [`r${m.id}-${i}`, ms, "up", hour + i * 60_000]), [`r${m.id}-x`, null, "down", hour + 30 * 60_000], [`r${m.id}-y`, 900, "degraded", hour + 31 * 60_000]];
    await env.DB.prepare(
      `INSERT INTO monitor_checks (id, monitor_id, round_at, region, status, latency_ms, checked_at) SELECT value->>0, ?1, value->>3, 'wnam', value->>2, value->>1, value->>3 FROM json_each(?2)`,
    )
      .bind(m.id, JSON.stringify(rows))
      .run();
    await rollUpChecks(env.DB);
    await rollUpChecks(env.DB);
    const hourly = await env.DB.prepare(`SELECT * FROM monitor_hourly WHERE monitor_id = ?`).bind(m.id).all();
    const values = [...latencies, 900].sort((a, b) => a - b);
    expect(hourly.results).toEqual([
      {
        monitor_id: m.id,
        hour,
        checks: 22,
        failures: 1,
        degraded: 1,
        min_ms: 10,
        avg_ms: values.reduce((a, b) => a + b, 0) / values.length,
        p95_ms: values[Math.ceil(0.95 * values.length) - 1],
      },
    ]);
    const left = await env.DB.prepare(`SELECT count(*) AS n FROM monitor_checks WHERE monitor_id = ?`).bind(m.id).first<{ n: number }>();
    expect(left!.n).toBe(0);
    const chart = (await client.get(`/monitors/${m.id}/response-times?from=${Math.floor((hour - 3_600_000) / 1000)}&to=${Math.floor((hour + 7_200_000) / 1000)}`)).body;
    expect(chart).toMatchObject({ source: "hourly", series: [{ region: "all", points: [{ t: new Date(hour).toISOString(), checks: 22, failures: 1 }] }] });
  });
});

describe("monitor definitions", () => {
  it("refuse what cannot work, with messages that say why", async () => {
    const { client, project } = await withProject("defs");
    const bad = async (body: Record<string, unknown>) => {
      const res = await client.post(`/projects/${project.id}/monitors`, { name: "x", url: "https://shop.example.com/", ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(errorCode(res)).toBe("validation_failed");
      return res.body.error.message as string;
    };
    expect(await bad({ url: "not a url" })).toMatch(/valid URL/);
    expect(await bad({ url: "ftp://shop.example.com/" })).toMatch(/http/);
    expect(await bad({ type: "tcp", url: "db.example.com" })).toMatch(/host:port/);
    expect(await bad({ intervalSeconds: 45 })).toMatch(/60, 120, 300/);
    expect(await bad({ regions: ["mars"] })).toMatch(/regions/);
    expect(await bad({ regions: [] })).toMatch(/at least one region/);
    expect(await bad({ confirmRounds: 1 })).toMatch(/0 \(re-check at once\)/);
    expect(await bad({ expectedStatus: ["2xy"] })).toMatch(/2xx/);
    expect(await bad({ maintenance: [{ kind: "recurring", cron: "0 3 * * fooday", durationMinutes: 60 }] })).toMatch(/maintenance\.0/);
    expect(await bad({ maintenance: [{ kind: "once", startsAt: "2026-11-23T13:00:00Z", endsAt: "2026-11-23T12:00:00Z" }] })).toMatch(/after startsAt/);
    expect(await bad({ jsonAssertion: { path: "checks.db", equals: "ok" } })).toMatch(/\$\.checks\.database/);
    expect(await bad({ unknownField: 1 })).toMatch(/Unknown field/);
  });

  it("a PATCH changes only the fields it names", async () => {
    const target = await newTarget();
    const { client, project } = await withProject("patch");
    const m = await createMonitor({ client } as never, project.id, target, {
      type: "tcp", url: target.tcp, regions: ["weur", "apac"], intervalSeconds: 300, jsonAssertion: { path: "$.db", equals: "ok" }, public: true,
    });
    const paused = await client.patch(`/monitors/${m.id}`, { paused: true });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, state: "paused", type: "tcp", url: target.tcp, regions: ["weur", "apac"], intervalSeconds: 300, jsonAssertion: { path: "$.db", equals: "ok" }, public: true });
    const renamed = (await client.patch(`/monitors/${m.id}`, { name: "Database port" })).body;
    expect(renamed).toMatchObject({ name: "Database port", paused: true, type: "tcp", regions: ["weur", "apac"] });
  });

  it("Test now runs the definition from each region and saves nothing", async () => {
    const target = await newTarget({ body: "<b>hello</b>", failRegions: ["apac"], failStatus: 500 });
    const { client, project } = await withProject("testnow");
    const res = await client.post(`/projects/${project.id}/monitors/test`, { name: "x", url: target.url, keyword: "hello" });
    expect(res.status).toBe(200);
    const byRegion = Object.fromEntries((res.body.data as { region: string; status: string }[]).map((r) => [r.region, r.status]));
    expect(byRegion).toEqual({ wnam: "up", weur: "up", apac: "down" });
    expect((await client.get(`/projects/${project.id}/monitors`)).body.data).toEqual([]);
  });

  it("lists a project with more monitors than D1 binds parameters in one statement", async () => {
    const { client, project } = await withProject("many");
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO monitors (project_id, name, type, url, method, headers, expected_status, timeout_ms, interval_seconds, regions, maintenance, state_since, next_check_at, created_at, updated_at)
       SELECT ?1, 'm' || value, 'http', 'https://example.com/' || value, 'GET', '{}', '["2xx"]', 10000, 60, '["wnam"]', '[]', ?2, ?2, ?2, ?2 FROM json_each(?3)`,
    )
      .bind(project.id, now, JSON.stringify(Array.from({ length: 150 }, (_, i) => i)))
      .run();
    const res = await client.get(`/projects/${project.id}/monitors`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(150);
  });

  it("lists monitors with uptime, a 24 h sparkline and 90 daily bars", async () => {
    const target = await newTarget();
    const { client, project } = await withProject("list");
    const m = await createMonitor({ client } as never, project.id, target);
    await round(Date.now() + MINUTE);
    const [item] = (await client.get(`/projects/${project.id}/monitors`)).body.data;
    expect(item).toMatchObject({ id: m.id, state: "up", uptime24h: 1 });
    expect(item.sparkline).toHaveLength(48);
    expect(item.sparkline.some((p: { ms: number | null }) => p.ms !== null), JSON.stringify(item.sparkline.slice(-3))).toBe(true);
    expect(item.bars).toHaveLength(90);
    expect(item.bars.at(-1)).toMatchObject({ uptime: 1, downMs: 0 });
    expect(item.bars[0].uptime).toBeNull();
    const chart = (await client.get(`/monitors/${m.id}/response-times`)).body;
    expect(chart).toMatchObject({ source: "checks", bucketSeconds: 360 });
    expect(chart.series.map((s: { region: string; points: unknown[] }) => [s.region, s.points.length])).toEqual([
      ["wnam", 1],
      ["weur", 1],
      ["apac", 1],
    ]);
    // Beyond the 48 h raw window: hourly rollups, and the recent hours folded from the raw checks.
    const week = (await client.get(`/monitors/${m.id}/response-times?from=${Math.floor(Date.now() / 1000) - 7 * 86400}`)).body;
    expect(week).toMatchObject({ source: "hourly", bucketSeconds: 3600, series: [{ region: "all", points: [{ checks: 3, failures: 0 }] }] });
  });
});
