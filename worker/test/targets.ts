// Real HTTP and TCP servers for uptime tests, started in Node by vitest's globalSetup on 127.0.0.1.
// A test creates a target (POST /targets), sets how it answers (POST /targets/:id/config), stops and
// starts its listening socket (connection refused while stopped), and reads which regions asked
// (GET /targets/:id/log). Probes name their region in the User-Agent, so a target can fail for some
// regions only, as a broken network path would.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface TargetBehaviour {
  status: number;
  body: string;
  contentType: string;
  delayMs: number;
  /** Regions (from the probe's User-Agent) answered with `failStatus` instead. */
  failRegions: string[];
  failStatus: number;
  headers: Record<string, string>;
}

interface Target {
  id: string;
  http: Server;
  tcp: TcpServer;
  httpPort: number;
  tcpPort: number;
  behaviour: TargetBehaviour;
  log: { at: number; region: string | null; method: string; path: string }[];
  sockets: Set<Socket>;
}

const defaults = (): TargetBehaviour => ({ status: 200, body: "OK", contentType: "text/plain", delayMs: 0, failRegions: [], failStatus: 503, headers: {} });

const listen = (server: Server | TcpServer, port = 0) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });

const close = (server: Server | TcpServer, sockets: Set<Socket>) =>
  new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });

async function newTarget(id: string): Promise<Target> {
  const t = { id, behaviour: defaults(), log: [], sockets: new Set<Socket>() } as unknown as Target;
  t.http = createHttpServer(async (req, res) => {
    const region = /region=([a-z]+)/.exec(req.headers["user-agent"] ?? "")?.[1] ?? null;
    t.log.push({ at: Date.now(), region, method: req.method ?? "GET", path: req.url ?? "/" });
    for await (const _ of req) {
      // drain the body
    }
    const b = t.behaviour;
    if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    const failing = region !== null && b.failRegions.includes(region);
    res.writeHead(failing ? b.failStatus : b.status, { "content-type": b.contentType, ...b.headers }).end(failing ? "region failure" : b.body);
  });
  t.http.on("connection", (s) => {
    t.sockets.add(s);
    s.on("close", () => t.sockets.delete(s));
  });
  t.tcp = createTcpServer((s) => s.end());
  t.httpPort = await listen(t.http);
  t.tcpPort = await listen(t.tcp);
  return t;
}

export async function startTargets(): Promise<{ url: string; server: Server; stop: () => Promise<void> }> {
  const targets = new Map<string, Target>();
  let next = 0;
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value ?? null));
    const describe = (t: Target) => ({ id: t.id, url: `http://127.0.0.1:${t.httpPort}`, tcp: `127.0.0.1:${t.tcpPort}` });
    if (req.method === "POST" && url.pathname === "/targets") {
      const t = await newTarget(String(++next));
      targets.set(t.id, t);
      return send(201, describe(t));
    }
    const m = /^\/targets\/(\d+)\/(config|stop|start|log)$/.exec(url.pathname);
    const t = m ? targets.get(m[1]!) : undefined;
    if (!m || !t) return send(404, { error: "no such target" });
    switch (m[2]) {
      case "config":
        t.behaviour = { ...defaults(), ...body };
        return send(200, describe(t));
      case "stop":
        await Promise.all([close(t.http, t.sockets), close(t.tcp, new Set())]);
        return send(200, describe(t));
      case "start":
        await listen(t.http, t.httpPort);
        await listen(t.tcp, t.tcpPort);
        return send(200, describe(t));
      default:
        return send(200, t.log);
    }
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stop: async () => {
      await Promise.all([...targets.values()].map((t) => Promise.all([t.http.listening ? close(t.http, t.sockets) : null, t.tcp.listening ? close(t.tcp, new Set()) : null])));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
