/**
 * Where alerts may be sent. Refused: anything but http(s), credentials in the URL, and — unless the
 * local-development setting ALERTS_ALLOW_PRIVATE_URLS is "true" — loopback, private and link-local hosts,
 * so a channel cannot be used to probe the network Vigil runs in.
 */
export function outgoingUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Not a valid URL.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Only http:// and https:// URLs can receive alerts.";
  if (url.username || url.password) return "Credentials in the URL are not allowed; put them in the path or use the signing secret.";
  if (!allowPrivate && isPrivateHost(url.hostname)) {
    return "Private, loopback and link-local addresses cannot receive alerts (set ALERTS_ALLOW_PRIVATE_URLS for local development).";
  }
  return undefined;
}

export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (host.includes(":")) {
    return host === "::1" || host === "::" || host.startsWith("fc") || host.startsWith("fd") || host.startsWith("fe80") || host.startsWith("::ffff:");
  }
  return false;
}

/** Show enough of a secret-bearing URL (a Slack webhook) to recognise it, not to use it. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const path = url.pathname;
    return `${url.protocol}//${url.host}${path.length > 12 ? `${path.slice(0, 10)}…${path.slice(-4)}` : path}`;
  } catch {
    return "(invalid URL)";
  }
}
