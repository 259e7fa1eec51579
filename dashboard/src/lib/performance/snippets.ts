// What a Django developer adds to get performance data: a sample rate in sentry_sdk.init, or an
// OpenTelemetry OTLP/HTTP trace exporter pointed at the project.

/** sentry_sdk.init with the Django integration and a sample rate, the project's DSN filled in. */
export function tracingSnippet(dsn: string): string {
	return `import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

sentry_sdk.init(
    dsn="${dsn || 'http://<key>@<vigil host>/<project id>'}",
    integrations=[DjangoIntegration()],
    traces_sample_rate=0.2,  # trace one request in five (1.0 while you try it out)
)`;
}

/** The OTLP/HTTP traces endpoint and key of a DSN (`http://<key>@host/<project id>`); placeholders without one. */
export function otlpTarget(dsn: string): { endpoint: string; key: string } {
	try {
		const u = new URL(dsn);
		const id = u.pathname.replace(/^\/+|\/+$/g, '');
		if (u.username && id) return { endpoint: `${u.protocol}//${u.host}/api/${id}/integration/otlp/v1/traces`, key: u.username };
	} catch {
		// no usable DSN: placeholders
	}
	return { endpoint: 'http://<vigil host>/api/<project id>/integration/otlp/v1/traces', key: '<DSN public key>' };
}
