import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { AlertContext } from "../alerts/raise";
import { createDb } from "../db/client";
import { describeSchedule, nextExpected, slotOf } from "./schedule";
import { initialState, nextAlarm, onCheckin, onTick, type CheckinInput, type CronAlert, type CronConfig, type MachineState, type Step } from "./machine";
import { cronMonitors, storedCheckinId } from "./schema";
import { withFaults } from "../lib/faults";

type MonitorRow = typeof cronMonitors.$inferSelect;

/** How much of a run's log is kept. */
export const LOG_LIMIT = 10_000;

export const configOf = (m: MonitorRow): CronConfig => ({
  schedule: m.schedule,
  timezone: m.timezone,
  marginMs: m.checkinMargin * 60_000,
  maxRuntimeMs: m.maxRuntime * 60_000,
  failureThreshold: m.failureThreshold,
  recoveryThreshold: m.recoveryThreshold,
  paused: m.paused,
});

/**
 * Vigil's own pulse: did check-ins stop arriving from every project at once (a platform or pipeline
 * outage, not the jobs)? The last 5 minutes are compared with the same 5 minutes an hour and a day
 * earlier — jobs keep their clock times, so the busiest of those is what to expect — and only when at
 * least 3 projects were checking in then, so one customer's servers going down is never mistaken for it.
 * Collapsed: under a tenth of the expected check-ins, from at least 10.
 */
export async function ingestCollapsed(d1: D1Database, now: number): Promise<boolean> {
  const MIN = 60_000;
  const row = await d1
    .prepare(
      `SELECT
         sum(c.received_at >= ?1) AS recent,
         sum(c.received_at >= ?2 AND c.received_at < ?3) AS hour_ago,
         sum(c.received_at >= ?4 AND c.received_at < ?5) AS day_ago,
         count(DISTINCT CASE WHEN c.received_at < ?3 AND c.received_at >= ?2 OR c.received_at >= ?4 AND c.received_at < ?5 THEN m.project_id END) AS projects
       FROM cron_checkins c JOIN cron_monitors m ON m.id = c.monitor_id
       WHERE c.source != 'vigil' AND (c.received_at >= ?2 OR (c.received_at >= ?4 AND c.received_at < ?5))`,
    )
    .bind(now - 5 * MIN, now - 65 * MIN, now - 60 * MIN, now - 1445 * MIN, now - 1440 * MIN)
    .first<{ recent: number | null; hour_ago: number | null; day_ago: number | null; projects: number | null }>();
  const expected = Math.max(row?.hour_ago ?? 0, row?.day_ago ?? 0);
  return (row?.projects ?? 0) >= 3 && expected >= 10 && (row?.recent ?? 0) < expected * 0.1;
}

/**
 * One per cron monitor: the single writer of its state. Check-ins arrive through `checkin()`; one alarm
 * waits for the next deadline (late, missed, a run's timeout), so a monitor costs nothing between them.
 * It writes the check-in rows and the monitor's state to D1 and raises the alerts.
 */
export class CronMonitor extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    // D1 behind the storage layer's fault seam in tests (worker/lib/faults.ts); `env` itself otherwise.
    super(ctx, withFaults(env));
  }

  private async load(monitorId: number): Promise<{ monitor: MonitorRow; state: MachineState } | null> {
    const monitor = await createDb(this.env.DB).select().from(cronMonitors).where(eq(cronMonitors.id, monitorId)).get();
    if (!monitor) {
      // Deleted: forget everything, wake no more.
      await this.ctx.storage.deleteAll();
      await this.ctx.storage.deleteAlarm();
      return null;
    }
    await this.ctx.storage.put("monitorId", monitorId);
    const state = (await this.ctx.storage.get<MachineState>("state")) ?? initialState(monitor.createdAt.getTime());
    return { monitor, state };
  }

  /** Save a step: its check-in rows and the monitor's new state in D1, the state here, the next alarm; then alert. */
  private async apply(monitor: MonitorRow, step: Step, now: number): Promise<MachineState> {
    const cfg = configOf(monitor);
    const d1 = this.env.DB;
    const s = step.state;
    // A run started before check-in rows were keyed by monitor has its row under the bare id: take it over first.
    const legacy = step.rows.map((r) =>
      d1.prepare(`UPDATE cron_checkins SET id = ?1 WHERE id = ?2 AND monitor_id = ?3`).bind(storedCheckinId(monitor.id, r.id), r.id, monitor.id),
    );
    const statements = legacy.concat(step.rows.map((r) =>
      d1
        .prepare(
          `INSERT INTO cron_checkins (id, monitor_id, status, run_id, source, environment, started_at, finished_at, duration_ms, exit_code, log, received_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
           ON CONFLICT (id) DO UPDATE SET status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
             exit_code = coalesce(excluded.exit_code, exit_code), log = coalesce(excluded.log, log)
           WHERE cron_checkins.monitor_id = excluded.monitor_id`,
        )
        .bind(storedCheckinId(monitor.id, r.id), monitor.id, r.status, r.runId, r.source, r.environment, r.startedAt, r.finishedAt, r.durationMs, r.exitCode, r.log?.slice(0, LOG_LIMIT) ?? null, now),
    ));
    statements.push(
      d1
        .prepare(`UPDATE cron_monitors SET state = ?, state_since = ?, last_checkin_at = ?, last_duration_ms = ?, next_expected_at = ?, updated_at = ? WHERE id = ?`)
        .bind(cfg.paused ? "paused" : s.state, s.stateSince, s.lastCheckinAt, s.lastDurationMs, s.expectedAt, now, monitor.id),
    );
    await d1.batch(statements);
    await this.ctx.storage.put("state", s);
    const wake = nextAlarm(s, cfg, now);
    if (wake === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(wake);
    if (step.alerts.length) {
      const alerts = new AlertContext(createDb(d1), this.env);
      for (const a of step.alerts) await alerts.raise(alertEvent(monitor, a));
    }
    return s;
  }

  /** A check-in for this monitor (already matched by slug, environment and key). */
  async checkin(monitorId: number, input: CheckinInput): Promise<MachineState | null> {
    const loaded = await this.load(monitorId);
    if (!loaded) return null;
    return this.apply(loaded.monitor, onCheckin(loaded.state, configOf(loaded.monitor), input), Date.now());
  }

  /**
   * Let time pass up to `now` (the alarm calls it with the clock; tests with their own). Also called
   * after the monitor's settings change, to move the alarm.
   */
  async tick(monitorId: number, now = Date.now()): Promise<MachineState | null> {
    const loaded = await this.load(monitorId);
    if (!loaded) return null;
    const cfg = configOf(loaded.monitor);
    const wouldMiss = loaded.state.expectedAt !== null && loaded.state.expectedAt + cfg.marginMs <= now && !cfg.paused;
    const collapsed = wouldMiss ? await ingestCollapsed(this.env.DB, now) : false;
    return this.apply(loaded.monitor, onTick(loaded.state, cfg, now, collapsed), now);
  }

  /**
   * The settings changed: the next run counts from the last check-in's slot, as a check-in would have counted it,
   * unless that run's deadline has already passed (a pause, or a schedule changed long after the last run): then
   * from now, so no run that fell in the pause is reported missed. Pausing stops the alarm.
   */
  async reconfigure(monitorId: number, now = Date.now()): Promise<MachineState | null> {
    const loaded = await this.load(monitorId);
    if (!loaded) return null;
    const { monitor, state } = loaded;
    let expectedAt = state.expectedAt;
    if (!monitor.paused && state.lastCheckinAt !== null) {
      const { schedule, timezone, marginMs } = configOf(monitor);
      const fromLast = nextExpected(schedule, timezone, slotOf(schedule, timezone, state.lastCheckinAt, marginMs));
      expectedAt = fromLast + marginMs > now ? fromLast : nextExpected(schedule, timezone, now);
    }
    let next: MachineState = { ...state, expectedAt: state.lastCheckinAt === null ? null : expectedAt };
    // Paused: that is the state from now on. Resumed: a fresh start — what failed before the pause was known.
    if (monitor.paused && state.state !== "paused") next = { ...next, state: "paused", stateSince: now };
    if (!monitor.paused && state.state === "paused") {
      next = { ...next, state: state.lastCheckinAt === null ? "new" : "ok", stateSince: now, failures: 0, successes: 0, alerted: false };
    }
    return this.apply(monitor, { state: next, rows: [], alerts: [] }, now);
  }

  /**
   * The monitor's project was deleted (worker/retention/deletion.ts): stop the alarm and drop the state now,
   * rather than at the next alarm, which finds the row gone and does the same.
   */
  async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    const monitorId = await this.ctx.storage.get<number>("monitorId");
    if (monitorId !== undefined) await this.tick(monitorId);
  }
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

function alertEvent(m: MonitorRow, a: CronAlert) {
  const schedule = describeSchedule(m.schedule, m.timezone);
  const base = { projectId: m.projectId, key: `cron:${m.id}`, path: `crons/${m.id}`, ...(m.environment ? { environment: m.environment } : {}) };
  const data = { cronId: m.id, slug: m.slug, name: m.name, schedule };
  switch (a.type) {
    case "cron.missed":
      return { ...base, type: a.type, summary: `${m.name} did not run: expected at ${when(a.expectedAt)} (${schedule})`, data: { ...data, expectedAt: new Date(a.expectedAt).toISOString() } };
    case "cron.timeout":
      return { ...base, type: a.type, summary: `${m.name} is still running after ${m.maxRuntime} min (started ${when(a.startedAt)})`, data: { ...data, startedAt: new Date(a.startedAt).toISOString() } };
    case "cron.failed":
      return {
        ...base,
        type: a.type,
        summary: `${m.name} failed${a.exitCode !== null ? ` with exit code ${a.exitCode}` : ""}`,
        ...(a.log ? { excerpt: a.log.slice(-500) } : {}),
        data: { ...data, exitCode: a.exitCode },
      };
    case "cron.recovered":
      return { ...base, type: a.type, summary: `${m.name} runs again`, data: { ...data, failedSince: new Date(a.failedSince).toISOString() } };
  }
}
