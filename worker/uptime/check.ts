import { connect } from "cloudflare:sockets";
import { outgoingUrlProblem } from "../alerts/urls";
import type { CheckStatus, ErrorClass, JsonAssertion, MonitorType, Region } from "./schema";

/** Everything a probe needs to check one monitor once. */
export interface CheckSpec {
  monitorId: number;
  type: MonitorType;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  expectedStatus: string[];
  keyword: string | null;
  keywordMode: "present" | "absent";
  jsonAssertion: JsonAssertion | null;
  maxResponseMs: number | null;
  followRedirects: boolean;
  timeoutMs: number;
}

export interface CheckResult {
  monitorId: number;
  region: Region;
  status: CheckStatus;
  httpStatus: number | null;
  latencyMs: number | null;
  errorClass: ErrorClass | null;
  error: string | null;
  excerpt: string | null;
  /** When the check started (ms since the epoch). */
  checkedAt: number;
}

/** Where a check may go beyond the monitor's own URL (which was checked when it was saved). */
export interface CheckOptions {
  /** ALERTS_ALLOW_PRIVATE_URLS: redirects may lead to loopback and private hosts (local development only). */
  allowPrivate: boolean;
}

/** Redirects followed before a check gives up, as browsers and fetch do. */
export const MAX_REDIRECTS = 10;

/** How much of a body is read to look for a keyword or a JSON value. */
const BODY_READ_LIMIT = 256 * 1024;
const EXCERPT_LENGTH = 500;

export const userAgent = (region: Region) => `Vigil-Uptime/1.0 (+region=${region})`;

/** `["2xx","3xx"]`, `["200","204"]` or a mix: does this status match? */
export function statusExpected(status: number, expected: string[]): boolean {
  const list = expected.length ? expected : ["2xx", "3xx"];
  return list.some((e) => {
    const v = e.trim().toLowerCase();
    if (/^[1-5]xx$/.test(v)) return Math.floor(status / 100) === Number(v[0]);
    return Number(v) === status;
  });
}

/** Follow `$.a.b[0]["c d"]` into a parsed JSON value; undefined when the path does not exist. */
export function readJsonPath(value: unknown, path: string): unknown {
  const tokens = [...path.replace(/^\$/, "").matchAll(/\.([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
  let current: unknown = value;
  for (const token of tokens) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

/** Sort a network failure into the classes the dashboard shows. */
export function classifyFailure(err: unknown): { errorClass: ErrorClass; error: string } {
  const e = err as { name?: string; message?: string };
  const message = String(e?.message ?? err);
  if (e?.name === "TimeoutError" || e?.name === "AbortError" || /timed? ?out/i.test(message)) return { errorClass: "timeout", error: message || "Timed out." };
  if (/dns|getaddrinfo|ENOTFOUND|EAI_AGAIN|name not resolved|resolve host|no such host/i.test(message)) return { errorClass: "dns", error: message };
  if (/tls|ssl|certificate|handshake/i.test(message)) return { errorClass: "tls", error: message };
  return { errorClass: "connect", error: message || "Connection failed." };
}

async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const all = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.byteLength, all.byteLength - offset));
    all.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(all);
}

const excerptOf = (text: string) => (text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text);

/** What the response says about the monitor, once its headers (and, when needed, its body) are in. */
function judge(spec: CheckSpec, status: number, text: string | null): { errorClass: ErrorClass; error: string } | null {
  if (!statusExpected(status, spec.expectedStatus)) return { errorClass: "status", error: `Answered ${status}; expected ${spec.expectedStatus.join(", ") || "2xx, 3xx"}.` };
  if (spec.keyword && text !== null) {
    const found = text.includes(spec.keyword);
    if (spec.keywordMode === "present" && !found) return { errorClass: "keyword", error: `"${spec.keyword}" is not in the response.` };
    if (spec.keywordMode === "absent" && found) return { errorClass: "keyword", error: `"${spec.keyword}" is in the response.` };
  }
  if (spec.jsonAssertion && text !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { errorClass: "assertion", error: "The response is not JSON." };
    }
    const found = readJsonPath(parsed, spec.jsonAssertion.path);
    if (JSON.stringify(found) !== JSON.stringify(spec.jsonAssertion.equals)) {
      return { errorClass: "assertion", error: `${spec.jsonAssertion.path} is ${found === undefined ? "missing" : JSON.stringify(found)}; expected ${JSON.stringify(spec.jsonAssertion.equals)}.` };
    }
  }
  return null;
}

/** A redirect the check refuses to follow (to a private address, a non-http scheme, or one too many). */
class RedirectRefused extends Error {}

/**
 * fetch, following redirects one hop at a time: each Location must pass the same rule as a monitor's URL,
 * so a public site answering `302 Location: http://169.254.169.254/` cannot make the probe read the metadata
 * service or the network Vigil runs in (fetch's own `redirect: "follow"` would go anywhere).
 */
async function fetchFollowing(spec: CheckSpec, init: RequestInit, options: CheckOptions): Promise<Response> {
  let url = spec.url;
  let { method, body } = init;
  for (let hop = 0; ; hop++) {
    const response = await fetch(url, { ...init, method, body, redirect: "manual" });
    const location = response.headers.get("location");
    if (!spec.followRedirects || response.status < 300 || response.status > 399 || response.status === 304 || !location) return response;
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new RedirectRefused(`More than ${MAX_REDIRECTS} redirects.`);
    const next = new URL(location, url).toString();
    const problem = outgoingUrlProblem(next, options.allowPrivate);
    if (problem) throw new RedirectRefused(`Redirected to ${next}, which is not followed: ${problem.replace("can receive alerts", "can be monitored").replace("cannot receive alerts", "cannot be monitored")}`);
    // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = undefined;
    }
    url = next;
  }
}

async function checkHttp(spec: CheckSpec, region: Region, started: number, options: CheckOptions): Promise<CheckResult> {
  const base = { monitorId: spec.monitorId, region, checkedAt: started };
  const signal = AbortSignal.timeout(spec.timeoutMs);
  let response: Response;
  try {
    response = await fetchFollowing(
      spec,
      {
        method: spec.method,
        headers: { "user-agent": userAgent(region), ...spec.headers },
        body: spec.body && spec.method !== "GET" && spec.method !== "HEAD" ? spec.body : undefined,
        signal,
      },
      options,
    );
  } catch (err) {
    if (err instanceof RedirectRefused) return { ...base, status: "down", httpStatus: null, latencyMs: null, excerpt: null, errorClass: "connect", error: err.message };
    return { ...base, status: "down", httpStatus: null, latencyMs: null, excerpt: null, ...classifyFailure(err) };
  }
  const needsBody = Boolean(spec.keyword || spec.jsonAssertion) || !statusExpected(response.status, spec.expectedStatus);
  let text: string | null = null;
  try {
    text = needsBody && spec.method !== "HEAD" ? await readLimited(response, BODY_READ_LIMIT) : null;
    if (!needsBody) await response.body?.cancel();
  } catch (err) {
    return { ...base, status: "down", httpStatus: response.status, latencyMs: null, excerpt: null, ...classifyFailure(err) };
  }
  const latencyMs = Date.now() - started;
  const failure = judge(spec, response.status, text);
  if (failure) return { ...base, status: "down", httpStatus: response.status, latencyMs, excerpt: text === null ? null : excerptOf(text), ...failure };
  const slow = spec.maxResponseMs !== null && latencyMs > spec.maxResponseMs;
  return {
    ...base,
    status: slow ? "degraded" : "up",
    httpStatus: response.status,
    latencyMs,
    errorClass: null,
    error: slow ? `Took ${latencyMs} ms; degraded above ${spec.maxResponseMs} ms.` : null,
    excerpt: null,
  };
}

/** `host:port` → the parts `connect()` wants. */
export function parseHostPort(target: string): { hostname: string; port: number } | null {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target.trim());
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { hostname: m[1]!, port } : null;
}

async function checkTcp(spec: CheckSpec, region: Region, started: number): Promise<CheckResult> {
  const base = { monitorId: spec.monitorId, region, checkedAt: started, httpStatus: null, excerpt: null };
  const address = parseHostPort(spec.url);
  if (!address) return { ...base, status: "down", latencyMs: null, errorClass: "connect", error: `"${spec.url}" is not host:port.` };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`No connection within ${spec.timeoutMs} ms.`), { name: "TimeoutError" })), spec.timeoutMs);
  });
  try {
    const socket = connect(address);
    socket.closed.catch(() => undefined); // refused connections reject `closed` too; `opened` reports it
    try {
      await Promise.race([socket.opened, timeout]);
    } finally {
      socket.close().catch(() => undefined);
    }
  } catch (err) {
    return { ...base, status: "down", latencyMs: null, ...classifyFailure(err) };
  } finally {
    clearTimeout(timer);
  }
  const latencyMs = Date.now() - started;
  const slow = spec.maxResponseMs !== null && latencyMs > spec.maxResponseMs;
  return { ...base, status: slow ? "degraded" : "up", latencyMs, errorClass: null, error: slow ? `Took ${latencyMs} ms; degraded above ${spec.maxResponseMs} ms.` : null };
}

/** Check one monitor once from this region. Never throws: every failure is a result. */
export async function runCheck(spec: CheckSpec, region: Region, options: CheckOptions = { allowPrivate: false }): Promise<CheckResult> {
  const started = Date.now();
  try {
    return spec.type === "tcp" ? await checkTcp(spec, region, started) : await checkHttp(spec, region, started, options);
  } catch (err) {
    return { monitorId: spec.monitorId, region, checkedAt: started, status: "down", httpStatus: null, latencyMs: null, excerpt: null, errorClass: "internal", error: String(err) };
  }
}
