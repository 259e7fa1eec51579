// What a Django developer pastes to start sending to Vigil.

export const PIP_INSTALL = 'pip install --upgrade sentry-sdk';

/** The settings.py snippet with the project's DSN filled in. */
export function djangoSnippet(dsn: string): string {
	return `import sentry_sdk

sentry_sdk.init(
    dsn="${dsn}",
    environment="production",
    release="my-app@1.0.0",
    traces_sample_rate=0.2,   # performance: share of requests traced
    send_default_pii=False,
    enable_logs=True,         # Python logging → Vigil Logs
)`;
}
