import { createRoute } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, iso, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { OrgSlugParam } from "../orgs/schemas";
import { ExportQuery, NewProjectBody, ProjectExportSchema, ProjectIdParam, ProjectSchema, UpdateProjectBody } from "./schemas";
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

const exportData = createRoute({
  method: "get",
  path: "/projects/{id}/export",
  tags,
  security,
  summary: "Download the project's issues and events as JSON (admin)",
  description:
    "A JSON document, streamed as a file download: the project, its issues and every stored event in full. " +
    "A document holds up to 500 events; with more, it ends with `next`, the URL of the following part.",
  request: { params: ProjectIdParam, query: ExportQuery },
  responses: { 200: json(ProjectExportSchema, "The export (Content-Disposition: attachment)"), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
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
  })
  .openapi(exportData, async (c) => {
    const { id } = c.req.valid("param");
    const { after } = c.req.valid("query");
    const now = new Date();
    const { project, stream } = await c.get("services").projects.export(
      id,
      requireViewer(c).userId,
      after,
      (p) => ({ format: "vigil-export/1", exportedAt: iso(now), project: presentProject(p) }),
      (last) => new URL(`/api/v1/projects/${id}/export?after=${encodeURIComponent(last)}`, c.req.url).toString(),
    );
    const name = `vigil-${project.slug}-${iso(now).slice(0, 10)}${after ? `-after-${after.slice(0, 8)}` : ""}.json`;
    // A stream, not c.json(): the document is written as it is read, a page at a time. The schema above
    // documents its shape; the typed-response check only knows c.json() bodies (as for the logs tail).
    const res = new Response(stream, {
      status: 200,
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
    return res as never;
  });
