import { createRoute } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, json, jsonBody, newRouter } from "../lib/openapi";
import { ProjectIdParam } from "../projects/schemas";
import { DeadLetterList, DeadLetterQuery, ReplayBody, ReplayResult } from "./schemas";
import type { DeadLetter } from "./store";

const tags = ["Dead letters"];
const security = cookieAuth;

const present = (l: DeadLetter & { key: string }) => ({
  key: l.key,
  id: l.id,
  kind: typeof l.message?.kind === "string" ? l.message.kind : null,
  eventId: typeof l.message?.eventId === "string" ? l.message.eventId : null,
  attempts: l.attempts,
  deadAt: l.deadAt,
  message: l.message,
});

const list = createRoute({
  method: "get",
  path: "/projects/{id}/dead-letters",
  tags,
  security,
  summary: "Messages that failed processing for good (admin)",
  description:
    "An accepted event, transaction or check-in whose processing failed on every retry is kept here with its raw payload, oldest first. Fix the cause, then replay.",
  request: { params: ProjectIdParam, query: DeadLetterQuery },
  responses: { 200: json(DeadLetterList, "Dead letters, oldest first"), ...errors },
});

const replay = createRoute({
  method: "post",
  path: "/projects/{id}/dead-letters/replay",
  tags,
  security,
  summary: "Send dead letters through processing again (admin)",
  description: "Each replayed letter goes back on the ingest queue and leaves the list. Processing is idempotent by event id, so replaying a letter twice stores it once.",
  request: { params: ProjectIdParam, body: { ...jsonBody(ReplayBody), required: false } },
  responses: { 200: json(ReplayResult, "How many were replayed"), ...errors },
});

export const deadLetterRoutes = newRouter()
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await c.get("services").deadLetters.list(c.req.valid("param").id, requireViewer(c).userId, limit, cursor);
    return c.json({ data: page.letters.map(present), nextCursor: page.cursor }, 200);
  })
  .openapi(replay, async (c) => {
    const body = c.req.valid("json") as { keys?: string[] } | undefined;
    const result = await c.get("services").deadLetters.replay(c.req.valid("param").id, requireViewer(c).userId, body?.keys);
    return c.json(result, 200);
  });
