// Small helpers for benchmarks: start a wrangler dev server, run a bounded request loop, summarise.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

// The benchmark's Workers find each other (a queue producer its consumer in another process) through a dev
// registry of their own, never through the machine's shared one, where other `wrangler dev` sessions are listed.
const registry = mkdtempSync(path.join(tmpdir(), "vigil-bench-registry-"));
export const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_REGISTRY_PATH: registry,
  CLOUDFLARE_DEV_REGISTRY_PATH: registry,
};

// `wrangler dev` runs detached (its own process group, so stop() ends workerd too); whatever is still running
// when the benchmark exits — finished, failed or interrupted — is stopped.
const running = new Set();
process.on("exit", () => {
  for (const stop of running) stop();
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(1));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: "ignore", ...opts });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}`))));
  });
}

/**
 * Start `wrangler dev` for a config; resolves to { base, state, stop } once `probePath` answers. `state` is the
 * directory of local D1, R2 and Durable Objects: a new one unless given (another Worker's, to share its data).
 * `also`: configs of more Workers to run in the same `wrangler dev`, behind the first.
 */
export async function startWorker({ config, also = [], probePath = "/", migrate = false, vars = {}, state = mkdtempSync(path.join(tmpdir(), "vigil-bench-")) }) {
  const port = await freePort();
  if (migrate) await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state, "--config", config], { env: { ...env, CI: "true" } });
  const child = spawn(
    "wrangler",
    [
      "dev", ...[config, ...also].flatMap((c) => ["--config", c]), "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state,
      "--show-interactive-dev-session=false", "--log-level", "error",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { env, stdio: "ignore", detached: true },
  );
  const base = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (!running.delete(stop)) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  running.add(stop);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(base + probePath)).status < 500) return { base, state, stop };
    } catch {
      // starting
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      stop();
      throw new Error(`wrangler dev --config ${config} did not answer ${probePath} within 60 s (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Run `fn` with `concurrency` workers until `count` requests are done or `seconds` pass (both bounds always apply).
 * Returns latency percentiles (ms) and throughput.
 */
export async function load(fn, { count = 400, seconds = 20, concurrency = 2, warmup = 20 } = {}) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  async function worker() {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      await fn(i);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const result = { requests: latencies.length, rps: latencies.length / elapsed, p50: pct(50), p95: pct(95), p99: pct(99), elapsed };
  // For inTurns(); not enumerable, so results written to bench/results stay small.
  return Object.defineProperty(result, "latencies", { value: latencies, enumerable: false });
}

/**
 * Several loads measured in turns (a, b, a, b, …), each round a share of the requests, added up: on a VM whose
 * speed drifts by tens of percent from one minute to the next, each gets the same mix of fast and slow moments.
 * `loads`: name → [fn, options for `load`]. Returns name → the summed result.
 */
export async function inTurns(loads, rounds = 3) {
  const parts = Object.fromEntries(Object.keys(loads).map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, [fn, options]] of Object.entries(loads)) {
      const count = Math.ceil(options.count / rounds);
      parts[name].push(await load(fn, { ...options, count, seconds: options.seconds / rounds, warmup: r === 0 ? options.warmup : 2 }));
    }
  }
  return Object.fromEntries(
    Object.entries(parts).map(([name, results]) => {
      const latencies = results.flatMap((x) => x.latencies).sort((a, b) => a - b);
      const elapsed = results.reduce((n, x) => n + x.elapsed, 0);
      const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
      return [name, { requests: latencies.length, rps: latencies.length / elapsed, p50: pct(50), p95: pct(95), p99: pct(99) }];
    }),
  );
}

/** A management API call with the session cookie (and a same-origin Origin, as the dashboard sends); throws unless 2xx. */
export async function api(base, cookie, method, apiPath, body) {
  const res = await fetch(base + apiPath, { method, headers: { cookie, origin: base, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${apiPath}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** The headers sentry-sdk 2.x (Django) sends with a gzip envelope. */
export function sdkHeaders(key) {
  return {
    "content-type": "application/x-sentry-envelope",
    "content-encoding": "gzip",
    "user-agent": "sentry.python.django/2.75.0",
    "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7, sentry_client=sentry.python.django/2.75.0`,
  };
}
