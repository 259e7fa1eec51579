// Request-smuggling-looking requests, written byte by byte on raw sockets to a real Vigil (wrangler dev):
// Content-Length with Transfer-Encoding, two Content-Lengths, `chunked, identity`, obs-fold, a bad chunk
// size, an absolute-form URL to another host, a Host that is not Vigil's. Each carries a second request
// hidden in its body. The server answers each with a 4xx or one correct response — never two (the hidden
// request must not be answered as if it were the client's), never a 5xx — and never hangs; a normal
// request on a fresh connection works after each.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp, type Project } from './support/api.js';
import { startVigil, type Vigil } from './support/vigil.js';

/** No bytes for this long after the last ones: the server has said all it will say on this connection. */
const QUIET_MS = 1_500;
/** Nothing at all for this long: the server hangs. */
const HANG_MS = 8_000;

interface Exchange {
  responses: { status: number; headers: Record<string, string>; body: string }[];
  /** The server closed the connection (after answering, or instead of it). */
  closed: boolean;
  hung: boolean;
  raw: string;
}

/** Parse the HTTP/1.1 responses in `raw`, one after another (Content-Length, chunked, or to the end). */
function parseResponses(raw: Buffer): Exchange['responses'] {
  const out: Exchange['responses'] = [];
  let pos = 0;
  while (pos < raw.length) {
    const headEnd = raw.indexOf('\r\n\r\n', pos);
    if (headEnd === -1) break;
    const [statusLine = '', ...lines] = raw.subarray(pos, headEnd).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!match) break;
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    let bodyStart = headEnd + 4;
    let body = Buffer.alloc(0);
    const status = Number(match[1]);
    if (status === 204 || status === 304) {
      // no body
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = raw.indexOf('\r\n', bodyStart);
        if (lineEnd === -1) break;
        const size = parseInt(raw.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        bodyStart = lineEnd + 2;
        if (!size) {
          bodyStart += 2;
          break;
        }
        parts.push(raw.subarray(bodyStart, bodyStart + size));
        bodyStart += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      body = Buffer.from(raw.subarray(bodyStart, bodyStart + length));
      bodyStart += length;
    } else {
      body = Buffer.from(raw.subarray(bodyStart));
      bodyStart = raw.length;
    }
    out.push({ status, headers, body: body.toString('utf8') });
    pos = bodyStart;
  }
  return out;
}

/** Write `request` on a fresh connection and read until the server closes or falls quiet. */
function exchange(port: number, request: string): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let timer: NodeJS.Timeout;
    const finish = (hung: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      resolve({ responses: parseResponses(raw), closed, hung, raw: raw.toString('latin1') });
    };
    const wait = (ms: number, hung: boolean) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(hung), ms);
    };
    socket.on('connect', () => socket.write(Buffer.from(request, 'latin1')));
    socket.on('data', (data) => {
      chunks.push(data);
      wait(QUIET_MS, false);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish(false);
    });
    wait(HANG_MS, true);
  });
}

let vigil: Vigil;
let host: string;
let project: Project;
let key: string;

beforeAll(async () => {
  vigil = await startVigil('hostile');
  host = `127.0.0.1:${vigil.port}`;
  const { api, organization } = await signUp(vigil.baseUrl, { name: 'Hostile Tester' });
  project = await api.expect<Project>(201, 'POST', `/api/v1/orgs/${organization.slug}/projects`, { name: 'Shop' });
  key = new URL(project.dsn).username;
});

afterAll(async () => {
  await vigil?.stop();
});

/** A request hidden in a body: answered, it would be a second response to one request. */
const hidden = () => `GET /api/v1/openapi.json HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
const event = '{"message":"hostile framing","level":"error"}';
const store = () => `POST /api/${project.id}/store/ HTTP/1.1\r\nHost: ${host}\r\nX-Sentry-Auth: Sentry sentry_key=${key}, sentry_version=7\r\nContent-Type: application/json\r\n`;
const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

/**
 * `runtime500`: the local dev server (wrangler dev's proxy worker, or workerd's HTTP server for a second Host)
 * fails these with its own plain-text 500 before Vigil's Worker is called, then closes the connection. Vigil
 * cannot answer them (on Cloudflare the edge parses HTTP instead); the test holds the rest of the promise —
 * one response, closed, not Vigil's — and fails if Vigil itself ever answers one with a 5xx.
 */
const CASES: { name: string; request: () => string; runtime500?: true }[] = [
  {
    name: 'Content-Length and Transfer-Encoding: chunked (CL covers the hidden request)',
    request: () => {
      const body = `${chunk(event)}0\r\n\r\n${hidden()}`;
      return `${store()}Content-Length: ${Buffer.byteLength(body)}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
    },
  },
  {
    name: 'Transfer-Encoding: chunked and a short Content-Length (the chunks hide the request)',
    request: () => `${store()}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${chunk(event)}0\r\n\r\n${hidden()}`,
  },
  {
    name: 'two different Content-Length headers',
    request: () => `${store()}Content-Length: ${Buffer.byteLength(event)}\r\nContent-Length: ${Buffer.byteLength(event + hidden())}\r\n\r\n${event}${hidden()}`,
  },
  {
    name: 'Transfer-Encoding: chunked, identity',
    request: () => `${store()}Transfer-Encoding: chunked, identity\r\n\r\n${chunk(event)}0\r\n\r\n${hidden()}`,
  },
  {
    name: 'obs-fold continuation of Transfer-Encoding',
    request: () => `${store()}Content-Length: ${Buffer.byteLength(event + hidden())}\r\nTransfer-Encoding:\r\n chunked\r\n\r\n${event}${hidden()}`,
  },
  {
    name: 'obs-fold continuation of an ordinary header',
    request: () => `${store()}X-Note: first line\r\n  folded second line\r\nContent-Length: ${Buffer.byteLength(event)}\r\n\r\n${event}`,
  },
  {
    name: 'a chunked body with a chunk size that is not hex',
    request: () => `${store()}Transfer-Encoding: chunked\r\n\r\nzz\r\n${event}\r\n0\r\n\r\n${hidden()}`,
    runtime500: true,
  },
  {
    name: 'a chunked body with a chunk size past 2^64',
    request: () => `${store()}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n${event}\r\n0\r\n\r\n`,
    runtime500: true,
  },
  {
    name: 'absolute-form URL to another host',
    request: () => `GET http://evil.example/api/v1/openapi.json HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
  },
  {
    name: 'a Host header naming another host',
    request: () => `GET /api/v1/openapi.json HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
  },
  {
    name: 'two Host headers',
    request: () => `GET /api/v1/openapi.json HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\n\r\n`,
    runtime500: true,
  },
];

describe('request-smuggling-looking requests on raw sockets', () => {
  test('each is a 4xx or one correct response, never two, never a 5xx from Vigil, never a hang', async () => {
    const started = Date.now();
    // Each on its own connection, all at once: the quiet periods overlap.
    const results = await Promise.all(CASES.map(async (c) => ({ c, x: await exchange(vigil.port, c.request()) })));
    const problems: string[] = [];
    console.log(results.map(({ c, x }) => `${c.name}: ${x.responses.map((r) => r.status).join(', ') || 'no response'}${x.closed ? ' (closed)' : ''}`).join('\n'));
    for (const { c, x } of results) {
      const seen = `${c.name}: ${x.responses.map((r) => r.status).join(', ') || 'no response'}${x.closed ? ' (closed)' : ''}\n${x.raw.slice(0, 600)}`;
      if (x.hung) problems.push(`hung: ${seen}`);
      if (x.responses.length > 1) problems.push(`two responses to one request: ${seen}`);
      if (x.responses.length === 0 && !x.closed) problems.push(`neither answered nor closed: ${seen}`);
      for (const r of x.responses) {
        const fromVigil = /"requestId"/.test(r.body);
        if (r.status >= 500 && (fromVigil || !c.runtime500 || !x.closed)) problems.push(`5xx: ${seen}`);
        // A 200 to the OpenAPI request is Vigil's own document, its server Vigil's own origin, whatever the Host said.
        if (r.status === 200 && c.name.match(/host/i)) {
          const doc = JSON.parse(r.body) as { openapi?: string; servers?: { url: string }[] };
          if (!doc.openapi || doc.servers?.some((s) => s.url.includes('evil.example'))) problems.push(`answered as another host: ${seen}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(Date.now() - started).toBeLessThan(HANG_MS + 2_000);
  });

  test('a normal request on a fresh connection works afterwards, and so does ingest', async () => {
    const doc = await fetch(`${vigil.baseUrl}/api/v1/openapi.json`, { signal: AbortSignal.timeout(5_000) });
    expect(doc.status).toBe(200);
    await doc.arrayBuffer();
    const x = await exchange(vigil.port, `${store()}Content-Length: ${Buffer.byteLength(event)}\r\nConnection: close\r\n\r\n${event}`);
    expect(x.responses.map((r) => r.status)).toEqual([200]);
    expect(JSON.parse(x.responses[0]!.body)).toHaveProperty('id');
  });
});
