// How log lines get to Vigil, with the project's DSN filled in: the Sentry SDK's `enable_logs`, an
// OpenTelemetry OTLP/HTTP log exporter, or a log shipper (Vector, Fluent Bit) posting JSON lines or
// Promtail / Alloy / Fluent Bit pushing to the Loki API. All authenticate with the DSN's public key.

export interface LogDoors {
	/** JSON object, array or NDJSON lines. */
	jsonLines: string;
	/** The Loki push API. */
	loki: string;
	/** OTLP/HTTP logs. */
	otlp: string;
	host: string;
	/** The DSN's public key, sent as `Authorization: Bearer <key>`. */
	key: string;
}

/** The ingest addresses of a DSN (`http://<key>@host/<project id>`); placeholders without one. */
export function logDoors(dsn: string): LogDoors {
	try {
		const u = new URL(dsn);
		const id = u.pathname.replace(/^\/+|\/+$/g, '');
		if (u.username && id) {
			const base = `${u.protocol}//${u.host}/api/${id}`;
			return { jsonLines: `${base}/logs/`, loki: `${base}/loki/api/v1/push`, otlp: `${base}/integration/otlp/v1/logs`, host: u.host, key: u.username };
		}
	} catch {
		// no usable DSN: placeholders
	}
	const base = 'http://<vigil host>/api/<project id>';
	return { jsonLines: `${base}/logs/`, loki: `${base}/loki/api/v1/push`, otlp: `${base}/integration/otlp/v1/logs`, host: '<vigil host>', key: '<DSN public key>' };
}

/** sentry_sdk.init with logs on: Python `logging` records at INFO and above become log lines. */
export function sentryLogsSnippet(dsn: string): string {
	return `import sentry_sdk

sentry_sdk.init(
    dsn="${dsn || 'http://<key>@<vigil host>/<project id>'}",
    enable_logs=True,  # Python logging (INFO and above) → Vigil Logs
)`;
}

/** Vector's http sink, one JSON object per line. */
export function vectorSnippet(doors: LogDoors): string {
	return `[sinks.vigil]
type = "http"
inputs = ["app_logs"]
uri = "${doors.jsonLines}"
encoding.codec = "json"
framing.method = "newline_delimited"
auth.strategy = "bearer"
auth.token = "${doors.key}"`;
}

/** A line by hand, to try it out. */
export function curlSnippet(doors: LogDoors): string {
	return `curl -sS ${doors.jsonLines} \\
  -H "Authorization: Bearer ${doors.key}" \\
  -H "Content-Type: application/x-ndjson" \\
  --data-binary '{"level":"info","logger":"shop.orders","message":"Hello from curl"}'`;
}
