import { createRoute, z } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { ApiError } from "../lib/errors";
import { conflict, cookieAuth, errors, json, newRouter } from "../lib/openapi";
import { ProjectIdParam } from "../projects/schemas";
import {
  ContextQuery,
  LineParam,
  LogContextSchema,
  LogHistogramQuery,
  LogHistogramSchema,
  LogLineSchema,
  LogSearchQuery,
  LogSearchSchema,
  NewSavedSearchBody,
  SavedSearchParam,
  SavedSearchSchema,
  TailQuery,
} from "./schemas";
import { presentLine } from "./present";

const security = cookieAuth;
const tags = ["Logs"];
const iso = (ms: number) => new Date(ms).toISOString();

const searchLogs = createRoute({
  method: "get",
  path: "/projects/{id}/logs",
  tags,
  security,
  summary: "Search log lines, newest first",
  description:
    "Full-text and field search over the project's lines, hot and archived. Pages with `cursor`; a search reaching far into the archive may stop at its budget (`archive.stoppedAt`) and continue with the cursor. Default range: the last 24 h.",
  request: { params: ProjectIdParam, query: LogSearchQuery },
  responses: { 200: json(LogSearchSchema, "Matching lines"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const histogram = createRoute({
  method: "get",
  path: "/projects/{id}/logs/histogram",
  tags,
  security,
  summary: "Matching lines over time, per level",
  description: "About 60–120 buckets of whole minutes over the range; the same `q` as the search.",
  request: { params: ProjectIdParam, query: LogHistogramQuery },
  responses: { 200: json(LogHistogramSchema, "Histogram"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const tail = createRoute({
  method: "get",
  path: "/projects/{id}/logs/tail",
  tags,
  security,
  summary: "Live tail (WebSocket)",
  description:
    'Upgrade to a WebSocket; new lines matching `q` arrive as `{"type":"lines","lines":[LogLine...]}`, at most 100 a second (`{"type":"skipped","count":n}` says how many were left out). Send `{"type":"query","q":"..."}` to change the filter.',
  request: { params: ProjectIdParam, query: TailQuery },
  responses: { 101: { description: "Switching to the WebSocket protocol" }, 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
});

const getLine = createRoute({
  method: "get",
  path: "/projects/{id}/logs/{lineId}",
  tags,
  security,
  summary: "One log line with all its fields",
  request: { params: LineParam },
  responses: { 200: json(LogLineSchema, "The line"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const getContext = createRoute({
  method: "get",
  path: "/projects/{id}/logs/{lineId}/context",
  tags,
  security,
  summary: "The lines around one, from the same stream",
  request: { params: LineParam, query: ContextQuery },
  responses: { 200: json(LogContextSchema, "Context"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const listSaved = createRoute({
  method: "get",
  path: "/projects/{id}/saved-searches",
  tags,
  security,
  summary: "Saved log searches of a project",
  request: { params: ProjectIdParam },
  responses: { 200: json(z.object({ data: z.array(SavedSearchSchema) }), "Saved searches"), 401: errors[401], 404: errors[404] },
});

const createSaved = createRoute({
  method: "post",
  path: "/projects/{id}/saved-searches",
  tags,
  security,
  summary: "Save a log search under a name",
  request: { params: ProjectIdParam, body: { content: { "application/json": { schema: NewSavedSearchBody } }, required: true } },
  responses: { 201: json(SavedSearchSchema, "Saved"), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404], ...conflict },
});

const deleteSaved = createRoute({
  method: "delete",
  path: "/projects/{id}/saved-searches/{searchId}",
  tags,
  security,
  summary: "Delete a saved search",
  request: { params: SavedSearchParam },
  responses: { 204: { description: "Deleted" }, 401: errors[401], 403: errors[403], 404: errors[404] },
});

const presentSaved = (s: { id: string; name: string; query: string; createdAt: Date }) => ({ id: s.id, name: s.name, query: s.query, createdAt: s.createdAt.toISOString() });

export const logRoutes = newRouter()
  .openapi(searchLogs, async (c) => {
    const r = await c.get("services").logs.search(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json(
      {
        from: iso(r.from),
        to: iso(r.to),
        data: r.lines.map(presentLine),
        nextCursor: r.nextCursor === null ? null : String(r.nextCursor),
        archive: { chunksScanned: r.archive.chunksScanned, stoppedAt: r.archive.stoppedAt === null ? null : iso(r.archive.stoppedAt) },
      },
      200,
    );
  })
  .openapi(histogram, async (c) => {
    const r = await c.get("services").logs.histogram(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json({ from: iso(r.from), to: iso(r.to), bucketSeconds: r.bucketMs / 1000, buckets: r.buckets.map((b) => ({ t: iso(b.t), counts: b.counts })), partial: r.partial }, 200);
  })
  .openapi(tail, async (c) => {
    // A page on another site must not open a tail with the viewer's cookie.
    const origin = c.req.header("origin");
    if (origin && new URL(origin).host !== new URL(c.req.url).host) throw new ApiError("forbidden", "Live tails open only from Vigil's own pages.");
    const res = await c.get("services").logs.tail(c.req.valid("param").id, requireViewer(c).userId, c.req.raw, c.req.valid("query").q ?? "");
    return res as never;
  })
  .openapi(getLine, async (c) => {
    const { id, lineId } = c.req.valid("param");
    return c.json(presentLine(await c.get("services").logs.line(id, requireViewer(c).userId, Number(lineId))), 200);
  })
  .openapi(getContext, async (c) => {
    const { id, lineId } = c.req.valid("param");
    const { before, after } = c.req.valid("query");
    const r = await c.get("services").logs.context(id, requireViewer(c).userId, Number(lineId), before, after);
    return c.json({ line: presentLine(r.line), before: r.before.map(presentLine), after: r.after.map(presentLine) }, 200);
  })
  .openapi(listSaved, async (c) => {
    const rows = await c.get("services").logs.savedSearches(c.req.valid("param").id, requireViewer(c).userId);
    return c.json({ data: rows.map(presentSaved) }, 200);
  })
  .openapi(createSaved, async (c) => {
    const row = await c.get("services").logs.saveSearch(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentSaved(row), 201);
  })
  .openapi(deleteSaved, async (c) => {
    const { id, searchId } = c.req.valid("param");
    await c.get("services").logs.deleteSearch(id, requireViewer(c).userId, searchId);
    return c.body(null, 204);
  });

