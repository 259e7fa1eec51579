import { and, asc, desc, eq, gt, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { chunks } from "../lib/chunks";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { notFound } from "../lib/errors";
import type { ProjectService } from "../projects/service";
import { enqueueEvent } from "../ingest/queue";
import { attachmentPrefix } from "../ingest/service";
import { parseIssueQuery } from "./query";
import { sampleEvent } from "./sample";
import { events, issueHourly, issues, issueTags, type IssueStatus } from "./schema";

const HOUR = 3_600_000;
type IssueRow = typeof issues.$inferSelect;
export type IssueView = IssueRow & { sparkline: number[] };

export interface IssueListParams {
  query?: string;
  status?: IssueStatus;
  environment?: string;
  release?: string;
  sort: "lastSeen" | "firstSeen" | "events" | "users";
  limit: number;
  cursor?: string;
}

export interface IssueUpdate {
  status: IssueStatus;
  inNextRelease?: boolean;
  ignoreUntil?: string;
  ignoreCount?: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const hasTag = (key: string, value: string) =>
  sql`${issues.id} in (select ${issueTags.issueId} from ${issueTags} where ${issueTags.key} = ${key} and ${issueTags.value} = ${value})`;

/** Issues and their events, always within a project the caller can see. */
export class IssueService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly projects: ProjectService,
  ) {}

  private async sparklines(ids: number[], now = Date.now()): Promise<Map<number, number[]>> {
    const lastHour = Math.floor(now / HOUR);
    const out = new Map(ids.map((id) => [id, new Array<number>(24).fill(0)]));
    for (const part of chunks(ids, 90)) {
      const rows = await this.db
        .select()
        .from(issueHourly)
        .where(and(inArray(issueHourly.issueId, part), gt(issueHourly.hour, lastHour - 24)))
        .all();
      for (const r of rows) out.get(r.issueId)![23 - (lastHour - r.hour)] = r.count;
    }
    return out;
  }

  async list(projectId: number, userId: string, p: IssueListParams): Promise<{ data: IssueView[]; nextCursor?: string }> {
    await this.projects.access(projectId, userId);
    const q = parseIssueQuery(p.query ?? "");
    const where: SQL[] = [eq(issues.projectId, projectId)];
    const status = p.status ?? q.status;
    if (status) where.push(eq(issues.status, status));
    if (q.regressed) where.push(eq(issues.substatus, "regressed"));
    if (q.kind) where.push(eq(issues.kind, q.kind));
    if (q.level) where.push(eq(issues.level, q.level));
    const release = p.release ?? q.release;
    if (release) where.push(hasTag("release", release));
    const environment = p.environment ?? q.environment;
    if (environment) where.push(hasTag("environment", environment));
    if (q.userEmail) where.push(hasTag("user", q.userEmail));
    for (const word of q.text) {
      const pattern = `%${escapeLike(word)}%`;
      where.push(or(sql`${issues.title} like ${pattern} escape '\\'`, sql`${issues.culprit} like ${pattern} escape '\\'`)!);
    }
    const order = { lastSeen: desc(issues.lastSeen), firstSeen: desc(issues.firstSeen), events: desc(issues.count), users: desc(issues.userCount) }[p.sort];
    const offset = decodeCursor(p.cursor);
    const rows = await this.db
      .select()
      .from(issues)
      .where(and(...where))
      .orderBy(order, desc(issues.id))
      .limit(p.limit + 1)
      .offset(offset)
      .all();
    const page = rows.slice(0, p.limit);
    const sparks = await this.sparklines(page.map((r) => r.id));
    return {
      data: page.map((r) => ({ ...r, sparkline: sparks.get(r.id)! })),
      ...(rows.length > p.limit ? { nextCursor: encodeCursor(offset + p.limit) } : {}),
    };
  }

  /** The issue, after checking the caller belongs to its project's organization (404 otherwise). */
  private async find(issueId: number, userId: string): Promise<IssueRow> {
    const row = await this.db.select().from(issues).where(eq(issues.id, issueId)).get();
    if (!row) throw notFound("Issue");
    try {
      await this.projects.access(row.projectId, userId);
    } catch {
      throw notFound("Issue");
    }
    return row;
  }

  async get(issueId: number, userId: string, now = Date.now()) {
    const issue = await this.find(issueId, userId);
    const lastHour = Math.floor(now / HOUR);
    const hours = await this.db
      .select({ hour: issueHourly.hour, count: issueHourly.count })
      .from(issueHourly)
      .where(and(eq(issueHourly.issueId, issueId), gt(issueHourly.hour, lastHour - 14 * 24)))
      .all();
    const byHour = new Map(hours.map((h) => [h.hour, h.count]));
    const histogram = Array.from({ length: 14 * 24 }, (_, i) => {
      const hour = lastHour - 14 * 24 + 1 + i;
      return { hour: new Date(hour * HOUR), count: byHour.get(hour) ?? 0 };
    });
    const tagRows = await this.db
      .select({ key: issueTags.key, value: issueTags.value, count: issueTags.count })
      .from(issueTags)
      .where(eq(issueTags.issueId, issueId))
      .orderBy(asc(issueTags.key), desc(issueTags.count))
      .all();
    const tags = new Map<string, { key: string; total: number; values: { value: string; count: number }[] }>();
    for (const t of tagRows) {
      const entry = tags.get(t.key) ?? { key: t.key, total: 0, values: [] };
      entry.total += t.count;
      if (entry.values.length < 10) entry.values.push({ value: t.value, count: t.count });
      tags.set(t.key, entry);
    }
    const edge = (dir: "asc" | "desc") =>
      this.db
        .select({ eventId: events.eventId })
        .from(events)
        .where(eq(events.issueId, issueId))
        .orderBy(dir === "asc" ? asc(events.timestamp) : desc(events.timestamp))
        .limit(1)
        .get();
    const [latest, oldest, sparks] = await Promise.all([edge("desc"), edge("asc"), this.sparklines([issueId], now)]);
    return {
      ...issue,
      sparkline: sparks.get(issueId)!,
      histogram,
      tags: [...tags.values()],
      latestEventId: latest?.eventId ?? null,
      oldestEventId: oldest?.eventId ?? null,
    };
  }

  private changes(issue: IssueRow, u: IssueUpdate): Partial<IssueRow> {
    if (u.status === "resolved") {
      return {
        status: "resolved",
        resolvedAt: new Date(),
        resolvedInRelease: u.inNextRelease ? (issue.lastRelease ?? null) : null,
        ignoredUntil: null,
        ignoredUntilCount: null,
      };
    }
    if (u.status === "ignored") {
      return {
        status: "ignored",
        ignoredUntil: u.ignoreUntil ? new Date(u.ignoreUntil) : null,
        ignoredUntilCount: u.ignoreCount ? issue.count + u.ignoreCount : null,
        resolvedAt: null,
        resolvedInRelease: null,
      };
    }
    return { status: "unresolved", substatus: "ongoing", resolvedAt: null, resolvedInRelease: null, ignoredUntil: null, ignoredUntilCount: null };
  }

  async update(issueId: number, userId: string, u: IssueUpdate) {
    const issue = await this.find(issueId, userId);
    await this.db.update(issues).set(this.changes(issue, u)).where(eq(issues.id, issueId));
    return this.get(issueId, userId);
  }

  /** Resolve or ignore many issues of one project at once (the list's multi-select). */
  async bulkUpdate(projectId: number, userId: string, ids: number[], u: IssueUpdate): Promise<number> {
    await this.projects.access(projectId, userId);
    const rows = await this.db
      .select()
      .from(issues)
      .where(and(eq(issues.projectId, projectId), inArray(issues.id, ids)))
      .all();
    if (rows.length === 0) return 0;
    const writes: BatchItem<"sqlite">[] = rows.map((r) => this.db.update(issues).set(this.changes(r, u)).where(eq(issues.id, r.id)));
    await this.db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    return rows.length;
  }

  async events(issueId: number, userId: string, limit: number, cursor?: string) {
    await this.find(issueId, userId);
    const offset = decodeCursor(cursor);
    const rows = await this.db
      .select()
      .from(events)
      .where(eq(events.issueId, issueId))
      .orderBy(desc(events.timestamp), desc(events.eventId))
      .limit(limit + 1)
      .offset(offset)
      .all();
    return { data: rows.slice(0, limit), ...(rows.length > limit ? { nextCursor: encodeCursor(offset + limit) } : {}) };
  }

  /** Queue a sample error for the project, processed like any event. */
  async sendSample(projectId: number, userId: string): Promise<string> {
    await this.projects.access(projectId, userId);
    const eventId = crypto.randomUUID().replaceAll("-", "");
    const keyId = await this.projects.anyKeyId(projectId);
    await enqueueEvent(
      this.env,
      { kind: "event", projectId, keyId, eventId, receivedAt: Date.now(), clientIp: null },
      JSON.stringify(sampleEvent(eventId)),
    );
    return eventId;
  }

  /** One full event from R2, with the previous and next event of the same issue. */
  async event(projectId: number, eventId: string, userId: string) {
    await this.projects.access(projectId, userId);
    const id = eventId.replaceAll("-", "").toLowerCase();
    const row = await this.db
      .select()
      .from(events)
      .where(and(eq(events.projectId, projectId), eq(events.eventId, id)))
      .get();
    if (!row) throw notFound("Event");
    const object = await this.env.BLOBS.get(row.r2Key);
    if (!object) throw notFound("Event (its stored copy is gone)");
    const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
    const neighbour = async (dir: "prev" | "next") => {
      if (!row.issueId) return null;
      const ts = row.timestamp;
      const cmp =
        dir === "prev"
          ? or(lt(events.timestamp, ts), and(eq(events.timestamp, ts), lt(events.eventId, id)))
          : or(gt(events.timestamp, ts), and(eq(events.timestamp, ts), gt(events.eventId, id)));
      const n = await this.db
        .select({ eventId: events.eventId })
        .from(events)
        .where(and(eq(events.issueId, row.issueId), cmp))
        .orderBy(dir === "prev" ? desc(events.timestamp) : asc(events.timestamp), dir === "prev" ? desc(events.eventId) : asc(events.eventId))
        .limit(1)
        .get();
      return n?.eventId ?? null;
    };
    const [previousEventId, nextEventId, listed] = await Promise.all([
      neighbour("prev"),
      neighbour("next"),
      this.env.BLOBS.list({ prefix: attachmentPrefix(projectId, id), include: ["httpMetadata"] }),
    ]);
    const attachments = listed.objects.map((o) => ({
      name: o.key.slice(attachmentPrefix(projectId, id).length),
      size: o.size,
      contentType: o.httpMetadata?.contentType ?? "application/octet-stream",
    }));
    return { eventId: id, issueId: row.issueId, projectId, previousEventId, nextEventId, attachments, event: JSON.parse(text) as Record<string, unknown> };
  }

  /** One attachment of an event, as stored. */
  async attachment(projectId: number, eventId: string, name: string, userId: string): Promise<R2ObjectBody> {
    await this.projects.access(projectId, userId);
    const object = await this.env.BLOBS.get(`${attachmentPrefix(projectId, eventId.replaceAll("-", "").toLowerCase())}${name}`);
    if (!object) throw notFound("Attachment");
    return object;
  }
}

