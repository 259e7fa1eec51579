import { AlertContext } from "../alerts/raise";
import type { Db } from "../db/client";
import { eventKey } from "../errors/process";
import { normalizeEvent } from "../errors/normalize";
import { storeEvents, type EventToStore } from "../errors/store";
import { gzip, sha256Hex } from "../lib/encoding";
import { detect, type Finding } from "./detectors";
import type { TransactionRecord } from "./model";

/** The event a finding is recorded as: what the issue page shows, with the offending spans as evidence. */
function findingEvent(t: TransactionRecord, f: Finding, eventId: string): Record<string, unknown> {
  const spans = t.spans.filter((s) => f.spanIds.includes(s.spanId));
  return {
    event_id: eventId,
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
 * Look for N+1 and slow queries in transactions just counted, and record each finding as an event of a
 * performance issue (one issue per kind, route and query shape; the same lifecycle as errors), with
 * `performance.issue` alerts for new and regressed ones.
 */
export async function raisePerformanceIssues(env: Env, db: Db, list: { projectId: number; record: TransactionRecord }[]): Promise<void> {
  const items: EventToStore[] = [];
  const titles: { title: string; culprit: string }[] = [];
  for (const { projectId, record: t } of list) {
    for (const f of detect(t)) {
      const eventId = (await sha256Hex(`${t.eventId}:${f.key}`)).slice(0, 32);
      const event = normalizeEvent(findingEvent(t, f, eventId), eventId, t.end);
      const r2Key = eventKey(projectId, eventId);
      await env.BLOBS.put(r2Key, await gzip(JSON.stringify(event)), { httpMetadata: { contentType: "application/json", contentEncoding: "gzip" } });
      const title = `${f.title}: ${f.sql.slice(0, 150)}`;
      items.push({
        projectId,
        event,
        grouping: { hash: (await sha256Hex(f.key)).slice(0, 32), algorithm: "v1:performance", title, culprit: t.name, type: f.title, value: f.sql.slice(0, 1000) },
        r2Key,
        retry: false,
        kind: "performance",
      });
      titles.push({ title, culprit: t.name });
    }
  }
  if (!items.length) return;
  const stored = await storeEvents(db, items);
  const alerts = new AlertContext(db, env);
  for (const [i, s] of stored.entries()) {
    if (s.duplicate || (s.change !== "new" && s.change !== "regressed")) continue;
    const item = items[i]!;
    await alerts.raise({
      projectId: item.projectId,
      type: "performance.issue",
      key: `issue:${s.issueId}`,
      summary: titles[i]!.title,
      excerpt: `${titles[i]!.culprit}${s.change === "regressed" ? " · back after being resolved" : ""}`,
      path: `issues/${s.issueId}`,
      ...(item.event.environment ? { environment: item.event.environment } : {}),
      level: "warning",
      data: { issueId: s.issueId, title: titles[i]!.title, transaction: titles[i]!.culprit, change: s.change },
    });
  }
}
