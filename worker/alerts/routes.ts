import { createRoute } from "@hono/zod-openapi";
import { requireViewer } from "../accounts/viewer";
import { cookieAuth, errors, iso, json, jsonBody, listOf, newRouter, noContent } from "../lib/openapi";
import { OrgSlugParam } from "../orgs/schemas";
import { ProjectIdParam } from "../projects/schemas";
import type { ChannelView } from "./channels.service";
import type { AlertLogService } from "./log.service";
import type { alertRules } from "./schema";
import {
  AlertListQuery,
  AlertRuleSchema,
  AlertSchema,
  ChannelIdParam,
  ChannelSchema,
  NewChannelBody,
  NewChannelSchema,
  NewRuleBody,
  RuleIdParam,
  TestChannelBody,
  TestResultSchema,
  UpdateRuleBody,
} from "./schemas";
import { z } from "@hono/zod-openapi";

const security = cookieAuth;

const presentChannel = (c: ChannelView) => ({ ...c, createdAt: iso(c.createdAt) });
const presentRule = (r: typeof alertRules.$inferSelect) => ({ ...r, createdAt: iso(r.createdAt) });
const presentAlert = ({ alert }: Awaited<ReturnType<AlertLogService["list"]>>["rows"][number]) => ({
  id: alert.id,
  projectId: alert.projectId,
  ruleId: alert.ruleId,
  channel: { id: alert.channelId, name: alert.channelName, type: alert.channelType, deleted: alert.channelId === null },
  type: alert.type,
  summary: alert.summary,
  url: alert.url,
  status: alert.status,
  attempts: alert.attempts,
  suppressed: alert.suppressed,
  createdAt: iso(alert.createdAt),
});

const listChannels = createRoute({
  method: "get",
  path: "/orgs/{orgSlug}/channels",
  tags: ["Alerts"],
  security,
  summary: "Alert channels of an organization",
  request: { params: OrgSlugParam },
  responses: { 200: json(listOf(ChannelSchema), "Channels"), 401: errors[401], 404: errors[404] },
});

const createChannel = createRoute({
  method: "post",
  path: "/orgs/{orgSlug}/channels",
  tags: ["Alerts"],
  security,
  summary: "Create an alert channel (admin)",
  description:
    "`slack`: a Slack incoming-webhook `url`. `webhook`: any `url`; deliveries are signed per Standard Webhooks with the `secret` shown once. " +
    "`email`: an `email` address. The organization's first channel receives its projects' default alerts.",
  request: { params: OrgSlugParam, body: jsonBody(NewChannelBody) },
  responses: { 201: json(NewChannelSchema, "Created"), ...errors },
});

const deleteChannel = createRoute({
  method: "delete",
  path: "/channels/{id}",
  tags: ["Alerts"],
  security,
  summary: "Delete an alert channel (admin)",
  request: { params: ChannelIdParam },
  responses: { ...noContent, ...errors },
});

const testChannel = createRoute({
  method: "post",
  path: "/channels/{id}/test",
  tags: ["Alerts"],
  security,
  summary: "Send a test alert",
  description: "Sends one test alert now, without retries, and answers what the receiver said. It shows in the delivery log.",
  request: { params: ChannelIdParam, body: { ...jsonBody(TestChannelBody), required: false } },
  responses: { 200: json(TestResultSchema, "What happened"), ...errors },
});

const listRules = createRoute({
  method: "get",
  path: "/projects/{id}/alert-rules",
  tags: ["Alerts"],
  security,
  summary: "Alert rules of a project",
  request: { params: ProjectIdParam },
  responses: { 200: json(listOf(AlertRuleSchema), "Rules"), 400: errors[400], 401: errors[401], 404: errors[404] },
});

const createRule = createRoute({
  method: "post",
  path: "/projects/{id}/alert-rules",
  tags: ["Alerts"],
  security,
  summary: "Create an alert rule (admin)",
  description: "Which events go to which channels; optionally only one environment, or issues at `minLevel` and worse. `issue.frequency` needs `frequencyCount` and `frequencyMinutes`; `logs.threshold` needs `logQuery`, `frequencyCount` and `frequencyMinutes` (more than N matching log lines in M minutes).",
  request: { params: ProjectIdParam, body: jsonBody(NewRuleBody) },
  responses: { 201: json(AlertRuleSchema, "Created"), ...errors },
});

const updateRule = createRoute({
  method: "patch",
  path: "/alert-rules/{id}",
  tags: ["Alerts"],
  security,
  summary: "Change an alert rule (admin)",
  request: { params: RuleIdParam, body: jsonBody(UpdateRuleBody) },
  responses: { 200: json(AlertRuleSchema, "Updated"), ...errors },
});

const deleteRule = createRoute({
  method: "delete",
  path: "/alert-rules/{id}",
  tags: ["Alerts"],
  security,
  summary: "Delete an alert rule (admin)",
  request: { params: RuleIdParam },
  responses: { ...noContent, ...errors },
});

const listAlerts = createRoute({
  method: "get",
  path: "/projects/{id}/alerts",
  tags: ["Alerts"],
  security,
  summary: "The delivery log: alerts sent, with every attempt",
  request: { params: ProjectIdParam, query: AlertListQuery },
  responses: {
    200: json(z.object({ data: z.array(AlertSchema), nextCursor: z.string().optional() }), "Alerts, newest first"),
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});

export const alertRoutes = newRouter()
  .openapi(listChannels, async (c) => {
    const list = await c.get("services").channels.list(c.req.valid("param").orgSlug, requireViewer(c).userId);
    return c.json({ data: list.map(presentChannel) }, 200);
  })
  .openapi(createChannel, async (c) => {
    const channel = await c.get("services").channels.create(c.req.valid("param").orgSlug, requireViewer(c).userId, c.req.valid("json"));
    return c.json({ ...presentChannel(channel), ...(channel.secret ? { secret: channel.secret } : {}) }, 201);
  })
  .openapi(deleteChannel, async (c) => {
    await c.get("services").channels.delete(c.req.valid("param").id, requireViewer(c).userId);
    return c.body(null, 204);
  })
  .openapi(testChannel, async (c) => {
    const body = c.req.valid("json") as { projectId?: number } | undefined;
    const result = await c.get("services").channels.test(c.req.valid("param").id, requireViewer(c).userId, body?.projectId);
    return c.json(
      { ok: result.ok, status: result.status, latencyMs: result.latencyMs, deliveryId: result.deliveryId, ...(result.error ? { error: result.error } : {}) },
      200,
    );
  })
  .openapi(listRules, async (c) => {
    const rules = await c.get("services").rules.list(c.req.valid("param").id, requireViewer(c).userId);
    return c.json({ data: rules.map(presentRule) }, 200);
  })
  .openapi(createRule, async (c) => {
    const rule = await c.get("services").rules.create(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentRule(rule), 201);
  })
  .openapi(updateRule, async (c) => {
    const rule = await c.get("services").rules.update(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("json"));
    return c.json(presentRule(rule), 200);
  })
  .openapi(deleteRule, async (c) => {
    await c.get("services").rules.delete(c.req.valid("param").id, requireViewer(c).userId);
    return c.body(null, 204);
  })
  .openapi(listAlerts, async (c) => {
    const result = await c.get("services").alertLog.list(c.req.valid("param").id, requireViewer(c).userId, c.req.valid("query"));
    return c.json({ data: result.rows.map(presentAlert), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) }, 200);
  });
