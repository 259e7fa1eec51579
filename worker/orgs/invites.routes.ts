import { createRoute } from "@hono/zod-openapi";
import { presentOrg } from "../accounts/present";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, iso, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { publicOrigin } from "../projects/dsn";
import type { InviteView } from "./invites.service";
import {
  InviteIdParams,
  InvitePreviewSchema,
  InviteSchema,
  InviteTokenParam,
  NewInviteBody,
  NewInviteSchema,
  OrganizationSchema,
  OrgSlugParam,
} from "./schemas";

const tags = ["Invites"];
const security = cookieAuth;

const present = (i: InviteView) => ({ ...i, createdAt: iso(i.createdAt), expiresAt: iso(i.expiresAt) });

const list = createRoute({
  method: "get",
  path: "/orgs/{orgSlug}/invites",
  tags,
  security,
  summary: "Pending invites (admin)",
  request: { params: OrgSlugParam },
  responses: { 200: json(listOf(InviteSchema), "Invites that are not used or expired"), 401: errors[401], 403: errors[403], 404: errors[404] },
});

const create = createRoute({
  method: "post",
  path: "/orgs/{orgSlug}/invites",
  tags,
  security,
  summary: "Create an invite link (admin)",
  description: "The link is valid for 7 days and works once. With `email`, only that address can accept it.",
  request: { params: OrgSlugParam, body: jsonBody(NewInviteBody) },
  responses: { 201: json(NewInviteSchema, "The invite, with its link shown once"), ...errors },
});

const revoke = createRoute({
  method: "delete",
  path: "/orgs/{orgSlug}/invites/{inviteId}",
  tags,
  security,
  summary: "Revoke an invite (admin)",
  request: { params: InviteIdParams },
  responses: { ...noContent, 401: errors[401], 403: errors[403], 404: errors[404] },
});

const preview = createRoute({
  method: "get",
  path: "/invites/{token}",
  tags,
  summary: "What an invite link is for (no sign-in needed)",
  request: { params: InviteTokenParam },
  responses: { 200: json(InvitePreviewSchema, "The invite"), 404: errors[404] },
});

const accept = createRoute({
  method: "post",
  path: "/invites/{token}/accept",
  tags,
  security,
  summary: "Accept an invite",
  request: { params: InviteTokenParam },
  responses: { 200: json(OrganizationSchema, "You are now a member"), 401: errors[401], 403: errors[403], 404: errors[404] },
});

export const inviteRoutes = newRouter()
  .openapi(list, async (c) => {
    const invites = await c.get("services").invites.list(c.req.valid("param").orgSlug, requireViewer(c).userId);
    return c.json({ data: invites.map(present) }, 200);
  })
  .openapi(create, async (c) => {
    const { role, email } = c.req.valid("json");
    const invite = await c.get("services").invites.create(c.req.valid("param").orgSlug, requireViewer(c).userId, role, email ?? null);
    const url = `${publicOrigin(c.env.PUBLIC_URL, c.req.url)}/invite/${invite.token}`;
    return c.json({ ...present(invite), token: invite.token, url }, 201);
  })
  .openapi(revoke, async (c) => {
    const { orgSlug, inviteId } = c.req.valid("param");
    await c.get("services").invites.revoke(orgSlug, requireViewer(c).userId, inviteId);
    return c.body(null, 204);
  })
  .openapi(preview, async (c) => {
    const invite = await c.get("services").invites.preview(c.req.valid("param").token);
    return c.json({ ...invite, expiresAt: iso(invite.expiresAt) }, 200);
  })
  .openapi(accept, async (c) => {
    const org = await c.get("services").invites.accept(c.req.valid("param").token, requireViewer(c));
    return c.json(presentOrg(org), 200);
  });
