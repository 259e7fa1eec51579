/**
 * The payload of a Sentry envelope item of type `log` (`application/vnd.sentry.items.log+json`), as sentry-python 2.x
 * sends it from `sentry_sdk.logger.*` and from stdlib `logging` (LoggingIntegration, `enable_logs=True`):
 *
 *   {"version": 2, "items": [{"timestamp": 1763900000.1234567, "level": "warn", "body": "…",
 *     "trace_id": "<32 hex>", "span_id": "<16 hex>",
 *     "attributes": {"logger.name": {"value": "shop.orders", "type": "string"}, …}}]}
 *
 * Older SDKs send the same without `version`, with `"trace_id": "00000000-0000-0000-0000-000000000000"` when there is
 * no trace and `"span_id": null`. Attribute names come from sentry-python's code, not a spec:
 * - `logger.name` (stdlib records only) → logger; `server.address` (the `server_name` option, the machine's hostname
 *   by default) → host; `service.name` (never set by the Python SDK; other SDKs or `before_send_log` may) → service;
 * - `sentry.severity_number` / `sentry.severity_text` → severity (always set, duplicating `level`);
 * - everything else stays an attribute: `sentry.environment`, `sentry.release`, `sentry.sdk.*`, `sentry.origin`,
 *   `sentry.message.template` and `sentry.message.parameter.<name|index>`, `code.file.path`, `code.line.number`,
 *   `code.function.name`, `thread.*`, `process.*`, `user.*` and the caller's own.
 */
import { ApiError } from "../../lib/errors";
import type { AttributeValue, DecodedLogs } from "../model";
import { flattenInto, isPlainObject, levelOf, LineCollector, parseTimestamp, safeStringify, show } from "../normalize";

const malformed = (message: string) => new ApiError("malformed_body", message);

const INTEGER = /^-?\d{1,19}$/;

/** A typed attribute `{value, type}`; integers and doubles sent as strings are converted. Undefined: nothing usable. */
function typedValue(entry: Record<string, unknown>): unknown {
  const { value, type } = entry;
  switch (type) {
    case "integer":
      if (typeof value === "string" && INTEGER.test(value.trim())) {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : value.trim();
      }
      return value;
    case "double":
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
      return value;
    case "boolean":
      if (value === "true" || value === "false") return value === "true";
      return value;
    case "string":
      return typeof value === "string" || value === null || value === undefined ? value : safeStringify(value);
    default:
      return value;
  }
}

function readAttributes(value: unknown): Map<string, AttributeValue> {
  const into = new Map<string, AttributeValue>();
  if (!isPlainObject(value)) return into;
  for (const [key, entry] of Object.entries(value)) {
    // The protocol's `{value, type}`; a bare value (hand-made payloads) is taken as it is.
    flattenInto(into, key, isPlainObject(entry) && "value" in entry ? typedValue(entry) : entry);
  }
  return into;
}

/** Take a string attribute out of the map (it becomes a field of its own). */
function take(attributes: Map<string, AttributeValue>, key: string): string | null {
  const value = attributes.get(key);
  if (typeof value !== "string" || value === "") return null;
  attributes.delete(key);
  return value;
}

/** The body is a string; anything else a sender put there is kept as JSON text. */
const bodyText = (body: unknown) => (typeof body === "string" ? body : body === undefined || body === null ? "" : safeStringify(body));

export function readSentryLogItem(json: unknown, receivedAt: number): DecodedLogs {
  if (!isPlainObject(json)) {
    throw malformed('A log item\'s payload must be a JSON object: {"version": 2, "items": [...]}.');
  }
  if (!Array.isArray(json.items)) {
    throw malformed(`A log item's payload must have an "items" array of log lines, not ${show(json.items)}.`);
  }
  const out = new LineCollector(receivedAt);
  json.items.forEach((item: unknown, i) => {
    if (out.full) return out.refuse();
    if (!isPlainObject(item)) return out.reject(`Log line ${i + 1} is ${show(item)}, not a JSON object.`);

    const attributes = readAttributes(item.attributes);
    const severityNumber = attributes.get("sentry.severity_number") ?? item.severity_number;
    const severityText = take(attributes, "sentry.severity_text");
    attributes.delete("sentry.severity_number");
    const levelText = typeof item.level === "string" ? item.level : severityText;

    out.add({
      time: parseTimestamp(item.timestamp),
      level: levelOf(levelText, typeof severityNumber === "number" ? severityNumber : null),
      body: bodyText(item.body),
      logger: take(attributes, "logger.name"),
      service: take(attributes, "service.name"),
      host: take(attributes, "server.address"),
      source: null,
      traceId: typeof item.trace_id === "string" ? item.trace_id : null,
      spanId: typeof item.span_id === "string" ? item.span_id : null,
      attributes,
    });
  });
  return out.result();
}
