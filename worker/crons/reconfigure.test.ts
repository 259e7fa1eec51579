import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { keyOf, withProject } from "../test/client";
import { cronObject } from "./checkin";
import type { MachineState } from "./machine";
import { nextExpected } from "./schedule";

const ORIGIN = "http://localhost:8787";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

async function ping(path: string) {
  const res = await SELF.fetch(`${ORIGIN}${path}`);
  await res.arrayBuffer();
  return res.status;
}

/** A monitor with one check-in now; its object, and the check-in's time. */
async function monitorWithCheckin(slug: string, schedule: Record<string, unknown>, checkinMargin: number) {
  const { client, project } = await withProject(`reconfigure-${slug}`);
  const cron = (await client.post(`/projects/${project.id}/crons`, { slug, schedule, checkinMargin })).body;
  expect(await ping(`/ping/${keyOf(project.dsn)}/${slug}`)).toBe(200);
  const object = cronObject(env, cron.id);
  const state = await runInDurableObject(object, async (_, s) => (await s.storage.get<MachineState>("state"))!);
  return { client, cron, object, checkedInAt: state.lastCheckinAt! };
}

const runs = async (cronId: number) => (await env.DB.prepare("SELECT status FROM cron_checkins WHERE monitor_id = ? ORDER BY started_at").bind(cronId).all<{ status: string }>()).results.map((r) => r.status);

describe("settings changed long after the last check-in", () => {
  it("resumed after a pause of three days, a daily job is expected at its next slot, not at once (no false missed run)", async () => {
    const { client, cron, object, checkedInAt } = await monitorWithCheckin("nightly", { type: "crontab", value: "0 3 * * *" }, 10);
    expect((await client.patch(`/crons/${cron.id}`, { paused: true })).body.paused).toBe(true);
    // Three days and a few hours later (not at a slot), it is resumed.
    const resumedAt = checkedInAt + 3 * DAY + 7 * 60 * MIN + 13_000;
    await env.DB.prepare("UPDATE cron_monitors SET paused = 0 WHERE id = ?").bind(cron.id).run();
    const state = (await object.reconfigure(cron.id, resumedAt))!;
    expect(state.expectedAt).toBe(nextExpected({ type: "crontab", value: "0 3 * * *" }, "UTC", resumedAt));
    // Ten minutes (the margin) after resuming, nothing is missed.
    await object.tick(cron.id, resumedAt + 11 * MIN);
    expect(await runs(cron.id)).toEqual(["ok"]);
    // The next slot is expected as usual: missed after its margin.
    await object.tick(cron.id, state.expectedAt! + 10 * MIN);
    expect(await runs(cron.id)).toEqual(["ok", "missed"]);
  });

  it("a run still within its margin stays expected when the monitor is edited", async () => {
    const { cron, object, checkedInAt } = await monitorWithCheckin("hourly", { type: "interval", value: 1, unit: "hour" }, 10);
    const editedAt = checkedInAt + 65 * MIN; // late, within the margin
    const state = (await object.reconfigure(cron.id, editedAt))!;
    expect(state.expectedAt).toBe(checkedInAt + 60 * MIN);
    await object.tick(cron.id, checkedInAt + 70 * MIN);
    expect(await runs(cron.id)).toEqual(["ok", "missed"]);
  });

  it("a check-in a little early for its slot is not expected again after an edit", async () => {
    const { cron, object } = await monitorWithCheckin("early", { type: "crontab", value: "0 3 * * *" }, 5);
    // The job checked in at 02:59:58 (its server's clock a little fast): Vigil took it as the 03:00 run.
    const slot = nextExpected({ type: "crontab", value: "0 3 * * *" }, "UTC", Date.now() + DAY);
    await object.checkin(cron.id, { status: "ok", runId: null, checkinId: "early-run", at: slot - 2_000, durationMs: null, exitCode: null, log: null, source: "ping", environment: null });
    const state = (await object.reconfigure(cron.id, slot - 1_000))!;
    expect(state.expectedAt).toBe(slot + DAY);
    await object.tick(cron.id, slot + 6 * MIN);
    expect(await runs(cron.id)).not.toContain("missed");
  });
});
