import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

export const IssueStatusSchema = z.enum(["unresolved", "resolved", "ignored"]).openapi("IssueStatus");
export const LevelSchema = z.enum(["fatal", "error", "warning", "info", "debug"]).openapi("Level");

export const IssueSchema = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    kind: z.enum(["error", "performance"]),
    title: z.string(),
    culprit: z.string(),
    type: z.string(),
    value: z.string(),
    level: LevelSchema,
    status: IssueStatusSchema,
    substatus: z.enum(["new", "ongoing", "regressed", "unignored"]),
    resolvedInRelease: z.string().nullable(),
    ignoredUntil: isoDate.nullable(),
    ignoredUntilCount: z.number().int().nullable(),
    count: z.number().int(),
    userCount: z.number().int(),
    firstSeen: isoDate,
    lastSeen: isoDate,
    firstRelease: z.string().nullable(),
    lastRelease: z.string().nullable(),
    groupingAlgorithm: z.string(),
    /** Events per hour over the last 24 hours, oldest first. */
    sparkline: z.array(z.number().int()),
  })
  .openapi("Issue");

export const IssueDetailSchema = IssueSchema.extend({
  histogram: z.array(z.object({ hour: isoDate, count: z.number().int() })).openapi({ description: "Events per hour over the last 14 days" }),
  tags: z.array(z.object({ key: z.string(), total: z.number().int(), values: z.array(z.object({ value: z.string(), count: z.number().int() })) })),
  latestEventId: z.string().nullable(),
  oldestEventId: z.string().nullable(),
}).openapi("IssueDetail");

export const IssueListQuery = z.object({
  query: z.string().max(500).optional().openapi({ example: "is:unresolved level:error checkout" }),
  status: IssueStatusSchema.optional(),
  environment: z.string().max(200).optional(),
  release: z.string().max(200).optional(),
  sort: z.enum(["lastSeen", "firstSeen", "events", "users"]).default("lastSeen"),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(100).optional(),
});

export const IssueIdParam = z.object({
  id: z.coerce.number({ error: "Issue ids are numbers." }).int().positive().max(Number.MAX_SAFE_INTEGER).openapi({ param: { name: "id", in: "path" }, example: 7 }),
});

export const UpdateIssueBody = z
  .strictObject({
    status: IssueStatusSchema,
    /** With status "resolved": events from the current release do not reopen it; a newer release does. */
    inNextRelease: z.boolean().optional(),
    /** With status "ignored": reopen at this time. */
    ignoreUntil: z.iso.datetime({ offset: true }).optional(),
    /** With status "ignored": reopen after this many more events. */
    ignoreCount: z.number().int().positive().max(1_000_000_000).optional(),
  })
  .openapi("UpdateIssueRequest");

export const BulkUpdateBody = UpdateIssueBody.extend({
  ids: z.array(z.number().int().positive()).min(1).max(100),
}).openapi("BulkUpdateIssuesRequest");

export const EventSummarySchema = z
  .object({
    eventId: z.string(),
    issueId: z.number().int().nullable(),
    timestamp: isoDate,
    level: LevelSchema,
    title: z.string(),
    release: z.string().nullable(),
    environment: z.string().nullable(),
    user: z.string().nullable(),
    url: z.string().nullable(),
  })
  .openapi("EventSummary");

export const EventListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(100).optional(),
});

export const EventParams = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).openapi({ param: { name: "id", in: "path" } }),
  eventId: z.string().regex(/^[0-9a-fA-F-]{32,36}$/, "Event ids are 32 hex characters.").openapi({ param: { name: "eventId", in: "path" } }),
});

export const EventDetailSchema = z
  .object({
    eventId: z.string(),
    issueId: z.number().int().nullable(),
    projectId: z.number().int(),
    previousEventId: z.string().nullable(),
    nextEventId: z.string().nullable(),
    attachments: z.array(z.object({ name: z.string(), size: z.number().int(), contentType: z.string() })),
    event: z.record(z.string(), z.unknown()).openapi({ description: "The full event as stored: normalized and scrubbed Sentry event JSON" }),
  })
  .openapi("EventDetail");

export const AttachmentParams = EventParams.extend({
  name: z.string().regex(/^[\w.-]{1,120}$/, "Not an attachment name.").openapi({ param: { name: "name", in: "path" } }),
});
