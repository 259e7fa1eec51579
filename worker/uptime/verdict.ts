import type { CheckResult } from "./check";
import type { FirstError, MonitorState, Region } from "./schema";

/** What a round needs to know about the monitor before it. */
export interface MonitorBefore {
  state: MonitorState;
  failStreak: number;
  suspectSince: number | null;
  suspectError: FirstError | null;
  confirmRounds: number;
  hasOpenIncident: boolean;
}

export type IncidentChange =
  | { kind: "open"; startedAt: number; confirmedAt: number; failingRegions: Region[]; firstError: FirstError }
  | { kind: "ongoing"; failingRegions: Region[] }
  | { kind: "close"; endedAt: number };

export interface Verdict {
  state: MonitorState;
  failStreak: number;
  suspectSince: number | null;
  suspectError: FirstError | null;
  incident: IncidentChange | null;
  /** Run the failing regions again now, before deciding (confirmation by re-check). */
  recheck: boolean;
  /** Which alert to raise, if any (none during maintenance). */
  alert: "monitor.down" | "monitor.up" | null;
}

/** A round fails when at least half of the monitor's regions failed in it. */
export function quorumFailed(results: CheckResult[]): boolean {
  const failed = results.filter((r) => r.status === "down").length;
  return failed > 0 && failed * 2 >= results.length;
}

export function firstErrorOf(results: CheckResult[]): FirstError | null {
  const first = results.filter((r) => r.status === "down").sort((a, b) => a.checkedAt - b.checkedAt)[0];
  if (!first) return null;
  return { region: first.region, errorClass: first.errorClass ?? "internal", message: first.error ?? "Failed.", httpStatus: first.httpStatus, excerpt: first.excerpt };
}

/**
 * The monitor's state machine for one round of results from its regions.
 * Down needs a failing quorum that repeats: on the immediate re-check (`confirmRounds` 0) or in
 * `confirmRounds` rounds in a row. The incident starts at the first failing check and ends at the
 * first check of the round that passed again. During maintenance nothing opens and nothing alerts.
 */
export function judgeRound(before: MonitorBefore, all: CheckResult[], opts: { isRecheck: boolean; inMaintenance: boolean }): Verdict {
  // A probe that failed inside Vigil says nothing about the site: those regions sit this round out.
  const results = all.filter((r) => r.errorClass !== "internal");
  if (results.length === 0) {
    return { state: before.state, failStreak: before.failStreak, suspectSince: before.suspectSince, suspectError: before.suspectError, incident: null, recheck: false, alert: null };
  }
  const failing = quorumFailed(results);
  const failingRegions = [...new Set(results.filter((r) => r.status === "down").map((r) => r.region))].sort();
  const firstFailure = Math.min(...results.filter((r) => r.status === "down").map((r) => r.checkedAt));
  const firstPass = Math.min(...results.filter((r) => r.status !== "down").map((r) => r.checkedAt));
  const lastCheck = Math.max(...results.map((r) => r.checkedAt + (r.latencyMs ?? 0)));
  const slow = results.filter((r) => r.status !== "up").length * 2 >= results.length;
  const healthy = { failStreak: 0, suspectSince: null, suspectError: null, recheck: false };

  if (!failing) {
    const close: IncidentChange | null = before.hasOpenIncident ? { kind: "close", endedAt: Number.isFinite(firstPass) ? firstPass : lastCheck } : null;
    if (opts.inMaintenance) return { ...healthy, state: "maintenance", incident: close, alert: null };
    return { ...healthy, state: slow ? "degraded" : "up", incident: close, alert: close ? "monitor.up" : null };
  }

  if (before.hasOpenIncident) {
    return { ...healthy, state: opts.inMaintenance ? "maintenance" : "down", incident: { kind: "ongoing", failingRegions }, alert: null };
  }
  if (opts.inMaintenance) return { ...healthy, state: "maintenance", incident: null, alert: null };

  const failStreak = before.failStreak + 1;
  const suspectSince = before.suspectSince ?? firstFailure;
  const suspectError = before.suspectError ?? firstErrorOf(results);
  const confirmed = before.confirmRounds <= 1 ? opts.isRecheck || before.failStreak > 0 : failStreak >= before.confirmRounds;
  if (!confirmed) {
    return {
      state: before.state,
      failStreak,
      suspectSince,
      suspectError,
      incident: null,
      recheck: before.confirmRounds <= 1 && !opts.isRecheck,
      alert: null,
    };
  }
  return {
    state: "down",
    failStreak,
    suspectSince: null,
    suspectError: null,
    incident: { kind: "open", startedAt: suspectSince, confirmedAt: lastCheck, failingRegions, firstError: suspectError! },
    recheck: false,
    alert: "monitor.down",
  };
}
