// `npm run bench`: the management API's hot paths and the errors ingest (bench/ingest.mjs) against a
// do-nothing Worker, measured in the same run on this machine. Results go to stdout (Markdown tables) and
// bench/results/<date>.json.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { benchAlerts } from "./alerts.mjs";
import { benchIngest, measureErrorProcessingAlone, printErrorProcessingAlone, printIngest } from "./ingest.mjs";
import { load, startWorker } from "./lib.mjs";
import { benchAlertTime, benchRounds, printAlertTime, printRounds } from "./uptime.mjs";
import { benchDetection, benchIdle, benchPings, printDetection, printIdle, printPings } from "./crons.mjs";
import { benchProcessingAlone, benchRoutesQuery, benchTransactions, printProcessingAlone, printRoutesQuery, printTransactions } from "./performance.mjs";
import { benchLogIngest, benchLogSearch, printLogIngest, printLogSearch } from "./logs.mjs";
import { benchTimeline, printTimeline } from "./timeline.mjs";
import { benchSideBySide, printSideBySide } from "./bugsink.mjs";
import { printSoak, setUpSoak, soak, startSoakVigil } from "./soak.mjs";

const ORIGIN_HEADER = (base) => ({ origin: base, "content-type": "application/json" });

async function expectOk(res, what) {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

const baseline = await startWorker({ config: "bench/baseline/wrangler.toml" });
// Alert channels in the alert benchmark point at a receiver on 127.0.0.1, as in local development.
const vigil = await startWorker({ config: "wrangler.toml", probePath: "/api/v1/openapi.json", migrate: true, vars: { ALERTS_ALLOW_PRIVATE_URLS: "true" } });
const rows = [];
let ingest;
let alerting;
let cronPings;
let cronIdle;
let perfTransactions;
let perfRoutes;
let logIngest;
let logSearch;
let timeline;
try {
  const { base } = vigil;
  const email = `bench.${Date.now()}@example.com`;
  const password = "correct horse battery staple";
  const signup = await fetch(`${base}/api/v1/auth/signup`, { method: "POST", headers: ORIGIN_HEADER(base), body: JSON.stringify({ email, password }) });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const cookie = signup.headers.get("set-cookie").split(";")[0];
  const org = (await signup.json()).organization.slug;

  rows.push(["do-nothing Worker (baseline)", await load(async () => expectOk(await fetch(baseline.base), "baseline"))]);
  rows.push(["GET /api/v1/me (session lookup in D1)", await load(async () => expectOk(await fetch(`${base}/api/v1/me`, { headers: { cookie } }), "me"))]);
  rows.push([
    "GET /api/v1/orgs/{org}/projects",
    await load(async () => expectOk(await fetch(`${base}/api/v1/orgs/${org}/projects`, { headers: { cookie } }), "projects")),
  ]);
  rows.push([
    "POST /api/v1/auth/login (PBKDF2, 100k iterations)",
    await load(
      async () => expectOk(await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: ORIGIN_HEADER(base), body: JSON.stringify({ email, password }) }), "login"),
      { count: 100, seconds: 20, warmup: 3 },
    ),
  ]);
  ingest = await benchIngest({ baseline, vigil, cookie, org });
  alerting = await benchAlerts({ vigil, cookie, org });
  cronPings = await benchPings({ baseline, vigil, cookie, org });
  cronIdle = await benchIdle({ vigil, cookie, org });
  perfTransactions = await benchTransactions({ vigil, baseline, cookie, org });
  logIngest = await benchLogIngest({ baseline, vigil, cookie, org });
  logSearch = await benchLogSearch({ vigil, cookie, org });
  // One busy project's day (100,000 events, 1 M log lines, 1 M transactions, monitors, crons) and its timeline.
  timeline = await benchTimeline({ vigil, cookie, org });
  // Last: it seeds about 1 GB of history into this Vigil's local D1.
  perfRoutes = await benchRoutesQuery({ vigil, cookie, org });
} finally {
  baseline.stop();
  vigil.stop();
  // The seeded performance history is about 1 GB of local D1.
  setTimeout(() => rmSync(vigil.state, { recursive: true, force: true }), 2000);
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
console.log(`\nMachine: ${machine}\nDate: ${date}\nLoad: 2 concurrent clients on 127.0.0.1, bounded by count and 20 s per row.\n`);
console.log("| scenario | requests | req/s | p50 ms | p95 ms | p99 ms |");
console.log("|---|---|---|---|---|---|");
for (const [name, r] of rows) {
  console.log(`| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} |`);
}

printIngest(ingest);
const al = alerting;
console.log(
  `\nAlerts: ${al.latency.alerts} of ${al.latency.sent} new issues reached the webhook receiver; ingest → delivery p50 ${al.latency.p50?.toFixed(0)} ms, ` +
    `p95 ${al.latency.p95?.toFixed(0)} ms (goal p95 < 2000 ms), max ${al.latency.max?.toFixed(0)} ms`,
);
console.log(
  `dedupe: ${al.burst.accepted} events of one issue (${al.burst.stored} stored in ${al.burst.seconds.toFixed(1)} s) → ${al.burst.deliveries} delivery (goal: exactly 1)`,
);
const processingAlone = measureErrorProcessingAlone();
printErrorProcessingAlone(processingAlone);
// Uptime: one scheduling round for 100 / 1,000 / 5,000 monitors, and outage → alert with a minute cron.
console.log("\nUptime rounds (inside workerd, 3 regions, local HTTP targets):\n");
const uptimeRounds = benchRounds();
printRounds(uptimeRounds);
const uptimeAlert = await benchAlertTime();
printAlertTime(uptimeAlert);

// Crons: ping accept rate, 10,000 idle monitors, and deadline → cron.missed with real alarms.
console.log("\nCrons:\n");
printPings(cronPings);
printIdle(cronIdle);
const cronDetection = await benchDetection();
printDetection(cronDetection);

// Performance: transactions accepted and processed, processing alone, the routes table over 10 M transactions.
console.log("\nPerformance:\n");
printTransactions(perfTransactions);
const perfAlone = benchProcessingAlone();
printProcessingAlone(perfAlone);
printRoutesQuery(perfRoutes);

// Logs: lines ingested per second, and search over a million lines.
console.log("\nLogs:\n");
printLogIngest(logIngest);
printLogSearch(logSearch);

// Timeline: one busy project's day on one time axis.
console.log("\nTimeline:\n");
printTimeline(timeline);

// Side by side with Bugsink (installed from PyPI into .wrangler/bench/bugsink-venv): only with BENCH_BUGSINK=1.
let bugsink;
if (process.env.BENCH_BUGSINK === "1") {
  bugsink = await benchSideBySide();
  printSideBySide(bugsink);
}

// Load and soak, only with BENCH_SOAK=1: mixed envelopes into a fresh Vigil, then every accepted item counted back
// and the worker's memory. 2 minutes at 20 operations/s unless SOAK_SECONDS / SOAK_RATE say otherwise; the
// 10-minute form with its ramp is `node bench/soak.mjs`.
let soakResult;
if (process.env.BENCH_SOAK === "1") {
  const soakVigil = await startSoakVigil();
  try {
    const { cookie, projects } = await setUpSoak(soakVigil.base);
    soakResult = await soak({ base: soakVigil.base, cookie, projects, state: soakVigil.state, seconds: Number(process.env.SOAK_SECONDS ?? 120), rate: Number(process.env.SOAK_RATE ?? 20) });
  } finally {
    await soakVigil.stop();
  }
  console.log("\nLoad and soak:");
  printSoak(soakResult);
}

mkdirSync("bench/results", { recursive: true });
writeFileSync(`bench/results/${date}.json`, JSON.stringify({ machine, date, rows, ingest, alerting, processingAlone, uptime: { rounds: uptimeRounds, alert: uptimeAlert }, crons: { pings: cronPings, idle: cronIdle, detection: cronDetection }, performance: { transactions: perfTransactions, alone: perfAlone, routes: perfRoutes }, logs: { ingest: logIngest, search: logSearch }, timeline, bugsink, soak: soakResult }, null, 2));
