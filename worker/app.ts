import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { authRoutes } from "./accounts/auth.routes";
import { authenticate, csrf } from "./accounts/middleware";
import { tokenRoutes } from "./accounts/tokens.routes";
import type { HonoEnv } from "./env";
import { ApiError, errorResponse } from "./lib/errors";
import { alertRoutes } from "./alerts/routes";
import { issueRoutes } from "./errors/routes";
import { cronRoutes } from "./crons/routes";
import { performanceRoutes } from "./performance/routes";
import { logRoutes } from "./logs/routes";
import { timelineRoutes } from "./timeline/routes";
import { deadLetterRoutes } from "./dead-letters/routes";
import { pingRoutes, sentryCronRoutes } from "./crons/ingest.routes";
import { ingestRoutes } from "./ingest/routes";
import { init } from "./lib/init";
import { newRouter } from "./lib/openapi";
import { inviteRoutes } from "./orgs/invites.routes";
import { memberRoutes } from "./orgs/members.routes";
import { orgRoutes } from "./orgs/routes";
import { keyRoutes } from "./projects/keys.routes";
import { projectRoutes } from "./projects/routes";
import { uptimeRoutes } from "./uptime/routes";
import { statusRoutes } from "./status/routes";
import type { Context } from "hono";
import { publicOrigin } from "./projects/dsn";

/** Management API bodies are small JSON documents; anything bigger is refused before it is read. */
export const API_BODY_LIMIT = 64 * 1024;

function onError(err: Error, c: Context<HonoEnv>): Response {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx (e.g. a JSON body that does not parse).
    const code = err.message.includes("Malformed JSON") ? "malformed_json" : "validation_failed";
    const message = code === "malformed_json" ? "The request body is not valid JSON." : err.message || "Bad request.";
    return errorResponse(c, new ApiError(code, message));
  }
  console.error(`[${c.get("requestId")}] ${c.req.method} ${c.req.path}:`, err);
  return errorResponse(c, new ApiError("internal_error", "Something went wrong on our side. Quote the request id if you report it."));
}

/** Title, description and server of the OpenAPI document (its paths come from the routes). */
export function openApiConfig(origin: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Vigil management API",
      version: "1",
      description:
        "Manage accounts, organizations, projects and DSN keys. Errors are `{ error: { code, message }, requestId }`. " +
        "Lists are `{ data: [...] }`. Times are ISO 8601 UTC.",
    },
    servers: [{ url: `${origin}/api/v1` }],
  };
}

/** The management API under /api/v1, with its OpenAPI 3.1 document. */
export function managementApi() {
  const api = newRouter();
  api.use(
    "*",
    bodyLimit({
      maxSize: API_BODY_LIMIT,
      onError: () => {
        throw new ApiError("payload_too_large", `Request bodies are limited to ${API_BODY_LIMIT / 1024} KB.`);
      },
    }),
  );
  api.use("*", authenticate);
  api.use("*", csrf);
  const routes = api
    .route("/", authRoutes)
    .route("/", tokenRoutes)
    .route("/", orgRoutes)
    .route("/", memberRoutes)
    .route("/", inviteRoutes)
    .route("/", projectRoutes)
    .route("/", keyRoutes)
    .route("/", issueRoutes)
    .route("/", alertRoutes)
    .route("/", uptimeRoutes)
    .route("/", cronRoutes)
    .route("/", performanceRoutes)
    .route("/", logRoutes)
    .route("/", timelineRoutes)
    .route("/", deadLetterRoutes);
  api.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "vigil_session",
    description: "Set by signup and login. Writes also need a same-origin `Origin` header and a JSON body.",
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API token (`vgl_...`) created under your account settings.",
  });
  api.doc31("/openapi.json", (c) => openApiConfig(publicOrigin(c.env.PUBLIC_URL, c.req.url)));
  return routes;
}

export function newApp() {
  const app = newRouter();
  app.use("*", init);
  app.onError(onError);
  app.notFound((c) => errorResponse(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}.`)));
  // The public status page and badges: no sign-in, outside /api/v1 and its OpenAPI document.
  const routes = app.route("/api/v1", managementApi()).route("/api", sentryCronRoutes).route("/api", ingestRoutes).route("/ping", pingRoutes).route("/", statusRoutes);
  return routes;
}

export type AppType = ReturnType<typeof newApp>;
