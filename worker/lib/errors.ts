import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Machine-readable error codes. The same word appears in the API docs and the dashboard. */
export type ErrorCode =
  | "validation_failed"
  | "malformed_json"
  | "malformed_body"
  | "invalid_key"
  | "unauthenticated"
  | "invalid_credentials"
  | "forbidden"
  | "insufficient_scope"
  | "csrf_failed"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "too_many_requests"
  | "unavailable"
  | "internal_error";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  validation_failed: 400,
  malformed_json: 400,
  malformed_body: 400,
  invalid_key: 401,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  insufficient_scope: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal_error: 500,
};

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one error type of Vigil. Thrown anywhere, turned into the one JSON error shape by `onError`. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const notFound = (what: string) => new ApiError("not_found", `${what} not found.`);
export const forbidden = (message: string) => new ApiError("forbidden", message);

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
  requestId: string;
}

export function errorResponse(c: Context, err: ApiError): Response {
  const body: ErrorBody = {
    error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
    requestId: c.get("requestId") ?? "unknown",
  };
  return c.json(body, err.status, err.headers);
}
