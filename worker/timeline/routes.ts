import { createRoute, z } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, json, newRouter } from "../lib/openapi";
import { ProjectIdParam } from "../projects/schemas";
import { ReleaseDetailSchema, ReleaseParam, ReleaseSchema, TimelineQuery, TimelineSchema } from "./schemas";
import type { Timeline } from "./service";

const security = cookieAuth;
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

const getTimeline = createRoute({
  method: "get",
  path: "/projects/{id}/timeline",
  tags: ["Timeline"],
  security,
  summary: "Everything that happened to a project, on one time axis",
  description:
    "Outages (incidents and per-region failing checks), cron runs, error events per bucket (busiest issues, new and regressed marks), log lines per level, request throughput and p95, and releases first seen — cut into the same 60–120 buckets. Default range: the last 24 h.",
  request: { params: ProjectIdParam, query: TimelineQuery },
  responses: { 200: json(TimelineSchema, "Timeline"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const listReleases = createRoute({
  method: "get",
  path: "/projects/{id}/releases",
  tags: ["Timeline"],
  security,
  summary: "Releases of a project, newest first",
  description: "Each version seen on an error event or a transaction, with when it was first seen and how many issues it brought.",
  request: { params: ProjectIdParam },
  responses: { 200: json(z.object({ data: z.array(ReleaseSchema) }), "Releases"), 401: errors[401], 404: errors[404] },
});

const getRelease = createRoute({
  method: "get",
  path: "/projects/{id}/releases/{version}",
  tags: ["Timeline"],
  security,
  summary: "One release: its new issues, latency before and after",
  request: { params: ReleaseParam },
  responses: { 200: json(ReleaseDetailSchema, "Release"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

function present(t: Timeline) {
  const band = (b: { from: number; to: number | null }) => ({ from: iso(b.from), to: isoOrNull(b.to) });
  return {
    from: iso(t.from),
    to: iso(t.to),
    bucketSeconds: t.bucketMs / 1000,
    buckets: t.buckets.map(iso),
    monitors: t.monitors.map((m) => ({
      ...m,
      incidents: m.incidents.map((i) => ({ ...i, ...band(i) })),
      regions: m.regions.map((r) => ({ region: r.region, failing: r.failing.map(band) })),
    })),
    crons: t.crons.map((c) => ({ ...c, runs: c.runs.map((r) => ({ ...r, at: iso(r.at) })) })),
    errors: { ...t.errors, marks: t.errors.marks.map((m) => ({ ...m, at: iso(m.at) })) },
    logs: t.logs,
    requests: t.requests,
    releases: t.releases.map((r) => ({ version: r.version, firstSeen: iso(r.firstSeen) })),
  };
}

export const timelineRoutes = newRouter()
  .openapi(getTimeline, async (c) => c.json(present(await c.get("services").timeline.timeline(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"))), 200))
  .openapi(listReleases, async (c) => {
    const rows = await c.get("services").timeline.releases(c.req.valid("param").id, requireViewer(c).userId);
    return c.json({ data: rows.map((r) => ({ ...r, firstSeen: iso(r.firstSeen) })) }, 200);
  })
  .openapi(getRelease, async (c) => {
    const { id, version } = c.req.valid("param");
    const r = await c.get("services").timeline.release(id, requireViewer(c).userId, version);
    return c.json({ ...r, firstSeen: iso(r.firstSeen), issues: r.issues.map((i) => ({ ...i, firstSeen: iso(i.firstSeen) })) }, 200);
  });
