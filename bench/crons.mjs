// Crons benchmarks:
// 1. benchPings — ping accept throughput and latency (`GET /ping/{key}/{slug}`, 2 concurrent clients, bounded by
//    count and seconds) against the do-nothing Worker in the same run: one monitor (every ping through the same
//    Durable Object), 100 monitors in turn, and a POST with a 2 KB log;
// 2. benchIdle — what armed cron monitors cost between pings: N monitors (default 10,000, in projects of 500,
//    each created and armed by its first ping), then a quiet window in which the Worker's CPU time is read
//    from /proc and the monitors' pending alarms are read from their Durable Objects' storage;
// 3. benchDetection — from a monitor's deadline (nextExpectedAt + checkinMargin, from the API) to the signed
//    `cron.missed` webhook at a receiver, for a few monitors (interval 1 minute, margin 1) with the real
//    Durable Object alarms of a fresh Vigil; then ping → `cron.recovered`. Bounded by `budgetMs`.
// Run alone with `node bench/crons.mjs` (all three, printed as Markdown).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { env, load, startWorker } from "./lib.mjs";

const MINUTE = 60_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A wrangler config for Vigil as it is now, frozen: the Worker bundled once (`wrangler deploy --dry-run`) into
 * .wrangler/bench/crons/, run without bundling, watching, or the dashboard's assets. In a checkout where other
 * people are editing, `wrangler dev` on wrangler.toml rebuilds and restarts workerd whenever a source file
 * changes, which shows up as CPU time and dropped requests in the middle of a measurement.
 */
export function frozenVigilConfig() {
  const dir = path.resolve(".wrangler/bench/crons");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const built = spawnSync("wrangler", ["deploy", "--dry-run", "--outdir", dir], { env, encoding: "utf8", timeout: 120_000 });
  if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${built.status}): ${built.error ?? ""}\n${(built.stderr ?? "").slice(-2000)}`);
  const toml = readFileSync("wrangler.toml", "utf8")
    .replace(/^\[assets\][\s\S]*?(?=^\[)/m, "")
    .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(path.join(dir, "index.js"))}\nno_bundle = true`)
    .replace(/^(\s*migrations_dir\s*=\s*)"([^"]+)"/m, (_, key, p) => key + JSON.stringify(path.resolve(p)));
  const file = path.join(dir, "wrangler.toml");
  writeFileSync(file, toml);
  return file;
}

/** Vigil from the frozen config (see frozenVigilConfig), with alert channels allowed to point at 127.0.0.1. */
export function startFrozenVigil(config = frozenVigilConfig()) {
  return startWorker({ config, probePath: "/api/v1/openapi.json", migrate: true, vars: { ALERTS_ALLOW_PRIVATE_URLS: "true" } });
}

async function expectOk(res, what) {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** A client of a running Vigil's API with a new user's session. */
export async function signUp(base) {
  const headers = { origin: base, "content-type": "application/json" };
  const signup = await fetch(`${base}/api/v1/auth/signup`, { method: "POST", headers, body: JSON.stringify({ email: `crons.${Date.now()}@example.com`, password: "correct horse battery staple" }) });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const cookie = signup.headers.get("set-cookie").split(";")[0];
  const org = (await signup.json()).organization.slug;
  return { cookie, org };
}

function apiOf(base, cookie) {
  const call = async (method, p, body) => {
    const res = await fetch(`${base}/api/v1${p}`, { method, headers: { origin: base, "content-type": "application/json", cookie }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { get: (p) => call("GET", p), post: (p, body) => call("POST", p, body), patch: (p, body) => call("PATCH", p, body) };
}

const keyOf = (dsn) => new URL(dsn).username;

/**
 * Ping accept: rows of `{ requests, rps, p50, p95, p99 }` (lib.mjs `load()`), the baseline first. Each ping is
 * a run stored in D1 by the monitor's Durable Object before the answer, so this is the whole write path.
 */
export async function benchPings({ baseline, vigil, cookie, org }) {
  const api = apiOf(vigil.base, cookie);
  const project = await api.post(`/orgs/${org}/projects`, { name: "Crons bench" });
  const key = keyOf(project.dsn);
  const slugs = Array.from({ length: 100 }, (_, i) => `job-${i}`);
  for (const slug of ["one-job", ...slugs]) await api.post(`/projects/${project.id}/crons`, { slug, schedule: { type: "interval", value: 1, unit: "hour" }, checkinMargin: 5 });
  const log = "x".repeat(2000);
  const rows = [];
  rows.push(["do-nothing Worker (baseline)", await load(async () => expectOk(await fetch(baseline.base), "baseline"))]);
  rows.push(["GET /ping/{key}/{slug} — one monitor", await load(async () => expectOk(await fetch(`${vigil.base}/ping/${key}/one-job`), "ping"))]);
  rows.push(["GET /ping/{key}/{slug} — 100 monitors in turn", await load(async (i) => expectOk(await fetch(`${vigil.base}/ping/${key}/${slugs[i % slugs.length]}`), "ping"))]);
  rows.push([
    "POST /ping/{key}/{slug} with a 2 KB log — 100 monitors",
    await load(async (i) => expectOk(await fetch(`${vigil.base}/ping/${key}/${slugs[i % slugs.length]}`, { method: "POST", body: log }), "ping with log")),
  ]);
  const runs = (await api.get(`/crons/${(await api.get(`/projects/${project.id}/crons`)).data.find((c) => c.slug === "one-job").id}/checkins?limit=500`)).data.length;
  return { rows, runsOfOneJob: runs };
}

/** The processes of the `wrangler dev` whose state directory is `state`: wrangler's node and its workerd. */
function processesOf(state) {
  const pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  const stat = (pid) => {
    try {
      const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
      return { pgid: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]), name: raw.slice(raw.indexOf("(") + 1, raw.lastIndexOf(")")) };
    } catch {
      return null;
    }
  };
  const cmd = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      return "";
    }
  };
  const owner = pids.find((p) => cmd(p).includes(`--persist-to\0${state}\0`) && cmd(p).includes("wrangler"));
  if (!owner) return [];
  const group = stat(owner)?.pgid;
  return pids.map((pid) => ({ pid, ...stat(pid) })).filter((p) => p.pgid === group);
}

/** CPU time (ms) used so far by each process of a `wrangler dev` (wrangler's node, workerd, esbuild), by pid. */
function cpuByPid(state) {
  return new Map(processesOf(state).map((p) => [p.pid, { name: p.name, ms: p.ticks * 10 }])); // USER_HZ = 100
}

/** CPU time each process used between two readings, by name; a process that started or ended in between is named so. */
function cpuDelta(before, after) {
  const out = {};
  for (const [pid, a] of after) {
    const b = before.get(pid);
    const key = b ? a.name : `${a.name} (started during the window)`;
    out[key] = (out[key] ?? 0) + a.ms - (b?.ms ?? 0);
  }
  for (const [pid, b] of before) if (!after.has(pid)) out[`${b.name} (ended during the window)`] = "?";
  return out;
}

/** The SQLite files of the CronMonitor Durable Objects in a local state directory, one per object. */
function cronObjectFiles(state) {
  try {
    return readdirSync(path.join(state, "v3", "do", "vigil-CronMonitor")).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f));
  } catch {
    return [];
  }
}

/** Pending alarms of the CronMonitor Durable Objects in a local state directory (workerd keeps them in each object's SQLite file). */
async function pendingAlarms(state, skip = new Set()) {
  let DatabaseSync;
  try {
    ({ DatabaseSync } = await import("node:sqlite"));
  } catch {
    return null;
  }
  const dir = path.join(state, "v3", "do", "vigil-CronMonitor");
  const alarms = [];
  let objects = 0;
  for (const file of cronObjectFiles(state).filter((f) => !skip.has(f))) {
    objects += 1;
    const db = new DatabaseSync(path.join(dir, file), { readOnly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_cf_METADATA'").all();
      if (tables.length) {
        // Key 1 is the alarm time, in nanoseconds.
        const row = db.prepare("SELECT value / 1000000 AS ms FROM _cf_METADATA WHERE key = 1").get();
        if (row && row.ms !== null) alarms.push(Number(row.ms));
      }
    } finally {
      db.close();
    }
  }
  return { objects, alarms };
}

/**
 * Idle cost: `monitors` cron monitors, created by their first ping (`?create=1`: once a day, an hour of grace) in
 * projects of 500 (the cap), then `quietMs` with no traffic. Returns the seeding rate, the CPU time the
 * Worker's processes used while quiet, and the pending alarms (how many, and when the first is due).
 */
export async function benchIdle({ vigil, cookie, org, monitors = 10_000, quietMs = 60_000 }) {
  const api = apiOf(vigil.base, cookie);
  const earlier = new Set(cronObjectFiles(vigil.state)); // other benchmarks' monitors: not counted
  const keys = [];
  for (let i = 0; i < Math.ceil(monitors / 500); i++) keys.push(keyOf((await api.post(`/orgs/${org}/projects`, { name: `Idle ${i + 1}` })).dsn));
  const started = performance.now();
  let next = 0;
  const statuses = {};
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < monitors) {
        const i = next++;
        const res = await fetch(`${vigil.base}/ping/${keys[Math.floor(i / 500)]}/idle-${i}?create=1`);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        await res.arrayBuffer();
      }
    }),
  );
  const seedSeconds = (performance.now() - started) / 1000;
  await sleep(10_000); // let the last writes settle before measuring
  const before = cpuByPid(vigil.state);
  const quietFrom = Date.now();
  await sleep(quietMs);
  const cpu = cpuDelta(before, cpuByPid(vigil.state));
  const pending = await pendingAlarms(vigil.state, earlier);
  const ours = pending ? pending.alarms : [];
  return {
    monitors,
    statuses,
    seedSeconds,
    seedRps: monitors / seedSeconds,
    quietSeconds: quietMs / 1000,
    cpuMsWhileQuiet: cpu,
    objects: pending?.objects ?? null,
    pendingAlarms: pending ? ours.length : null,
    dueWhileQuiet: pending ? ours.filter((t) => t < quietFrom + quietMs).length : null,
    firstAlarmInHours: ours.length ? (Math.min(...ours) - quietFrom) / 3_600_000 : null,
  };
}

/**
 * Missed-run detection with the real alarms of a fresh Vigil: `monitors` heartbeats (every minute, 1 minute of
 * margin) pinged once each at random seconds of the same 20 s; the time from each one's deadline to its
 * signed `cron.missed`, then from a ping to `cron.recovered`. Bounded by `budgetMs`.
 */
export async function benchDetection({ monitors = 3, budgetMs = 4 * MINUTE, config = frozenVigilConfig() } = {}) {
  const arrivals = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const b = JSON.parse(body);
      arrivals.push({ at: Date.now(), type: b.type, cronId: b.data?.cronId });
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const vigil = await startFrozenVigil(config);
  try {
    const { cookie, org } = await signUp(vigil.base);
    const api = apiOf(vigil.base, cookie);
    await api.post(`/orgs/${org}/channels`, { type: "webhook", name: "bench", url: `http://127.0.0.1:${receiver.address().port}/hook` });
    const project = await api.post(`/orgs/${org}/projects`, { name: "Detection" });
    const key = keyOf(project.dsn);
    const crons = [];
    for (let i = 0; i < monitors; i++) crons.push(await api.post(`/projects/${project.id}/crons`, { slug: `heartbeat-${i}`, schedule: { type: "interval", value: 1, unit: "minute" }, checkinMargin: 1 }));
    const end = Date.now() + budgetMs;
    const waitFor = async (type, cronId) => {
      while (Date.now() < end) {
        const hit = arrivals.find((a) => a.type === type && a.cronId === cronId);
        if (hit) return hit.at;
        await sleep(100);
      }
      return null;
    };
    const trials = await Promise.all(
      crons.map(async (cron) => {
        await sleep(Math.random() * 20_000);
        await expectOk(await fetch(`${vigil.base}/ping/${key}/${cron.slug}`), "ping");
        const armed = await api.get(`/crons/${cron.id}`);
        const deadline = Date.parse(armed.nextExpectedAt) + armed.checkinMargin * MINUTE;
        const missedAt = await waitFor("cron.missed", cron.id);
        const pingedAt = Date.now();
        if (missedAt !== null) await expectOk(await fetch(`${vigil.base}/ping/${key}/${cron.slug}`), "ping");
        const recoveredAt = missedAt !== null ? await waitFor("cron.recovered", cron.id) : null;
        return { deadlineToMissedMs: missedAt && missedAt - deadline, pingToRecoveredMs: recoveredAt && recoveredAt - pingedAt };
      }),
    );
    await sleep(1000);
    return { trials, deliveries: arrivals.map((a) => a.type) };
  } finally {
    vigil.stop();
    receiver.close();
    await sleep(2000);
    rmSync(vigil.state, { recursive: true, force: true });
  }
}

const ms = (v) => (v === null || v === undefined ? "–" : v.toFixed(1));

export function printPings({ rows, runsOfOneJob }) {
  console.log("| scenario | requests | req/s | p50 ms | p95 ms | p99 ms |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, r] of rows) console.log(`| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} |`);
  const [base, one, many] = rows.map(([, r]) => r);
  console.log(`\npings: one monitor ${((100 * one.rps) / base.rps).toFixed(0)}% of the baseline's req/s, 100 monitors ${((100 * many.rps) / base.rps).toFixed(0)}%; runs stored for the one monitor: ${runsOfOneJob} (the API lists at most 500)`);
}

export function printIdle(i) {
  const cpu = Object.entries(i.cpuMsWhileQuiet).map(([name, v]) => `${name} ${v} ms`).join(", ");
  console.log(
    `\nIdle: ${i.monitors} monitors created and armed by their first ping in ${i.seedSeconds.toFixed(0)} s (${i.seedRps.toFixed(0)} pings/s, 4 clients, statuses ${JSON.stringify(i.statuses)}); ` +
      `then ${i.quietSeconds} s with no traffic: CPU time ${cpu || "(processes not found)"}; ` +
      (i.pendingAlarms === null
        ? "alarms: could not be read"
        : `${i.objects} CronMonitor objects, ${i.pendingAlarms} pending alarms, ${i.dueWhileQuiet} due in the quiet window, the first due in ${i.firstAlarmInHours?.toFixed(1)} h`),
  );
}

export function printDetection(d) {
  const s = (v) => (v === null ? "no alert" : `${(v / 1000).toFixed(1)} s`);
  console.log("\n| monitor | deadline → `cron.missed` | ping → `cron.recovered` |");
  console.log("|---|---|---|");
  d.trials.forEach((t, i) => console.log(`| ${i + 1} | ${s(t.deadlineToMissedMs)} | ${s(t.pingToRecoveredMs)} |`));
  const worst = Math.max(...d.trials.map((t) => (t.deadlineToMissedMs === null ? Infinity : t.deadlineToMissedMs)));
  console.log(`\ndeliveries: ${d.deliveries.join(", ")}; worst deadline → alert ${s(Number.isFinite(worst) ? worst : null)} (goal: within 60 s of expected time + margin)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = frozenVigilConfig();
  const baseline = await startWorker({ config: "bench/baseline/wrangler.toml" });
  const vigil = await startFrozenVigil(config);
  let pings;
  let idle;
  try {
    const { cookie, org } = await signUp(vigil.base);
    pings = await benchPings({ baseline, vigil, cookie, org });
    idle = await benchIdle({ vigil, cookie, org });
  } finally {
    baseline.stop();
    vigil.stop();
  }
  // 10,000 Durable Objects' SQLite files: about half a gigabyte of local state.
  await sleep(3000);
  for (const w of [baseline, vigil]) rmSync(w.state, { recursive: true, force: true });
  printPings(pings);
  printIdle(idle);
  printDetection(await benchDetection({ config }));
}
