import { createRoute } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, iso, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { OrgSlugParam } from "../orgs/schemas";
import { NewProjectBody, ProjectIdParam, ProjectSchema, UpdateProjectBody } from "./schemas";
import type { ProjectView } from "./service";

const tags = ["Projects"];
const security = cookieAuth;

export const presentProject = (p: ProjectView) => ({ ...p, createdAt: iso(p.createdAt) });

const list = createRoute({
  method: "get",
  path: "/orgs/{orgSlug}/projects",
  tags,
  security,
  summary: "Projects of an organization",
  request: { params: OrgSlugParam },
  responses: { 200: json(listOf(ProjectSchema), "Projects"), 401: errors[401], 404: errors[404] },
});

const create = createRoute({
  method: "post",
  path: "/orgs/{orgSlug}/projects",
  tags,
  security,
  summary: "Create a project (admin)",
  description: "Creates the project with a first DSN key; the answer carries the DSN to paste into `sentry_sdk.init`.",
  request: { params: OrgSlugParam, body: jsonBody(NewProjectBody) },
  responses: { 201: json(ProjectSchema, "Created"), ...errors },
});

const get = createRoute({
  method: "get",
  path: "/projects/{id}",
  tags,
  security,
  summary: "One project",
  request: { params: ProjectIdParam },
  responses: { 200: json(ProjectSchema, "The project"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const update = createRoute({
  method: "patch",
  path: "/projects/{id}",
  tags,
  security,
  summary: "Rename a project or change its ingest settings (admin)",
  request: { params: ProjectIdParam, body: jsonBody(UpdateProjectBody) },
  responses: { 200: json(ProjectSchema, "Updated"), ...errors },
});

const remove = createRoute({
  method: "delete",
  path: "/projects/{id}",
  tags,
  security,
  summary: "Delete a project and everything in it (admin)",
  request: { params: ProjectIdParam },
  responses: { ...noContent, ...errors },
});

export const projectRoutes = newRouter()
  .openapi(list, async (c) => {
    const projects = await c.get("services").projects.list(c.req.valid("param").orgSlug, requireViewer(c).userId);
    return c.json({ data: projects.map(presentProject) }, 200);
  })
  .openapi(create, async (c) => {
    const { name, platform } = c.req.valid("json");
    const project = await c.get("services").projects.create(c.req.valid("param").orgSlug, requireViewer(c).userId, name, platform);
    return c.json(presentProject(project), 201);
  })
  .openapi(get, async (c) => {
    const project = await c.get("services").projects.get(c.req.valid("param").id, requireViewer(c).userId);
    return c.json(presentProject(project), 200);
  })
  .openapi(update, async (c) => {
    const project = await c.get("services").projects.update(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentProject(project), 200);
  })
  .openapi(remove, async (c) => {
    await c.get("services").projects.delete(c.req.valid("param").id, requireViewer(c).userId);
    return c.body(null, 204);
  });
