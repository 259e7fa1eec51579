import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { ALERT_TYPES } from "./schema";

export const AlertTypeSchema = z.enum(ALERT_TYPES).openapi("AlertType");

export const ChannelSchema = z
  .object({
    id: z.string(),
    type: z.enum(["slack", "webhook", "email"]),
    name: z.string(),
    target: z.string().openapi({ description: "Where it sends: the email address, or the URL with its secret part masked" }),
    createdAt: isoDate,
  })
  .openapi("Channel");

export const NewChannelSchema = ChannelSchema.extend({
  secret: z.string().optional().openapi({ description: "Webhook channels: the `whsec_` signing secret. Shown only in this answer." }),
}).openapi("NewChannel");

export const NewChannelBody = z
  .strictObject({
    type: z.enum(["slack", "webhook", "email"]),
    name: z.string().trim().min(1, "Give the channel a name.").max(100),
    url: z.string().trim().max(2000).optional(),
    email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.")).optional(),
  })
  .openapi("NewChannelRequest");

export const ChannelIdParam = z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" } }) });

export const TestChannelBody = z
  .strictObject({ projectId: z.number().int().positive().optional().openapi({ description: "Link the test alert to this project's Alerts page" }) })
  .openapi("TestChannelRequest");

export const TestResultSchema = z
  .object({
    ok: z.boolean(),
    status: z.number().int().nullable().openapi({ description: "HTTP status the receiver answered (null for email or no answer)" }),
    latencyMs: z.number().int(),
    error: z.string().optional(),
    deliveryId: z.string(),
  })
  .openapi("TestAlertResult");

const level = z.enum(["fatal", "error", "warning", "info", "debug"]);

export const AlertRuleSchema = z
  .object({
    id: z.string(),
    projectId: z.number().int(),
    name: z.string(),
    events: z.array(AlertTypeSchema),
    channelIds: z.array(z.string()),
    environment: z.string().nullable(),
    minLevel: level.nullable(),
    frequencyCount: z.number().int().nullable(),
    frequencyMinutes: z.number().int().nullable(),
    logQuery: z.string().nullable().openapi({ description: "logs.threshold: the log search whose matching lines are counted" }),
    createdAt: isoDate,
  })
  .openapi("AlertRule");

const ruleFields = {
  name: z.string().trim().min(1, "Give the rule a name.").max(100),
  events: z.array(AlertTypeSchema).min(1, "Pick at least one event."),
  channelIds: z.array(z.string().max(64)).min(1, "Pick at least one channel.").max(20),
  environment: z.string().max(200).nullable().optional(),
  minLevel: level.nullable().optional(),
  frequencyCount: z.number().int().min(1).max(1_000_000).nullable().optional(),
  frequencyMinutes: z.number().int().min(1).max(24 * 60).nullable().optional(),
  logQuery: z.string().trim().min(1).max(1000).nullable().optional(),
};

export const NewRuleBody = z.strictObject(ruleFields).openapi("NewAlertRuleRequest");
export const UpdateRuleBody = z.strictObject(ruleFields).partial().openapi("UpdateAlertRuleRequest");
export const RuleIdParam = z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" } }) });

export const AlertSchema = z
  .object({
    id: z.string(),
    projectId: z.number().int().nullable(),
    ruleId: z.string().nullable(),
    channel: z.object({
      id: z.string().nullable().openapi({ description: "Null when the channel was deleted since" }),
      name: z.string(),
      type: z.enum(["slack", "webhook", "email"]),
      deleted: z.boolean(),
    }),
    type: z.enum([...ALERT_TYPES, "test"]),
    summary: z.string(),
    url: z.string(),
    status: z.enum(["pending", "sent", "failed"]),
    attempts: z.array(z.object({ at: isoDate, status: z.number().int().nullable(), latencyMs: z.number().int(), error: z.string().optional() })),
    suppressed: z.number().int().openapi({ description: "Repeats held back by deduplication since this one" }),
    createdAt: isoDate,
  })
  .openapi("Alert");

export const AlertListQuery = z.object({
  status: z.enum(["pending", "sent", "failed"]).optional(),
  type: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(100).optional(),
});
