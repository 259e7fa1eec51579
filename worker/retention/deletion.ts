/**
 * Deleting a project (alone, or with its organization) removes everything it holds:
 * - D1: the project row; every table with a project (or monitor, issue, cron monitor) id cascades from it;
 * - R2: every object under a prefix that carries the project's id, in pages of 1,000;
 * - Durable Objects: its LogStore (which also empties `logs/{id}/`), its IngestGate and each cron monitor's object.
 *   Probes are shared by all monitors of a region and keep no state; RateLimiters are per email and IP.
 *
 * The rows go at once, in the same D1 transaction that records a `deletions` row; the objects are removed by
 * `continueDeletion`, first within the request (a bounded number of pages), then by the every-minute job until
 * done. A second pass after `GRACE_MS` catches what messages already in the ingest queue wrote meanwhile.
 */
import { cronObject } from "../crons/checkin";
import { deadLetterPrefix } from "../dead-letters/store";
import { forgetKey } from "../ingest/auth";
import { forgetLogs } from "../logs/storage";

/** Objects listed (and deleted) per R2 page: the most one `delete()` call takes. */
export const PAGE = 1000;
/** After this long a second pass runs over the R2 prefixes and the log store. */
export const GRACE_MS = 15 * 60_000;

type Step = { kind: "r2"; prefix: string } | { kind: "logs" } | { kind: "gate" } | { kind: "crons" };

/** The R2 prefixes that carry a project's id (the logs archive, `logs/{id}/`, is the LogStore's to delete). */
export function projectPrefixes(projectId: number): Step[] {
  return [
    { kind: "r2", prefix: `events/${projectId}/` },
    { kind: "r2", prefix: `attachments/${projectId}/` },
    { kind: "r2", prefix: `traces/${projectId}/` },
    { kind: "r2", prefix: `staging/${projectId}/` },
    { kind: "r2", prefix: deadLetterPrefix(projectId) },
  ];
}

/** Both passes, in order; `deletions.step` is an index into this list. */
function stepsOf(projectId: number): { steps: Step[]; firstPass: number } {
  const first: Step[] = [...projectPrefixes(projectId), { kind: "logs" }, { kind: "gate" }, { kind: "crons" }];
  const second: Step[] = [...projectPrefixes(projectId), { kind: "logs" }];
  return { steps: [...first, ...second], firstPass: first.length };
}

export interface DeletionRow {
  id: number;
  projectId: number;
  cronIds: number[];
  step: number;
  cursor: string | null;
  createdAt: number;
}

/** What one call may spend: R2 pages (a list and a delete each) and cron objects told to forget. */
export interface Budget {
  pages: number;
  crons: number;
}

export const REQUEST_BUDGET: Budget = { pages: 10, crons: 50 };
export const TICK_BUDGET: Budget = { pages: 20, crons: 100 };

/**
 * Delete the projects' rows through `rowDelete` (the project or its organization), recording a deletion for each
 * in the same transaction, then remove their objects as far as `budget` allows. Answers the deletions left unfinished.
 */
export async function deleteProjects(env: Env, projectIds: number[], rowDelete: D1PreparedStatement, budget: Budget = { ...REQUEST_BUDGET }): Promise<number> {
  const d1 = env.DB;
  const ids = JSON.stringify(projectIds);
  const crons = await d1
    .prepare(`SELECT project_id AS projectId, json_group_array(id) AS ids FROM cron_monitors WHERE project_id IN (SELECT value FROM json_each(?)) GROUP BY project_id`)
    .bind(ids)
    .all<{ projectId: number; ids: string }>();
  const cronIds = new Map(crons.results.map((r) => [r.projectId, r.ids]));
  const keys = await d1.prepare(`SELECT public_key AS publicKey FROM project_keys WHERE project_id IN (SELECT value FROM json_each(?))`).bind(ids).all<{ publicKey: string }>();
  const now = Date.now();
  const rows = JSON.stringify(projectIds.map((id) => [id, cronIds.get(id) ?? "[]"]));
  await d1.batch([
    d1
      .prepare(`INSERT INTO deletions (project_id, cron_ids, step, created_at, updated_at) SELECT value->>0, value->>1, 0, ?2, ?2 FROM json_each(?1)`)
      .bind(rows, now),
    rowDelete,
  ]);
  // This isolate stops accepting the projects' DSNs at once (others within the key cache's minute, as for a revoked key).
  for (const k of keys.results) forgetKey(k.publicKey);
  const pending = await d1
    .prepare(`SELECT ${COLUMNS} FROM deletions WHERE project_id IN (SELECT value FROM json_each(?)) AND step = 0 ORDER BY id`)
    .bind(ids)
    .all<StoredRow>();
  let unfinished = 0;
  for (const row of pending.results) {
    // Whatever is left (or fails here) the scheduled job finishes.
    const state = await continueDeletion(env, parse(row), now, budget).catch((e) => {
      console.error(`deleting the objects of project ${row.projectId} failed; the scheduled job will retry:`, e);
      return "more" as const;
    });
    if (state !== "done") unfinished++;
  }
  return unfinished;
}

const COLUMNS = `id, project_id AS projectId, cron_ids AS cronIds, step, cursor, created_at AS createdAt`;
type StoredRow = Omit<DeletionRow, "cronIds"> & { cronIds: string };
const parse = (r: StoredRow): DeletionRow => ({ ...r, cronIds: JSON.parse(r.cronIds) as number[] });

/**
 * Work through a deletion's steps until the budget is spent (which it changes). Every step is idempotent, so a
 * step cut short, repeated, or run by the request and the job at once does no harm.
 * Answers `done` (row removed), `more` (budget spent) or `waiting` (first pass done; the second after GRACE_MS).
 */
export async function continueDeletion(env: Env, row: DeletionRow, now: number, budget: Budget): Promise<"done" | "more" | "waiting"> {
  const { steps, firstPass } = stepsOf(row.projectId);
  let { step, cursor, cronIds } = row;
  let state: "more" | "waiting" | undefined;
  while (step < steps.length && !state) {
    if (step === firstPass && now < row.createdAt + GRACE_MS) {
      state = "waiting";
      break;
    }
    const s = steps[step]!;
    if (s.kind === "r2") {
      if (budget.pages <= 0) {
        state = "more";
        break;
      }
      budget.pages--;
      const listed = await env.BLOBS.list({ prefix: s.prefix, limit: PAGE, ...(cursor ? { startAfter: cursor } : {}) });
      const keys = listed.objects.map((o) => o.key);
      if (keys.length) await env.BLOBS.delete(keys);
      if (listed.truncated && listed.objects.length) {
        cursor = listed.objects[listed.objects.length - 1]!.key;
        continue;
      }
    } else if (s.kind === "logs") {
      await forgetLogs(env, row.projectId);
    } else if (s.kind === "gate") {
      // The gate's name as worker/ingest/allowance.ts gives it.
      await env.INGEST_GATE.get(env.INGEST_GATE.idFromName(String(row.projectId))).forget();
    } else {
      const part = cronIds.slice(0, Math.max(0, budget.crons));
      await Promise.all(part.map((id) => cronObject(env, id).forget()));
      budget.crons -= part.length;
      cronIds = cronIds.slice(part.length);
      if (cronIds.length) {
        state = "more";
        break;
      }
    }
    step++;
    cursor = null;
  }
  if (step >= steps.length) {
    await env.DB.prepare(`DELETE FROM deletions WHERE id = ?`).bind(row.id).run();
    return "done";
  }
  await env.DB.prepare(`UPDATE deletions SET step = ?, cursor = ?, cron_ids = ?, updated_at = ? WHERE id = ?`)
    .bind(step, cursor, JSON.stringify(cronIds), now, row.id)
    .run();
  return state ?? "more";
}

/** The scheduled job's part: carry on with the oldest deletions that have work to do now. Answers how many finished. */
export async function continueDeletions(env: Env, now = Date.now(), budget: Budget = { ...TICK_BUDGET }): Promise<number> {
  const { firstPass } = stepsOf(0);
  const rows = await env.DB.prepare(`SELECT ${COLUMNS} FROM deletions WHERE step != ?1 OR created_at <= ?2 ORDER BY id LIMIT 5`)
    .bind(firstPass, now - GRACE_MS)
    .all<StoredRow>();
  let done = 0;
  for (const row of rows.results) {
    if (budget.pages <= 0) break;
    if ((await continueDeletion(env, parse(row), now, budget)) === "done") done++;
  }
  return done;
}
