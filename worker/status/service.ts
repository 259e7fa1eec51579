import { and, desc, eq, gte, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations } from "../orgs/schema";
import { projects } from "../projects/schema";
import { availability, dailyBars, WINDOWS, type DayBar, type Span } from "../uptime/availability";
import { incidents, monitorGaps, monitors, type MonitorState } from "../uptime/schema";

const DAY = 86_400_000;
/** Days of daily bars and of the uptime figure on the page. */
export const BAR_DAYS = 90;
/** Resolved incidents listed on the page: those that ended in the last 30 days, newest first, at most 50. */
export const PAST_INCIDENT_DAYS = 30;
export const MAX_PAST_INCIDENTS = 50;

/** The banner of a status page, in the JSON twin's words. */
export type OverallStatus = "operational" | "partial_outage" | "major_outage" | "maintenance";

export interface PublicMonitor {
  id: number;
  name: string;
  state: MonitorState;
  /** 0..1 over the last 90 days; null without data. */
  uptime90d: number | null;
  days: DayBar[];
}

export interface PublicIncident {
  monitorId: number;
  monitorName: string;
  startedAt: Date;
  /** null while the outage goes on. */
  endedAt: Date | null;
  durationMs: number;
}

export interface StatusPage {
  organization: { name: string; slug: string };
  status: OverallStatus;
  monitors: PublicMonitor[];
  /** Outages going on now, newest first. */
  ongoing: PublicIncident[];
  /** Outages that ended in the last `PAST_INCIDENT_DAYS` days, newest first. */
  past: PublicIncident[];
  generatedAt: Date;
}

export type BadgeWindow = keyof typeof WINDOWS;

export interface PublicBadge {
  name: string;
  state: MonitorState;
  uptime: number | null;
  window: BadgeWindow;
}

/**
 * The banner from the monitors' states. Only monitors being checked count (paused and not yet
 * checked ones are left out): most of them down → major outage; any down or degraded → partial
 * outage; none failing but some in a maintenance window → under maintenance.
 */
export function overallStatus(states: MonitorState[]): OverallStatus {
  const watched = states.filter((s) => s === "up" || s === "degraded" || s === "down");
  const down = watched.filter((s) => s === "down").length;
  if (down > 0 && down * 2 > watched.length) return "major_outage";
  if (down > 0 || watched.includes("degraded")) return "partial_outage";
  if (states.includes("maintenance")) return "maintenance";
  return "operational";
}

const toSpan = (g: { from: Date; to: Date }): Span => ({ from: g.from.getTime(), to: g.to.getTime() });
const toOutage = (i: { startedAt: Date; endedAt: Date | null }) => ({ startedAt: i.startedAt.getTime(), endedAt: i.endedAt?.getTime() ?? null });

/**
 * What the public may see of an organization's uptime: the monitors marked `public` (names and
 * states, never URLs or error details) and their outages. Nothing here needs a signed-in user.
 */
export class StatusPageService {
  constructor(private readonly db: Db) {}

  /** The organization's public monitors and outages, or null when it has none (or does not exist: the same answer). */
  async page(orgSlug: string, now = Date.now()): Promise<StatusPage | null> {
    const since = new Date(now - BAR_DAYS * DAY);
    const inOrg = and(eq(organizations.slug, orgSlug), eq(monitors.public, true));
    const publicIds = this.db
      .select({ id: monitors.id })
      .from(monitors)
      .innerJoin(projects, eq(projects.id, monitors.projectId))
      .innerJoin(organizations, eq(organizations.id, projects.orgId))
      .where(inOrg);
    // One round trip: the monitors, their outages and their gaps of the last 90 days.
    const [rows, outages, gaps] = await this.db.batch([
      this.db
        .select({
          id: monitors.id,
          name: monitors.name,
          state: monitors.state,
          createdAt: monitors.createdAt,
          // Aliased: inside batch() rows come back keyed by column name, and both tables have a `name`.
          orgName: sql<string>`${organizations.name}`.as("org_name"),
          orgSlug: sql<string>`${organizations.slug}`.as("org_slug"),
        })
        .from(monitors)
        .innerJoin(projects, eq(projects.id, monitors.projectId))
        .innerJoin(organizations, eq(organizations.id, projects.orgId))
        .where(inOrg)
        .orderBy(sql`${monitors.name} collate nocase`, monitors.id),
      this.db
        .select({ monitorId: incidents.monitorId, startedAt: incidents.startedAt, endedAt: incidents.endedAt })
        .from(incidents)
        .where(and(inArray(incidents.monitorId, publicIds), or(isNull(incidents.endedAt), gte(incidents.endedAt, since))))
        .orderBy(desc(incidents.startedAt)),
      this.db
        .select({ monitorId: monitorGaps.monitorId, from: monitorGaps.from, to: monitorGaps.to })
        .from(monitorGaps)
        .where(and(inArray(monitorGaps.monitorId, publicIds), gte(monitorGaps.to, since))),
    ]);
    const first = rows[0];
    if (!first) return null;

    const names = new Map(rows.map((m) => [m.id, m.name]));
    const publicMonitors = rows.map((m): PublicMonitor => {
      const own = outages.filter((o) => o.monitorId === m.id).map(toOutage);
      const ownGaps = gaps.filter((g) => g.monitorId === m.id).map(toSpan);
      const created = m.createdAt.getTime();
      return {
        id: m.id,
        name: m.name,
        state: m.state,
        uptime90d: availability({ from: now - BAR_DAYS * DAY, to: now }, created, now, own, ownGaps).uptime,
        days: dailyBars(BAR_DAYS, created, now, own, ownGaps),
      };
    });
    const present = (o: (typeof outages)[number]): PublicIncident => ({
      monitorId: o.monitorId,
      monitorName: names.get(o.monitorId) ?? "",
      startedAt: o.startedAt,
      endedAt: o.endedAt,
      durationMs: Math.max(0, (o.endedAt?.getTime() ?? now) - o.startedAt.getTime()),
    });
    const pastSince = now - PAST_INCIDENT_DAYS * DAY;
    return {
      organization: { name: first.orgName, slug: first.orgSlug },
      status: overallStatus(rows.map((m) => m.state)),
      monitors: publicMonitors,
      ongoing: outages.filter((o) => o.endedAt === null).map(present),
      past: outages
        .filter((o) => o.endedAt !== null && o.endedAt.getTime() >= pastSince)
        .slice(0, MAX_PAST_INCIDENTS)
        .map(present),
      generatedAt: new Date(now),
    };
  }

  /** A public monitor's state and uptime over `window`, or null when it is not public (or does not exist). */
  async badge(monitorId: number, window: BadgeWindow, now = Date.now()): Promise<PublicBadge | null> {
    const from = now - WINDOWS[window];
    const [found, outages, gaps] = await this.db.batch([
      this.db
        .select({ name: monitors.name, state: monitors.state, createdAt: monitors.createdAt })
        .from(monitors)
        .where(and(eq(monitors.id, monitorId), eq(monitors.public, true))),
      this.db
        .select({ startedAt: incidents.startedAt, endedAt: incidents.endedAt })
        .from(incidents)
        .where(and(eq(incidents.monitorId, monitorId), or(isNull(incidents.endedAt), gte(incidents.endedAt, new Date(from))))),
      this.db
        .select({ from: monitorGaps.from, to: monitorGaps.to })
        .from(monitorGaps)
        .where(and(eq(monitorGaps.monitorId, monitorId), gte(monitorGaps.to, new Date(from)))),
    ]);
    const m = found[0];
    if (!m) return null;
    const { uptime } = availability({ from, to: now }, m.createdAt.getTime(), now, outages.map(toOutage), gaps.map(toSpan));
    return { name: m.name, state: m.state, uptime, window };
  }
}
