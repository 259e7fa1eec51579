import { AlertContext } from "../alerts/raise";
import type { Db } from "../db/client";
import { eventKey } from "../errors/process";
import { normalizeEvent } from "../errors/normalize";
import { storeEvents, type EventToStore } from "../errors/store";
import { mapLimit } from "../lib/chunks";
import { gzip, sha256Hex } from "../lib/encoding";
import { detect, type Finding } from "./detectors";
import type { TransactionRecord } from "./model";

/** One occurrence of a performance problem: recorded as an event of the issue its `key` names. */
export interface PerformanceFinding {
  projectId: number;
  /** Deterministic, so the same occurrence recorded twice is stored once. */
  eventId: string;
  /** What makes it the same problem: kind, route, query shape. */
  key: string;
  title: string;
  culprit: string;
  type: string;
  value: string;
  /** The event the issue page shows (message, tags, contexts, the evidence in `extra`). */
  event: Record<string, unknown>;
  at: number;
}

/**
 * Record findings as events of performance issues (one issue per key; the same lifecycle as errors:
 * resolve, regress, ignore) and raise `performance.issue` for new and regressed ones.
 */
export async function recordPerformanceIssues(env: Env, db: Db, findings: PerformanceFinding[]): Promise<void> {
  if (!findings.length) return;
  // The full events go to R2 first (several at once), so an index row never points at nothing.
  const items: EventToStore[] = await mapLimit(findings, 8, async (f) => {
    const event = normalizeEvent({ ...f.event, event_id: f.eventId }, f.eventId, f.at);
    const r2Key = eventKey(f.projectId, f.eventId);
    await env.BLOBS.put(r2Key, await gzip(JSON.stringify(event)), { httpMetadata: { contentType: "application/json", contentEncoding: "gzip" } });
    return {
      projectId: f.projectId,
      event,
      grouping: { hash: (await sha256Hex(f.key)).slice(0, 32), algorithm: "v1:performance", title: f.title, culprit: f.culprit, type: f.type, value: f.value.slice(0, 1000) },
      r2Key,
      retry: false,
      kind: "performance" as const,
    };
  });
  const stored = await storeEvents(db, items);
  const alerts = new AlertContext(db, env);
  for (const [i, s] of stored.entries()) {
    if (s.duplicate || (s.change !== "new" && s.change !== "regressed")) continue;
    const f = findings[i]!;
    const environment = items[i]!.event.environment;
    await alerts.raise({
      projectId: f.projectId,
      type: "performance.issue",
      key: `issue:${s.issueId}`,
      summary: f.title,
      excerpt: `${f.culprit}${s.change === "regressed" ? " · back after being resolved" : ""}`,
      path: `issues/${s.issueId}`,
      ...(environment ? { environment } : {}),
      level: "warning",
      data: { issueId: s.issueId, title: f.title, transaction: f.culprit, kind: f.type, change: s.change },
    });
  }
}

/** The event a detector's finding is recorded as, with the offending spans as evidence. */
function findingEvent(t: TransactionRecord, f: Finding): Record<string, unknown> {
  const spans = t.spans.filter((s) => f.spanIds.includes(s.spanId));
  return {
    timestamp: t.end / 1000,
    level: "warning",
    platform: "python",
    message: `${f.title} in ${t.name}: ${f.sql}`,
    transaction: t.name,
    ...(t.release ? { release: t.release } : {}),
    ...(t.environment ? { environment: t.environment } : {}),
    tags: { transaction: t.name, "performance.kind": f.kind },
    contexts: { trace: { trace_id: t.traceId, span_id: t.spanId, op: t.op, status: t.status } },
    extra: {
      performance: {
        kind: f.kind,
        query: f.sql,
        spanCount: spans.length,
        totalMs: Math.round(f.totalMs),
        traceEventId: t.eventId,
        spans: spans.slice(0, 50).map((s) => ({ op: s.op, description: s.description, durationMs: Math.round((s.end - s.start) * 10) / 10 })),
      },
    },
  };
}

/**
 * Look for N+1 and slow queries in transactions just counted, and record what is found: one occurrence per
 * problem per queue batch (a route with an N+1 has it in every request; one sample per batch keeps the issue's
 * evidence and timeline without writing an event for each request).
 */
export async function raisePerformanceIssues(env: Env, db: Db, list: { projectId: number; record: TransactionRecord }[]): Promise<void> {
  const findings: PerformanceFinding[] = [];
  const seen = new Set<string>();
  for (const { projectId, record: t } of list) {
    for (const f of detect(t)) {
      if (seen.has(`${projectId}|${f.key}`)) continue;
      seen.add(`${projectId}|${f.key}`);
      findings.push({
        projectId,
        eventId: (await sha256Hex(`${t.eventId}:${f.key}`)).slice(0, 32),
        key: f.key,
        title: `${f.title}: ${f.sql.slice(0, 150)}`,
        culprit: t.name,
        type: f.title,
        value: f.sql,
        event: findingEvent(t, f),
        at: t.end,
      });
    }
  }
  await recordPerformanceIssues(env, db, findings);
}
