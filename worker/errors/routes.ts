import { createRoute, z } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, iso, isoOrNull, json, jsonBody, newRouter } from "../lib/openapi";
import { ProjectIdParam } from "../projects/schemas";
import {
  AttachmentParams,
  BulkUpdateBody,
  EventDetailSchema,
  EventListQuery,
  EventParams,
  EventSummarySchema,
  IssueDetailSchema,
  IssueIdParam,
  IssueListQuery,
  IssueSchema,
  UpdateIssueBody,
} from "./schemas";
import type { events } from "./schema";
import type { IssueView } from "./service";

const tags = ["Issues"];
const security = cookieAuth;

export const presentIssue = (i: IssueView) => ({
  id: i.id,
  projectId: i.projectId,
  kind: i.kind,
  title: i.title,
  culprit: i.culprit,
  type: i.type,
  value: i.value,
  level: i.level,
  status: i.status,
  substatus: i.substatus,
  resolvedInRelease: i.resolvedInRelease,
  ignoredUntil: isoOrNull(i.ignoredUntil),
  ignoredUntilCount: i.ignoredUntilCount,
  count: i.count,
  userCount: i.userCount,
  firstSeen: iso(i.firstSeen),
  lastSeen: iso(i.lastSeen),
  firstRelease: i.firstRelease,
  lastRelease: i.lastRelease,
  groupingAlgorithm: i.groupingAlgorithm,
  sparkline: i.sparkline,
});

const presentEvent = (e: typeof events.$inferSelect) => ({
  eventId: e.eventId,
  issueId: e.issueId,
  timestamp: iso(e.timestamp),
  level: e.level,
  title: e.title,
  release: e.release,
  environment: e.environment,
  user: e.userLabel,
  url: e.url,
});

const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().optional() });

const list = createRoute({
  method: "get",
  path: "/projects/{id}/issues",
  tags,
  security,
  summary: "Issues of a project",
  description:
    "Search with `query`: `is:unresolved|resolved|ignored|regressed`, `level:error`, `release:1.2`, `environment:production`, " +
    "`user.email:ann@example.com`, and free text matched against title and culprit.",
  request: { params: ProjectIdParam, query: IssueListQuery },
  responses: { 200: json(page(IssueSchema), "Issues, one page"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const bulk = createRoute({
  method: "patch",
  path: "/projects/{id}/issues",
  tags,
  security,
  summary: "Resolve, ignore or reopen several issues",
  request: { params: ProjectIdParam, body: jsonBody(BulkUpdateBody) },
  responses: { 200: json(z.object({ updated: z.number().int() }), "How many issues changed"), ...errors },
});

const get = createRoute({
  method: "get",
  path: "/issues/{id}",
  tags,
  security,
  summary: "One issue with its histogram and tag distributions",
  request: { params: IssueIdParam },
  responses: { 200: json(IssueDetailSchema, "The issue"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const update = createRoute({
  method: "patch",
  path: "/issues/{id}",
  tags,
  security,
  summary: "Resolve, ignore or reopen an issue",
  description:
    "`{status: \"resolved\", inNextRelease: true}` keeps it resolved for events of the current release; `{status: \"ignored\", ignoreUntil | ignoreCount}` reopens it later.",
  request: { params: IssueIdParam, body: jsonBody(UpdateIssueBody) },
  responses: { 200: json(IssueDetailSchema, "The issue"), ...errors },
});

const eventList = createRoute({
  method: "get",
  path: "/issues/{id}/events",
  tags,
  security,
  summary: "Events of an issue, newest first",
  request: { params: IssueIdParam, query: EventListQuery },
  responses: { 200: json(page(EventSummarySchema), "Events, one page"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const eventGet = createRoute({
  method: "get",
  path: "/projects/{id}/events/{eventId}",
  tags,
  security,
  summary: "One full event: exception frames with context and vars, breadcrumbs, request, user, tags, contexts",
  request: { params: EventParams },
  responses: { 200: json(EventDetailSchema, "The event"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const sample = createRoute({
  method: "post",
  path: "/projects/{id}/sample-event",
  tags,
  security,
  summary: "Send a sample error",
  description: "Sends a realistic Django error (a KeyError in a checkout view) through the normal processing, so you can see an issue page before wiring your app.",
  request: { params: ProjectIdParam },
  responses: { 202: json(z.object({ eventId: z.string() }), "Accepted; the issue appears within seconds"), ...errors },
});

const attachment = createRoute({
  method: "get",
  path: "/projects/{id}/events/{eventId}/attachments/{name}",
  tags,
  security,
  summary: "Download an attachment of an event",
  request: { params: AttachmentParams },
  responses: { 200: { description: "The file, as sent" }, 400: errors[400], 401: errors[401], 404: errors[404] },
});

const presentDetail = (d: Awaited<ReturnType<import("./service").IssueService["get"]>>) => ({
  ...presentIssue(d),
  histogram: d.histogram.map((h) => ({ hour: iso(h.hour), count: h.count })),
  tags: d.tags,
  latestEventId: d.latestEventId,
  oldestEventId: d.oldestEventId,
});

export const issueRoutes = newRouter()
  .openapi(list, async (c) => {
    const result = await c.get("services").issues.list(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json({ data: result.data.map(presentIssue), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) }, 200);
  })
  .openapi(bulk, async (c) => {
    const { ids, ...change } = c.req.valid("json");
    const updated = await c.get("services").issues.bulkUpdate(c.req.valid("param").id, requireViewer(c).userId, ids, change);
    return c.json({ updated }, 200);
  })
  .openapi(get, async (c) => {
    const issue = await c.get("services").issues.get(c.req.valid("param").id, requireViewer(c).userId);
    return c.json(presentDetail(issue), 200);
  })
  .openapi(update, async (c) => {
    const issue = await c.get("services").issues.update(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentDetail(issue), 200);
  })
  .openapi(eventList, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const result = await c.get("services").issues.events(c.req.valid("param").id, requireViewer(c).userId, limit, cursor);
    return c.json({ data: result.data.map(presentEvent), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) }, 200);
  })
  .openapi(sample, async (c) => {
    const eventId = await c.get("services").issues.sendSample(c.req.valid("param").id, requireViewer(c).userId);
    return c.json({ eventId }, 202);
  })
  .openapi(attachment, async (c) => {
    const { id, eventId, name } = c.req.valid("param");
    const object = await c.get("services").issues.attachment(id, eventId, name, requireViewer(c).userId);
    return c.body(object.body, 200, {
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
    });
  })
  .openapi(eventGet, async (c) => {
    const { id, eventId } = c.req.valid("param");
    return c.json(await c.get("services").issues.event(id, eventId, requireViewer(c).userId), 200);
  });
