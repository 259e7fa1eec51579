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

/**
 * Whether a URL's hostname (as `new URL()` leaves it: decimal, hex and octal IPv4 forms such as 2130706433,
 * 0x7f.1 or 0177.0.0.1 are already normalised to dotted quads) names a host Vigil must not reach: loopback,
 * private, link-local (cloud metadata at 169.254.169.254), shared, reserved and multicast ranges, and the
 * IPv6 forms that embed an IPv4 address (mapped ::ffff:, compatible ::a.b.c.d, NAT64 64:ff9b::).
 * Names that resolve to such addresses cannot be caught here; on Cloudflare the Worker cannot reach
 * private networks in any case.
 */
export function isPrivateHost(hostname: string): boolean {
  // A trailing dot is the same host ("localhost." is localhost).
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.+$/, "");
  if (host === "" || host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return privateV4(Number(v4[1]), Number(v4[2]), Number(v4[3]));
  if (host.includes(":")) return privateV6(host);
  return false;
}

function privateV4(a: number, b: number, c: number): boolean {
  return (
    a === 0 || // "this network"; 0.0.0.0 reaches the local host
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast, reserved, broadcast
  );
}

/** The eight 16-bit groups of an IPv6 address as `new URL()` prints it (compressed, IPv4 tail already in hex). */
function groupsOf(host: string): number[] | undefined {
  const [head, tail, extra] = host.split("::");
  if (extra !== undefined) return undefined;
  const part = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = part(tail);
  if (tail === undefined) return h.length === 8 ? h : undefined;
  return [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
}

function privateV6(host: string): boolean {
  const g = groupsOf(host);
  if (!g || g.some((x) => Number.isNaN(x))) return true; // not an address we can read: refuse
  const embedded = () => privateV4(g[6]! >> 8, g[6]! & 255, g[7]! >> 8);
  if (g.slice(0, 7).every((x) => x === 0)) return true; // :: and ::1
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return true; // ::ffff:a.b.c.d, whatever the IPv4 address
  if (g.slice(0, 6).every((x) => x === 0)) return true; // ::a.b.c.d (IPv4-compatible, deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b) return embedded(); // NAT64 of an IPv4 address
  const first = g[0]!;
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xffc0) === 0xfec0 || // site-local fec0::/10 (deprecated)
    (first & 0xff00) === 0xff00 // multicast
  );
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
