import { recordReleases } from "../releases/record";
import { createDb } from "../db/client";
import { gzip } from "../lib/encoding";
import { chunks, mapLimit } from "../lib/chunks";
import type { TransactionMessage } from "../ingest/queue";
import { messagePayload } from "../ingest/queue";
import { projects } from "../projects/schema";
import { contributions, mergeQuery, mergeRollup, queryKey, rollupKey, type QueryStat, type Rollup } from "./aggregate";
import type { Breakdown } from "./breakdown";
import type { TransactionRecord } from "./model";
import { raisePerformanceIssues } from "./issues";
import { countedRoutes, ROUTES_PER_DAY } from "./route-cap";
import { transactionFromSentry } from "./sentry";
import { inList } from "../lib/sql";

/** Where a transaction's full record is kept. */
export const traceKey = (projectId: number, eventId: string) => `traces/${projectId}/${eventId}.json.gz`;

const ROWS_PER_STATEMENT = 200;

interface Prepared {
  message: Message<TransactionMessage>;
  projectId: number;
  /** As sent (and as kept in R2). */
  record: TransactionRecord;
  /** The route it is counted under: its name, or the catch-all (decided for the whole batch at once). */
  route: string;
  breakdown: Breakdown;
  /** Its contributions under its own name; renamed to `route` when that differs. */
  rollups: Rollup[];
  queries: QueryStat[];
}

async function recordOf(env: Env, m: TransactionMessage): Promise<TransactionRecord | null> {
  const payload = await messagePayload(env, m);
  if (payload === null) return null;
  if (m.format === "record") return JSON.parse(payload) as TransactionRecord;
  const parsed = transactionFromSentry(JSON.parse(payload) as Record<string, unknown>, m.eventId, m.receivedAt);
  return parsed?.record ?? null;
}

/** Read the rows these keys already have, add the batch's deltas, write the sums back (the consumer is the only writer). */
async function writeRollups(d1: D1Database, deltas: Map<string, Rollup>): Promise<D1PreparedStatement[]> {
  const keys = [...deltas.values()];
  const existing = new Map<string, Rollup>();
  for (const part of chunks(keys, ROWS_PER_STATEMENT)) {
    const rows = await d1
      .prepare(
        `SELECT * FROM perf_rollups WHERE (project_id, resolution, start, "transaction") IN
           (SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?))`,
      )
      .bind(JSON.stringify(part.map((r) => [r.projectId, r.resolution, r.start, r.transaction])))
      .all<Record<string, unknown>>();
    for (const row of rows.results) {
      const r: Rollup = {
        projectId: row.project_id as number,
        resolution: row.resolution as Rollup["resolution"],
        start: row.start as number,
        transaction: row.transaction as string,
        count: row.count as number,
        failures: row.failures as number,
        satisfied: row.satisfied as number,
        tolerating: row.tolerating as number,
        durationSum: row.duration_sum as number,
        histogram: JSON.parse(row.histogram as string),
        partSums: JSON.parse(row.part_sums as string),
        partHistograms: JSON.parse(row.part_histograms as string),
      };
      existing.set(rollupKey(r), r);
    }
  }
  const merged = keys.map((d) => {
    const old = existing.get(rollupKey(d));
    return old ? mergeRollup(old, d) : d;
  });
  return chunks(merged, ROWS_PER_STATEMENT).map((part) =>
    d1
      .prepare(
        `INSERT OR REPLACE INTO perf_rollups (project_id, resolution, start, "transaction", count, failures, satisfied, tolerating, duration_sum, histogram, part_sums, part_histograms)
         SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11 FROM json_each(?)`,
      )
      .bind(
        JSON.stringify(
          part.map((r) => [r.projectId, r.resolution, r.start, r.transaction, r.count, r.failures, r.satisfied, r.tolerating, r.durationSum, JSON.stringify(r.histogram), JSON.stringify(r.partSums), JSON.stringify(r.partHistograms)]),
        ),
      ),
  );
}

async function writeQueries(d1: D1Database, deltas: Map<string, QueryStat>): Promise<D1PreparedStatement[]> {
  const keys = [...deltas.values()];
  const existing = new Map<string, QueryStat>();
  for (const part of chunks(keys, ROWS_PER_STATEMENT)) {
    const rows = await d1
      .prepare(`SELECT * FROM perf_queries WHERE (project_id, day, "transaction", hash) IN (SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?))`)
      .bind(JSON.stringify(part.map((q) => [q.projectId, q.day, q.transaction, q.hash])))
      .all<Record<string, unknown>>();
    for (const row of rows.results) {
      const q: QueryStat = {
        projectId: row.project_id as number,
        day: row.day as number,
        transaction: row.transaction as string,
        hash: row.hash as string,
        sql: row.sql as string,
        count: row.count as number,
        requests: row.requests as number,
        totalMs: row.total_ms as number,
        histogram: JSON.parse(row.histogram as string),
        slowestMs: row.slowest_ms as number,
        slowestEventId: row.slowest_event_id as string,
      };
      existing.set(queryKey(q), q);
    }
  }
  const merged = keys.map((d) => {
    const old = existing.get(queryKey(d));
    return old ? mergeQuery(old, d) : d;
  });
  return chunks(merged, ROWS_PER_STATEMENT).map((part) =>
    d1
      .prepare(
        `INSERT OR REPLACE INTO perf_queries (project_id, day, "transaction", hash, sql, count, requests, total_ms, histogram, slowest_ms, slowest_event_id)
         SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10 FROM json_each(?)`,
      )
      .bind(JSON.stringify(part.map((q) => [q.projectId, q.day, q.transaction, q.hash, q.sql, q.count, q.requests, q.totalMs, JSON.stringify(q.histogram), q.slowestMs, q.slowestEventId]))),
  );
}

/**
 * The queue handler for transactions (Sentry `transaction` items and OpenTelemetry server spans): keep
 * each full record in R2, index it, add it to its route's minute / hour / day rollups and its queries'
 * day, then look for N+1 and slow queries. A redelivered transaction is counted once: its index row is
 * written first, and only rows not yet `aggregated` are added (the flag is set in the same transaction
 * as the sums).
 *
 * A transaction is counted under its route: its name, or past the project's `routesPerDay` distinct names of
 * that day, the catch-all route (`route-cap.ts`). The index row keeps the route decided the first time, and a
 * redelivery is counted under that one, so the counts and the route's slowest requests agree.
 */
export async function processTransactionBatch(messages: Message<TransactionMessage>[], env: Env, routesPerDay = ROUTES_PER_DAY): Promise<void> {
  const db = createDb(env.DB);
  const d1 = env.DB;
  const projectIds = [...new Set(messages.map((m) => m.body.projectId))];
  const settings = new Map((await db.select({ id: projects.id, apdex: projects.apdexThresholdMs }).from(projects).where(inList(projects.id, projectIds)).all()).map((p) => [p.id, p.apdex]));

  const prepared: Prepared[] = [];
  await mapLimit(messages, 8, async (message) => {
    const m = message.body;
    const apdexMs = settings.get(m.projectId);
    try {
      const record = apdexMs === undefined ? null : await recordOf(env, m);
      if (!record) return message.ack(); // project deleted, staged payload gone, or not a usable transaction
      await env.BLOBS.put(traceKey(m.projectId, record.eventId), await gzip(JSON.stringify(record)), { httpMetadata: { contentType: "application/json", contentEncoding: "gzip" } });
      prepared.push({ message, projectId: m.projectId, record, route: record.name, ...contributions(m.projectId, record, apdexMs!) });
    } catch (err) {
      console.error(`transaction ${m.eventId} of project ${m.projectId} failed (attempt ${message.attempts}):`, err);
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  });
  // The same transaction twice in one batch (a client retry): the first copy stands for both.
  const seen = new Set<string>();
  for (const p of [...prepared]) {
    const key = `${p.projectId}|${p.record.eventId}`;
    if (!seen.has(key)) seen.add(key);
    else {
      prepared.splice(prepared.indexOf(p), 1);
      p.message.ack();
    }
  }
  if (!prepared.length) return;

  try {
    // 1. The index rows, under the route each is counted in: a transaction seen before (and already counted) stops here.
    const routes = await countedRoutes(d1, prepared.map((p) => ({ projectId: p.projectId, name: p.record.name, start: p.record.start })), routesPerDay);
    prepared.forEach((p, i) => (p.route = routes[i]!));
    await d1.batch(
      chunks(prepared, ROWS_PER_STATEMENT).map((part) =>
        d1
          .prepare(
            `INSERT OR IGNORE INTO perf_transactions (project_id, event_id, trace_id, "transaction", start, duration_ms, status, http_status, environment, release, span_count, breakdown, r2_key, aggregated)
             SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11, value->>12, 0 FROM json_each(?)`,
          )
          .bind(
            JSON.stringify(
              part.map(({ projectId, record: t, route, breakdown }) => [projectId, t.eventId, t.traceId, route, Math.round(t.start), t.end - t.start, t.status, t.httpStatus, t.environment, t.release, t.spans.length, JSON.stringify(breakdown), traceKey(projectId, t.eventId)]),
            ),
          ),
      ),
    );
    const pending = new Map<string, string>();
    for (const part of chunks(prepared, ROWS_PER_STATEMENT)) {
      const rows = await d1
        .prepare(`SELECT project_id, event_id, "transaction" FROM perf_transactions WHERE aggregated = 0 AND (project_id, event_id) IN (SELECT value->>0, value->>1 FROM json_each(?))`)
        .bind(JSON.stringify(part.map((p) => [p.projectId, p.record.eventId])))
        .all<{ project_id: number; event_id: string; transaction: string }>();
      for (const r of rows.results) pending.set(`${r.project_id}|${r.event_id}`, r.transaction);
    }
    // Counted under the route its index row was written with (a redelivery may find the day fuller than the first try did).
    const fresh = prepared.flatMap((p) => {
      const route = pending.get(`${p.projectId}|${p.record.eventId}`);
      if (route === undefined) return [];
      if (route === p.record.name) return [{ ...p, route }];
      return [{ ...p, route, rollups: p.rollups.map((r) => ({ ...r, transaction: route })), queries: p.queries.map((q) => ({ ...q, transaction: route })) }];
    });

    // 2. The sums, and the flag that they include these transactions, in one D1 transaction.
    const rollups = new Map<string, Rollup>();
    const queries = new Map<string, QueryStat>();
    for (const p of fresh) {
      for (const r of p.rollups) {
        const k = rollupKey(r);
        rollups.set(k, rollups.has(k) ? mergeRollup(rollups.get(k)!, r) : r);
      }
      for (const q of p.queries) {
        const k = queryKey(q);
        queries.set(k, queries.has(k) ? mergeQuery(queries.get(k)!, q) : q);
      }
    }
    if (fresh.length) {
      const statements = [...(await writeRollups(d1, rollups)), ...(await writeQueries(d1, queries))];
      statements.push(
        ...chunks(fresh, ROWS_PER_STATEMENT).map((part) =>
          d1
            .prepare(`UPDATE perf_transactions SET aggregated = 1 WHERE aggregated = 0 AND (project_id, event_id) IN (SELECT value->>0, value->>1 FROM json_each(?))`)
            .bind(JSON.stringify(part.map((p) => [p.projectId, p.record.eventId]))),
        ),
      );
      await d1.batch(statements);
      await recordReleases(d1, fresh.flatMap((p) => (p.record.release ? [{ projectId: p.projectId, version: p.record.release, at: p.record.start }] : []))).catch((err) =>
        console.error("recording releases failed:", err),
      );
      // 3. Performance issues (N+1, slow queries) of the transactions counted just now.
      // Under the route too, so raw URLs past the cap make one issue per query shape, not one per URL.
      await raisePerformanceIssues(env, db, fresh.map((p) => ({ projectId: p.projectId, record: { ...p.record, name: p.route } })));
    }
    for (const p of prepared) p.message.ack();
  } catch (err) {
    console.error(`transaction batch of ${prepared.length} failed:`, err);
    for (const p of prepared) p.message.retry({ delaySeconds: Math.min(60, 2 ** p.message.attempts) });
  }
}

