// A small client for Vigil's management API with a cookie jar, for setting up data
// through the real API the way the dashboard does (cookie session + Origin header).

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiError {
  error: { code: string; message: string; details?: unknown[] };
  requestId: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

export interface Organization {
  id: string;
  slug: string;
  name: string;
  role: 'owner' | 'admin' | 'member';
  createdAt: string;
}

export interface Project {
  id: number;
  slug: string;
  name: string;
  platform: string;
  organization: { slug: string; name: string };
  dsn: string;
  createdAt: string;
}

export interface ProjectKey {
  id: string;
  label: string;
  publicKey: string;
  dsn: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
}

export class ApiClient {
  /** cookie name → value */
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json', Origin: this.baseUrl };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.Cookie = cookie;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    this.remember(response.headers.getSetCookie());
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  /** Like request(), but throws unless the status is the expected one. */
  async expect<T = unknown>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request<T>(method, path, body);
    if (response.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status}: ${response.text}`);
    }
    return response.body;
  }

  private remember(setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

let counter = 0;
/** A unique, valid email for this run. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}+${Date.now().toString(36)}${counter}@example.com`;
}

/** Sign up a new user through the API; the returned client carries the session cookie. */
export async function signUp(
  baseUrl: string,
  user: { email?: string; password?: string; name?: string } = {},
): Promise<{ api: ApiClient; user: User; organization: Organization; password: string }> {
  const api = new ApiClient(baseUrl);
  const password = user.password ?? 'correct horse battery staple';
  const body = await api.expect<{ user: User; organization: Organization }>(201, 'POST', '/api/v1/auth/signup', {
    email: user.email ?? uniqueEmail(),
    password,
    name: user.name ?? 'Test User',
  });
  return { api, user: body.user, organization: body.organization, password };
}
