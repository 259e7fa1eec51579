import { Hono, type Context } from "hono";
import type { HonoEnv } from "../env";
import { ApiError } from "../lib/errors";
import { acceptEnvelope, acceptStore, type Accepted } from "./service";

/** Browser SDKs post from other origins; ingest is authenticated by the DSN key, not cookies. */
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, X-Sentry-Auth, Authorization, sentry-trace, baggage",
  "Access-Control-Expose-Headers": "X-Sentry-Rate-Limits, Retry-After",
  "Access-Control-Max-Age": "86400",
};

function projectIdOf(c: Context<HonoEnv>): number {
  const id = Number(c.req.param("projectId"));
  if (!Number.isSafeInteger(id) || id <= 0) throw new ApiError("not_found", "No such project.");
  return id;
}

async function answer(c: Context<HonoEnv>, accept: (ctx: Parameters<typeof acceptEnvelope>[0]) => Promise<Accepted>) {
  const { eventId, headers } = await accept({ env: c.env, db: c.get("db"), req: c.req.raw, projectId: projectIdOf(c) });
  return c.json({ id: eventId }, 200, { ...CORS, ...headers });
}

/** The Sentry-compatible front door: `/api/{project_id}/envelope/` and `/api/{project_id}/store/`. */
export const ingestRoutes = new Hono<HonoEnv>()
  .use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(CORS)) c.res.headers.set(k, v);
  })
  .options("/:projectId{[0-9]+}/*", (c) => c.body(null, 204, CORS))
  .post("/:projectId{[0-9]+}/envelope", (c) => answer(c, acceptEnvelope))
  .post("/:projectId{[0-9]+}/envelope/", (c) => answer(c, acceptEnvelope))
  .post("/:projectId{[0-9]+}/store", (c) => answer(c, acceptStore))
  .post("/:projectId{[0-9]+}/store/", (c) => answer(c, acceptStore));
