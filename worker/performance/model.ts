/**
 * What Vigil keeps of one request (or job) it measured, whatever sent it: a Sentry `transaction` item or an
 * OpenTelemetry server span with its descendants. Times are epoch milliseconds (fractions allowed).
 */
export interface SpanRecord {
  spanId: string;
  parentSpanId: string | null;
  /** Sentry's op vocabulary: `db`, `db.query`, `cache.get`, `template.render`, `http.client`, `view.render`, … */
  op: string;
  /** SQL for db spans, the URL for http.client, the template name, … */
  description: string | null;
  start: number;
  end: number;
  status: string | null;
}

export interface TransactionRecord {
  /** 32 hex: the Sentry event id, or for OTLP the trace id + span id hashed. */
  eventId: string;
  traceId: string;
  spanId: string;
  /** The route: `"/products/<int:pk>/"` from Sentry's Django integration, `"GET /products/{pk}"` from OTLP. */
  name: string;
  op: string;
  /** Sentry span status (`ok`, `internal_error`, `not_found`, …). */
  status: string;
  httpStatus: number | null;
  start: number;
  end: number;
  environment: string | null;
  release: string | null;
  spans: SpanRecord[];
  source: "sentry" | "otlp";
}
