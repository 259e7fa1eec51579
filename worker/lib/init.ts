import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import type { HonoEnv } from "../env";
import { publicOrigin } from "../projects/dsn";
import { createServices } from "../services";
import { newId } from "./encoding";

/** Give every request an id (echoed in errors and the X-Request-Id header) and its services. */
export const init = createMiddleware<HonoEnv>(async (c, next) => {
  const requestId = c.req.header("cf-ray") ?? newId();
  c.set("requestId", requestId);
  const db = createDb(c.env.DB);
  c.set("db", db);
  c.set("services", createServices(db, c.env, publicOrigin(c.env.PUBLIC_URL, c.req.url)));
  c.set("viewer", undefined);
  await next();
  c.header("X-Request-Id", requestId);
});
