import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

export const ProjectSchema = z
  .object({
    id: z.number().int().openapi({ example: 42 }),
    slug: z.string().openapi({ example: "shop" }),
    name: z.string().openapi({ example: "Shop" }),
    platform: z.literal("django"),
    organization: z.object({ slug: z.string(), name: z.string() }),
    dsn: z.string().openapi({
      description: "DSN of the oldest active key; empty when every key is revoked",
      example: "https://0123456789abcdef0123456789abcdef@vigil.example.com/42",
    }),
    settings: z.object({
      rateLimitPerMinute: z.number().int().openapi({ description: "Items accepted per minute per category before 429" }),
      monthlyQuota: z.number().int().openapi({ description: "Items accepted per calendar month (UTC) per category before 429" }),
      storeIp: z.boolean().openapi({ description: "Keep client IP addresses on events" }),
      scrubFields: z.array(z.string()).openapi({ description: "Extra field names to scrub, beyond the built-in list" }),
      apdexThresholdMs: z.number().int().openapi({ description: "Apdex T in ms: requests up to T satisfy, up to 4T are tolerated" }),
      logsHotDays: z.number().int().openapi({ description: "Days log lines stay full-text indexed (search, live tail) before they move to the archive" }),
      logsRetentionDays: z.number().int().openapi({ description: "Days log lines are kept at all, hot and archived" }),
      eventsRetentionDays: z.number().int().openapi({ description: "Days error and performance events (with their attachments) are kept; an issue is deleted with its last event" }),
      checksRetentionDays: z.number().int().openapi({ description: "Days the hourly uptime check history is kept (raw checks are folded into it after 48 hours)" }),
      transactionsRetentionDays: z.number().int().openapi({ description: "Days stored transactions (traces) are kept; the performance rollups are kept by resolution" }),
    }),
    createdAt: isoDate,
  })
  .openapi("Project");

const projectName = z.string().trim().min(1, "Give the project a name.").max(100, "Name must be at most 100 characters.");

export const NewProjectBody = z
  .strictObject({ name: projectName, platform: z.literal("django").default("django") })
  .openapi("NewProjectRequest");

export const UpdateProjectBody = z
  .strictObject({
    name: projectName.optional(),
    rateLimitPerMinute: z.number().int().min(1).max(10_000_000).optional(),
    monthlyQuota: z.number().int().min(1).max(10_000_000_000).optional(),
    storeIp: z.boolean().optional(),
    scrubFields: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
    apdexThresholdMs: z.number().int().min(1).max(60_000).optional(),
    logsHotDays: z.number().int().min(1).max(30).optional(),
    logsRetentionDays: z.number().int().min(1).max(400).optional(),
    eventsRetentionDays: z.number().int().min(1).max(400).optional(),
    checksRetentionDays: z.number().int().min(7).max(400).optional(),
    transactionsRetentionDays: z.number().int().min(1).max(90).optional(),
  })
  .openapi("UpdateProjectRequest");

export const ProjectIdParam = z.object({
  id: z.coerce
    .number({ error: "Project ids are numbers." })
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: "id", in: "path" }, example: 42 }),
});

export const ProjectKeySchema = z
  .object({
    id: z.string(),
    label: z.string(),
    publicKey: z.string(),
    dsn: z.string(),
    status: z.enum(["active", "revoked"]),
    createdAt: isoDate,
    revokedAt: isoDate.nullable(),
  })
  .openapi("ProjectKey");

export const NewKeyBody = z
  .strictObject({ label: z.string().trim().min(1).max(100).default("Default") })
  .openapi("NewProjectKeyRequest");

export const KeyParams = ProjectIdParam.extend({
  keyId: z.string().max(64).openapi({ param: { name: "keyId", in: "path" } }),
});

export const ExportQuery = z.object({
  after: z
    .string()
    .regex(/^[\w-]{1,64}$/, "Not an event id.")
    .optional()
    .openapi({ description: "Continue after this event id (the `next` link of the previous part)" }),
});

export const ProjectExportSchema = z
  .object({
    format: z.literal("vigil-export/1"),
    exportedAt: isoDate,
    project: ProjectSchema,
    issues: z.array(z.record(z.string(), z.unknown())).openapi({ description: "Every issue of the project, as the issues API presents them (first part only)" }),
    events: z
      .array(
        z.object({
          eventId: z.string(),
          issueId: z.number().int().nullable(),
          projectId: z.number().int(),
          attachments: z.array(z.object({ name: z.string(), size: z.number().int(), contentType: z.string() })),
          event: z.record(z.string(), z.unknown()),
        }),
      )
      .openapi({ description: "Stored events in event id order, in full as the event API answers them (without previous/next links)" }),
    next: z.string().optional().openapi({ description: "URL of the next part, when the project has more events than one document holds" }),
  })
  .openapi("ProjectExport");
