import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import type { HonoEnv } from "../env";
import { publicOrigin } from "../projects/dsn";
import { createServices } from "../services";
import { newId } from "./encoding";

/** Give every request an id (echoed in errors and the X-Request-Id header), its services, and the security headers. */
export const init = createMiddleware<HonoEnv>(async (c, next) => {
  const requestId = c.req.header("cf-ray") ?? newId();
  c.set("requestId", requestId);
  const db = createDb(c.env.DB);
  c.set("db", db);
  c.set("services", createServices(db, c.env, publicOrigin(c.env.PUBLIC_URL, c.req.url)));
  c.set("viewer", undefined);
  await next();
  c.header("X-Request-Id", requestId);
  // Every answer of the Worker (API, ingest, pings, status page): browsers must not guess a JSON
  // body's type, and links out of it send only the origin. A route that chose stricter keeps its own.
  if (!c.res.headers.has("X-Content-Type-Options")) c.header("X-Content-Type-Options", "nosniff");
  if (!c.res.headers.has("Referrer-Policy")) c.header("Referrer-Policy", "strict-origin-when-cross-origin");
});
