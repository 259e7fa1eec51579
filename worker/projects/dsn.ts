/**
 * The DSN a Django app pastes into `sentry_sdk.init(dsn=...)`: `scheme://KEY@host[:port][/prefix]/PROJECT_ID`.
 * `origin` is the public base URL of this Vigil (PUBLIC_URL, or the URL the request came in on).
 */
export function dsnFor(origin: string, publicKey: string, projectId: number): string {
  const base = new URL(origin);
  const prefix = base.pathname.replace(/\/+$/, "");
  return `${base.protocol}//${publicKey}@${base.host}${prefix}/${projectId}`;
}

/** The public origin: PUBLIC_URL when configured, else the origin of the request. */
export function publicOrigin(configured: string | undefined, requestUrl: string): string {
  if (configured && /^https?:\/\//.test(configured)) return configured.replace(/\/+$/, "");
  return new URL(requestUrl).origin;
}
