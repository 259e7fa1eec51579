/** A stored line as the API shows it (search, one line, context, live tail). */
import type { StoredLine } from "./model";

/** RFC 3339 with all nine fractional digits. */
export function timestampOf(line: Pick<StoredLine, "ts" | "ns">): string {
  const iso = new Date(line.ts).toISOString();
  return `${iso.slice(0, 23)}${String(line.ns).padStart(6, "0")}Z`;
}

export const presentLine = (l: StoredLine) => ({
  id: String(l.id),
  timestamp: timestampOf(l),
  level: l.level,
  severity: l.severity,
  severityText: l.severityText,
  body: l.body,
  logger: l.logger,
  service: l.service,
  host: l.host,
  source: l.source,
  traceId: l.traceId,
  spanId: l.spanId,
  attributes: l.attributes,
});
