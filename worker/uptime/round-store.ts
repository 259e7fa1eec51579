import { chunks } from "../lib/chunks";
import type { CheckResult } from "./check";
import type { monitors } from "./schema";
import type { Verdict } from "./verdict";

export interface RoundOutcome {
  monitor: typeof monitors.$inferSelect;
  results: CheckResult[];
  verdict: Verdict;
  roundAt: number;
  /** False while a confirmation re-check is still to come. */
  releaseLease: boolean;
  /** Record a gap when the monitor's previous round is more than one interval back (the watchdog). */
  watchGap: boolean;
}

/** Rows per JSON-array statement: well under D1's 100 KB statement and 2 MB value limits. */
const ROWS_PER_STATEMENT = 400;

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** When the state the verdict leaves the monitor in began. */
function stateSince(o: RoundOutcome): number {
  const v = o.verdict;
  if (v.incident?.kind === "open") return v.incident.startedAt;
  if (v.incident?.kind === "close") return v.incident.endedAt;
  return v.state === o.monitor.state ? o.monitor.stateSince.getTime() : o.roundAt;
}

/**
 * Save one pass of a round in one D1 transaction, in a handful of statements whatever the number of
 * monitors: the checks and the monitors' new state go in as JSON arrays, incidents and gaps one by one.
 * Answers the number of statements run.
 */
/** A check result's id: one per monitor, round and region, so a round saved twice (a retried invocation) stores each result once. */
export const checkId = (monitorId: number, roundAt: number, region: string) => `${monitorId}-${roundAt}-${region}`;

export async function saveRound(d1: D1Database, outcomes: RoundOutcome[]): Promise<number> {
  if (!outcomes.length) return 0;
  const now = Date.now();
  const statements: D1PreparedStatement[] = [];

  const checks = outcomes.flatMap((o) =>
    o.results.map((r) => [checkId(r.monitorId, o.roundAt, r.region), r.monitorId, o.roundAt, r.region, r.status, r.httpStatus, r.latencyMs, r.errorClass, r.error?.slice(0, 1000) ?? null, r.excerpt, r.checkedAt]),
  );
  for (const part of chunks(checks, ROWS_PER_STATEMENT)) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO monitor_checks (id, monitor_id, round_at, region, status, http_status, latency_ms, error_class, error, excerpt, checked_at)
           SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10 FROM json_each(?)
           WHERE EXISTS (SELECT 1 FROM monitors m WHERE m.id = value->>1) ON CONFLICT (id) DO NOTHING`,
        )
        .bind(JSON.stringify(part)),
    );
  }

  const updates = outcomes.map((o) => ({
    id: o.monitor.id,
    state: o.verdict.state,
    since: stateSince(o),
    streak: o.verdict.failStreak,
    suspect: o.verdict.suspectSince,
    suspectError: o.verdict.suspectError ? JSON.stringify(o.verdict.suspectError) : null,
    latency: median(o.results.filter((r) => r.status !== "down" && r.latencyMs !== null).map((r) => r.latencyMs!)),
    release: o.releaseLease ? 1 : 0,
  }));
  for (const part of chunks(updates, ROWS_PER_STATEMENT)) {
    statements.push(
      d1
        .prepare(
          `UPDATE monitors SET state = j.value->>'state', state_since = j.value->>'since', fail_streak = j.value->>'streak',
             suspect_since = j.value->>'suspect', suspect_error = j.value->>'suspectError',
             last_check_at = ?3, last_latency_ms = coalesce(j.value->>'latency', last_latency_ms),
             lease_until = CASE WHEN j.value->>'release' = 1 THEN NULL ELSE lease_until END, updated_at = ?1
           FROM json_each(?2) AS j WHERE monitors.id = j.value->>'id'`,
        )
        .bind(now, JSON.stringify(part), outcomes[0]!.roundAt),
    );
  }

  for (const o of outcomes) {
    const change = o.verdict.incident;
    const id = o.monitor.id;
    if (change?.kind === "open") {
      statements.push(
        d1
          .prepare(
            `INSERT INTO monitor_incidents (monitor_id, project_id, started_at, confirmed_at, failing_regions, first_error)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM monitors WHERE id = ?1)`,
          )
          .bind(id, o.monitor.projectId, change.startedAt, change.confirmedAt, JSON.stringify(change.failingRegions), JSON.stringify(change.firstError)),
        d1.prepare(`UPDATE monitors SET open_incident_id = (SELECT max(id) FROM monitor_incidents WHERE monitor_id = ?1 AND ended_at IS NULL) WHERE id = ?1`).bind(id),
      );
    } else if (change?.kind === "ongoing" && o.monitor.openIncidentId !== null) {
      statements.push(
        d1
          .prepare(
            `UPDATE monitor_incidents SET failing_regions = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(failing_regions) UNION SELECT value FROM json_each(?1) ORDER BY 1)) WHERE id = ?2`,
          )
          .bind(JSON.stringify(change.failingRegions), o.monitor.openIncidentId),
      );
    } else if (change?.kind === "close" && o.monitor.openIncidentId !== null) {
      statements.push(
        d1.prepare(`UPDATE monitor_incidents SET ended_at = ? WHERE id = ? AND ended_at IS NULL`).bind(change.endedAt, o.monitor.openIncidentId),
        d1.prepare(`UPDATE monitors SET open_incident_id = NULL WHERE id = ?`).bind(id),
      );
    }
    const last = o.monitor.lastCheckAt?.getTime();
    const intervalMs = o.monitor.intervalSeconds * 1000;
    if (o.watchGap && last !== undefined && o.roundAt - last >= 2 * intervalMs) {
      statements.push(d1.prepare(`INSERT INTO monitor_gaps (monitor_id, "from", "to") VALUES (?, ?, ?)`).bind(id, last + intervalMs, o.roundAt));
    }
  }
  await d1.batch(statements);
  return statements.length;
}
