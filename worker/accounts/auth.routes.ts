import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { HonoEnv } from "../env";
import { conflict, cookieAuth, errors, json, jsonBody, newRouter, noContent, throttled } from "../lib/openapi";
import { clearSessionCookie, setSessionCookie } from "./cookies";
import { presentOrg, presentUser } from "./present";
import { LoginBody, LoginResponse, MeResponse, SignupBody, SignupResponse } from "./schemas";
import { requireViewer } from "./viewer";

const tags = ["Accounts"];

const signup = createRoute({
  method: "post",
  path: "/auth/signup",
  tags,
  summary: "Create an account",
  description: "Creates the user and a personal organization they own, and starts a session (cookie).",
  request: { body: jsonBody(SignupBody) },
  responses: { 201: json(SignupResponse, "Signed up and signed in"), 400: errors[400], ...conflict },
});

const login = createRoute({
  method: "post",
  path: "/auth/login",
  tags,
  summary: "Sign in",
  description: "Starts a session (cookie). Repeated failures per email and per IP are throttled with 429.",
  request: { body: jsonBody(LoginBody) },
  responses: { 200: json(LoginResponse, "Signed in"), 400: errors[400], 401: errors[401], ...throttled },
});

const logout = createRoute({
  method: "post",
  path: "/auth/logout",
  tags,
  summary: "Sign out",
  description: "Ends the current session. Answers 204 even when there was no session.",
  responses: { ...noContent, 403: errors[403] },
});

const me = createRoute({
  method: "get",
  path: "/me",
  tags,
  summary: "The signed-in user and their organizations",
  security: cookieAuth,
  responses: { 200: json(MeResponse, "You"), 401: errors[401] },
});

/**
 * Start a fresh session for `userId`. The cookie value is always new (a value planted before sign-in is never
 * adopted), and a session this browser already had ends on the server, so a cookie copied before sign-in
 * stops working when its holder signs in again.
 */
async function startSession(c: Context<HonoEnv>, userId: string): Promise<void> {
  const previous = c.get("viewer")?.sessionHash;
  if (previous) await c.get("services").sessions.delete(previous);
  const session = await c.get("services").sessions.create(userId, c.req.header("user-agent"));
  setSessionCookie(c, session.token, session.expiresAt);
}

export const authRoutes = newRouter()
  .openapi(signup, async (c) => {
    const { user, organization } = await c.get("services").auth.signup(c.req.valid("json"));
    await startSession(c, user.id);
    return c.json({ user: presentUser(user), organization: presentOrg(organization) }, 201);
  })
  .openapi(login, async (c) => {
    const ip = c.req.header("cf-connecting-ip") ?? "unknown";
    const user = await c.get("services").auth.login(c.req.valid("json"), ip);
    await startSession(c, user.id);
    return c.json({ user: presentUser(user) }, 200);
  })
  .openapi(logout, async (c) => {
    const sessionHash = c.get("viewer")?.sessionHash;
    if (sessionHash) await c.get("services").sessions.delete(sessionHash);
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .openapi(me, async (c) => {
    const viewer = requireViewer(c);
    const orgs = await c.get("services").orgs.listForUser(viewer.userId);
    return c.json({ user: presentUser({ id: viewer.userId, ...viewer }), organizations: orgs.map(presentOrg) }, 200);
  });
