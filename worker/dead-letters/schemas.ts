import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

export const DeadLetterSchema = z
  .object({
    key: z.string().openapi({ description: "Where the letter is kept in R2; pass it to replay", example: "dead-letters/42/2026-11-24-0b6f….json" }),
    id: z.string().openapi({ description: "The queue message id" }),
    kind: z.string().nullable().openapi({ description: "event, transaction or check_in", example: "event" }),
    eventId: z.string().nullable(),
    attempts: z.number().int().openapi({ description: "Deliveries tried before it was given up" }),
    deadAt: isoDate,
    message: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The queue message as it was sent, payload included" }),
  })
  .openapi("DeadLetter");

export const DeadLetterList = z.object({ data: z.array(DeadLetterSchema), nextCursor: z.string().nullable() }).openapi("DeadLetterList");

export const DeadLetterQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(1000).optional(),
});

export const ReplayBody = z
  .object({
    keys: z.array(z.string().max(300)).max(100).optional().openapi({ description: "Letters to replay; without it, up to 100 of the oldest" }),
  })
  .openapi("ReplayDeadLetters");

export const ReplayResult = z
  .object({
    replayed: z.number().int().openapi({ description: "Letters sent back to the ingest queue (and removed from the dead letters)" }),
    skipped: z.number().int().openapi({ description: "Keys that are not this project's letters, or no longer exist" }),
  })
  .openapi("ReplayResult");
