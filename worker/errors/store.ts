import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { chunks } from "../lib/chunks";
import { sha256Hex } from "../lib/encoding";
import type { Grouping } from "./grouping";
import type { NormalizedEvent } from "./normalize";
import { events, issueHourly, issues, issueTags, issueUsers, type IssueStatus } from "./schema";

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

/**
 * Write one processed event: the event row first (a second delivery of the same event id stops here, so
 * counts are not doubled), then the issue upsert, then counters and tags in one batch. Returns how the
 * issue changed, for alerts.
 */
export async function storeEvent(
  db: Db,
  projectId: number,
  event: NormalizedEvent,
  grouping: Grouping,
  r2Key: string,
  /** A redelivery of a message whose earlier attempt failed: an unlinked event row is then its own unfinished work. */
  retry = false,
): Promise<{ issueId: number; change: IssueChange; duplicate: boolean }> {
  const timestamp = new Date(event.timestamp * 1000);
  const user = userOf(event);
  const inserted = await db
    .insert(events)
    .values({
      projectId,
      eventId: event.event_id,
      issueId: null,
      timestamp,
      receivedAt: new Date(event.received * 1000),
      level: event.level,
      title: grouping.title,
      release: event.release ?? null,
      environment: event.environment ?? null,
      userLabel: user?.label ?? null,
      url: requestUrl(event) ?? null,
      r2Key,
    })
    .onConflictDoNothing()
    .returning({ eventId: events.eventId });
  if (inserted.length === 0) {
    const existing = await db
      .select({ issueId: events.issueId })
      .from(events)
      .where(and(eq(events.projectId, projectId), eq(events.eventId, event.event_id)))
      .get();
    // Stored and linked before: a duplicate. Stored but not linked: another delivery is writing it right now
    // (a duplicate too), or — on a retry — this message's own earlier attempt failed midway: finish the job.
    if (existing?.issueId || !retry) return { issueId: existing?.issueId ?? 0, change: "none", duplicate: true };
  }

  const [issue] = await db
    .insert(issues)
    .values({
      projectId,
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
  if (!issue) throw new Error("issue upsert returned nothing");

  let change: IssueChange = issue.count === 1 ? "new" : "none";
  let status: IssueStatus = issue.status;
  const now = Date.now();
  if (status === "resolved") {
    const sameRelease = issue.resolvedInRelease !== null && (event.release === undefined || event.release === issue.resolvedInRelease);
    if (!sameRelease) {
      change = "regressed";
      status = "unresolved";
    }
  } else if (status === "ignored") {
    const timeUp = issue.ignoredUntil !== null && now >= issue.ignoredUntil.getTime();
    const countUp = issue.ignoredUntilCount !== null && issue.count >= issue.ignoredUntilCount;
    if (timeUp || countUp) {
      change = "unignored";
      status = "unresolved";
    }
  }

  const writes: BatchItem<"sqlite">[] = [
    db.update(events).set({ issueId: issue.id }).where(and(eq(events.projectId, projectId), eq(events.eventId, event.event_id))),
    db
      .insert(issueHourly)
      .values({ issueId: issue.id, hour: Math.floor(timestamp.getTime() / HOUR), count: 1 })
      .onConflictDoUpdate({ target: [issueHourly.issueId, issueHourly.hour], set: { count: sql`${issueHourly.count} + 1` } }),
    ...chunks(tagsOf(event), 20).map((pairs) =>
      db
        .insert(issueTags)
        .values(pairs.map(([key, value]) => ({ issueId: issue.id, key, value, count: 1 })))
        .onConflictDoUpdate({ target: [issueTags.issueId, issueTags.key, issueTags.value], set: { count: sql`${issueTags.count} + 1` } }),
    ),
  ];
  if (user) {
    writes.push(
      db.insert(issueUsers).values({ issueId: issue.id, userHash: (await sha256Hex(user.key)).slice(0, 32) }).onConflictDoNothing(),
      db
        .update(issues)
        .set({ userCount: sql`(select count(*) from ${issueUsers} where ${issueUsers.issueId} = ${issue.id})` })
        .where(eq(issues.id, issue.id)),
    );
  }
  if (change === "regressed") {
    writes.push(
      db
        .update(issues)
        .set({ status: "unresolved", substatus: "regressed", resolvedAt: null, resolvedInRelease: null })
        .where(and(eq(issues.id, issue.id), eq(issues.status, "resolved"))),
    );
  } else if (change === "unignored") {
    writes.push(
      db
        .update(issues)
        .set({ status: "unresolved", substatus: "unignored", ignoredUntil: null, ignoredUntilCount: null })
        .where(and(eq(issues.id, issue.id), eq(issues.status, "ignored"))),
    );
  }
  await db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return { issueId: issue.id, change, duplicate: false };
}
