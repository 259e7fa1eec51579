// A real HTTP receiver for alert tests, started in Node by vitest's globalSetup on 127.0.0.1.
// It plays Slack or a webhook endpoint; a test configures a path's behaviour and the signing secret
// (POST /_config), then reads what arrived (GET /_log?path=). Webhook signatures are verified with
// the Standard Webhooks reference library, not with Vigil's code.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Webhook } from "standardwebhooks";

interface Behaviour {
  /** Status codes to answer in turn; the last one repeats. */
  statuses: number[];
  retryAfter?: number;
  secret?: string;
}

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  verified: boolean | null;
  at: number;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function startReceiver(): Promise<{ url: string; server: Server }> {
  const behaviours = new Map<string, Behaviour>();
  const log: Received[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await read(req);
    if (url.pathname === "/_config") {
      const { path, ...b } = JSON.parse(body) as Behaviour & { path: string };
      behaviours.set(path, b);
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === "/_log") {
      const path = url.searchParams.get("path");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(log.filter((r) => !path || r.path === path)));
      return;
    }
    const b = behaviours.get(url.pathname) ?? { statuses: [200] };
    const seen = log.filter((r) => r.path === url.pathname).length;
    const status = b.statuses[Math.min(seen, b.statuses.length - 1)]!;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let verified: boolean | null = null;
    if (b.secret) {
      try {
        new Webhook(b.secret).verify(body, headers);
        verified = true;
      } catch {
        verified = false;
      }
    }
    log.push({ path: url.pathname, headers, body, status, verified, at: Date.now() });
    res.writeHead(status, b.retryAfter && status === 429 ? { "retry-after": String(b.retryAfter) } : {}).end(status < 300 ? "ok" : "no");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}
