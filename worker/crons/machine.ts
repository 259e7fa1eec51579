import { nextExpected, slotOf } from "./schedule";
import type { CheckinSource, CheckinStatus, CronState, Schedule } from "./schema";

export interface CronConfig {
  schedule: Schedule;
  timezone: string;
  marginMs: number;
  maxRuntimeMs: number;
  failureThreshold: number;
  recoveryThreshold: number;
  paused: boolean;
}

export interface Run {
  runId: string;
  checkinId: string;
  startedAt: number;
}

/** What the monitor's Durable Object remembers between check-ins and alarms. */
export interface MachineState {
  state: CronState;
  stateSince: number;
  /** When the next run should start; null until the first check-in. */
  expectedAt: number | null;
  /** Runs started and not finished (the newest 20). */
  running: Run[];
  /** Failures in a row, and successes in a row since an alert. */
  failures: number;
  successes: number;
  /** An alert went out and recovery has not been reported yet. */
  alerted: boolean;
  lastCheckinAt: number | null;
  lastDurationMs: number | null;
  /** Run ids finished lately (the newest 20): a start that arrives after its finish is ignored. */
  finished: string[];
}

export const initialState = (now: number): MachineState => ({
  state: "new",
  stateSince: now,
  expectedAt: null,
  running: [],
  failures: 0,
  successes: 0,
  alerted: false,
  lastCheckinAt: null,
  lastDurationMs: null,
  finished: [],
});

export interface CheckinInput {
  status: "in_progress" | "ok" | "error";
  /** Pairs a start with its finish: `?rid=` or Sentry's `check_in_id`. */
  runId: string | null;
  /** A fresh id for this check-in's row when it does not finish a known run. */
  checkinId: string;
  at: number;
  /** Duration the client reported (ms), for a finish without a known start. */
  durationMs: number | null;
  exitCode: number | null;
  log: string | null;
  source: CheckinSource;
  environment: string | null;
}

export interface CheckinRow {
  id: string;
  status: CheckinStatus;
  runId: string | null;
  source: CheckinSource;
  environment: string | null;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  exitCode: number | null;
  log: string | null;
}

export type CronAlert = { type: "cron.missed"; expectedAt: number } | { type: "cron.failed"; exitCode: number | null; log: string | null } | { type: "cron.timeout"; startedAt: number } | { type: "cron.recovered"; failedSince: number };

export interface Step {
  state: MachineState;
  rows: CheckinRow[];
  alerts: CronAlert[];
}

const MAX_RUNNING = 20;
/** Missed slots recorded one by one in a single tick at most; beyond that the expectation jumps to now. */
const MAX_MISSED_PER_TICK = 10;

function withState(s: MachineState, state: CronState, at: number): MachineState {
  return s.state === state ? s : { ...s, state, stateSince: at };
}

/** A failure (error, missed, timeout) counted against the threshold; alerts once when the threshold is reached. */
function fail(s: MachineState, cfg: CronConfig, alert: CronAlert, alerts: CronAlert[]): MachineState {
  const failures = s.failures + 1;
  if (failures >= cfg.failureThreshold && !s.alerted) {
    alerts.push(alert);
    return { ...s, failures, successes: 0, alerted: true };
  }
  return { ...s, failures, successes: 0 };
}

/** A job checked in: start, success or failure. */
export function onCheckin(before: MachineState, cfg: CronConfig, c: CheckinInput): Step {
  const rows: CheckinRow[] = [];
  const alerts: CronAlert[] = [];
  let s: MachineState = { ...before, lastCheckinAt: c.at };
  const base = { runId: c.runId, source: c.source, environment: c.environment, exitCode: c.exitCode, log: c.log };
  const advance = () => (cfg.paused ? s.expectedAt : nextExpected(cfg.schedule, cfg.timezone, slotOf(cfg.schedule, cfg.timezone, c.at, cfg.marginMs)));

  if (c.status === "in_progress") {
    const runId = c.runId ?? c.checkinId;
    // Delivered out of order: this run already finished.
    if ((before.finished ?? []).includes(runId)) return { state: before, rows, alerts };
    s = { ...s, running: [...s.running.filter((r) => r.runId !== runId), { runId, checkinId: c.checkinId, startedAt: c.at }].slice(-MAX_RUNNING), expectedAt: advance() };
    rows.push({ ...base, id: c.checkinId, status: "in_progress", startedAt: c.at, finishedAt: null, durationMs: null });
    if (!cfg.paused) s = withState(s, "in_progress", c.at);
    return { state: s, rows, alerts };
  }

  // A finish pairs with its start by run id; without one, with the latest start (as Healthchecks does).
  const run = c.runId ? s.running.find((r) => r.runId === c.runId) : s.running.at(-1);
  // The job's own measure when it sent one (Sentry's `duration`), the run starting that long before its
  // finish; else the time between the start and finish check-ins.
  const durationMs = c.durationMs ?? (run ? c.at - run.startedAt : null);
  const startedAt = c.durationMs !== null ? c.at - c.durationMs : run ? run.startedAt : c.at;
  if (run) s = { ...s, running: s.running.filter((r) => r !== run) };
  else s = { ...s, expectedAt: advance() };
  const finishedId = run?.runId ?? c.runId;
  if (finishedId) s = { ...s, finished: [...(s.finished ?? []).filter((id) => id !== finishedId), finishedId].slice(-MAX_RUNNING) };
  rows.push({ ...base, id: run ? run.checkinId : c.checkinId, runId: run?.runId ?? c.runId, status: c.status, startedAt, finishedAt: c.at, durationMs });
  s = { ...s, lastDurationMs: durationMs };
  if (cfg.paused) return { state: s, rows, alerts };

  if (c.status === "error") {
    s = fail(s, cfg, { type: "cron.failed", exitCode: c.exitCode, log: c.log }, alerts);
    return { state: withState(s, "error", c.at), rows, alerts };
  }
  s = { ...s, failures: 0 };
  if (s.alerted) {
    const successes = s.successes + 1;
    if (successes >= cfg.recoveryThreshold) {
      alerts.push({ type: "cron.recovered", failedSince: before.stateSince });
      s = { ...s, alerted: false, successes: 0 };
    } else s = { ...s, successes };
  }
  return { state: withState(s, s.running.length ? "in_progress" : "ok", c.at), rows, alerts };
}

/**
 * Time passed (the alarm): runs over their max runtime time out, an expected run not started by
 * expected time + margin is missed (dated at the expected time), and one not started by the expected
 * time is late. `ingestCollapsed`: Vigil itself received almost nothing lately, so a missed run is
 * recorded as `unknown` and does not count or alert.
 */
export function onTick(before: MachineState, cfg: CronConfig, now: number, ingestCollapsed: boolean): Step {
  const rows: CheckinRow[] = [];
  const alerts: CronAlert[] = [];
  if (cfg.paused) return { state: before, rows, alerts };
  let s = before;

  for (const run of s.running.filter((r) => r.startedAt + cfg.maxRuntimeMs <= now)) {
    rows.push({ id: run.checkinId, status: "timeout", runId: run.runId, source: "vigil", environment: null, startedAt: run.startedAt, finishedAt: null, durationMs: null, exitCode: null, log: null });
    s = { ...s, running: s.running.filter((r) => r !== run) };
    s = withState(fail(s, cfg, { type: "cron.timeout", startedAt: run.startedAt }, alerts), "timeout", run.startedAt + cfg.maxRuntimeMs);
  }

  let missed = 0;
  while (s.expectedAt !== null && s.expectedAt + cfg.marginMs <= now) {
    const expectedAt = s.expectedAt;
    const deadline = expectedAt + cfg.marginMs;
    if (++missed > MAX_MISSED_PER_TICK) {
      s = { ...s, expectedAt: nextExpected(cfg.schedule, cfg.timezone, now - cfg.marginMs) };
      break;
    }
    rows.push({ id: `missed-${expectedAt}`, status: ingestCollapsed ? "unknown" : "missed", runId: null, source: "vigil", environment: null, startedAt: expectedAt, finishedAt: null, durationMs: null, exitCode: null, log: null });
    s = { ...s, expectedAt: nextExpected(cfg.schedule, cfg.timezone, expectedAt) };
    if (!ingestCollapsed) s = withState(fail(s, cfg, { type: "cron.missed", expectedAt }, alerts), "missed", deadline);
  }

  if (s.expectedAt !== null && s.expectedAt <= now && (s.state === "ok" || s.state === "new")) s = withState(s, "late", s.expectedAt);
  return { state: s, rows, alerts };
}

/** When the object should wake next: the late and missed deadlines of the next run, and each run's timeout. */
export function nextAlarm(s: MachineState, cfg: CronConfig, now: number): number | null {
  if (cfg.paused) return null;
  const times = s.running.map((r) => r.startedAt + cfg.maxRuntimeMs);
  if (s.expectedAt !== null) {
    if (s.expectedAt > now) times.push(s.expectedAt);
    times.push(s.expectedAt + cfg.marginMs);
  }
  return times.length ? Math.max(now, Math.min(...times)) : null;
}
