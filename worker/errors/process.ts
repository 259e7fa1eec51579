import { recordReleases } from "../releases/record";
import { eq } from "drizzle-orm";
import { AlertContext } from "../alerts/raise";
import { createDb, type Db } from "../db/client";
import { mapLimit } from "../lib/chunks";
import { gzip } from "../lib/encoding";
import { messagePayload, type EventMessage } from "../ingest/queue";
import { projects } from "../projects/schema";
import { groupEvent } from "./grouping";
import { normalizeEvent } from "./normalize";
import { scrubEvent } from "./scrub";
import { storeEvents, type EventToStore, type IssueChange, type StoredEvent } from "./store";

export const eventKey = (projectId: number, eventId: string) => `events/${projectId}/${eventId}.json.gz`;

type ProjectSettings = { storeIp: boolean; scrubFields: string[] };

async function settingsOf(db: Db, projectId: number, cache: Map<number, ProjectSettings | null>): Promise<ProjectSettings | null> {
  if (!cache.has(projectId)) {
    const row = await db.select({ storeIp: projects.storeIp, scrubFields: projects.scrubFields }).from(projects).where(eq(projects.id, projectId)).get();
    cache.set(projectId, row ?? null);
  }
  return cache.get(projectId)!;
}

/** An event ready to be written: normalized, scrubbed, grouped, its full copy already in R2. */
interface Prepared {
  message: Message<EventMessage>;
  item: EventToStore;
}

/**
 * Prepare one accepted error event: normalize, scrub, group, and keep the full event in R2 (gzip) before it
 * is indexed, so an index row never points at nothing. Events of a project deleted since are dropped.
 */
async function prepareEvent(env: Env, db: Db, message: Message<EventMessage>, cache: Map<number, ProjectSettings | null>): Promise<Prepared | null> {
  const body = message.body;
  const settings = await settingsOf(db, body.projectId, cache);
  if (!settings) return null;
  const payload = await messagePayload(env, body);
  if (payload === null) return null;
  const raw = JSON.parse(payload) as Record<string, unknown>;
  const event = normalizeEvent(raw, body.eventId, body.receivedAt);
  const filtered = scrubEvent(event, { extraFields: settings.scrubFields, storeIp: settings.storeIp, clientIp: body.clientIp });
  if (filtered.length) event._filtered = filtered;
  const grouping = await groupEvent(event);
  const key = eventKey(body.projectId, body.eventId);
  await env.BLOBS.put(key, await gzip(JSON.stringify(event)), {
    httpMetadata: { contentType: "application/json", contentEncoding: "gzip" },
  });
  return { message, item: { projectId: body.projectId, event, grouping, r2Key: key, retry: message.attempts > 1 } };
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

/** Events of one batch prepared at the same time; each waits mostly on R2. */
export const BATCH_CONCURRENCY = 8;

function retryLater(message: Message<EventMessage>, err: unknown): void {
  console.error(`event ${message.body.eventId} of project ${message.body.projectId} failed (attempt ${message.attempts}):`, err);
  message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
}

/**
 * Store the batch in one go; if that fails, each event alone, so one event D1 refuses does not send the whole
 * batch (other projects' events too) back to the queue. Storing is idempotent, and an event row the failed
 * attempt already wrote is finished (`retry`). Null: that event is retried.
 */
async function storeEachIfBatchFails(db: Db, prepared: Prepared[]): Promise<(StoredEvent | null)[]> {
  try {
    return await storeEvents(db, prepared.map((p) => p.item));
  } catch (err) {
    if (prepared.length === 1) {
      retryLater(prepared[0]!.message, err);
      return [null];
    }
    console.error(`storing a batch of ${prepared.length} events failed; storing them one by one:`, err);
  }
  const stored: (StoredEvent | null)[] = [];
  for (const p of prepared) {
    try {
      stored.push((await storeEvents(db, [{ ...p.item, retry: true }]))[0]!);
    } catch (err) {
      retryLater(p.message, err);
      stored.push(null);
    }
  }
  return stored;
}

/**
 * The queue handler for `event` messages: prepare up to BATCH_CONCURRENCY at a time (a bad event is retried
 * alone), write all prepared events in three D1 round trips, then raise alerts and acknowledge.
 */
export async function processEventBatch(messages: Message<EventMessage>[], env: Env): Promise<void> {
  const db = createDb(env.DB);
  const cache = new Map<number, ProjectSettings | null>();
  const prepared: Prepared[] = [];
  await mapLimit(messages, BATCH_CONCURRENCY, async (message) => {
    try {
      const p = await prepareEvent(env, db, message, cache);
      if (p) prepared.push(p);
      else message.ack(); // its project was deleted, or its staged payload is gone: nothing to store
    } catch (err) {
      retryLater(message, err);
    }
  });

  const stored = await storeEachIfBatchFails(db, prepared);
  // Deploy markers: a failure here must not make the events be stored again.
  await recordReleases(
    env.DB,
    prepared.flatMap((p) => (p.item.event.release ? [{ projectId: p.message.body.projectId, version: p.item.event.release, at: p.item.event.timestamp * 1000 }] : [])),
  ).catch((err) => console.error("recording releases failed:", err));
  const alerts = new AlertContext(db, env);
  for (const [i, p] of prepared.entries()) {
    const result = stored[i];
    if (!result) continue; // retried
    const body = p.message.body;
    if (body.staged) await env.BLOBS.delete(body.staged).catch(() => undefined);
    const { event, grouping } = p.item;
    const processed: ProcessedEvent = {
      ...result,
      title: grouping.title,
      culprit: grouping.culprit,
      level: event.level,
      ...(event.environment ? { environment: event.environment } : {}),
      ...(event.release ? { release: event.release } : {}),
    };
    // An alert that fails to be raised must not make the event be processed again.
    await alertOn(alerts, body.projectId, processed).catch((err) => console.error(`alert for event ${body.eventId} failed:`, err));
    p.message.ack();
  }
}
