// Small helpers for benchmarks: start a wrangler dev server, run a bounded request loop, summarise.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

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

/** Start `wrangler dev` for a config; resolves to { base, stop } once `probePath` answers. */
export async function startWorker({ config, probePath = "/", migrate = false, vars = {} }) {
  const port = await freePort();
  const state = mkdtempSync(path.join(tmpdir(), "vigil-bench-"));
  if (migrate) await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state, "--config", config], { env: { ...env, CI: "true" } });
  const child = spawn(
    "wrangler",
    [
      "dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state,
      "--show-interactive-dev-session=false", "--log-level", "error",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { env, stdio: "ignore", detached: true },
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(base + probePath)).status < 500) break;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { base, stop: () => process.kill(-child.pid, "SIGTERM") };
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
  return { requests: latencies.length, rps: latencies.length / elapsed, p50: pct(50), p95: pct(95), p99: pct(99) };
}
