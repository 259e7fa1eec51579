import { createRoute } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { conflict, cookieAuth, errors, iso, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import type { MemberView } from "./members.service";
import { MemberParams, MemberSchema, OrgSlugParam, RoleBody } from "./schemas";

const tags = ["Members"];
const security = cookieAuth;

const present = (m: MemberView) => ({ ...m, joinedAt: iso(m.joinedAt) });

const list = createRoute({
  method: "get",
  path: "/orgs/{orgSlug}/members",
  tags,
  security,
  summary: "Members of an organization",
  request: { params: OrgSlugParam },
  responses: { 200: json(listOf(MemberSchema), "Members"), 401: errors[401], 404: errors[404] },
});

const changeRole = createRoute({
  method: "patch",
  path: "/orgs/{orgSlug}/members/{userId}",
  tags,
  security,
  summary: "Change a member's role (admin; owner for the owner role)",
  request: { params: MemberParams, body: jsonBody(RoleBody) },
  responses: { 200: json(MemberSchema, "Updated"), ...errors, ...conflict },
});

const remove = createRoute({
  method: "delete",
  path: "/orgs/{orgSlug}/members/{userId}",
  tags,
  security,
  summary: "Remove a member, or leave (your own user id)",
  description: "The last owner cannot leave or be removed.",
  request: { params: MemberParams },
  responses: { ...noContent, ...errors, ...conflict },
});

export const memberRoutes = newRouter()
  .openapi(list, async (c) => {
    const members = await c.get("services").members.list(c.req.valid("param").orgSlug, requireViewer(c).userId);
    return c.json({ data: members.map(present) }, 200);
  })
  .openapi(changeRole, async (c) => {
    const { orgSlug, userId } = c.req.valid("param");
    const member = await c.get("services").members.changeRole(orgSlug, requireViewer(c).userId, userId, c.req.valid("json").role);
    return c.json(present(member), 200);
  })
  .openapi(remove, async (c) => {
    const { orgSlug, userId } = c.req.valid("param");
    await c.get("services").members.remove(orgSlug, requireViewer(c).userId, userId);
    return c.body(null, 204);
  });
