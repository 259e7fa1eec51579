import { and, desc, eq, gte, isNull, lt, or, sql } from "drizzle-orm";
import { allowPrivate as allowPrivateUrls } from "../alerts/deliver";
import { outgoingUrlProblem } from "../alerts/urls";
import type { Db } from "../db/client";
import { ApiError, notFound } from "../lib/errors";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { timeRange } from "../lib/time";
import type { ProjectService } from "../projects/service";
import { dailyBars, uptimeWindows, type Span } from "./availability";
import { parseHostPort, type CheckResult } from "./check";
import { maintenanceProblem } from "./maintenance";
import { probeFor } from "./probe";
import { specOf } from "./round";
import { RAW_CHECKS_KEPT_MS } from "./rollup";
import { incidents, monitorChecks, monitorGaps, monitorHourly, monitors, type Region } from "./schema";
import type { NewMonitor } from "./schemas";
import { inList } from "../lib/sql";

type MonitorRow = typeof monitors.$inferSelect;
type IncidentRow = typeof incidents.$inferSelect;
type CheckRow = typeof monitorChecks.$inferSelect;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const SPARK_BUCKET = 30 * 60_000;
/** Monitors per project: enough for a small team, and a bound on one list request's work. */
export const MAX_MONITORS_PER_PROJECT = 200;

const toSpan = (g: { from: Date; to: Date }): Span => ({ from: g.from.getTime(), to: g.to.getTime() });
const toOutage = (i: IncidentRow) => ({ startedAt: i.startedAt.getTime(), endedAt: i.endedAt?.getTime() ?? null });

/** Raw checks summed up per hour like the rollups: count, failures, average and p95 of the answered ones. */
function foldIntoHours(checks: { checkedAt: Date; status: string; latencyMs: number | null }[]) {
  const hours = new Map<number, { latencies: number[]; failures: number; checks: number }>();
  for (const c of checks) {
    const hour = Math.floor(c.checkedAt.getTime() / HOUR) * HOUR;
    const h = hours.get(hour) ?? { latencies: [], failures: 0, checks: 0 };
    h.checks++;
    if (c.status === "down") h.failures++;
    if (c.latencyMs !== null) h.latencies.push(c.latencyMs);
    hours.set(hour, h);
  }
  return [...hours].map(([hour, h]) => {
    const sorted = h.latencies.sort((a, b) => a - b);
    const avg = sorted.length ? Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) : null;
    const p95 = sorted.length ? sorted[Math.ceil(0.95 * sorted.length) - 1]! : null;
    return [hour, { t: new Date(hour), avgMs: avg, p95Ms: p95, failures: h.failures, checks: h.checks }] as const;
  });
}

export class MonitorService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly projects: ProjectService,
  ) {}

  /** The monitor, if the user can see its project (404 otherwise, like a monitor that does not exist). */
  private async monitorFor(monitorId: number, userId: string): Promise<MonitorRow> {
    const m = await this.db.select().from(monitors).where(eq(monitors.id, monitorId)).get();
    if (!m) throw notFound("Monitor");
    try {
      await this.projects.access(m.projectId, userId);
    } catch (err) {
      if (err instanceof ApiError && err.code === "not_found") throw notFound("Monitor");
      throw err;
    }
    return m;
  }

  /** Checks a definition beyond its shape: the URL or host:port, the private-address policy, maintenance windows. */
  private validate(m: Pick<NewMonitor, "type" | "url" | "maintenance">): void {
    const problem = (message: string, path = "url") => new ApiError("validation_failed", `${path}: ${message}`, [{ path, message }]);
    const allowPrivate = allowPrivateUrls(this.env);
    if (m.type === "tcp") {
      const target = parseHostPort(m.url);
      if (!target) throw problem("For a TCP monitor, write host:port (for example db.example.com:5432).");
      const asUrl = `http://${target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname}/`;
      const p = outgoingUrlProblem(asUrl, allowPrivate);
      if (p) throw problem(p.replace("receive alerts", "be monitored"));
    } else {
      const p = outgoingUrlProblem(m.url, allowPrivate);
      if (p) throw problem(p.replace("can receive alerts", "can be monitored").replace("cannot receive alerts", "cannot be monitored"));
    }
    for (const [i, w] of m.maintenance.entries()) {
      const p = maintenanceProblem(w);
      if (p) throw problem(p, `maintenance.${i}`);
    }
  }

  async list(projectId: number, userId: string, now = Date.now()) {
    await this.projects.access(projectId, userId);
    const rows = await this.db.select().from(monitors).where(eq(monitors.projectId, projectId)).orderBy(monitors.name).all();
    if (!rows.length) return [];
    const ids = rows.map((m) => m.id);
    const [outages, gaps, spark] = await Promise.all([
      this.db.select().from(incidents).where(and(inList(incidents.monitorId, ids), or(isNull(incidents.endedAt), gte(incidents.endedAt, new Date(now - 90 * DAY))))).all(),
      this.db.select().from(monitorGaps).where(and(inList(monitorGaps.monitorId, ids), gte(monitorGaps.to, new Date(now - 90 * DAY)))).all(),
      this.db
        .select({ monitorId: monitorChecks.monitorId, bucket: sql<number>`CAST(${monitorChecks.checkedAt} / ${SPARK_BUCKET} AS INTEGER)`, ms: sql<number | null>`avg(${monitorChecks.latencyMs})` })
        .from(monitorChecks)
        .where(and(inList(monitorChecks.monitorId, ids), gte(monitorChecks.checkedAt, new Date(now - DAY))))
        .groupBy(monitorChecks.monitorId, sql`2`)
        .all(),
    ]);
    const firstBucket = Math.floor((now - DAY) / SPARK_BUCKET) + 1;
    return rows.map((m) => {
      const own = outages.filter((o) => o.monitorId === m.id).map(toOutage);
      const ownGaps = gaps.filter((g) => g.monitorId === m.id).map(toSpan);
      const points = new Map(spark.filter((s) => s.monitorId === m.id).map((s) => [Number(s.bucket), s.ms === null ? null : Math.round(s.ms)]));
      return {
        ...m,
        uptime24h: uptimeWindows(m.createdAt.getTime(), now, own, ownGaps)["24h"],
        sparkline: Array.from({ length: 48 }, (_, i) => ({ t: new Date((firstBucket + i) * SPARK_BUCKET), ms: points.get(firstBucket + i) ?? null })),
        bars: dailyBars(90, m.createdAt.getTime(), now, own, ownGaps),
      };
    });
  }

  async get(monitorId: number, userId: string, now = Date.now()) {
    const m = await this.monitorFor(monitorId, userId);
    const [outages, gaps, failures] = await Promise.all([
      this.db.select().from(incidents).where(and(eq(incidents.monitorId, m.id), or(isNull(incidents.endedAt), gte(incidents.endedAt, new Date(now - 90 * DAY))))).all(),
      this.db.select().from(monitorGaps).where(and(eq(monitorGaps.monitorId, m.id), gte(monitorGaps.to, new Date(now - 90 * DAY)))).all(),
      this.db.select().from(monitorChecks).where(and(eq(monitorChecks.monitorId, m.id), eq(monitorChecks.status, "down"))).orderBy(desc(monitorChecks.checkedAt)).limit(10).all(),
    ]);
    const spans = outages.map(toOutage);
    const gapSpans = gaps.map(toSpan);
    return {
      monitor: m,
      uptime: uptimeWindows(m.createdAt.getTime(), now, spans, gapSpans),
      bars: dailyBars(90, m.createdAt.getTime(), now, spans, gapSpans),
      openIncident: outages.find((o) => o.id === m.openIncidentId) ?? null,
      recentFailures: failures,
      gaps,
    };
  }

  async create(projectId: number, userId: string, input: NewMonitor): Promise<MonitorRow> {
    await this.projects.access(projectId, userId);
    this.validate(input);
    const count = await this.db.$count(monitors, eq(monitors.projectId, projectId));
    if (count >= MAX_MONITORS_PER_PROJECT) throw new ApiError("conflict", `A project can have at most ${MAX_MONITORS_PER_PROJECT} monitors.`);
    const now = new Date();
    return this.db
      .insert(monitors)
      .values({
        ...input,
        projectId,
        state: input.paused ? "paused" : "pending",
        stateSince: now,
        nextCheckAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
  }

  async update(monitorId: number, userId: string, changes: Partial<NewMonitor>): Promise<MonitorRow> {
    const m = await this.monitorFor(monitorId, userId);
    this.validate({ type: changes.type ?? m.type, url: changes.url ?? m.url, maintenance: changes.maintenance ?? m.maintenance });
    const now = new Date();
    const pausing = changes.paused === true && !m.paused;
    const resuming = changes.paused === false && m.paused;
    const set: Partial<MonitorRow> = { ...changes, updatedAt: now };
    if (pausing) Object.assign(set, { state: "paused", stateSince: now, failStreak: 0, suspectSince: null, suspectError: null });
    // Resumed: checked at the next tick, and the paused time is not a gap Vigil caused.
    if (resuming) Object.assign(set, { state: "pending", stateSince: now, nextCheckAt: now, lastCheckAt: null });
    // A changed schedule applies from the next tick.
    if (changes.intervalSeconds && changes.intervalSeconds !== m.intervalSeconds) set.nextCheckAt = now;
    return this.db.update(monitors).set(set).where(eq(monitors.id, m.id)).returning().get();
  }

  async delete(monitorId: number, userId: string): Promise<void> {
    const m = await this.monitorFor(monitorId, userId);
    await this.db.delete(monitors).where(eq(monitors.id, m.id)).run();
  }

  /** Raw results per region, newest first. */
  async checks(monitorId: number, userId: string, query: { from?: string; to?: string; region?: Region; status?: CheckRow["status"]; limit: number; cursor?: string }) {
    const m = await this.monitorFor(monitorId, userId);
    const { from, to } = timeRange(query, DAY);
    const offset = decodeCursor(query.cursor);
    const rows = await this.db
      .select()
      .from(monitorChecks)
      .where(
        and(
          eq(monitorChecks.monitorId, m.id),
          gte(monitorChecks.checkedAt, new Date(from)),
          lt(monitorChecks.checkedAt, new Date(to)),
          query.region ? eq(monitorChecks.region, query.region) : undefined,
          query.status ? eq(monitorChecks.status, query.status) : undefined,
        ),
      )
      .orderBy(desc(monitorChecks.checkedAt))
      .limit(query.limit + 1)
      .offset(offset)
      .all();
    return { rows: rows.slice(0, query.limit), nextCursor: rows.length > query.limit ? encodeCursor(offset + query.limit) : undefined };
  }

  /**
   * Response times for a chart: per region from the raw checks inside the raw window, about 240 points;
   * beyond it, from the hourly rollups (all regions together).
   */
  async responseTimes(monitorId: number, userId: string, query: { from?: string; to?: string }, now = Date.now()) {
    const m = await this.monitorFor(monitorId, userId);
    const { from, to } = timeRange(query, DAY, now);
    if (from >= now - RAW_CHECKS_KEPT_MS) {
      const bucket = Math.max(60_000, Math.ceil((to - from) / 240 / 60_000) * 60_000);
      const rows = await this.db
        .select({
          region: monitorChecks.region,
          b: sql<number>`CAST(${monitorChecks.checkedAt} / ${bucket} AS INTEGER)`,
          avg: sql<number | null>`avg(${monitorChecks.latencyMs})`,
          max: sql<number | null>`max(${monitorChecks.latencyMs})`,
          failures: sql<number>`sum(${monitorChecks.status} = 'down')`,
          checks: sql<number>`count(*)`,
        })
        .from(monitorChecks)
        .where(and(eq(monitorChecks.monitorId, m.id), gte(monitorChecks.checkedAt, new Date(from)), lt(monitorChecks.checkedAt, new Date(to))))
        .groupBy(monitorChecks.region, sql`2`)
        .orderBy(sql`2`)
        .all();
      const series = m.regions.map((region) => ({
        region,
        points: rows
          .filter((r) => r.region === region)
          .map((r) => ({ t: new Date(Number(r.b) * bucket), avgMs: r.avg === null ? null : Math.round(r.avg), p95Ms: bucket === 60_000 ? r.max : null, failures: Number(r.failures), checks: Number(r.checks) })),
      }));
      return { from, to, bucketSeconds: bucket / 1000, source: "checks" as const, series };
    }
    // Beyond the raw window: the hourly rollups, and for the recent hours not folded yet, the raw checks
    // folded into hours the same way (all regions together).
    const rawFrom = Math.floor((now - RAW_CHECKS_KEPT_MS) / HOUR) * HOUR;
    const [rolled, recent] = await Promise.all([
      this.db
        .select()
        .from(monitorHourly)
        .where(and(eq(monitorHourly.monitorId, m.id), gte(monitorHourly.hour, new Date(from)), lt(monitorHourly.hour, new Date(to))))
        .orderBy(monitorHourly.hour)
        .all(),
      to > rawFrom
        ? this.db
            .select({ checkedAt: monitorChecks.checkedAt, status: monitorChecks.status, latencyMs: monitorChecks.latencyMs })
            .from(monitorChecks)
            .where(and(eq(monitorChecks.monitorId, m.id), gte(monitorChecks.checkedAt, new Date(Math.max(from, rawFrom))), lt(monitorChecks.checkedAt, new Date(to))))
            .all()
        : Promise.resolve([]),
    ]);
    const points = new Map(rolled.map((r) => [r.hour.getTime(), { t: r.hour, avgMs: r.avgMs === null ? null : Math.round(r.avgMs), p95Ms: r.p95Ms, failures: r.failures, checks: r.checks }]));
    for (const [hour, checks] of foldIntoHours(recent)) if (!points.has(hour)) points.set(hour, checks);
    const series = [{ region: "all" as const, points: [...points.values()].sort((a, b) => a.t.getTime() - b.t.getTime()) }];
    return { from, to, bucketSeconds: 3600, source: "hourly" as const, series };
  }

  async incidents(monitorId: number, userId: string): Promise<IncidentRow[]> {
    const m = await this.monitorFor(monitorId, userId);
    return this.db.select().from(incidents).where(eq(incidents.monitorId, m.id)).orderBy(desc(incidents.startedAt)).limit(200).all();
  }

  /** Run a definition once from each of its regions now, without saving anything: the form's "Test now". */
  async test(projectId: number, userId: string, input: NewMonitor): Promise<CheckResult[]> {
    await this.projects.access(projectId, userId);
    this.validate(input);
    const spec = specOf({ ...input, id: 0 } as MonitorRow);
    const results = await Promise.all(input.regions.map((region) => probeFor(this.env, region).run(region, [spec])));
    return results.flat();
  }
}
