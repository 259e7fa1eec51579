import { createRoute, z } from "@hono/zod-openapi";
import { cookieAuth, errors, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { presentToken } from "./present";
import { ApiTokenSchema, NewApiTokenSchema, TokenBody } from "./schemas";
import { forbidden } from "../lib/errors";
import { requireViewer } from "./viewer";

const tags = ["API tokens"];
const security = cookieAuth;
const TokenIdParam = z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" } }) });

const list = createRoute({
  method: "get",
  path: "/tokens",
  tags,
  security,
  summary: "Your API tokens",
  responses: { 200: json(listOf(ApiTokenSchema), "Tokens (without their secrets)"), 401: errors[401] },
});

const create = createRoute({
  method: "post",
  path: "/tokens",
  tags,
  security,
  summary: "Create an API token",
  description:
    "Use it as `Authorization: Bearer <token>`. The token acts as you, in every organization you belong to, within its scopes: " +
    "a `read` token may only GET (403 `insufficient_scope` otherwise). Only a signed-in session can create tokens: a token cannot (403).",
  request: { body: jsonBody(TokenBody) },
  responses: { 201: json(NewApiTokenSchema, "The token, shown once"), 400: errors[400], 401: errors[401], 403: errors[403] },
});

const revoke = createRoute({
  method: "delete",
  path: "/tokens/{id}",
  tags,
  security,
  summary: "Revoke an API token",
  request: { params: TokenIdParam },
  responses: { ...noContent, 401: errors[401], 403: errors[403], 404: errors[404] },
});

export const tokenRoutes = newRouter()
  .openapi(list, async (c) => {
    const tokens = await c.get("services").tokens.list(requireViewer(c).userId);
    return c.json({ data: tokens.map(presentToken) }, 200);
  })
  .openapi(create, async (c) => {
    const viewer = requireViewer(c);
    // A leaked token must not be able to mint more (a write one, or ones that outlive its revocation).
    if (viewer.via === "token") throw forbidden("API tokens cannot create API tokens. Create one in the dashboard while signed in.");
    const { name, scopes } = c.req.valid("json");
    const token = await c.get("services").tokens.create(viewer.userId, name, scopes);
    return c.json({ ...presentToken(token), token: token.token }, 201);
  })
  .openapi(revoke, async (c) => {
    await c.get("services").tokens.revoke(requireViewer(c).userId, c.req.valid("param").id);
    return c.body(null, 204);
  });
