/** Sentry's rate-limit categories, as named in X-Sentry-Rate-Limits. */
export type Category = "error" | "transaction" | "monitor" | "log_item" | "attachment" | "span" | "session";

export interface Admission {
  accepted: Category[];
  limited: { category: Category; retryAfter: number; reason: "rate_limited" | "quota_exceeded" }[];
}

/** The category an envelope item counts against, or undefined for items that are not counted (client reports). */
export function categoryOf(itemType: string): Category | undefined {
  switch (itemType) {
    case "event":
      return "error";
    case "transaction":
      return "transaction";
    case "check_in":
      return "monitor";
    case "log":
      return "log_item";
    case "attachment":
      return "attachment";
    case "span":
      return "span";
    case "session":
    case "sessions":
      return "session";
    default:
      return undefined;
  }
}

/** `X-Sentry-Rate-Limits: 60:error;transaction:project:rate_limited, ...` — integer seconds, as the SDK requires. */
export function rateLimitHeader(limited: Admission["limited"]): string {
  return limited.map((l) => `${l.retryAfter}:${l.category}:project:${l.reason}`).join(", ");
}
