import { createRoute } from "@hono/zod-openapi";
import { presentOrg } from "../accounts/present";
import { requireViewer } from "../accounts/viewer";
import { conflict, cookieAuth, errors, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { NewOrgBody, OrganizationSchema, OrgSlugParam, UpdateOrgBody } from "./schemas";

const tags = ["Organizations"];
const security = cookieAuth;

const list = createRoute({
  method: "get",
  path: "/orgs",
  tags,
  security,
  summary: "Organizations you belong to",
  responses: { 200: json(listOf(OrganizationSchema), "Organizations with your role"), 401: errors[401] },
});

const create = createRoute({
  method: "post",
  path: "/orgs",
  tags,
  security,
  summary: "Create an organization",
  description: "You become its owner. Without `slug`, one is made from the name.",
  request: { body: jsonBody(NewOrgBody) },
  responses: { 201: json(OrganizationSchema, "Created"), 400: errors[400], 401: errors[401], 403: errors[403], ...conflict },
});

const get = createRoute({
  method: "get",
  path: "/orgs/{orgSlug}",
  tags,
  security,
  summary: "One organization",
  request: { params: OrgSlugParam },
  responses: { 200: json(OrganizationSchema, "The organization"), 401: errors[401], 404: errors[404] },
});

const update = createRoute({
  method: "patch",
  path: "/orgs/{orgSlug}",
  tags,
  security,
  summary: "Rename an organization (admin)",
  request: { params: OrgSlugParam, body: jsonBody(UpdateOrgBody) },
  responses: { 200: json(OrganizationSchema, "Updated"), ...errors },
});

const remove = createRoute({
  method: "delete",
  path: "/orgs/{orgSlug}",
  tags,
  security,
  summary: "Delete an organization and everything in it (owner)",
  description:
    "Deletes every project of the organization (events, issues, monitors, crons, transactions, logs, their stored files), " +
    "its channels, alert log, members and invites. Members lose access at once. Cannot be undone; export projects first.",
  request: { params: OrgSlugParam },
  responses: { ...noContent, ...errors },
});

export const orgRoutes = newRouter()
  .openapi(list, async (c) => {
    const orgs = await c.get("services").orgs.listForUser(requireViewer(c).userId);
    return c.json({ data: orgs.map(presentOrg) }, 200);
  })
  .openapi(create, async (c) => {
    const { name, slug } = c.req.valid("json");
    const org = await c.get("services").orgs.create(requireViewer(c).userId, name, slug);
    return c.json(presentOrg(org), 201);
  })
  .openapi(get, async (c) => {
    const org = await c.get("services").orgs.access(c.req.valid("param").orgSlug, requireViewer(c).userId);
    return c.json(presentOrg(org), 200);
  })
  .openapi(update, async (c) => {
    const org = await c.get("services").orgs.rename(c.req.valid("param").orgSlug, requireViewer(c).userId, c.req.valid("json").name);
    return c.json(presentOrg(org), 200);
  })
  .openapi(remove, async (c) => {
    await c.get("services").orgs.delete(c.req.valid("param").orgSlug, requireViewer(c).userId);
    return c.body(null, 204);
  });
