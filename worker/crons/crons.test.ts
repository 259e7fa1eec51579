import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { errorCode, eventually, keyOf, signUp, withProject } from "../test/client";
import { cronObject } from "./checkin";
import { CHECKINS_KEPT_MS, cleanUpCheckins } from "./retention";

const ORIGIN = "http://localhost:8787";
const receiver = inject("receiverUrl");
const MIN = 60_000;
let hooks = 0;

async function ping(path: string, init: RequestInit = {}) {
  const res = await SELF.fetch(`${ORIGIN}${path}`, init);
  const text = await res.text();
  return { status: res.status, text, body: (() => { try { return JSON.parse(text); } catch { return null; } })() };
}

/** A user with a webhook channel and a project made after it (default rules send cron alerts there). */
async function projectWithWebhook() {
  const user = await signUp("crons");
  const path = `/cron-hook/${Date.now().toString(36)}-${++hooks}`;
  expect((await user.client.post(`/orgs/${user.orgSlug}/channels`, { type: "webhook", name: "Ops", url: `${receiver}${path}` })).status).toBe(201);
  const project = (await user.client.post(`/orgs/${user.orgSlug}/projects`, { name: "Shop" })).body as { id: number; dsn: string };
  const deliveries = async () => ((await (await fetch(`${receiver}/_log?path=${encodeURIComponent(path)}`)).json()) as { body: string }[]).map((r) => JSON.parse(r.body) as { type: string; summary: string; data: any });
  return { ...user, project, key: keyOf(project.dsn), deliveries };
}

async function waitForDeliveries<T>(get: () => Promise<T[]>, count: number, ms = 8000): Promise<T[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await get();
    if (list.length >= count || Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("cron monitors through the API", () => {
  it("creates one with its schedule in words and a ping URL; refuses what cannot work", async () => {
    const { client, project } = await withProject("crud");
    const res = await client.post(`/projects/${project.id}/crons`, { slug: "nightly-report", schedule: { type: "crontab", value: "0 3 * * *" }, timezone: "Europe/Paris", checkinMargin: 5 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ slug: "nightly-report", name: "nightly-report", state: "new", scheduleText: "every day at 03:00 Europe/Paris", nextExpectedAt: null });
    expect(res.body.pingUrl).toBe(`${ORIGIN}/ping/${keyOf(project.dsn)}/nightly-report`);
    const bad = async (body: Record<string, unknown>) => {
      const r = await client.post(`/projects/${project.id}/crons`, { slug: "x", schedule: { type: "interval", value: 1, unit: "hour" }, ...body });
      expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
      return r.body.error.message as string;
    };
    expect(await bad({ schedule: { type: "crontab", value: "61 * * * * *x" } })).toMatch(/crontab/);
    expect(await bad({ timezone: "Mars/Olympus" })).toMatch(/Unknown timezone/);
    expect(await bad({ slug: "Not A Slug" })).toMatch(/lower-case/);
    expect(await bad({ slug: "nightly-report" })).toMatch(/already has/);
  });
});

describe("pings, Healthchecks style", () => {
  it("start and finish pair by run id; the body is the run's log; the object waits for the next deadline", async () => {
    const { client, project } = await withProject("pings");
    const key = keyOf(project.dsn);
    const cron = (await client.post(`/projects/${project.id}/crons`, { slug: "backup", schedule: { type: "interval", value: 1, unit: "hour" }, checkinMargin: 10 })).body;
    expect((await ping(`/ping/${key}/backup/start?rid=run-1`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const done = await ping(`/ping/${key}/backup?rid=run-1`, { method: "POST", body: "backup done: 42 files\n" });
    expect(done).toMatchObject({ status: 200, text: "OK" });
    const runs = (await client.get(`/crons/${cron.id}/checkins`)).body.data;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "ok", runId: "run-1", source: "ping", log: "backup done: 42 files\n" });
    expect(runs[0].durationMs).toBeGreaterThanOrEqual(50);
    const after = (await client.get(`/crons/${cron.id}`)).body;
    expect(after).toMatchObject({ state: "ok", lastDurationMs: runs[0].durationMs });
    expect(Date.parse(after.nextExpectedAt) - Date.parse(runs[0].finishedAt)).toBeLessThanOrEqual(60 * MIN);
    const alarm = await runInDurableObject(cronObject(env, cron.id), (_, state) => state.storage.getAlarm());
    expect(alarm).toBe(Date.parse(after.nextExpectedAt));
  });

  it("fail and exit codes are errors; HEAD works; unknown slugs are 404 unless ?create=1; wrong keys 401; huge bodies 413", async () => {
    const { client, project } = await withProject("pings2");
    const key = keyOf(project.dsn);
    await client.post(`/projects/${project.id}/crons`, { slug: "sync", schedule: { type: "interval", value: 5, unit: "minute" } });
    expect((await ping(`/ping/${key}/sync/fail`, { method: "POST", body: "<script>alert(1)</script> rsync: connection refused" })).status).toBe(200);
    expect((await ping(`/ping/${key}/sync/0`)).status).toBe(200);
    expect((await ping(`/ping/${key}/sync/2`)).status).toBe(200);
    expect((await ping(`/ping/${key}/sync`, { method: "HEAD" })).status).toBe(200);
    const [cron] = (await client.get(`/projects/${project.id}/crons`)).body.data;
    const runs = (await client.get(`/crons/${cron.id}/checkins`)).body.data;
    expect(runs.map((r: { status: string; exitCode: number | null }) => [r.status, r.exitCode])).toEqual([
      ["ok", null],
      ["error", 2],
      ["ok", 0],
      ["error", null],
    ]);
    expect(runs[3].log).toBe("<script>alert(1)</script> rsync: connection refused");
    expect(cron.recent.map((r: { status: string }) => r.status)).toEqual(["error", "ok", "error", "ok"]);

    const unknown = await ping(`/ping/${key}/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/\?create=1/);
    expect((await ping(`/ping/${key}/nope?create=1`)).status).toBe(200);
    expect((await client.get(`/projects/${project.id}/crons`)).body.data.map((c: { slug: string; scheduleText: string }) => [c.slug, c.scheduleText])).toEqual([
      ["nope", "every day"],
      ["sync", "every 5 minutes"],
    ]);
    expect((await ping(`/ping/${"0".repeat(32)}/sync`)).status).toBe(401);
    expect((await ping(`/ping/not-a-key/sync`)).status).toBe(401);
    expect((await ping(`/ping/${key}/sync/256`)).status).toBe(404);
    expect((await ping(`/ping/${key}/sync`, { method: "POST", body: "x".repeat(200 * 1024) })).status).toBe(413);
    // Output that is not UTF-8 (a latin-1 "é") is kept, with the bad byte replaced: the run still counts.
    expect((await ping(`/ping/${key}/sync/1`, { method: "POST", body: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]) })).status).toBe(200);
    expect((await client.get(`/crons/${cron.id}/checkins`)).body.data[0]).toMatchObject({ status: "error", exitCode: 1, log: "caf\uFFFD\n" });
  });

  it("a key of one project cannot ping another project's monitors", async () => {
    const a = await withProject("a");
    const b = await withProject("b");
    await a.client.post(`/projects/${a.project.id}/crons`, { slug: "only-a", schedule: { type: "interval", value: 1, unit: "hour" } });
    expect((await ping(`/ping/${keyOf(b.project.dsn)}/only-a`)).status).toBe(404);
    expect((await ping(`/api/${a.project.id}/cron/only-a/${keyOf(b.project.dsn)}/?status=ok`)).status).toBe(401);
  });
});

describe("Sentry check-ins", () => {
  it("the HTTP route: in_progress then ok with the same check_in_id, and a monitor_config creates the monitor", async () => {
    const { client, project } = await withProject("sentry-http");
    const key = keyOf(project.dsn);
    const id = crypto.randomUUID();
    const start = await ping(`/api/${project.id}/cron/billing/${key}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "in_progress", check_in_id: id, monitor_config: { schedule: { type: "crontab", value: "30 2 * * 1-5" }, timezone: "America/New_York", checkin_margin: 10, max_runtime: 60 } }),
    });
    expect(start.status, start.text).toBe(202);
    expect((await ping(`/api/${project.id}/cron/billing/${key}/?status=ok&check_in_id=${id}`)).status).toBe(202);
    const [cron] = (await client.get(`/projects/${project.id}/crons`)).body.data;
    expect(cron).toMatchObject({ slug: "billing", timezone: "America/New_York", checkinMargin: 10, maxRuntime: 60, state: "ok", scheduleText: "at 02:30, Monday through Friday America/New_York" });
    const runs = (await client.get(`/crons/${cron.id}/checkins`)).body.data;
    expect(runs).toMatchObject([{ status: "ok", runId: id.replaceAll("-", ""), source: "http" }]);
    expect((await ping(`/api/${project.id}/cron/billing/${key}/?status=maybe`)).status).toBe(400);
    // An absurd duration is ignored (the run is timed by its check-ins), and the list still answers.
    expect((await ping(`/api/${project.id}/cron/billing/${key}/?status=ok&duration=1e13`)).status).toBe(202);
    expect((await client.get(`/projects/${project.id}/crons`)).status).toBe(200);
    expect((await client.get(`/crons/${cron.id}/checkins`)).body.data[0].durationMs).toBeNull();
  });

  it("envelope check_in items from sentry_sdk.crons.monitor go through the queue", async () => {
    const { client, project } = await withProject("envelope");
    const key = keyOf(project.dsn);
    const id = crypto.randomUUID().replaceAll("-", "");
    const send = (item: Record<string, unknown>) =>
      SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, {
        method: "POST",
        headers: { "content-type": "application/x-sentry-envelope", "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7` },
        body: `${JSON.stringify({ sent_at: new Date().toISOString() })}\n${JSON.stringify({ type: "check_in" })}\n${JSON.stringify(item)}\n`,
      });
    const config = { schedule: { type: "interval", value: 10, unit: "minute" }, checkin_margin: 2, max_runtime: 5, failure_issue_threshold: 2 };
    expect((await send({ check_in_id: id, monitor_slug: "sync-orders", status: "in_progress", environment: "production", monitor_config: config })).status).toBe(200);
    const cron = await eventually(async () => (await client.get(`/projects/${project.id}/crons`)).body.data[0]);
    expect(cron).toMatchObject({ slug: "sync-orders", failureThreshold: 2, maxRuntime: 5, checkinMargin: 2, schedule: { type: "interval", value: 10, unit: "minute" } });
    expect((await send({ check_in_id: id, monitor_slug: "sync-orders", status: "ok", duration: 1.25, environment: "production" })).status).toBe(200);
    const run = await eventually(async () => (await client.get(`/crons/${cron.id}/checkins`)).body.data.find((r: { status: string }) => r.status === "ok"));
    expect(run).toMatchObject({ runId: id, source: "sentry", environment: "production" });
  });
});

describe("deadlines, by the monitor's Durable Object", () => {
  it("missed after expected time + margin: a run dated at the expected time, one cron.missed; the next ping sends cron.recovered", async () => {
    const user = await projectWithWebhook();
    const cron = (await user.client.post(`/projects/${user.project.id}/crons`, { slug: "hourly", name: "Hourly export", schedule: { type: "interval", value: 1, unit: "hour" }, checkinMargin: 5 })).body;
    expect((await ping(`/ping/${user.key}/hourly`)).status).toBe(200);
    const expected = Date.parse((await user.client.get(`/crons/${cron.id}`)).body.nextExpectedAt);
    const object = cronObject(env, cron.id);
    await object.tick(cron.id, expected + 1000);
    expect((await user.client.get(`/crons/${cron.id}`)).body.state).toBe("late");
    await object.tick(cron.id, expected + 5 * MIN);
    await object.tick(cron.id, expected + 5 * MIN + 1000); // the same deadline again: nothing more
    const after = (await user.client.get(`/crons/${cron.id}`)).body;
    expect(after).toMatchObject({ state: "missed", nextExpectedAt: new Date(expected + 60 * MIN).toISOString() });
    const missed = (await user.client.get(`/crons/${cron.id}/checkins?status=missed`)).body.data;
    expect(missed).toMatchObject([{ startedAt: new Date(expected).toISOString(), source: "vigil" }]);
    const sent = await waitForDeliveries(user.deliveries, 1);
    expect(sent.map((d) => d.type)).toEqual(["cron.missed"]);
    expect(sent[0]!.summary).toContain("Hourly export did not run");
    expect((await ping(`/ping/${user.key}/hourly`)).status).toBe(200);
    const both = await waitForDeliveries(user.deliveries, 2);
    expect(both.map((d) => d.type)).toEqual(["cron.missed", "cron.recovered"]);
  });

  it("two monitors on the same schedule missing the same minute each keep their missed run; one project reusing another's check-in id changes nothing of it", async () => {
    const a = await withProject("same-minute-a");
    const b = await withProject("same-minute-b");
    const body = { slug: "nightly", schedule: { type: "crontab", value: "0 3 * * *" }, checkinMargin: 1 };
    const cronA = (await a.client.post(`/projects/${a.project.id}/crons`, body)).body;
    const cronB = (await b.client.post(`/projects/${b.project.id}/crons`, body)).body;
    await ping(`/ping/${keyOf(a.project.dsn)}/nightly`);
    await ping(`/ping/${keyOf(b.project.dsn)}/nightly`);
    const expected = Date.parse((await a.client.get(`/crons/${cronA.id}`)).body.nextExpectedAt);
    expect(Date.parse((await b.client.get(`/crons/${cronB.id}`)).body.nextExpectedAt)).toBe(expected);
    await cronObject(env, cronA.id).tick(cronA.id, expected + 2 * MIN);
    await cronObject(env, cronB.id).tick(cronB.id, expected + 2 * MIN);
    for (const [user, cron] of [[a, cronA], [b, cronB]] as const) {
      expect((await user.client.get(`/crons/${cron.id}/checkins?status=missed`)).body.data).toMatchObject([{ startedAt: new Date(expected).toISOString() }]);
    }
    // B finishes a "run" with the id A's start used: A's run is untouched, B gets its own.
    const started = await ping(`/ping/${keyOf(a.project.dsn)}/nightly/start?rid=shared-run-id`);
    expect(started.status).toBe(200);
    await ping(`/ping/${keyOf(b.project.dsn)}/nightly/fail?rid=shared-run-id`);
    const runA = (await a.client.get(`/crons/${cronA.id}/checkins`)).body.data.find((c: { runId: string }) => c.runId === "shared-run-id");
    expect(runA).toMatchObject({ status: "in_progress" });
    const runB = (await b.client.get(`/crons/${cronB.id}/checkins`)).body.data.find((c: { runId: string }) => c.runId === "shared-run-id");
    expect(runB).toMatchObject({ status: "error" });
  });

  it("a run started before check-in rows were keyed by monitor finishes on its own row after the upgrade", async () => {
    const { client, project } = await withProject("upgrade-run");
    const cron = (await client.post(`/projects/${project.id}/crons`, { slug: "etl", schedule: { type: "interval", value: 1, unit: "day" } })).body;
    await ping(`/ping/${keyOf(project.dsn)}/etl/start?rid=before-upgrade`);
    // The row as the previous release wrote it: the bare check-in id.
    await env.DB.prepare("UPDATE cron_checkins SET id = substr(id, instr(id, ':') + 1) WHERE monitor_id = ?").bind(cron.id).run();
    await ping(`/ping/${keyOf(project.dsn)}/etl?rid=before-upgrade`);
    const runs = (await client.get(`/crons/${cron.id}/checkins`)).body.data;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ runId: "before-upgrade", status: "ok" });
  });

  it("a started run that outlives its max runtime times out, once", async () => {
    const user = await projectWithWebhook();
    const cron = (await user.client.post(`/projects/${user.project.id}/crons`, { slug: "etl", schedule: { type: "interval", value: 1, unit: "day" }, maxRuntime: 20 })).body;
    await ping(`/ping/${user.key}/etl/start?rid=r1`);
    const started = Date.parse((await user.client.get(`/crons/${cron.id}/checkins`)).body.data[0].startedAt);
    await cronObject(env, cron.id).tick(cron.id, started + 20 * MIN);
    expect((await user.client.get(`/crons/${cron.id}`)).body.state).toBe("timeout");
    expect((await user.client.get(`/crons/${cron.id}/checkins`)).body.data[0]).toMatchObject({ status: "timeout", runId: "r1" });
    expect((await waitForDeliveries(user.deliveries, 1)).map((d) => d.type)).toEqual(["cron.timeout"]);
  });

  /** A monitor expected `days` from now (so real check-ins of other tests are far from its windows), pinged once. */
  async function farMonitor(user: Awaited<ReturnType<typeof projectWithWebhook>> | Awaited<ReturnType<typeof withProject>>, slug: string, days = 2) {
    const cron = (await user.client.post(`/projects/${user.project.id}/crons`, { slug, schedule: { type: "interval", value: days, unit: "day" }, checkinMargin: 1 })).body;
    await ping(`/ping/${keyOf(user.project.dsn)}/${slug}`);
    const expected = Date.parse((await user.client.get(`/crons/${cron.id}`)).body.nextExpectedAt);
    return { id: cron.id as number, tickAt: expected + MIN };
  }
  /** Check-ins received in the 5 minutes an hour before `tickAt`: what Vigil expects to be receiving now. */
  async function checkinsAnHourBefore(monitorId: number, tickAt: number, n: number) {
    const rows = Array.from({ length: n }, (_, i) => [`busy-${monitorId}-${tickAt}-${i}`, tickAt - 64 * MIN + i * 1000]);
    await env.DB.prepare(`INSERT INTO cron_checkins (id, monitor_id, status, source, started_at, received_at) SELECT value->>0, ?1, 'ok', 'ping', value->>1, value->>1 FROM json_each(?2)`)
      .bind(monitorId, JSON.stringify(rows))
      .run();
  }

  it("when check-ins stopped arriving from every project at once, a missed run is 'unknown' and alerts no one", async () => {
    const user = await projectWithWebhook();
    const mine = await farMonitor(user, "quiet");
    // An hour ago, four projects were checking in; in the last 5 minutes, none.
    await checkinsAnHourBefore(mine.id, mine.tickAt, 3);
    for (const name of ["o1", "o2", "o3"]) {
      const other = await withProject(name);
      await checkinsAnHourBefore((await farMonitor(other, name)).id, mine.tickAt, 3);
    }
    await cronObject(env, mine.id).tick(mine.id, mine.tickAt);
    expect((await user.client.get(`/crons/${mine.id}/checkins?status=unknown`)).body.data).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await user.deliveries()).toEqual([]);
  });

  it("one customer's servers going quiet is not Vigil's outage: their missed run alerts", async () => {
    const user = await projectWithWebhook();
    const mine = await farMonitor(user, "server-down", 4); // its own hour, away from the test above
    await checkinsAnHourBefore(mine.id, mine.tickAt, 30);
    await cronObject(env, mine.id).tick(mine.id, mine.tickAt);
    expect((await user.client.get(`/crons/${mine.id}/checkins?status=missed`)).body.data).toHaveLength(1);
    expect((await waitForDeliveries(user.deliveries, 1)).map((d) => d.type)).toEqual(["cron.missed"]);
  });

  it("pausing stops the alarm; deleting clears the object", async () => {
    const { client, project } = await withProject("pause");
    const cron = (await client.post(`/projects/${project.id}/crons`, { slug: "p", schedule: { type: "interval", value: 1, unit: "hour" } })).body;
    await ping(`/ping/${keyOf(project.dsn)}/p`);
    const object = cronObject(env, cron.id);
    expect(await runInDurableObject(object, (_, s) => s.storage.getAlarm())).not.toBeNull();
    const beforePause = Date.now();
    const paused = (await client.patch(`/crons/${cron.id}`, { paused: true })).body;
    expect(paused).toMatchObject({ paused: true, state: "paused", scheduleText: "every hour" });
    expect(Date.parse(paused.stateSince)).toBeGreaterThanOrEqual(beforePause - 1);
    await ping(`/ping/${keyOf(project.dsn)}/p/fail`); // recorded, but a paused monitor's state does not change
    expect((await client.get(`/crons/${cron.id}`)).body.state).toBe("paused");
    expect(await runInDurableObject(object, (_, s) => s.storage.getAlarm())).toBeNull();
    expect((await client.patch(`/crons/${cron.id}`, { paused: false })).body).toMatchObject({ paused: false, state: "ok" });
    expect(await runInDurableObject(object, (_, s) => s.storage.getAlarm())).not.toBeNull();
    expect((await client.delete(`/crons/${cron.id}`)).status).toBe(204);
    expect(await runInDurableObject(object, (_, s) => s.storage.getAlarm())).toBeNull();
    expect(errorCode(await client.get(`/crons/${cron.id}`))).toBe("not_found");
  });
});

describe("run retention", () => {
  it("runs older than 90 days are dropped; newer ones stay", async () => {
    const { client, project } = await withProject("retention");
    const cron = (await client.post(`/projects/${project.id}/crons`, { slug: "old", schedule: { type: "interval", value: 1, unit: "day" } })).body;
    const now = Date.now();
    await env.DB.prepare(`INSERT INTO cron_checkins (id, monitor_id, status, source, started_at, received_at) VALUES ('ancient', ?1, 'ok', 'ping', ?2, ?2), ('recent', ?1, 'ok', 'ping', ?3, ?3)`)
      .bind(cron.id, now - CHECKINS_KEPT_MS - 1000, now - 1000)
      .run();
    await cleanUpCheckins(env.DB, now);
    expect((await client.get(`/crons/${cron.id}/checkins`)).body.data.map((r: { id: string }) => r.id)).toEqual(["recent"]);
  });
});
