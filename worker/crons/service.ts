import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { ApiError, notFound } from "../lib/errors";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { projectKeys } from "../projects/schema";
import type { ProjectService } from "../projects/service";
import { publicOrigin } from "../projects/dsn";
import { cronObject, MAX_CRONS_PER_PROJECT } from "./checkin";
import { describeSchedule, scheduleProblem } from "./schedule";
import { cronCheckins, cronMonitors, type CheckinStatus } from "./schema";
import type { NewCron } from "./schemas";

type CronRow = typeof cronMonitors.$inferSelect;
export type CronView = CronRow & { scheduleText: string; pingUrl: string };

export class CronService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly projects: ProjectService,
    private readonly origin: string,
  ) {}

  private async cronFor(cronId: number, userId: string): Promise<CronRow> {
    const m = await this.db.select().from(cronMonitors).where(eq(cronMonitors.id, cronId)).get();
    if (!m) throw notFound("Cron monitor");
    try {
      await this.projects.access(m.projectId, userId);
    } catch (err) {
      if (err instanceof ApiError && err.code === "not_found") throw notFound("Cron monitor");
      throw err;
    }
    return m;
  }

  /** The project's oldest active DSN key, for ping URLs. */
  private async pingKey(projectId: number): Promise<string | null> {
    const key = await this.db
      .select({ publicKey: projectKeys.publicKey })
      .from(projectKeys)
      .where(and(eq(projectKeys.projectId, projectId), sql`${projectKeys.revokedAt} IS NULL`))
      .orderBy(projectKeys.createdAt)
      .get();
    return key?.publicKey ?? null;
  }

  private view(m: CronRow, key: string | null): CronView {
    const origin = publicOrigin(this.env.PUBLIC_URL, this.origin);
    return { ...m, scheduleText: describeSchedule(m.schedule, m.timezone), pingUrl: key ? `${origin}/ping/${key}/${m.slug}` : "" };
  }

  private validate(c: Pick<NewCron, "schedule" | "timezone">): void {
    const problem = scheduleProblem(c.schedule, c.timezone);
    if (problem) throw new ApiError("validation_failed", `schedule: ${problem}`, [{ path: "schedule", message: problem }]);
  }

  async list(projectId: number, userId: string) {
    await this.projects.access(projectId, userId);
    const rows = await this.db.select().from(cronMonitors).where(eq(cronMonitors.projectId, projectId)).orderBy(cronMonitors.slug).all();
    if (!rows.length) return [];
    const key = await this.pingKey(projectId);
    // The last 20 runs of each monitor, each read through the (monitor_id, started_at) index.
    const recent = await this.db.all<{ monitor_id: number; id: string; status: CheckinStatus; started_at: number; duration_ms: number | null }>(sql`
      SELECT c.monitor_id, c.id, c.status, c.started_at, c.duration_ms FROM json_each(${JSON.stringify(rows.map((r) => r.id))}) AS j
      JOIN cron_checkins c ON c.rowid IN (SELECT rowid FROM cron_checkins WHERE monitor_id = j.value ORDER BY started_at DESC LIMIT 20)
      ORDER BY c.started_at`);
    return rows.map((m) => ({
      ...this.view(m, key),
      recent: recent.filter((r) => r.monitor_id === m.id).map((r) => ({ id: r.id, status: r.status, startedAt: new Date(r.started_at), durationMs: r.duration_ms })),
    }));
  }

  async get(cronId: number, userId: string): Promise<CronView> {
    const m = await this.cronFor(cronId, userId);
    return this.view(m, await this.pingKey(m.projectId));
  }

  async create(projectId: number, userId: string, input: NewCron): Promise<CronView> {
    await this.projects.access(projectId, userId);
    this.validate(input);
    if ((await this.db.$count(cronMonitors, eq(cronMonitors.projectId, projectId))) >= MAX_CRONS_PER_PROJECT) {
      throw new ApiError("conflict", `A project can have at most ${MAX_CRONS_PER_PROJECT} cron monitors.`);
    }
    const taken = await this.db.select({ id: cronMonitors.id }).from(cronMonitors).where(and(eq(cronMonitors.projectId, projectId), eq(cronMonitors.slug, input.slug))).get();
    if (taken) throw new ApiError("conflict", `This project already has a cron monitor "${input.slug}".`, [{ path: "slug", message: "Already taken in this project." }]);
    const now = new Date();
    const row = await this.db
      .insert(cronMonitors)
      .values({ ...input, name: input.name ?? input.slug, projectId, state: input.paused ? "paused" : "new", stateSince: now, createdAt: now, updatedAt: now })
      .returning()
      .get();
    return this.view(row, await this.pingKey(projectId));
  }

  async update(cronId: number, userId: string, changes: Partial<NewCron>): Promise<CronView> {
    const m = await this.cronFor(cronId, userId);
    this.validate({ schedule: changes.schedule ?? m.schedule, timezone: changes.timezone ?? m.timezone });
    if (changes.slug && changes.slug !== m.slug) {
      const taken = await this.db.select({ id: cronMonitors.id }).from(cronMonitors).where(and(eq(cronMonitors.projectId, m.projectId), eq(cronMonitors.slug, changes.slug))).get();
      if (taken) throw new ApiError("conflict", `This project already has a cron monitor "${changes.slug}".`, [{ path: "slug", message: "Already taken in this project." }]);
    }
    const now = new Date();
    const set: Partial<CronRow> = { ...changes, updatedAt: now };
    if (changes.paused === true && !m.paused) Object.assign(set, { state: "paused", stateSince: now });
    await this.db.update(cronMonitors).set(set).where(eq(cronMonitors.id, m.id)).run();
    // The monitor's object recomputes the next deadline (or stops waiting, when paused).
    await cronObject(this.env, m.id).reconfigure(m.id);
    return this.get(m.id, userId);
  }

  async delete(cronId: number, userId: string): Promise<void> {
    const m = await this.cronFor(cronId, userId);
    await this.db.delete(cronMonitors).where(eq(cronMonitors.id, m.id)).run();
    await cronObject(this.env, m.id).tick(m.id); // finds the monitor gone: clears its state and alarm
  }

  async checkins(cronId: number, userId: string, query: { status?: CheckinStatus; limit: number; cursor?: string }) {
    const m = await this.cronFor(cronId, userId);
    const offset = decodeCursor(query.cursor);
    const rows = await this.db
      .select()
      .from(cronCheckins)
      .where(and(eq(cronCheckins.monitorId, m.id), query.status ? eq(cronCheckins.status, query.status) : undefined))
      .orderBy(desc(cronCheckins.startedAt))
      .limit(query.limit + 1)
      .offset(offset)
      .all();
    return { rows: rows.slice(0, query.limit), nextCursor: rows.length > query.limit ? encodeCursor(offset + query.limit) : undefined };
  }
}

