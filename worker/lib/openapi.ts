import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { ZodType } from "zod";
import type { HonoEnv } from "../env";
import { ApiError } from "./errors";

/** A router whose validation failures become the one error shape (400 validation_failed). */
export function newRouter() {
  return new OpenAPIHono<HonoEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const details = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join(".") || "(body)",
        message:
          issue.code === "unrecognized_keys"
            ? `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}.`
            : issue.message,
      }));
      const first = details[0];
      const message = first ? `${first.path === "(body)" ? "" : `${first.path}: `}${first.message}` : "Invalid request.";
      throw new ApiError("validation_failed", message, details);
    },
  });
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not_found" }),
      message: z.string().openapi({ example: "Project not found." }),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
    requestId: z.string(),
  })
  .openapi("Error");

const errorContent = { "application/json": { schema: ErrorSchema } };

/** The error answers every route can give; add route-specific ones on top. */
export const errors = {
  400: { description: "Invalid request body or parameters", content: errorContent },
  401: { description: "Not signed in, or a wrong API token", content: errorContent },
  403: { description: "Signed in, but not allowed (role, or CSRF check failed)", content: errorContent },
  404: { description: "Not found, or not visible to you", content: errorContent },
} as const;

export const conflict = { 409: { description: "Conflicts with existing data", content: errorContent } } as const;
export const throttled = { 429: { description: "Too many attempts; see Retry-After", content: errorContent } } as const;

export function jsonBody<T extends ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}

export function json<T extends ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

export const noContent = { 204: { description: "Done; no body" } } as const;

export const cookieAuth: Record<string, string[]>[] = [{ session: [] }, { bearer: [] }];

/** `{ data: [...] }`, the shape of every list. */
export function listOf<T extends ZodType>(item: T) {
  return z.object({ data: z.array(item) });
}

/** Dates leave the API as ISO 8601 UTC strings. */
export const isoDate = z.string().openapi({ format: "date-time", example: "2026-11-23T20:15:00.000Z" });
export const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
