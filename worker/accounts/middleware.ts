import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { HonoEnv } from "../env";
import { ApiError } from "../lib/errors";
import { publicOrigin } from "../projects/dsn";
import { clearSessionCookie, setSessionCookie } from "./cookies";
import { SESSION_COOKIE } from "./sessions";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Work out who is calling: `Authorization: Bearer vgl_...` (API token) or the session cookie.
 * A wrong token is a 401 at once (a script should hear about it); a stale cookie is just "not signed in".
 * A read-only token is refused any write here, before a route runs (403 insufficient_scope).
 */
export const authenticate = createMiddleware<HonoEnv>(async (c, next) => {
  const services = c.get("services");
  const authorization = c.req.header("authorization");
  if (authorization) {
    const [scheme, token] = authorization.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() !== "bearer" || !token) {
      throw new ApiError("unauthenticated", "The Authorization header must be `Bearer <API token>`.");
    }
    const found = await services.tokens.authenticate(token);
    if (!found) throw new ApiError("unauthenticated", "This API token is not valid (it may have been revoked).");
    const { user, scopes } = found;
    if (!SAFE_METHODS.has(c.req.method) && !scopes.includes("write")) {
      throw new ApiError(
        "insufficient_scope",
        `This API token is read-only (scopes: ${scopes.join(", ")}), so it cannot ${c.req.method} ${c.req.path}. Create a token with the write scope for scripts that change things.`,
      );
    }
    c.set("viewer", { userId: user.id, email: user.email, name: user.name, createdAt: user.createdAt, via: "token", scopes });
    return next();
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) {
    const session = await services.sessions.resolve(cookie);
    if (session) {
      const { user } = session;
      c.set("viewer", { userId: user.id, email: user.email, name: user.name, createdAt: user.createdAt, via: "session", sessionHash: session.idHash });
      if (session.refreshed) setSessionCookie(c, cookie, session.expiresAt);
    } else {
      clearSessionCookie(c);
    }
  }
  return next();
});

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * CSRF protection for browser requests: every write carries a JSON body (which a cross-site form cannot send),
 * a foreign Origin is refused, and a cookie-authenticated write must show our Origin (or Sec-Fetch-Site:
 * same-origin). Requests with an API token are never sent by a browser on its own, so they skip the origin check.
 */
export const csrf = createMiddleware<HonoEnv>(async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const hasBody = Number(c.req.header("content-length") ?? "0") > 0 || c.req.header("transfer-encoding") !== undefined;
  const type = c.req.header("content-type");
  if (hasBody && !(type && JSON_TYPE.test(type))) {
    throw new ApiError("unsupported_media_type", "Send the request body as JSON with `Content-Type: application/json`.");
  }
  if (c.get("viewer")?.via === "token") return next();
  const origin = c.req.header("origin");
  const allowed = new Set([new URL(c.req.url).origin, publicOrigin(c.env.PUBLIC_URL, c.req.url)]);
  if (origin) {
    if (!allowed.has(origin)) {
      throw new ApiError("csrf_failed", `Requests from ${origin} may not change data here. Use the dashboard, or an API token.`);
    }
  } else if (c.get("viewer") && c.req.header("sec-fetch-site") !== "same-origin") {
    // A cookie-authenticated write without Origin: browsers always send one, so this is not our page.
    throw new ApiError(
      "csrf_failed",
      "This request carries a session cookie but no Origin header. Scripts should use an API token (Authorization: Bearer).",
    );
  }
  return next();
});
