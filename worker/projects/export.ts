/**
 * A project's data as one JSON document, for people who leave: the project, its issues and every stored event
 * in full (as `GET /projects/{id}/events/{eventId}` answers, without the previous/next links). Written as a
 * stream, a page at a time, so memory stays bounded whatever the size.
 *
 * Each event is one R2 read, and a Worker invocation may make only so many calls to Cloudflare services
 * (1,000): a document holds at most `EVENTS_PER_DOCUMENT` events and, when there are more, ends with `next`,
 * the URL of the following part (`?after=<last event id>`). Issues are in the first part.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "../db/client";
import { presentIssue } from "../errors/routes";
import { events, issues } from "../errors/schema";
import { attachmentPrefix } from "../ingest/service";
import { mapLimit } from "../lib/chunks";

export const EVENTS_PER_DOCUMENT = 500;
const EVENTS_PER_PAGE = 50;
const ISSUES_PER_PAGE = 500;
/** R2 reads in flight at once (the limit of 6 open connections). */
const READS = 6;

interface Attachment {
  name: string;
  size: number;
  contentType: string;
}

/** Attachments of the project in key order (= event id order), a page of the listing at a time. */
function attachmentWalker(env: Env, projectId: number) {
  const prefix = `attachments/${projectId}/`;
  let buffer: R2Object[] = [];
  let cursor: string | undefined;
  let done = false;
  let startAfter: string | undefined;
  const eventOf = (key: string) => key.slice(prefix.length, key.indexOf("/", prefix.length));
  /** The attachments of `eventId`; ids must come in ascending order. */
  return async function attachmentsOf(eventId: string): Promise<Attachment[]> {
    startAfter ??= attachmentPrefix(projectId, eventId).slice(0, -1);
    const found: Attachment[] = [];
    for (;;) {
      if (buffer.length === 0 && !done) {
        const listed = await env.BLOBS.list({ prefix, include: ["httpMetadata"], limit: 1000, ...(cursor ? { cursor } : { startAfter }) });
        buffer = listed.objects;
        done = !listed.truncated;
        cursor = listed.truncated ? listed.cursor : undefined;
      }
      const head = buffer[0];
      if (!head) return found;
      const id = eventOf(head.key);
      if (id > eventId) return found;
      buffer.shift();
      if (id === eventId) {
        found.push({ name: head.key.slice(attachmentPrefix(projectId, eventId).length), size: head.size, contentType: head.httpMetadata?.contentType ?? "application/octet-stream" });
      }
    }
  };
}

async function readEvent(env: Env, key: string): Promise<Record<string, unknown> | null> {
  const object = await env.BLOBS.get(key);
  if (!object) return null;
  const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The document's text, piece by piece: `head` (the project and export facts) first, then the issues (first part
 * only), then up to EVENTS_PER_DOCUMENT events after `after`, then `next` when there are more.
 */
export async function* exportPieces(db: Db, env: Env, projectId: number, head: Record<string, unknown>, after: string | undefined, nextUrl: (after: string) => string): AsyncGenerator<string> {
  const open = JSON.stringify(head);
  yield `${open.slice(0, -1)},\n"issues": [`;
  if (!after) {
    let lastId = 0;
    let firstIssue = true;
    for (;;) {
      const page = await db
        .select()
        .from(issues)
        .where(and(eq(issues.projectId, projectId), gt(issues.id, lastId)))
        .orderBy(asc(issues.id))
        .limit(ISSUES_PER_PAGE)
        .all();
      if (page.length === 0) break;
      // The export is a record, not a dashboard: no sparkline.
      const text = page.map((i) => {
        const { sparkline: _, ...issue } = presentIssue({ ...i, sparkline: [] });
        return JSON.stringify(issue);
      });
      yield `${firstIssue ? "\n" : ",\n"}${text.join(",\n")}`;
      firstIssue = false;
      lastId = page[page.length - 1]!.id;
      if (page.length < ISSUES_PER_PAGE) break;
    }
  }
  yield `],\n"events": [`;
  const attachmentsOf = attachmentWalker(env, projectId);
  let last = after ?? "";
  let seen = 0;
  let first = true;
  let more = false;
  for (;;) {
    const take = Math.min(EVENTS_PER_PAGE, EVENTS_PER_DOCUMENT - seen);
    const page = await db
      .select({ eventId: events.eventId, issueId: events.issueId, r2Key: events.r2Key })
      .from(events)
      .where(and(eq(events.projectId, projectId), gt(events.eventId, last)))
      .orderBy(asc(events.eventId))
      .limit(take + 1)
      .all();
    if (take === 0) {
      more = page.length > 0;
      break;
    }
    const rows = page.slice(0, take);
    const bodies = await mapLimit(rows, READS, (r) => readEvent(env, r.r2Key));
    const text: string[] = [];
    for (const [i, r] of rows.entries()) {
      const attachments = await attachmentsOf(r.eventId);
      const event = bodies[i];
      // An event whose object is gone (expired between the page and the read) is left out.
      if (event) text.push(JSON.stringify({ eventId: r.eventId, issueId: r.issueId, projectId, attachments, event }));
    }
    if (text.length) {
      yield `${first ? "\n" : ",\n"}${text.join(",\n")}`;
      first = false;
    }
    seen += rows.length;
    if (rows.length) last = rows[rows.length - 1]!.eventId;
    if (page.length <= take) break;
  }
  yield more ? `],\n"next": ${JSON.stringify(nextUrl(last))}\n}\n` : `]\n}\n`;
}

/** A byte stream of the pieces, pulled as the client reads. */
export function streamOf(pieces: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await pieces.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}
