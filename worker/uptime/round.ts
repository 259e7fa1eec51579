import { and, asc, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import { AlertContext } from "../alerts/raise";
import { createDb, type Db } from "../db/client";
import { chunks, mapLimit } from "../lib/chunks";
import type { CheckResult, CheckSpec } from "./check";
import { inMaintenance } from "./maintenance";
import { CHECKS_PER_PROBE_CALL, probeFor } from "./probe";
import { monitors, type Region } from "./schema";
import { saveRound, type RoundOutcome } from "./round-store";
import { judgeRound } from "./verdict";

type MonitorRow = typeof monitors.$inferSelect;

/** The most monitors one round takes; the rest wait for the next minute (and show as overdue). */
export const MAX_MONITORS_PER_ROUND = 5000;
/** A round that has not finished by then is presumed dead; its monitors are picked up again. */
export const LEASE_MS = 5 * 60_000;
/** Probe calls in flight at once from the cron invocation: the Workers limit of 6 open connections. */
export const PROBE_CALLS_IN_FLIGHT = 6;
/** Pause before re-checking a failing monitor to confirm it. */
export const RECHECK_DELAY_MS = 2000;

export interface RoundStats {
  roundAt: string;
  monitors: number;
  checks: number;
  probeCalls: number;
  maxChecksPerProbeCall: number;
  d1Statements: number;
  /** Round trips to D1 (a batch is one): with `probeCalls`, the subrequests of the cron invocation. */
  d1Calls: number;
  rechecked: number;
  opened: number;
  closed: number;
  gaps: number;
  wallMs: number;
}

export const specOf = (m: MonitorRow): CheckSpec => ({
  monitorId: m.id,
  type: m.type,
  url: m.url,
  method: m.method,
  headers: m.headers,
  body: m.body,
  expectedStatus: m.expectedStatus,
  keyword: m.keyword,
  keywordMode: m.keywordMode,
  jsonAssertion: m.jsonAssertion,
  maxResponseMs: m.maxResponseMs,
  followRedirects: m.followRedirects,
  timeoutMs: m.timeoutMs,
});

/**
 * Run every check of these monitors from each of their regions: per region, the checks are cut into
 * probe calls of at most CHECKS_PER_PROBE_CALL, and at most PROBE_CALLS_IN_FLIGHT calls run at once.
 */
export async function probeAll(env: Env, list: MonitorRow[], stats?: RoundStats): Promise<Map<number, CheckResult[]>> {
  const byRegion = new Map<Region, CheckSpec[]>();
  for (const m of list) {
    for (const region of m.regions) {
      let specs = byRegion.get(region);
      if (!specs) byRegion.set(region, (specs = []));
      specs.push(specOf(m));
    }
  }
  const calls = [...byRegion].flatMap(([region, specs]) => chunks(specs, CHECKS_PER_PROBE_CALL).map((part, shard) => ({ region, part, shard })));
  const answers = await mapLimit(calls, PROBE_CALLS_IN_FLIGHT, async ({ region, part, shard }) => {
    try {
      return await probeFor(env, region, shard).run(region, part);
    } catch (err) {
      // The probe itself failed (not the monitored site): record it as Vigil's failure, per check.
      const now = Date.now();
      return part.map<CheckResult>((s) => ({ monitorId: s.monitorId, region, status: "down", httpStatus: null, latencyMs: null, errorClass: "internal", error: `Probe failed: ${String(err)}`, excerpt: null, checkedAt: now }));
    }
  });
  if (stats) {
    stats.probeCalls += calls.length;
    stats.checks += calls.reduce((n, c) => n + c.part.length, 0);
    stats.maxChecksPerProbeCall = Math.max(stats.maxChecksPerProbeCall, ...calls.map((c) => c.part.length));
  }
  const byMonitor = new Map<number, CheckResult[]>();
  for (const r of answers.flat()) {
    let list = byMonitor.get(r.monitorId);
    if (!list) byMonitor.set(r.monitorId, (list = []));
    list.push(r);
  }
  return byMonitor;
}

/** Monitors whose time has come, not held by another round. */
async function dueMonitors(db: Db, roundAt: number, now: number): Promise<MonitorRow[]> {
  return db
    .select()
    .from(monitors)
    .where(and(eq(monitors.paused, false), lte(monitors.nextCheckAt, new Date(roundAt + 5000)), or(isNull(monitors.leaseUntil), lt(monitors.leaseUntil, new Date(now)))))
    .orderBy(asc(monitors.nextCheckAt))
    .limit(MAX_MONITORS_PER_ROUND)
    .all();
}

/** Take the monitors for this round; another round running at the same time gets none of them. */
async function claim(db: Db, list: MonitorRow[], roundAt: number, now: number, stats: RoundStats): Promise<MonitorRow[]> {
  const claimed = new Set<number>();
  for (const part of chunks(list, 500)) {
    stats.d1Statements++;
    stats.d1Calls++;
    const rows = await db.all<{ id: number }>(sql`
      UPDATE monitors SET lease_until = ${now + LEASE_MS}, next_check_at = ${roundAt} + interval_seconds * 1000
      WHERE id IN (SELECT value FROM json_each(${JSON.stringify(part.map((m) => m.id))}))
        AND (lease_until IS NULL OR lease_until < ${now})
      RETURNING id`);
    for (const r of rows) claimed.add(r.id);
  }
  return list.filter((m) => claimed.has(m.id));
}

/** One pass of checks for these monitors, judged and saved; answers which ones want a confirmation re-check. */
async function checkAndJudge(env: Env, alerts: AlertContext, list: MonitorRow[], roundAt: number, isRecheck: boolean, stats: RoundStats): Promise<MonitorRow[]> {
  const results = await probeAll(env, list, stats);
  const outcomes: RoundOutcome[] = [];
  for (const m of list) {
    const own = results.get(m.id) ?? [];
    if (own.length === 0) continue;
    const verdict = judgeRound(
      { state: m.state, failStreak: m.failStreak, suspectSince: m.suspectSince?.getTime() ?? null, suspectError: m.suspectError ?? null, confirmRounds: m.confirmRounds, hasOpenIncident: m.openIncidentId !== null },
      own,
      { isRecheck, inMaintenance: inMaintenance(m.maintenance, roundAt) },
    );
    outcomes.push({ monitor: m, results: own, verdict, roundAt, releaseLease: !verdict.recheck, watchGap: !isRecheck });
  }
  // Paused or deleted while its checks ran: nothing of this round is kept for it.
  const active = new Set(
    (
      await env.DB.prepare(`SELECT id FROM monitors WHERE paused = 0 AND id IN (SELECT value FROM json_each(?))`)
        .bind(JSON.stringify(outcomes.map((o) => o.monitor.id)))
        .all<{ id: number }>()
    ).results.map((r) => r.id),
  );
  stats.d1Calls++;
  outcomes.splice(0, outcomes.length, ...outcomes.filter((o) => active.has(o.monitor.id)));
  stats.d1Statements += await saveRound(env.DB, outcomes);
  stats.d1Calls++;
  for (const o of outcomes) {
    if (o.verdict.incident?.kind === "open") stats.opened++;
    if (o.verdict.incident?.kind === "close") stats.closed++;
    if (o.verdict.alert) await raiseFor(alerts, o);
  }
  return outcomes
    .filter((o) => o.verdict.recheck)
    .map((o) => ({
      ...o.monitor,
      state: o.verdict.state,
      failStreak: o.verdict.failStreak,
      suspectSince: o.verdict.suspectSince === null ? null : new Date(o.verdict.suspectSince),
      suspectError: o.verdict.suspectError,
    }));
}

function describeDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

async function raiseFor(alerts: AlertContext, { monitor: m, verdict, results }: RoundOutcome): Promise<void> {
  const base = { projectId: m.projectId, key: `monitor:${m.id}`, path: `uptime/${m.id}` };
  if (verdict.alert === "monitor.down" && verdict.incident?.kind === "open") {
    const e = verdict.incident.firstError;
    await alerts.raise({
      ...base,
      type: "monitor.down",
      summary: `${m.name} is down: ${e.message}`,
      excerpt: `Failing from ${verdict.incident.failingRegions.join(", ")} since ${new Date(verdict.incident.startedAt).toISOString()}`,
      data: { monitorId: m.id, name: m.name, url: m.url, startedAt: new Date(verdict.incident.startedAt).toISOString(), failingRegions: verdict.incident.failingRegions, error: e },
    });
  }
  if (verdict.alert === "monitor.up" && verdict.incident?.kind === "close") {
    const since = m.stateSince.getTime();
    const latency = results.find((r) => r.latencyMs !== null)?.latencyMs ?? null;
    await alerts.raise({
      ...base,
      type: "monitor.up",
      summary: `${m.name} is up again after ${describeDuration(verdict.incident.endedAt - since)}`,
      data: { monitorId: m.id, name: m.name, url: m.url, endedAt: new Date(verdict.incident.endedAt).toISOString(), latencyMs: latency },
    });
  }
}

/**
 * The uptime part of the every-minute cron: take the due monitors, record a gap for any that missed a
 * whole interval (the watchdog), check them from every region, judge each round, re-check at once the
 * ones failing for the first time, save everything, and raise `monitor.down` / `monitor.up`.
 */
export async function runUptimeRound(env: Env, scheduledTime: number, opts: { recheckDelayMs?: number } = {}): Promise<RoundStats> {
  const started = Date.now();
  const roundAt = scheduledTime - (scheduledTime % 60_000);
  const db = createDb(env.DB);
  const stats: RoundStats = { roundAt: new Date(roundAt).toISOString(), monitors: 0, checks: 0, probeCalls: 0, maxChecksPerProbeCall: 0, d1Statements: 1, d1Calls: 1, rechecked: 0, opened: 0, closed: 0, gaps: 0, wallMs: 0 };
  const due = await dueMonitors(db, roundAt, started);
  const list = due.length ? await claim(db, due, roundAt, started, stats) : [];
  stats.monitors = list.length;
  if (list.length) {
    stats.gaps = list.filter((m) => m.lastCheckAt && roundAt - m.lastCheckAt.getTime() >= 2 * m.intervalSeconds * 1000).length;
    const alerts = new AlertContext(db, env);
    const recheck = await checkAndJudge(env, alerts, list, roundAt, false, stats);
    if (recheck.length) {
      stats.rechecked = recheck.length;
      await new Promise((r) => setTimeout(r, opts.recheckDelayMs ?? RECHECK_DELAY_MS));
      await checkAndJudge(env, alerts, recheck, roundAt + (Date.now() - started), true, stats);
    }
  }
  stats.wallMs = Date.now() - started;
  return stats;
}
