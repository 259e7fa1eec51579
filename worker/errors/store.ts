import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { chunks } from "../lib/chunks";
import { sha256Hex } from "../lib/encoding";
import type { Grouping } from "./grouping";
import type { NormalizedEvent } from "./normalize";
import { events, issueHourly, issues, issueTags, issueUsers } from "./schema";

export type IssueChange = "new" | "regressed" | "unignored" | "none";

const HOUR = 3_600_000;

/** The user an event happened to, as a label for lists and a hash for counting distinct users. */
export function userOf(event: NormalizedEvent): { label: string; key: string } | undefined {
  const u = event.user;
  if (!u) return undefined;
  for (const field of ["id", "email", "username", "ip_address"] as const) {
    const v = u[field];
    if (typeof v === "string" || typeof v === "number") {
      const label = String(v).slice(0, 200);
      return { label: field === "id" && typeof u.email === "string" ? u.email : label, key: `${field}:${label}` };
    }
  }
  return undefined;
}

function requestUrl(event: NormalizedEvent): string | undefined {
  const url = event.request?.url;
  return typeof url === "string" ? url.split("?")[0]!.slice(0, 500) : undefined;
}

/** Tags counted per issue: what the event said plus what is worth seeing at a glance. */
export function tagsOf(event: NormalizedEvent): [string, string][] {
  const tags = new Map<string, string>(event.tags);
  const ctx = event.contexts;
  const named = (c: Record<string, unknown> | undefined) =>
    c && typeof c.name === "string" ? `${c.name}${typeof c.version === "string" ? ` ${c.version}` : ""}` : undefined;
  const add = (k: string, v: string | undefined) => {
    if (v && !tags.has(k)) tags.set(k, v.slice(0, 200));
  };
  add("level", event.level);
  add("environment", event.environment);
  add("release", event.release);
  add("server_name", event.server_name);
  add("url", requestUrl(event));
  add("browser", named(ctx.browser));
  add("os", named(ctx.os) ?? named(ctx.client_os));
  add("runtime", named(ctx.runtime));
  add("transaction", event.transaction);
  const user = userOf(event);
  add("user", user?.label);
  return [...tags].slice(0, 50);
}

/** The 32-hex trace id of the event's trace context, if it has one. */
export function traceIdOf(event: NormalizedEvent): string | null {
  const id = event.contexts.trace?.trace_id;
  return typeof id === "string" && /^[0-9a-f]{32}$/i.test(id) ? id.toLowerCase() : null;
}

export interface EventToStore {
  projectId: number;
  event: NormalizedEvent;
  grouping: Grouping;
  r2Key: string;
  /** A redelivery of a message whose earlier attempt failed: an unlinked event row is then its own unfinished work. */
  retry: boolean;
  /** `performance` for issues the performance detectors open (N+1, slow queries); `error` otherwise. */
  kind?: "error" | "performance";
}

export interface StoredEvent {
  issueId: number;
  change: IssueChange;
  duplicate: boolean;
}

type Batch = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

/**
 * Write a queue batch of processed events in three D1 round trips, whatever the batch size: the event rows
 * first (a second delivery of the same event id stops there, so counts are never doubled), then a read of
 * their issues, then one transaction with the issue upserts (in order) and every link, counter, tag, user and
 * state change. Returns, per event and in order, its issue and how the issue changed, for alerts.
 */
export async function storeEvents(db: Db, items: EventToStore[]): Promise<StoredEvent[]> {
  if (items.length === 0) return [];
  const results: StoredEvent[] = items.map(() => ({ issueId: 0, change: "none", duplicate: true }));

  const inserts = items.map(({ projectId, event, grouping, r2Key }) => {
    const user = userOf(event);
    return db
      .insert(events)
      .values({
        projectId,
        eventId: event.event_id,
        issueId: null,
        timestamp: new Date(event.timestamp * 1000),
        receivedAt: new Date(event.received * 1000),
        level: event.level,
        title: grouping.title,
        release: event.release ?? null,
        environment: event.environment ?? null,
        userLabel: user?.label ?? null,
        url: requestUrl(event) ?? null,
        r2Key,
        traceId: traceIdOf(event),
      })
      .onConflictDoNothing()
      .returning({ eventId: events.eventId });
  });
  const inserted = (await db.batch(inserts as unknown as Batch)) as { eventId: string }[][];

  // Not inserted: stored before. Linked: a duplicate. Not linked: another delivery is writing it right now
  // (a duplicate too), or — on a retry — this message's own earlier attempt failed midway: finish the job.
  const fresh: number[] = [];
  for (const [i, item] of items.entries()) {
    if (inserted[i]!.length > 0) fresh.push(i);
    else if (item.retry) {
      const existing = await db
        .select({ issueId: events.issueId })
        .from(events)
        .where(and(eq(events.projectId, item.projectId), eq(events.eventId, item.event.event_id)))
        .get();
      if (existing && existing.issueId === null) fresh.push(i);
      else results[i] = { issueId: existing?.issueId ?? 0, change: "none", duplicate: true };
    }
  }
  if (fresh.length === 0) return results;

  // The issues as they stand before this batch (read only), to tell whether each event opens, regresses or
  // un-ignores one. Then everything the events add — issue upserts, links, counters, tags, users, state
  // changes — in ONE batch: D1 runs a batch as a transaction, so a failure leaves the event rows unlinked
  // and the redelivery does it all again, never half of it twice.
  const keyOf = (it: EventToStore) => `${it.projectId}|${it.grouping.hash}`;
  const distinct = [...new Map(fresh.map((i) => [keyOf(items[i]!), items[i]!])).values()];
  const before = (await db.batch(
    distinct.map((it) => db.select().from(issues).where(and(eq(issues.projectId, it.projectId), eq(issues.hash, it.grouping.hash)))) as unknown as Batch,
  )) as (typeof issues.$inferSelect)[][];
  const state = new Map<string, IssueState | null>(distinct.map((it, k) => [keyOf(it), before[k]![0] ?? null]));

  const writes: BatchItem<"sqlite">[] = [];
  const upsertAt: number[] = [];
  const changes: IssueChange[] = [];
  const now = Date.now();
  for (const i of fresh) {
    const item = items[i]!;
    const prev = state.get(keyOf(item)) ?? null;
    const change = changeOf(prev, item.event, now);
    changes.push(change);
    state.set(keyOf(item), after(prev, change));
    upsertAt.push(writes.length);
    writes.push(issueUpsert(db, item), ...(await eventWrites(db, item.projectId, item.event, issueIdOf(item), change)));
  }
  const written = (await db.batch(writes as Batch)) as unknown[];
  for (const [n, i] of fresh.entries()) {
    const issue = (written[upsertAt[n]!] as (typeof issues.$inferSelect)[])[0];
    if (!issue) throw new Error("issue upsert returned nothing");
    results[i] = { issueId: issue.id, change: changes[n]!, duplicate: false };
  }
  return results;
}

/** What deciding an event's effect needs of its issue. */
type IssueState = Pick<typeof issues.$inferSelect, "count" | "status" | "resolvedInRelease" | "ignoredUntil" | "ignoredUntilCount">;

/** How one more event changes its issue: opens it, regresses a resolved one, wakes an ignored one, or none. */
function changeOf(issue: IssueState | null, event: NormalizedEvent, now: number): IssueChange {
  if (!issue) return "new";
  if (issue.status === "resolved") {
    const sameRelease = issue.resolvedInRelease !== null && (event.release === undefined || event.release === issue.resolvedInRelease);
    return sameRelease ? "none" : "regressed";
  }
  if (issue.status === "ignored") {
    const timeUp = issue.ignoredUntil !== null && now >= issue.ignoredUntil.getTime();
    const countUp = issue.ignoredUntilCount !== null && issue.count + 1 >= issue.ignoredUntilCount;
    if (timeUp || countUp) return "unignored";
  }
  return "none";
}

/** The issue as the next event of the same batch sees it. */
function after(issue: IssueState | null, change: IssueChange): IssueState {
  if (!issue) return { count: 1, status: "unresolved", resolvedInRelease: null, ignoredUntil: null, ignoredUntilCount: null };
  return { ...issue, count: issue.count + 1, status: change === "regressed" || change === "unignored" ? "unresolved" : issue.status };
}

/** The issue's id inside the write batch, where a new issue has no id yet: looked up by its hash. */
const issueIdOf = (item: EventToStore): SQL =>
  sql`(select ${issues.id} from ${issues} where ${issues.projectId} = ${item.projectId} and ${issues.hash} = ${item.grouping.hash})`;

function issueUpsert(db: Db, { projectId, event, grouping, kind }: EventToStore) {
  const timestamp = new Date(event.timestamp * 1000);
  return db
    .insert(issues)
    .values({
      projectId,
      kind: kind ?? "error",
      hash: grouping.hash,
      groupingAlgorithm: grouping.algorithm,
      title: grouping.title,
      culprit: grouping.culprit,
      type: grouping.type,
      value: grouping.value,
      level: event.level,
      firstSeen: timestamp,
      lastSeen: timestamp,
      firstRelease: event.release ?? null,
      lastRelease: event.release ?? null,
      count: 1,
    })
    .onConflictDoUpdate({
      target: [issues.projectId, issues.hash],
      set: {
        count: sql`${issues.count} + 1`,
        lastSeen: sql`max(${issues.lastSeen}, excluded.last_seen)`,
        firstSeen: sql`min(${issues.firstSeen}, excluded.first_seen)`,
        lastRelease: sql`coalesce(excluded.last_release, ${issues.lastRelease})`,
        firstRelease: sql`coalesce(${issues.firstRelease}, excluded.first_release)`,
        level: sql`excluded.level`,
        title: sql`excluded.title`,
      },
    })
    .returning();
}

/** Everything one stored event adds to its issue: the link, the hour's count, tags, the user, a state change. */
async function eventWrites(db: Db, projectId: number, event: NormalizedEvent, issueId: SQL, change: IssueChange): Promise<BatchItem<"sqlite">[]> {
  const timestamp = new Date(event.timestamp * 1000);
  const user = userOf(event);
  const writes: BatchItem<"sqlite">[] = [
    db.update(events).set({ issueId }).where(and(eq(events.projectId, projectId), eq(events.eventId, event.event_id))),
    db
      .insert(issueHourly)
      .values({ issueId, hour: Math.floor(timestamp.getTime() / HOUR), count: 1 })
      .onConflictDoUpdate({ target: [issueHourly.issueId, issueHourly.hour], set: { count: sql`${issueHourly.count} + 1` } }),
    ...chunks(tagsOf(event), 20).map((pairs) =>
      db
        .insert(issueTags)
        .values(pairs.map(([key, value]) => ({ issueId, key, value, count: 1 })))
        .onConflictDoUpdate({ target: [issueTags.issueId, issueTags.key, issueTags.value], set: { count: sql`${issueTags.count} + 1` } }),
    ),
  ];
  if (user) {
    writes.push(
      db.insert(issueUsers).values({ issueId, userHash: (await sha256Hex(user.key)).slice(0, 32) }).onConflictDoNothing(),
      db
        .update(issues)
        .set({ userCount: sql`(select count(*) from ${issueUsers} where ${issueUsers.issueId} = ${issueId})` })
        .where(eq(issues.id, issueId)),
    );
  }
  if (change === "regressed") {
    writes.push(
      db
        .update(issues)
        .set({ status: "unresolved", substatus: "regressed", resolvedAt: null, resolvedInRelease: null, regressedAt: new Date() })
        .where(and(eq(issues.id, issueId), eq(issues.status, "resolved"))),
    );
  } else if (change === "unignored") {
    writes.push(
      db
        .update(issues)
        .set({ status: "unresolved", substatus: "unignored", ignoredUntil: null, ignoredUntilCount: null })
        .where(and(eq(issues.id, issueId), eq(issues.status, "ignored"))),
    );
  }
  return writes;
}
