import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations } from "../orgs/schema";
import { projects } from "../projects/schema";
import { availabilityOf, dailyBarsOf, WINDOWS, type DayBar } from "../uptime/availability";
import { monitors, type MonitorState } from "../uptime/schema";
import { endedQuery, History, historyQuery, ongoingQuery, type IncidentRow } from "./history";

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
  /** Outages that ended in the last `PAST_INCIDENT_DAYS` days, newest first, at most `MAX_PAST_INCIDENTS`. */
  past: PublicIncident[];
  /** More outages ended in those days than `past` lists. */
  morePast: boolean;
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

/**
 * What the public may see of an organization's uptime: the monitors marked `public` (names and
 * states, never URLs or error details) and their outages. Nothing here needs a signed-in user.
 */
export class StatusPageService {
  constructor(private readonly db: Db) {}

  /**
   * The organization's public monitors and outages, or null when it has none (or does not exist: the same answer).
   * Uptime and bars come from per-day totals summed in D1 (`history.ts`) and the lists are bounded, so the work
   * does not grow with the number of outages: a monitor flapping every minute costs the same rows as a calm one.
   */
  async page(orgSlug: string, now = Date.now()): Promise<StatusPage | null> {
    const since = now - BAR_DAYS * DAY;
    const pastSince = now - PAST_INCIDENT_DAYS * DAY;
    const inOrg = and(eq(organizations.slug, orgSlug), eq(monitors.public, true));
    const publicIds = this.db
      .select({ id: monitors.id })
      .from(monitors)
      .innerJoin(projects, eq(projects.id, monitors.projectId))
      .innerJoin(organizations, eq(organizations.id, projects.orgId))
      .where(inOrg);
    // One round trip: the monitors, their daily totals of the last 90 days, the ongoing outages and the newest
    // ended ones (one more than shown, to tell whether more exist).
    const [rows, history, ongoing, ended] = await this.db.batch([
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
      historyQuery(this.db, publicIds, since, now),
      ongoingQuery(this.db, publicIds),
      endedQuery(this.db, publicIds, pastSince, MAX_PAST_INCIDENTS + 1),
    ]);
    const first = rows[0];
    if (!first) return null;

    const totals = new History(history);
    const names = new Map(rows.map((m) => [m.id, m.name]));
    const publicMonitors = rows.map((m): PublicMonitor => {
      const created = m.createdAt.getTime();
      return {
        id: m.id,
        name: m.name,
        state: m.state,
        uptime90d: availabilityOf({ from: since, to: now }, created, now, totals.window(m.id)).uptime,
        days: dailyBarsOf(BAR_DAYS, created, now, (day) => totals.day(m.id, day)),
      };
    });
    const present = (o: IncidentRow): PublicIncident => ({
      monitorId: o.monitorId,
      monitorName: names.get(o.monitorId) ?? "",
      startedAt: new Date(o.startedAt),
      endedAt: o.endedAt === null ? null : new Date(o.endedAt),
      durationMs: Math.max(0, (o.endedAt ?? now) - o.startedAt),
    });
    return {
      organization: { name: first.orgName, slug: first.orgSlug },
      status: overallStatus(rows.map((m) => m.state)),
      monitors: publicMonitors,
      ongoing: ongoing.map(present),
      past: ended.slice(0, MAX_PAST_INCIDENTS).map(present),
      morePast: ended.length > MAX_PAST_INCIDENTS,
      generatedAt: new Date(now),
    };
  }

  /** A public monitor's state and uptime over `window`, or null when it is not public (or does not exist). Summed in D1 like the page. */
  async badge(monitorId: number, window: BadgeWindow, now = Date.now()): Promise<PublicBadge | null> {
    const from = now - WINDOWS[window];
    const isPublic = and(eq(monitors.id, monitorId), eq(monitors.public, true));
    const [found, history] = await this.db.batch([
      this.db.select({ name: monitors.name, state: monitors.state, createdAt: monitors.createdAt }).from(monitors).where(isPublic),
      historyQuery(this.db, this.db.select({ id: monitors.id }).from(monitors).where(isPublic), from, now),
    ]);
    const m = found[0];
    if (!m) return null;
    const { uptime } = availabilityOf({ from, to: now }, m.createdAt.getTime(), now, new History(history).window(monitorId));
    return { name: m.name, state: m.state, uptime, window };
  }
}
