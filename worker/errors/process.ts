import { eq } from "drizzle-orm";
import { AlertContext } from "../alerts/raise";
import { createDb, type Db } from "../db/client";
import { messagePayload, type EventMessage } from "../ingest/queue";
import { projects } from "../projects/schema";
import { groupEvent } from "./grouping";
import { normalizeEvent } from "./normalize";
import { scrubEvent } from "./scrub";
import { storeEvent, type IssueChange } from "./store";

export const eventKey = (projectId: number, eventId: string) => `events/${projectId}/${eventId}.json.gz`;

async function gzip(text: string): Promise<ArrayBuffer> {
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
}

type ProjectSettings = { storeIp: boolean; scrubFields: string[] };

async function settingsOf(db: Db, projectId: number, cache: Map<number, ProjectSettings | null>): Promise<ProjectSettings | null> {
  if (!cache.has(projectId)) {
    const row = await db.select({ storeIp: projects.storeIp, scrubFields: projects.scrubFields }).from(projects).where(eq(projects.id, projectId)).get();
    cache.set(projectId, row ?? null);
  }
  return cache.get(projectId)!;
}

/**
 * Process one accepted error event: normalize, scrub, group, keep the full event in R2 (gzip), index it in
 * D1. Events of a project deleted since they were accepted are dropped.
 */
export async function processEvent(
  env: Env,
  db: Db,
  message: EventMessage,
  cache = new Map<number, ProjectSettings | null>(),
  retry = false,
): Promise<ProcessedEvent | { dropped: string }> {
  const settings = await settingsOf(db, message.projectId, cache);
  if (!settings) return { dropped: "project deleted" };
  const payload = await messagePayload(env, message);
  if (payload === null) return { dropped: "staged payload missing" };
  const raw = JSON.parse(payload) as Record<string, unknown>;
  const event = normalizeEvent(raw, message.eventId, message.receivedAt);
  const filtered = scrubEvent(event, { extraFields: settings.scrubFields, storeIp: settings.storeIp, clientIp: message.clientIp });
  if (filtered.length) event._filtered = filtered;
  const grouping = await groupEvent(event);
  const key = eventKey(message.projectId, message.eventId);
  await env.BLOBS.put(key, await gzip(JSON.stringify(event)), {
    httpMetadata: { contentType: "application/json", contentEncoding: "gzip" },
  });
  const stored = await storeEvent(db, message.projectId, event, grouping, key, retry);
  if (message.staged) await env.BLOBS.delete(message.staged);
  return {
    issueId: stored.issueId,
    change: stored.change,
    duplicate: stored.duplicate,
    title: grouping.title,
    culprit: grouping.culprit,
    level: event.level,
    ...(event.environment ? { environment: event.environment } : {}),
    ...(event.release ? { release: event.release } : {}),
  };
}

export interface ProcessedEvent {
  issueId: number;
  change: IssueChange;
  duplicate: boolean;
  title: string;
  culprit: string;
  level: string;
  environment?: string;
  release?: string;
}

/** Tell the alerts capability about new and regressed issues, and count events for frequency rules. */
async function alertOn(alerts: AlertContext, projectId: number, p: ProcessedEvent): Promise<void> {
  if (p.duplicate) return;
  const base = {
    projectId,
    summary: p.title,
    excerpt: [p.culprit, p.release ? `release ${p.release}` : ""].filter(Boolean).join(" · "),
    path: `issues/${p.issueId}`,
    ...(p.environment ? { environment: p.environment } : {}),
    level: p.level,
    data: { issueId: p.issueId, title: p.title, culprit: p.culprit, level: p.level, release: p.release ?? null },
  };
  if (p.change === "new") await alerts.raise({ ...base, type: "issue.new", key: `issue:${p.issueId}` });
  if (p.change === "regressed") await alerts.raise({ ...base, type: "issue.regressed", key: `issue:${p.issueId}`, cooldownMinutes: 30 });
  await alerts.countForFrequency(base, p.issueId);
}

/** Events of one batch processed at the same time; each waits mostly on D1 and R2. */
export const BATCH_CONCURRENCY = 8;

/**
 * The queue handler for `event` messages: up to BATCH_CONCURRENCY at a time, each acked alone, so one bad
 * event never blocks the others. Counters are atomic in SQL, so concurrent events of one issue add up.
 */
export async function processEventBatch(messages: Message<EventMessage>[], env: Env): Promise<void> {
  const db = createDb(env.DB);
  const cache = new Map<number, ProjectSettings | null>();
  const alerts = new AlertContext(db, env);
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const message = messages[next++]!;
      try {
        const result = await processEvent(env, db, message.body, cache, message.attempts > 1);
        if ("issueId" in result) {
          // An alert that fails to be raised must not make the event be processed again.
          await alertOn(alerts, message.body.projectId, result).catch((err) => console.error(`alert for event ${message.body.eventId} failed:`, err));
        }
        message.ack();
      } catch (err) {
        console.error(`event ${message.body.eventId} of project ${message.body.projectId} failed (attempt ${message.attempts}):`, err);
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, messages.length) }, worker));
}
