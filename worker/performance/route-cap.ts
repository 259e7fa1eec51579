const DAY = 86_400_000;

/**
 * Distinct routes a project's rollups keep per UTC day. Each route adds rows per minute, hour and day (and per
 * query shape), so an app that names its transactions after raw URLs (`/orders/12345/` instead of
 * `/orders/<int:pk>/`) would add rows without end; a Django app has tens to hundreds of URL patterns.
 */
export const ROUTES_PER_DAY = 1_000;
/**
 * The route the transactions of a new name are counted under once the day has ROUTES_PER_DAY others. Not a
 * path or an `OPERATION /path` name, so it cannot be mistaken for one of the app's routes.
 */
export const OTHER_ROUTES = "(other routes)";

export interface Named {
  projectId: number;
  /** The transaction's name as sent (already cut to 200 characters). */
  name: string;
  /** Epoch ms: the route is decided for the UTC day the transaction started in, as its rollups are. */
  start: number;
}

/**
 * The route each transaction is counted under: its own name when that name already has rows that day or the
 * project's day has room for it, else OTHER_ROUTES. New names take the room left in the order they come.
 *
 * One query for the whole batch, whatever its projects and days: per (project, day), which of the batch's names
 * the day rollups have already, whether the catch-all has a row (then the day is full and nothing needs
 * counting), and only when a name is new and the day not yet full, how many routes the day has.
 */
export async function countedRoutes(d1: D1Database, items: Named[], cap = ROUTES_PER_DAY): Promise<string[]> {
  const groups = new Map<string, { projectId: number; day: number; names: Set<string> }>();
  const groupOf = (t: Named) => `${t.projectId}|${Math.floor(t.start / DAY) * DAY}`;
  for (const t of items) {
    const key = groupOf(t);
    const g = groups.get(key) ?? { projectId: t.projectId, day: Math.floor(t.start / DAY) * DAY, names: new Set<string>() };
    g.names.add(t.name);
    groups.set(key, g);
  }
  if (!groups.size) return [];
  const list = [...groups.values()];
  const rows = await d1
    .prepare(
      `WITH asked AS (
         SELECT key AS i, value->>0 AS project_id, value->>1 AS day, value->2 AS names FROM json_each(?1)
       ), seen AS MATERIALIZED (
         SELECT i, project_id, day, names,
           (SELECT json_group_array(r."transaction") FROM perf_rollups r
              WHERE r.project_id = asked.project_id AND r.resolution = 'day' AND r.start = asked.day
                AND r."transaction" IN (SELECT value FROM json_each(asked.names))) AS known,
           EXISTS (SELECT 1 FROM perf_rollups r
              WHERE r.project_id = asked.project_id AND r.resolution = 'day' AND r.start = asked.day AND r."transaction" = ?2) AS full
         FROM asked
       )
       SELECT i, known, full,
         CASE WHEN full OR json_array_length(known) = json_array_length(names) THEN NULL
              ELSE (SELECT COUNT(*) FROM perf_rollups r WHERE r.project_id = seen.project_id AND r.resolution = 'day' AND r.start = seen.day) END AS routes
       FROM seen`,
    )
    .bind(JSON.stringify(list.map((g) => [g.projectId, g.day, [...g.names]])), OTHER_ROUTES)
    .all<{ i: number; known: string; full: number; routes: number | null }>();

  const kept = new Map<string, Set<string>>();
  for (const row of rows.results) {
    const g = list[row.i]!;
    const own = new Set(JSON.parse(row.known) as string[]);
    let room = row.full ? 0 : cap - (row.routes ?? 0);
    for (const name of g.names) {
      if (own.has(name) || room <= 0) continue;
      own.add(name);
      room--;
    }
    kept.set(`${g.projectId}|${g.day}`, own);
  }
  return items.map((t) => (kept.get(groupOf(t))?.has(t.name) ? t.name : OTHER_ROUTES));
}
