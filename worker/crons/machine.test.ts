import { describe, expect, it } from "vitest";
import { initialState, nextAlarm, onCheckin, onTick, type CheckinInput, type CronConfig, type MachineState } from "./machine";
import { describeSchedule, nextExpected } from "./schedule";

const MIN = 60_000;
const cfg = (over: Partial<CronConfig> = {}): CronConfig => ({
  schedule: { type: "crontab", value: "0 3 * * *" },
  timezone: "UTC",
  marginMs: 5 * MIN,
  maxRuntimeMs: 30 * MIN,
  failureThreshold: 1,
  recoveryThreshold: 1,
  paused: false,
  ...over,
});
let n = 0;
const checkin = (status: CheckinInput["status"], at: number, over: Partial<CheckinInput> = {}): CheckinInput => ({
  status,
  runId: null,
  checkinId: `c${++n}`,
  at,
  durationMs: null,
  exitCode: null,
  log: null,
  source: "ping",
  environment: null,
  ...over,
});
const at = (iso: string) => Date.parse(iso);

/** Feed check-ins and clock ticks in order; collect states and alerts. */
function play(config: CronConfig, steps: ({ checkin: CheckinInput } | { tick: number })[], start: MachineState = initialState(0)) {
  let s = start;
  const alerts: string[] = [];
  const rows: { id: string; status: string; startedAt: number; durationMs: number | null }[] = [];
  for (const step of steps) {
    const r = "checkin" in step ? onCheckin(s, config, step.checkin) : onTick(s, config, step.tick, false);
    s = r.state;
    alerts.push(...r.alerts.map((a) => a.type));
    rows.push(...r.rows);
  }
  return { s, alerts, rows };
}

describe("schedules", () => {
  it("crontab in Europe/Paris follows the clock across both DST changes", () => {
    const tz = "Europe/Paris";
    const s = { type: "crontab" as const, value: "30 2 * * *" };
    // 2026-03-29: 02:00 → 03:00 in Paris; 02:30 does not exist that day: the run is expected when the clock jumps, at 03:00 CEST.
    expect(new Date(nextExpected(s, tz, at("2026-03-27T12:00:00Z"))).toISOString()).toBe("2026-03-28T01:30:00.000Z"); // 02:30 CET
    expect(new Date(nextExpected(s, tz, at("2026-03-28T12:00:00Z"))).toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(new Date(nextExpected(s, tz, at("2026-03-30T12:00:00Z"))).toISOString()).toBe("2026-03-31T00:30:00.000Z"); // 02:30 CEST
    // 2026-10-25: 03:00 → 02:00; 02:30 happens twice, expected once.
    const autumn = nextExpected(s, tz, at("2026-10-24T12:00:00Z"));
    expect(new Date(autumn).toISOString()).toBe("2026-10-25T00:30:00.000Z"); // the first 02:30 (CEST)
    expect(new Date(nextExpected(s, tz, autumn)).toISOString()).toBe("2026-10-26T01:30:00.000Z"); // not again at the second 02:30
  });

  it("crontab in America/New_York: 09:00 local is 14:00 UTC in winter and 13:00 in summer", () => {
    const s = { type: "crontab" as const, value: "0 9 * * 1-5" };
    expect(new Date(nextExpected(s, "America/New_York", at("2026-03-06T15:00:00Z"))).toISOString()).toBe("2026-03-09T13:00:00.000Z"); // Monday after DST starts (Mar 8)
    expect(new Date(nextExpected(s, "America/New_York", at("2026-10-30T15:00:00Z"))).toISOString()).toBe("2026-11-02T14:00:00.000Z"); // Monday after DST ends (Nov 1)
  });

  it("intervals count from the last run", () => {
    expect(nextExpected({ type: "interval", value: 6, unit: "hour" }, "UTC", 0)).toBe(6 * 3_600_000);
  });

  it("reads schedules in words", () => {
    expect(describeSchedule({ type: "crontab", value: "0 3 * * *" }, "Europe/Paris")).toBe("every day at 03:00 Europe/Paris");
    expect(describeSchedule({ type: "crontab", value: "0 3 * * *" }, "UTC")).toBe("every day at 03:00 UTC");
    expect(describeSchedule({ type: "crontab", value: "*/15 * * * *" }, "UTC")).toBe("every 15 minutes");
    expect(describeSchedule({ type: "interval", value: 1, unit: "day" }, "UTC")).toBe("every day");
    expect(describeSchedule({ type: "interval", value: 6, unit: "hour" }, "UTC")).toBe("every 6 hours");
  });
});

describe("the cron state machine", () => {
  const day1 = at("2026-11-20T03:00:00Z");
  const DAY = 86_400_000;

  it("on time: start, finish, ok; the next run is expected tomorrow at 03:00", () => {
    const { s, alerts, rows } = play(cfg(), [{ checkin: checkin("in_progress", day1 + 2000, { runId: "r1" }) }, { checkin: checkin("ok", day1 + 62_000, { runId: "r1" }) }]);
    expect(s).toMatchObject({ state: "ok", expectedAt: day1 + DAY, running: [], lastDurationMs: 60_000 });
    expect(alerts).toEqual([]);
    expect(rows.map((r) => [r.status, r.durationMs])).toEqual([
      ["in_progress", null],
      ["ok", 60_000],
    ]);
    expect(rows[0]!.id).toBe(rows[1]!.id); // one run, one row
    expect(nextAlarm(s, cfg(), day1 + 62_000)).toBe(day1 + DAY);
  });

  it("late after the expected time, missed after the margin — dated at the expected time, alerted once", () => {
    const { s, alerts, rows } = play(cfg(), [
      { checkin: checkin("ok", day1) },
      { tick: day1 + DAY + 1000 },
      { tick: day1 + DAY + 5 * MIN },
      { tick: day1 + 2 * DAY + 5 * MIN },
    ]);
    expect(alerts).toEqual(["cron.missed"]);
    expect(rows.filter((r) => r.status === "missed").map((r) => new Date(r.startedAt).toISOString())).toEqual(["2026-11-21T03:00:00.000Z", "2026-11-22T03:00:00.000Z"]);
    expect(s).toMatchObject({ state: "missed", failures: 2, alerted: true, expectedAt: day1 + 3 * DAY });
    const late = play(cfg(), [{ checkin: checkin("ok", day1) }, { tick: day1 + DAY + 1000 }]).s;
    expect(late.state).toBe("late");
  });

  it("a run over its max runtime times out; its late finish still records the duration", () => {
    const { s, alerts, rows } = play(cfg(), [{ checkin: checkin("in_progress", day1, { runId: "r" }) }, { tick: day1 + 30 * MIN }]);
    expect(alerts).toEqual(["cron.timeout"]);
    expect(s.state).toBe("timeout");
    expect(rows.at(-1)).toMatchObject({ status: "timeout" });
  });

  it("errors alert only at the failure threshold; recovery after the recovery threshold, once", () => {
    const c = cfg({ failureThreshold: 2, recoveryThreshold: 2 });
    const { alerts, s } = play(c, [
      { checkin: checkin("error", day1, { exitCode: 1 }) },
      { checkin: checkin("error", day1 + DAY, { exitCode: 1 }) },
      { checkin: checkin("error", day1 + 2 * DAY, { exitCode: 2 }) },
      { checkin: checkin("ok", day1 + 3 * DAY) },
      { checkin: checkin("ok", day1 + 4 * DAY) },
      { checkin: checkin("ok", day1 + 5 * DAY) },
    ]);
    expect(alerts).toEqual(["cron.failed", "cron.recovered"]);
    expect(s).toMatchObject({ state: "ok", failures: 0, alerted: false });
  });

  it("pairs starts and finishes by run id when runs overlap, and by the latest start without one", () => {
    const c = cfg({ schedule: { type: "interval", value: 1, unit: "minute" } });
    const { rows, s } = play(c, [
      { checkin: checkin("in_progress", 0, { runId: "a" }) },
      { checkin: checkin("in_progress", 10_000, { runId: "b" }) },
      { checkin: checkin("ok", 25_000, { runId: "a" }) },
      { checkin: checkin("ok", 40_000, { runId: "b" }) },
      { checkin: checkin("in_progress", 100_000) },
      { checkin: checkin("ok", 107_000) },
    ]);
    expect(rows.filter((r) => r.status === "ok").map((r) => r.durationMs)).toEqual([25_000, 30_000, 7_000]);
    expect(s.running).toEqual([]);
  });

  it("a start delivered after its finish is ignored", () => {
    const { s, rows } = play(cfg(), [{ checkin: checkin("ok", day1 + 5000, { runId: "x", durationMs: 4000 }) }, { checkin: checkin("in_progress", day1 + 1000, { runId: "x" }) }]);
    expect(s.state).toBe("ok");
    expect(rows.map((r) => r.status)).toEqual(["ok"]);
  });

  it("new monitors expect nothing until their first check-in; paused ones never wake", () => {
    expect(nextAlarm(initialState(0), cfg(), 0)).toBeNull();
    expect(play(cfg(), [{ tick: day1 + 10 * DAY }]).s.state).toBe("new");
    const s = play(cfg(), [{ checkin: checkin("ok", day1) }]).s;
    expect(nextAlarm(s, cfg({ paused: true }), day1)).toBeNull();
  });

  it("when Vigil's own ingest collapsed, a missed run is 'unknown' and nobody is paged", () => {
    const s = play(cfg(), [{ checkin: checkin("ok", day1) }]).s;
    const r = onTick(s, cfg(), day1 + DAY + 5 * MIN, true);
    expect(r.alerts).toEqual([]);
    expect(r.rows.map((x) => x.status)).toEqual(["unknown"]);
    expect(r.state.failures).toBe(0);
  });
});
