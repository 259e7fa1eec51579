import { createRoute } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { conflict, cookieAuth, errors, iso, isoOrNull, json, jsonBody, listOf, newRouter } from "../lib/openapi";
import type { ProjectKeyView } from "./keys.service";
import { KeyParams, NewKeyBody, ProjectIdParam, ProjectKeySchema } from "./schemas";

const tags = ["DSN keys"];
const security = cookieAuth;

const present = (k: ProjectKeyView) => ({ ...k, createdAt: iso(k.createdAt), revokedAt: isoOrNull(k.revokedAt) });

const list = createRoute({
  method: "get",
  path: "/projects/{id}/keys",
  tags,
  security,
  summary: "DSN keys of a project",
  request: { params: ProjectIdParam },
  responses: { 200: json(listOf(ProjectKeySchema), "Keys, active and revoked"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const create = createRoute({
  method: "post",
  path: "/projects/{id}/keys",
  tags,
  security,
  summary: "Create a DSN key (admin)",
  request: { params: ProjectIdParam, body: { ...jsonBody(NewKeyBody), required: false } },
  responses: { 201: json(ProjectKeySchema, "The new key"), ...errors },
});

const rotate = createRoute({
  method: "post",
  path: "/projects/{id}/keys/{keyId}/rotate",
  tags,
  security,
  summary: "Rotate a DSN key (admin)",
  description: "Creates a replacement key with the same label and revokes the old one at once: deploy the new DSN right after.",
  request: { params: KeyParams },
  responses: { 201: json(ProjectKeySchema, "The replacement key"), ...errors, ...conflict },
});

const revoke = createRoute({
  method: "delete",
  path: "/projects/{id}/keys/{keyId}",
  tags,
  security,
  summary: "Revoke a DSN key (admin)",
  description: "Events sent with a revoked key are refused with 401. The key stays listed as revoked.",
  request: { params: KeyParams },
  responses: { 200: json(ProjectKeySchema, "The revoked key"), ...errors },
});

export const keyRoutes = newRouter()
  .openapi(list, async (c) => {
    const keys = await c.get("services").keys.list(c.req.valid("param").id, requireViewer(c).userId);
    return c.json({ data: keys.map(present) }, 200);
  })
  .openapi(create, async (c) => {
    // The body is optional: without one the key is labelled "Default".
    const body = c.req.valid("json") as { label?: string } | undefined;
    const key = await c.get("services").keys.create(c.req.valid("param").id, requireViewer(c).userId, body?.label ?? "Default");
    return c.json(present(key), 201);
  })
  .openapi(rotate, async (c) => {
    const { id, keyId } = c.req.valid("param");
    const key = await c.get("services").keys.rotate(id, requireViewer(c).userId, keyId);
    return c.json(present(key), 201);
  })
  .openapi(revoke, async (c) => {
    const { id, keyId } = c.req.valid("param");
    const key = await c.get("services").keys.revoke(id, requireViewer(c).userId, keyId);
    return c.json(present(key), 200);
  });
