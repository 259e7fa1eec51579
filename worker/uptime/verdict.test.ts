import { describe, expect, it } from "vitest";
import { availability, dailyBars } from "./availability";
import type { CheckResult } from "./check";
import { inMaintenance, windowOpen } from "./maintenance";
import type { Region } from "./schema";
import { judgeRound, quorumFailed, type MonitorBefore } from "./verdict";

const T = Date.UTC(2026, 10, 23, 12, 0, 0);
const ok = (region: Region, at = T, latencyMs = 40): CheckResult => ({ monitorId: 1, region, status: "up", httpStatus: 200, latencyMs, errorClass: null, error: null, excerpt: null, checkedAt: at });
const fail = (region: Region, at = T): CheckResult => ({ monitorId: 1, region, status: "down", httpStatus: 503, latencyMs: 12, errorClass: "status", error: "Answered 503", excerpt: "oops", checkedAt: at });
const slow = (region: Region, at = T): CheckResult => ({ ...ok(region, at, 900), status: "degraded" });
const before = (over: Partial<MonitorBefore> = {}): MonitorBefore => ({ state: "up", failStreak: 0, suspectSince: null, suspectError: null, confirmRounds: 0, hasOpenIncident: false, ...over });
const normal = { isRecheck: false, inMaintenance: false };

describe("quorum", () => {
  it.each([
    [["up", "up", "up"], false],
    [["down", "up", "up"], false],
    [["down", "down", "up"], true],
    [["down", "up"], true],
    [["down"], true],
    [["up"], false],
    [["down", "down", "up", "up", "up"], false],
    [["down", "down", "down", "up", "up"], true],
  ] as const)("%j fails the round: %s", (statuses, failed) => {
    const regions: Region[] = ["wnam", "weur", "apac", "enam", "oc"];
    expect(quorumFailed(statuses.map((s, i) => (s === "down" ? fail(regions[i]!) : ok(regions[i]!))))).toBe(failed);
  });
});

describe("the monitor state machine", () => {
  it("one region failing is not an outage", () => {
    const v = judgeRound(before(), [fail("wnam"), ok("weur"), ok("apac")], normal);
    expect(v).toMatchObject({ state: "up", incident: null, alert: null, recheck: false, failStreak: 0 });
  });

  it("a failing quorum asks for a re-check, and the failing re-check confirms the outage from the first failing check", () => {
    const first = judgeRound(before(), [fail("wnam", T + 5), fail("weur", T + 3), ok("apac")], normal);
    expect(first).toMatchObject({ state: "up", recheck: true, failStreak: 1, suspectSince: T + 3, alert: null, incident: null });
    const R = T + 2500;
    const second = judgeRound(before({ failStreak: 1, suspectSince: first.suspectSince, suspectError: first.suspectError }), [fail("wnam", R), fail("weur", R), fail("apac", R + 7)], {
      ...normal,
      isRecheck: true,
    });
    expect(second).toMatchObject({ state: "down", alert: "monitor.down", recheck: false });
    expect(second.incident).toEqual({
      kind: "open",
      startedAt: T + 3,
      confirmedAt: R + 7 + 12,
      failingRegions: ["apac", "weur", "wnam"],
      firstError: { region: "weur", errorClass: "status", message: "Answered 503", httpStatus: 503, excerpt: "oops" },
    });
  });

  it("a re-check that passes clears the suspicion without an alert", () => {
    const v = judgeRound(before({ failStreak: 1, suspectSince: T }), [ok("wnam"), ok("weur"), fail("apac")], { ...normal, isRecheck: true });
    expect(v).toMatchObject({ state: "up", failStreak: 0, suspectSince: null, incident: null, alert: null });
  });

  it("with confirmRounds 3, down only on the third failing round in a row", () => {
    let b = before({ confirmRounds: 3 });
    const states = [];
    for (let i = 0; i < 3; i++) {
      const v = judgeRound(b, [fail("wnam", T + i * 60_000), fail("weur", T + i * 60_000)], normal);
      states.push([v.state, v.alert, v.recheck]);
      b = { ...b, failStreak: v.failStreak, suspectSince: v.suspectSince, suspectError: v.suspectError, state: v.state };
    }
    expect(states).toEqual([
      ["up", null, false],
      ["up", null, false],
      ["down", "monitor.down", false],
    ]);
  });

  it("recovery closes the incident at the first passing check, once", () => {
    const v = judgeRound(before({ state: "down", hasOpenIncident: true }), [ok("wnam", T + 9), ok("weur", T + 4), fail("apac", T + 1)], normal);
    expect(v).toMatchObject({ state: "up", alert: "monitor.up", incident: { kind: "close", endedAt: T + 4 } });
    const still = judgeRound(before({ state: "down", hasOpenIncident: true }), [fail("wnam"), fail("weur"), ok("apac")], normal);
    expect(still).toMatchObject({ state: "down", alert: null, incident: { kind: "ongoing", failingRegions: ["weur", "wnam"] } });
  });

  it("a probe that failed inside Vigil is left out: it neither fails the round nor confirms an outage", () => {
    const internal = (region: Region): CheckResult => ({ ...fail(region), errorClass: "internal", error: "Probe failed" });
    expect(judgeRound(before(), [internal("wnam"), ok("weur")], normal)).toMatchObject({ state: "up", alert: null, recheck: false });
    expect(judgeRound(before(), [internal("wnam"), internal("weur")], normal)).toMatchObject({ state: "up", alert: null, incident: null, recheck: false, failStreak: 0 });
    expect(judgeRound(before(), [internal("wnam"), fail("weur")], normal)).toMatchObject({ recheck: true });
  });

  it("slow answers from half the regions make it degraded, not down", () => {
    expect(judgeRound(before(), [slow("wnam"), slow("weur"), ok("apac")], normal)).toMatchObject({ state: "degraded", alert: null });
    expect(judgeRound(before(), [slow("wnam"), ok("weur"), ok("apac")], normal)).toMatchObject({ state: "up" });
  });

  it("maintenance: a failing quorum opens nothing and alerts no one; an outage already open closes silently", () => {
    const m = { isRecheck: true, inMaintenance: true };
    expect(judgeRound(before({ failStreak: 1, suspectSince: T }), [fail("wnam"), fail("weur")], m)).toMatchObject({ state: "maintenance", incident: null, alert: null, recheck: false });
    expect(judgeRound(before({ state: "down", hasOpenIncident: true }), [ok("wnam"), ok("weur")], m)).toMatchObject({ state: "maintenance", alert: null, incident: { kind: "close" } });
  });
});

describe("maintenance windows", () => {
  it("one-off windows are open between start and end", () => {
    const w = { kind: "once" as const, startsAt: "2026-11-23T12:00:00Z", endsAt: "2026-11-23T13:00:00Z" };
    expect(windowOpen(w, Date.parse("2026-11-23T11:59:59Z"))).toBe(false);
    expect(windowOpen(w, Date.parse("2026-11-23T12:00:00Z"))).toBe(true);
    expect(windowOpen(w, Date.parse("2026-11-23T12:59:59Z"))).toBe(true);
    expect(windowOpen(w, Date.parse("2026-11-23T13:00:00Z"))).toBe(false);
  });

  it("recurring windows follow their cron in their timezone, across a DST change", () => {
    // Sundays 03:00 in Berlin for 60 minutes. 2026-10-25 is the day Berlin leaves summer time.
    const w = { kind: "recurring" as const, cron: "0 3 * * 0", durationMinutes: 60, timezone: "Europe/Berlin" };
    expect(windowOpen(w, Date.parse("2026-11-22T02:30:00Z"))).toBe(true); // 03:30 CET
    expect(windowOpen(w, Date.parse("2026-11-22T03:30:00Z"))).toBe(false); // 04:30 CET
    expect(windowOpen(w, Date.parse("2026-10-18T01:30:00Z"))).toBe(true); // 03:30 CEST
    expect(windowOpen(w, Date.parse("2026-11-23T02:30:00Z"))).toBe(false); // Monday
    expect(inMaintenance([w, { kind: "once", startsAt: "2026-11-23T02:00:00Z", endsAt: "2026-11-23T03:00:00Z" }], Date.parse("2026-11-23T02:30:00Z"))).toBe(true);
  });
});

describe("uptime from outage windows", () => {
  const DAY = 86_400_000;
  const created = T - 10 * DAY;

  it("counts exact downtime, from creation, and leaves gaps out", () => {
    const outages = [{ startedAt: T - 3_600_000, endedAt: T - 3_600_000 + 6 * 60_000 }];
    const a = availability({ from: T - DAY, to: T }, created, T, outages, []);
    expect(a).toEqual({ uptime: 1 - 6 / (24 * 60), downMs: 6 * 60_000, incidents: 1 });
    const withGap = availability({ from: T - DAY, to: T }, created, T, outages, [{ from: T - 2 * 3_600_000, to: T - 3_600_000 * 1.5 }]);
    expect(withGap.uptime).toBeCloseTo(1 - 6 / (23.5 * 60), 10);
    expect(availability({ from: T - 30 * DAY, to: T }, T - DAY, T, [], []).uptime).toBe(1);
    expect(availability({ from: T - 30 * DAY, to: T - 20 * DAY }, T - DAY, T, [], []).uptime).toBeNull();
  });

  it("an ongoing outage counts until now; daily bars put downtime on its days", () => {
    const now = Date.UTC(2026, 10, 23, 6, 0, 0);
    const bars = dailyBars(3, created, now, [{ startedAt: Date.UTC(2026, 10, 22, 23, 0, 0), endedAt: null }], []);
    expect(bars.map((b) => b.date)).toEqual(["2026-11-21", "2026-11-22", "2026-11-23"]);
    expect(bars.map((b) => b.downMs)).toEqual([0, 3_600_000, 6 * 3_600_000]);
    expect(bars[2]!.uptime).toBe(0);
  });
});
