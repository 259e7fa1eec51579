import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Totals } from "../uptime/availability";

/**
 * The public status page's history, summed in D1 rather than loaded: a monitor flapping every minute has
 * tens of thousands of outages in 90 days, and the page is public and cached for only 30 s. D1 still walks
 * the window's outages (through the index), but the Worker gets at most two rows per monitor and day
 * (downtime, unchecked time) and lists at most a fixed number of outages, however many there were.
 *
 * The queries rely on what the uptime round guarantees: a monitor's outages follow one another (one
 * open at a time, `open_incident_id`), and so do its gaps. So besides those starting inside a window only
 * the last one that started before it can reach into it, and it is found through the (monitor, start)
 * index instead of scanning the monitor's whole history (incidents are never pruned).
 *
 * Times are bound as REAL by D1, hence the casts: the day arithmetic below needs integer division.
 */

const DAY = 86_400_000;
const int = (ms: number) => sql`CAST(${ms} AS INTEGER)`;
const num = (column: string) => sql<number>`${sql.identifier(column)}`.mapWith(Number);

/**
 * A select from a raw query, through the query builder: drizzle's D1 `batch()` cannot send a raw
 * `db.all(sql)` that has parameters (it looks for a prepared statement the raw query does not have).
 */
function selectFrom<T extends Record<string, SQL.Aliased | SQL>>(db: Db, fields: T, query: SQL) {
  return db.select(fields).from(sql`(${query}) AS h`);
}

export interface HistoryRow {
  monitorId: number;
  kind: "down" | "gap";
  /** UTC day number (ms / DAY). */
  day: number;
  ms: number;
  /** Outages (or gaps) that overlap the day. */
  spans: number;
  /** Of those, the ones whose part in the window begins on this day (so a sum over days counts each once). */
  started: number;
}

/**
 * Per monitor of `monitorIds` (a subquery) and UTC day: the downtime and the unchecked time within
 * [since, now], clipped to the monitor's creation (an ongoing outage lasts until now), and how many
 * outages touch each day — the totals `availabilityOf` needs, for any window made of whole pieces.
 */
export function historyQuery(db: Db, monitorIds: SQLWrapper, since: number, now: number) {
  const s = int(since);
  const n = int(now);
  const dayEnd = (t: string) => sql.raw(`(${t} / ${DAY} + 1) * ${DAY}`);
  const fields = { monitorId: num("monitorId"), kind: sql<HistoryRow["kind"]>`kind`, day: num("day"), ms: num("ms"), spans: num("spans"), started: num("started") };
  return selectFrom(db, fields, sql`
    WITH RECURSIVE
      watched(id, created_at) AS (SELECT id, created_at FROM monitors WHERE id IN ${monitorIds}),
      spans(monitor_id, kind, s, e) AS (
        SELECT i.monitor_id, 'down', i.started_at, i.ended_at FROM watched w
          JOIN monitor_incidents i ON i.monitor_id = w.id AND i.started_at >= ${s}
        UNION ALL
        SELECT i.monitor_id, 'down', i.started_at, i.ended_at FROM watched w
          JOIN monitor_incidents i ON i.id = (SELECT id FROM monitor_incidents WHERE monitor_id = w.id AND started_at < ${s} ORDER BY started_at DESC LIMIT 1)
        UNION ALL
        SELECT g.monitor_id, 'gap', g."from", g."to" FROM watched w
          JOIN monitor_gaps g ON g.monitor_id = w.id AND g."from" >= ${s}
        UNION ALL
        SELECT g.monitor_id, 'gap', g."from", g."to" FROM watched w
          JOIN monitor_gaps g ON g.id = (SELECT id FROM monitor_gaps WHERE monitor_id = w.id AND "from" < ${s} ORDER BY "from" DESC LIMIT 1)
      ),
      clipped(monitor_id, kind, s, e) AS (
        SELECT x.monitor_id, x.kind, max(x.s, w.created_at, ${s}), min(coalesce(x.e, ${n}), ${n})
        FROM spans x JOIN watched w ON w.id = x.monitor_id
      ),
      -- Cut at UTC midnights: one piece per day a span touches (a flapping monitor's outages are one piece each).
      pieces(monitor_id, kind, s, e, first) AS (
        SELECT monitor_id, kind, s, e, 1 FROM clipped WHERE e > s
        UNION ALL
        SELECT monitor_id, kind, ${dayEnd("s")}, e, 0 FROM pieces WHERE ${dayEnd("s")} < e
      )
    SELECT monitor_id AS monitorId, kind, s / ${sql.raw(String(DAY))} AS day,
      sum(min(e, ${dayEnd("s")}) - s) AS ms, count(*) AS spans, sum(first) AS started
    FROM pieces GROUP BY monitor_id, kind, day`);
}

export interface IncidentRow {
  id: number;
  monitorId: number;
  startedAt: number;
  endedAt: number | null;
}

const incidentFields = () => ({
  id: num("id"),
  monitorId: num("monitorId"),
  startedAt: num("startedAt"),
  endedAt: sql<number | null>`${sql.identifier("endedAt")}`.mapWith((v: unknown) => (v === null ? null : Number(v))),
});

/** The ongoing outage of each monitor of `monitorIds`: its latest one, when it has not ended. */
export function ongoingQuery(db: Db, monitorIds: SQLWrapper) {
  return selectFrom(db, incidentFields(), sql`
    WITH watched(id) AS (SELECT id FROM monitors WHERE id IN ${monitorIds})
    SELECT i.id, i.monitor_id AS monitorId, i.started_at AS startedAt, i.ended_at AS endedAt FROM watched w
      JOIN monitor_incidents i ON i.id = (SELECT id FROM monitor_incidents WHERE monitor_id = w.id ORDER BY started_at DESC LIMIT 1)
    WHERE i.ended_at IS NULL`).orderBy(sql`startedAt DESC, id DESC`);
}

/**
 * The `limit` newest (by start) outages of `monitorIds` that ended since `since`: at most `limit` read
 * per monitor from the end of its index, plus the one that started before `since` and ended after it.
 */
export function endedQuery(db: Db, monitorIds: SQLWrapper, since: number, limit: number) {
  const s = int(since);
  return selectFrom(db, incidentFields(), sql`
    WITH watched(id) AS (SELECT id FROM monitors WHERE id IN ${monitorIds})
    SELECT i.id, i.monitor_id AS monitorId, i.started_at AS startedAt, i.ended_at AS endedAt FROM watched w
      JOIN monitor_incidents i ON i.id IN (
        SELECT id FROM monitor_incidents WHERE monitor_id = w.id AND started_at >= ${s} AND ended_at IS NOT NULL ORDER BY started_at DESC LIMIT ${int(limit)})
    UNION ALL
    SELECT i.id, i.monitor_id, i.started_at, i.ended_at FROM watched w
      JOIN monitor_incidents i ON i.id = (SELECT id FROM monitor_incidents WHERE monitor_id = w.id AND started_at < ${s} ORDER BY started_at DESC LIMIT 1)
    WHERE i.ended_at >= ${s}
    ORDER BY 3 DESC, 1 DESC
    LIMIT ${int(limit)}`).orderBy(sql`startedAt DESC, id DESC`);
}

const ZERO: Totals = { downMs: 0, unknownMs: 0, incidents: 0 };

/** The rows of `historyQuery` by monitor and day (a Map each, read once), and each monitor's sum over the whole query. */
export class History {
  private readonly days = new Map<number, Map<number, Totals>>();
  private readonly sums = new Map<number, Totals>();

  constructor(rows: HistoryRow[]) {
    for (const r of rows) {
      let byDay = this.days.get(r.monitorId);
      if (!byDay) this.days.set(r.monitorId, (byDay = new Map()));
      const day = r.day * DAY;
      byDay.set(day, add(byDay.get(day) ?? ZERO, r.kind, r.ms, r.spans));
      this.sums.set(r.monitorId, add(this.sums.get(r.monitorId) ?? ZERO, r.kind, r.ms, r.started));
    }
  }

  /** Totals of the UTC day starting at `dayStart`. */
  day(monitorId: number, dayStart: number): Totals {
    return this.days.get(monitorId)?.get(dayStart) ?? ZERO;
  }

  /** Totals over the query's whole window (each outage counted once, however many days it touches). */
  window(monitorId: number): Totals {
    return this.sums.get(monitorId) ?? ZERO;
  }
}

function add(t: Totals, kind: HistoryRow["kind"], ms: number, count: number): Totals {
  return kind === "down" ? { ...t, downMs: t.downMs + ms, incidents: t.incidents + count } : { ...t, unknownMs: t.unknownMs + ms };
}
