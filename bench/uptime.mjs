// Uptime benchmarks for `npm run bench`:
// 1. the cost of one scheduling round for 100 / 1,000 / 5,000 monitors, inside workerd (bench/uptime/);
// 2. the time from a site going down to the signed `monitor.down` webhook, and from it coming back to
//    `monitor.up`, with a real Vigil (wrangler dev) whose cron route is fired at every minute boundary
//    as the platform does. The site stops at a random second of the minute, so the time includes the
//    wait for the next round, the confirmation re-check and the delivery.
// Run alone with `node bench/uptime.mjs`.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { startWorker } from "./lib.mjs";

const MINUTE = 60_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function benchRounds() {
  const measured = spawnSync("vitest", ["run", "--config", "bench/uptime/vitest.config.ts"], { encoding: "utf8", env: process.env, timeout: 600_000 });
  const line = /UPTIME_ROUNDS (\[.*\])/.exec(`${measured.stdout}${measured.stderr}`)?.[1];
  if (!line) throw new Error(`the round measurement did not run (exit ${measured.status}):\n${measured.stderr.slice(-2000)}`);
  return JSON.parse(line);
}

function listen(handler, port = 0) {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

async function siteServer() {
  let server = await listen((req, res) => res.writeHead(200).end("ok"));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}/health-check/`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
    async start() {
      server = await listen((req, res) => res.writeHead(200).end("ok"), port);
    },
  };
}

/**
 * Outage → alert latency: `trials` sites, each with its own monitor (alerts of one monitor that goes down
 * twice in a few minutes are held back as flapping), all going down at random seconds of the same few
 * minutes and coming back a little later. Bounded by `budgetMs`.
 */
export async function benchAlertTime({ trials = 3, budgetMs = 6 * MINUTE } = {}) {
  const arrivals = [];
  const receiver = await listen((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const b = JSON.parse(body);
      arrivals.push({ at: Date.now(), type: b.type, monitorId: b.data?.monitorId });
      res.writeHead(200).end();
    });
  });
  const vigil = await startWorker({ config: "wrangler.toml", probePath: "/api/v1/openapi.json", migrate: true, vars: { ALERTS_ALLOW_PRIVATE_URLS: "true" } });
  let ticking = true;
  const sites = [];
  try {
    const headers = { origin: vigil.base, "content-type": "application/json" };
    const signup = await fetch(`${vigil.base}/api/v1/auth/signup`, { method: "POST", headers, body: JSON.stringify({ email: `uptime.${Date.now()}@example.com`, password: "correct horse battery staple" }) });
    const cookie = signup.headers.get("set-cookie").split(";")[0];
    const org = (await signup.json()).organization.slug;
    const post = async (path, body) => {
      const res = await fetch(`${vigil.base}/api/v1${path}`, { method: "POST", headers: { ...headers, cookie }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    await post(`/orgs/${org}/channels`, { type: "webhook", name: "bench", url: `http://127.0.0.1:${receiver.address().port}/hook` });
    const project = await post(`/orgs/${org}/projects`, { name: "Bench" });
    for (let i = 0; i < trials; i++) {
      const site = await siteServer();
      const monitor = await post(`/projects/${project.id}/monitors`, { name: `Bench site ${i + 1}`, url: site.url });
      sites.push({ site, monitorId: monitor.id });
    }

    // The platform's cron: the scheduled route at every minute boundary.
    (async () => {
      while (ticking) {
        const next = Math.ceil((Date.now() + 1) / MINUTE) * MINUTE;
        await sleep(next - Date.now());
        if (!ticking) break;
        fetch(`${vigil.base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}&time=${next}`).catch(() => undefined);
      }
    })();

    const end = Date.now() + budgetMs;
    const waitFor = async (type, monitorId, after) => {
      while (Date.now() < end) {
        const hit = arrivals.find((a) => a.type === type && a.monitorId === monitorId && a.at >= after);
        if (hit) return hit.at;
        await sleep(100);
      }
      return null;
    };
    await sleep(Math.ceil(Date.now() / MINUTE) * MINUTE - Date.now() + 5000); // one healthy round first
    const results = await Promise.all(
      sites.map(async ({ site, monitorId }) => {
        await sleep(Math.random() * MINUTE);
        await site.stop();
        const downAt = Date.now();
        const alerted = await waitFor("monitor.down", monitorId, downAt);
        await sleep(Math.random() * 10_000);
        await site.start();
        const upAt = Date.now();
        const recovered = await waitFor("monitor.up", monitorId, upAt);
        return { downToAlertMs: alerted && alerted - downAt, upToAlertMs: recovered && recovered - upAt };
      }),
    );
    return { intervalSeconds: 60, trials: results, deliveries: arrivals.map((a) => a.type) };
  } finally {
    ticking = false;
    vigil.stop();
    receiver.close();
    await Promise.all(sites.map(({ site }) => site.stop().catch(() => undefined)));
  }
}

export function printRounds(rounds) {
  console.log("| round | checks | wall ms | same fetches, no Vigil (ms) | subrequests of the cron invocation (probe calls + D1) | max checks per probe call | D1 statements |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rounds) {
    console.log(`| ${r.scenario} | ${r.checks ?? 0} | ${r.wallMs} | ${r.plainFetchMs ?? "–"} | ${r.probeCalls + r.d1Calls} (${r.probeCalls} + ${r.d1Calls}) | ${r.maxChecksPerProbeCall} | ${r.d1Statements} |`);
  }
}

export function printAlertTime(a) {
  const ok = a.trials.filter((t) => t.downToAlertMs !== null);
  const s = (ms) => (ms === null ? "no alert" : `${(ms / 1000).toFixed(1)} s`);
  console.log(`\nUptime alert time (interval ${a.intervalSeconds} s, ${a.trials.length} outages at random seconds of the minute):`);
  for (const t of a.trials) console.log(`- down → monitor.down ${s(t.downToAlertMs)}; back up → monitor.up ${s(t.upToAlertMs)}`);
  console.log(`deliveries: ${a.deliveries.join(", ")}; worst down → alert ${s(Math.max(...ok.map((t) => t.downToAlertMs)))} (goal: within 2 intervals = ${2 * a.intervalSeconds} s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = benchRounds();
  printRounds(rounds);
  printAlertTime(await benchAlertTime());
}
