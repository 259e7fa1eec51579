/**
 * Live tail: each viewer is a hibernating WebSocket on the project's LogStore, tagged with its query. New lines
 * that match are pushed as they are stored, at most `TAIL_RATE` lines a second per viewer; beyond that a viewer
 * is told how many it missed, so a firehose cannot freeze a browser.
 *
 * Server → viewer: `{"type":"lines","lines":[LogLine...]}` (as the search API shows them), `{"type":"skipped","count":n}` and `{"type":"hello","q":...}`.
 * Viewer → server: `{"type":"query","q":"..."}` changes the filter; `{"type":"ping"}` is answered `{"type":"pong"}`.
 */
import type { StoredLine } from "./model";
import { presentLine } from "./present";
import { matcher, parseQuery } from "./query";

/** Lines per second sent to one viewer. */
export const TAIL_RATE = 100;
/** Viewers per project. */
export const TAIL_VIEWERS = 50;

interface Viewer {
  q: string;
}

interface Budget {
  second: number;
  sent: number;
  skipped: number;
  reminder?: ReturnType<typeof setTimeout>;
}

export class TailHub {
  private readonly matchers = new Map<string, (line: StoredLine) => boolean>();
  private readonly budgets = new WeakMap<WebSocket, Budget>();

  private matcherFor(q: string) {
    let m = this.matchers.get(q);
    if (!m) {
      m = matcher(parseQuery(q));
      if (this.matchers.size > 200) this.matchers.clear();
      this.matchers.set(q, m);
    }
    return m;
  }

  broadcast(sockets: WebSocket[], lines: StoredLine[], now = Date.now()): void {
    for (const ws of sockets) {
      const viewer = ws.deserializeAttachment() as Viewer | null;
      if (!viewer) continue;
      let matches: (line: StoredLine) => boolean;
      try {
        matches = this.matcherFor(viewer.q);
      } catch {
        continue;
      }
      const hits = lines.filter(matches);
      if (hits.length === 0) continue;
      const second = Math.floor(now / 1000);
      let budget = this.budgets.get(ws);
      if (!budget || budget.second !== second) {
        if (budget?.reminder) clearTimeout(budget.reminder);
        if (budget?.skipped) this.send(ws, { type: "skipped", count: budget.skipped });
        budget = { second, sent: 0, skipped: 0 };
        this.budgets.set(ws, budget);
      }
      const room = Math.max(0, TAIL_RATE - budget.sent);
      // Newest lines matter most in a tail: when over the rate, the latest ones of the batch are sent.
      const sent = hits.slice(Math.max(0, hits.length - room));
      budget.sent += sent.length;
      budget.skipped += hits.length - sent.length;
      if (sent.length) this.send(ws, { type: "lines", lines: sent.map(presentLine) });
      else if (budget.skipped >= TAIL_RATE) {
        this.send(ws, { type: "skipped", count: budget.skipped });
        budget.skipped = 0;
      }
      // Said at the end of the second even when no line follows (a flood, then silence).
      if (budget.skipped > 0 && !budget.reminder) {
        const b = budget;
        b.reminder = setTimeout(() => {
          b.reminder = undefined;
          if (b.skipped > 0) this.send(ws, { type: "skipped", count: b.skipped });
          b.skipped = 0;
        }, Math.max(1, (second + 1) * 1000 - now));
      }
    }
  }

  private send(ws: WebSocket, message: unknown) {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // The viewer went away; its close handler forgets it.
    }
  }

  onMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message !== "string" || message.length > 4000) return;
    let parsed: { type?: unknown; q?: unknown };
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (parsed.type === "ping") this.send(ws, { type: "pong" });
    if (parsed.type === "query" && typeof parsed.q === "string") {
      try {
        parseQuery(parsed.q);
      } catch (e) {
        this.send(ws, { type: "error", message: e instanceof Error ? e.message : "Bad query." });
        return;
      }
      ws.serializeAttachment({ q: parsed.q } satisfies Viewer);
      this.send(ws, { type: "hello", q: parsed.q });
    }
  }

  forget(ws: WebSocket): void {
    this.budgets.delete(ws);
  }
}

/** Accept a viewer's WebSocket (the route has checked access and the query). */
export function tailSocket(ctx: DurableObjectState, request: Request, _hub: TailHub): Response {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("Expected a WebSocket upgrade.", { status: 426 });
  if (ctx.getWebSockets().length >= TAIL_VIEWERS) return new Response("Too many live tails open on this project.", { status: 429 });
  const q = new URL(request.url).searchParams.get("q") ?? "";
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  ctx.acceptWebSocket(server);
  server.serializeAttachment({ q } satisfies Viewer);
  server.send(JSON.stringify({ type: "hello", q }));
  return new Response(null, { status: 101, webSocket: client });
}
