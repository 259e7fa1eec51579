import { SELF } from "cloudflare:test";

export const ORIGIN = "http://localhost:8787";

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

let counter = 0;
/** A unique email per call, so tests in one file never collide. */
export const uniqueEmail = (name = "user") =>
  `${name.replace(/[^a-z0-9]/gi, "").slice(0, 20) || "user"}.${Date.now().toString(36)}.${++counter}@example.com`;
export const PASSWORD = "correct horse battery staple";

/**
 * A browser-like client of the real Worker (through SELF, inside workerd): keeps the session cookie and
 * sends the same-origin Origin header on writes, as the dashboard does.
 */
export class Client {
  cookie: string | undefined;
  bearer: string | undefined;

  constructor(readonly origin = ORIGIN) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h = new Headers(headers);
    if (body !== undefined && !h.has("content-type")) h.set("content-type", "application/json");
    if (method !== "GET" && !h.has("origin") && !headers["x-no-origin"]) h.set("origin", this.origin);
    h.delete("x-no-origin");
    if (this.cookie && !h.has("cookie")) h.set("cookie", `vigil_session=${this.cookie}`);
    if (this.bearer && !h.has("authorization")) h.set("authorization", `Bearer ${this.bearer}`);
    const res = await SELF.fetch(`${this.origin}/api/v1${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get("set-cookie");
    const match = setCookie?.match(/vigil_session=([^;]*)/);
    if (match) this.cookie = match[1] || undefined;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text so the assertion shows it
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get = <T = any>(path: string, headers?: Record<string, string>) => this.request<T>("GET", path, undefined, headers);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.request<T>("POST", path, body, headers);
  patch = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.request<T>("PATCH", path, body, headers);
  delete = <T = any>(path: string, headers?: Record<string, string>) => this.request<T>("DELETE", path, undefined, headers);
}

export interface SignedUp {
  client: Client;
  email: string;
  userId: string;
  orgSlug: string;
}

/** Sign up a fresh user through the real API; the client holds their session. */
export async function signUp(name = "user"): Promise<SignedUp> {
  const client = new Client();
  const email = uniqueEmail(name);
  const res = await client.post("/auth/signup", { email, password: PASSWORD, name });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { client, email, userId: res.body.user.id, orgSlug: res.body.organization.slug };
}

/** A signed-up user with one project. */
export async function withProject(name = "owner") {
  const user = await signUp(name);
  const project = await user.client.post(`/orgs/${user.orgSlug}/projects`, { name: "Shop" });
  if (project.status !== 201) throw new Error(`project failed: ${project.status} ${JSON.stringify(project.body)}`);
  return { ...user, project: project.body as { id: number; dsn: string; slug: string } };
}

/** Expect the one error shape and return its code. */
export function errorCode(reply: Reply): string {
  const body = reply.body as { error?: { code?: string; message?: string }; requestId?: string };
  if (!body?.error?.code || !body.error.message || !body.requestId) {
    throw new Error(`not the error shape: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return body.error.code;
}

/** The public key inside a DSN. */
export const keyOf = (dsn: string) => new URL(dsn).username;

/** Post one event to the Sentry `/store/` endpoint with the project's DSN key, as sentry-sdk 1.x does. */
export async function sendEvent(project: { id: number; dsn: string }, event: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${ORIGIN}/api/${project.id}/store/`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7`, ...headers },
    body: JSON.stringify(event),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** Poll until `check` returns a value (the queue consumer runs asynchronously), or fail after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
