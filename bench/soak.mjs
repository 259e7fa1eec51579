// Load and soak: a bounded mix of what a Django shop sends — error events, transactions, Sentry `log` items, NDJSON
// log lines and cron check-ins — into a real Vigil (wrangler dev from a frozen bundle, local D1/R2/Queues/DOs),
// then proof that nothing accepted was lost and that the Worker's memory stayed flat:
//   - every error event id answered 200 is queryable (GET /api/v1/projects/{id}/events/{eventId}), the issues are
//     exactly the groups sent (one issue per group, each event in its group's issue) and their counts add up;
//   - every transaction is found by its trace id (GET /api/v1/projects/{id}/traces/{traceId}) and the routes
//     table counts each once;
//   - the logs histogram counts every line accepted; each cron has one run per check-in pair accepted;
//   - the RSS of the workerd process(es) serving Vigil, sampled every few seconds, grows less than a bound after
//     the first third of the load (by then caches, isolates and the SQLite page caches have their working size).
// The load is bounded by count and by time, from a few clients on 127.0.0.1.
//
// Shared: e2e/soak.e2e.ts runs the short form (a minute or so at a modest rate) with the same mix and checks.
// `node bench/soak.mjs` is the long form: a short ramp to find the highest rate this machine sustains (on a Vigil
// of its own), then 10 minutes at 80% of it on a fresh Vigil (SOAK_SECONDS, SOAK_RATE override). `npm run bench`
// runs a 2-minute form at the end when BENCH_SOAK=1 (SOAK_SECONDS, SOAK_RATE apply).
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { startWorker, api, sdkHeaders } from "./lib.mjs";
import { batches } from "./logs.mjs";
import { frozenVigilConfig } from "./performance.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hex = (bytes) => randomBytes(bytes).toString("hex");
const FIXTURES = new URL("../worker/test/fixtures/", import.meta.url);

// ------------------------------------------------------------------------------------------------------------
// Vigil and its projects

/** Vigil from a bundle built now into a directory of this process's own (other benchmarks rebuild theirs). */
export async function startSoakVigil() {
  const dir = path.resolve(`.wrangler/soak/${process.pid}`);
  const config = frozenVigilConfig(dir);
  const vigil = await startWorker({ config, probePath: "/api/v1/openapi.json", migrate: true });
  return {
    ...vigil,
    /** Stop wrangler dev, wait (up to 10 s) for its processes to be gone, then remove its state and bundle. */
    async stop() {
      vigil.stop();
      for (let i = 0; i < 40 && vigilProcesses(vigil.state).length; i++) await sleep(250);
      rmSync(vigil.state, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


/** The words that name the error groups: each group's events share a message or a fingerprint with its word. */
const GROUP_WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];
const CRON_SLUGS = ["nightly-report", "sync-stock"];

/**
 * Sign up on a fresh Vigil and create `projects` projects with limits out of the way (a soak measures Vigil, not
 * its rate limiter). Each gets `groups` error groups and two crons (created by their first check-in).
 */
export async function setUpSoak(base, { projects = 3, groups = 6 } = {}) {
  const res = await fetch(`${base}/api/v1/auth/signup`, {
    method: "POST",
    headers: { origin: base, "content-type": "application/json" },
    body: JSON.stringify({ email: `soak.${Date.now()}@example.com`, password: "correct horse battery staple" }),
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie").split(";")[0];
  const org = (await res.json()).organization.slug;
  const list = [];
  for (let p = 0; p < projects; p++) {
    const project = await api(base, cookie, "POST", `/api/v1/orgs/${org}/projects`, { name: `Soak ${p + 1}` });
    // Keys are cached with their limits: raise them before the first ingest request.
    await api(base, cookie, "PATCH", `/api/v1/projects/${project.id}`, { rateLimitPerMinute: 10_000_000, monthlyQuota: 2_000_000_000 });
    list.push({ id: project.id, key: new URL(project.dsn).username, groups: GROUP_WORDS.slice(0, groups).map((w) => `${w}-${p + 1}`), crons: CRON_SLUGS });
  }
  return { cookie, org, projects: list };
}

// ------------------------------------------------------------------------------------------------------------
// What is sent: real envelope shapes from worker/test/fixtures, with fresh ids and times near now

function readEnvelope(name) {
  const [header, itemHeader, payload] = readFileSync(new URL(name, FIXTURES), "utf8").split("\n");
  return { header: JSON.parse(header), item: JSON.parse(itemHeader), payload: JSON.parse(payload) };
}

// Messages group by their text (numbers normalized), exceptions by type and frames: the exception shapes get a
// fingerprint with the group's word so that each fixture can stand for several groups.
const ERROR_FIXTURES = ["message-1.envelope", "zero-division.envelope", "key-error.envelope", "chained.envelope", "logged-error.envelope", "message-2.envelope"].map(readEnvelope);
const TX_FIXTURES = ["tx-home.envelope", "tx-product-list.envelope", "tx-sales-report.envelope", "tx-report-error.envelope"].map((name) => {
  const e = readEnvelope(name);
  return { header: e.header, text: JSON.stringify(e.payload), traceId: e.payload.contexts.trace.trace_id, end: Date.parse(e.payload.timestamp) };
});
const LOG_ITEMS = readEnvelope("logs/sentry-logs.envelope").payload.items;

function envelope(header, items) {
  const parts = [JSON.stringify(header)];
  for (const [itemHeader, payload] of items) {
    const text = typeof payload === "string" ? payload : JSON.stringify(payload);
    parts.push(JSON.stringify({ ...itemHeader, length: Buffer.byteLength(text) }), text);
  }
  // The SDK gzips; level 1 keeps the clients' share of this 2-core machine small.
  return gzipSync(Buffer.from(parts.join("\n") + "\n"), { level: 1 });
}

/** One error event of `group` (index `g` among the project's groups): its envelope body. */
export function errorEnvelope(group, g, eventId, n) {
  const f = ERROR_FIXTURES[g % ERROR_FIXTURES.length];
  const event = structuredClone(f.payload);
  const traceId = hex(16);
  event.event_id = eventId;
  event.timestamp = new Date().toISOString();
  if (event.contexts?.trace) event.contexts.trace.trace_id = traceId;
  if (typeof event.message === "string") event.message = `Payment ${n} failed in ${group} for ann@example.com`;
  else if (event.logentry) event.logentry = { message: `Card declined in ${group} for order %s`, formatted: `Card declined in ${group} for order ${n}`, params: [n] };
  else event.fingerprint = ["{{ default }}", `soak-${group}`];
  const header = { ...f.header, event_id: eventId, sent_at: new Date().toISOString(), trace: { ...f.header.trace, trace_id: traceId } };
  return envelope(header, [[f.item, event]]);
}

/** One transaction (fixture `t`) with a fresh event and trace id, its times moved to end now. */
export function transactionEnvelope(t, eventId, traceId) {
  const f = TX_FIXTURES[t % TX_FIXTURES.length];
  const shift = Date.now() - f.end;
  const payload = f.text
    .replace(/"(start_timestamp|timestamp)":"([^"]+)"/g, (_, k, v) => `"${k}":"${new Date(Date.parse(v) + shift).toISOString()}"`)
    .replaceAll(f.traceId, traceId)
    .replace(/"event_id":"[0-9a-f]+"/, `"event_id":"${eventId}"`);
  const header = JSON.parse(JSON.stringify({ ...f.header, event_id: eventId, sent_at: new Date().toISOString() }).replaceAll(f.traceId, traceId));
  return envelope(header, [[{ type: "transaction", content_type: "application/json" }, payload]]);
}

/** A Sentry `log` item of `lines` lines (the fixture's, cycled), stamped now. */
export function logEnvelope(lines) {
  const now = Date.now() / 1000;
  const items = Array.from({ length: lines }, (_, i) => ({ ...LOG_ITEMS[i % LOG_ITEMS.length], timestamp: now - (lines - i) * 0.001 }));
  return envelope({ sent_at: new Date().toISOString() }, [[{ type: "log", item_count: lines, content_type: "application/vnd.sentry.items.log+json" }, { version: 2, items }]]);
}

/** A check-in of `slug` with the config a `@monitor` decorated job sends (hourly: never missed during a soak). */
export function checkinEnvelope(slug, checkInId, status, duration) {
  const payload = {
    check_in_id: checkInId,
    monitor_slug: slug,
    status,
    environment: "production",
    ...(duration === undefined ? {} : { duration }),
    monitor_config: { schedule: { type: "crontab", value: "0 * * * *" }, checkin_margin: 60, max_runtime: 30, timezone: "UTC" },
  };
  return envelope({ sent_at: new Date().toISOString() }, [[{ type: "check_in" }, payload]]);
}

// ------------------------------------------------------------------------------------------------------------
// The load


/** Out of every 20 operations: 8 error events, 5 transactions, 2 Sentry log items, 2 NDJSON batches, 3 check-in pairs. */
const MIX = ["error", "transaction", "error", "checkin", "ndjson", "error", "transaction", "log", "error", "checkin", "transaction", "error", "ndjson", "error", "transaction", "checkin", "error", "log", "transaction", "error"];
export const KINDS = ["error", "transaction", "log", "ndjson", "checkin"];

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;
}

/** What one project was sent and what it accepted: the expectations for verify(). */
function newLedger(project) {
  return {
    project,
    errors: new Map(), // eventId → group
    transactions: [], // { eventId, traceId }
    logLines: 0,
    runs: new Map(project.crons.map((s) => [s, { started: 0, finished: 0, either: 0 }])),
  };
}

/**
 * Send the mix for `seconds` at `rate` operations a second (a check-in pair is one operation of two requests),
 * from `concurrency` clients, at most rate × seconds operations. Samples the RSS of Vigil's workerd process(es)
 * (found from `state`, the directory wrangler dev persists to) every `sampleSeconds`. Every request's outcome is
 * counted per kind; what was accepted goes into the ledgers.
 */
export async function runLoad({ base, projects, seconds, rate, concurrency = 4, state, sampleSeconds = 5, ledgers = projects.map(newLedger), onProgress }) {
  const count = Math.floor(rate * seconds);
  const perKind = Object.fromEntries(KINDS.map((k) => [k, { requests: 0, ok: 0, limited: 0, failed: 0, serverErrors: 0, latencies: [] }]));
  const units = Object.fromEntries(KINDS.map((k) => [k, { sent: 0, accepted: 0 }]));
  const failures = [];

  async function send(kind, project, body, url = `${base}/api/${project.id}/envelope/`, headers = sdkHeaders(project.key)) {
    const k = perKind[kind];
    k.requests += 1;
    const t0 = performance.now();
    try {
      const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      k.latencies.push(performance.now() - t0);
      const limited = res.headers.has("x-sentry-rate-limits");
      if (res.status === 429 || limited) k.limited += 1;
      if (res.status >= 500) k.serverErrors += 1;
      if (res.status !== 200 || limited) {
        k.failed += 1;
        if (failures.length < 20) failures.push(`${kind}: ${res.status} ${text.slice(0, 200)}`);
        return null;
      }
      k.ok += 1;
      return text ? JSON.parse(text) : {};
    } catch (err) {
      k.latencies.push(performance.now() - t0);
      k.failed += 1;
      if (failures.length < 20) failures.push(`${kind}: ${err}`);
      return null;
    }
  }

  const ops = {
    async error(l, i) {
      const g = i % l.project.groups.length;
      const group = l.project.groups[g];
      const eventId = hex(16);
      units.error.sent += 1;
      const r = await send("error", l.project, errorEnvelope(group, g, eventId, 1000 + (i % 9000)));
      if (r?.id === eventId) {
        l.errors.set(eventId, group);
        units.error.accepted += 1;
      }
    },
    async transaction(l, i) {
      const eventId = hex(16);
      const traceId = hex(16);
      units.transaction.sent += 1;
      const r = await send("transaction", l.project, transactionEnvelope(i, eventId, traceId));
      if (r?.id === eventId) {
        l.transactions.push({ eventId, traceId });
        units.transaction.accepted += 1;
      }
    },
    async log(l, i) {
      const lines = 3 + (i % 7);
      units.log.sent += lines;
      if (await send("log", l.project, logEnvelope(lines))) {
        l.logLines += lines;
        units.log.accepted += lines;
      }
    },
    async ndjson(l, i) {
      const lines = 20;
      const now = Date.now();
      const [body] = batches(1, lines, now - 2000, now, 100 + i);
      units.ndjson.sent += lines;
      const r = await send("ndjson", l.project, body, `${base}/api/${l.project.id}/logs/`, {
        "content-type": "application/x-ndjson",
        "content-encoding": "gzip",
        authorization: `Bearer ${l.project.key}`,
      });
      if (r && typeof r.accepted === "number") {
        l.logLines += r.accepted;
        units.ndjson.accepted += r.accepted;
      }
    },
    async checkin(l, i) {
      const slug = l.project.crons[i % l.project.crons.length];
      const run = l.runs.get(slug);
      const id = hex(16);
      units.checkin.sent += 2;
      const started = Boolean(await send("checkin", l.project, checkinEnvelope(slug, id, "in_progress")));
      const finished = Boolean(await send("checkin", l.project, checkinEnvelope(slug, id, "ok", 0.05 + (i % 10) / 100)));
      run.started += started ? 1 : 0;
      run.finished += finished ? 1 : 0;
      run.either += started || finished ? 1 : 0;
      units.checkin.accepted += (started ? 1 : 0) + (finished ? 1 : 0);
    },
  };

  const memory = [];
  const requestsSoFar = () => KINDS.reduce((n, k) => n + perKind[k].requests, 0);
  const started = performance.now();
  const end = started + seconds * 1000;
  let stopSampling = false;
  const sampler = (async () => {
    while (!stopSampling) {
      const m = vigilMemory(state);
      if (m) memory.push({ t: (performance.now() - started) / 1000, n: requestsSoFar(), ...m });
      onProgress?.({ t: (performance.now() - started) / 1000, units, perKind });
      for (let waited = 0; waited < sampleSeconds * 1000 && !stopSampling; waited += 250) await sleep(250);
    }
  })();

  let next = 0;
  async function client() {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      // Open loop: operation i is due at i / rate seconds; a client that falls behind sends at once.
      const due = started + (i / rate) * 1000;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      if (performance.now() >= end) return;
      const l = ledgers[i % ledgers.length];
      const kind = MIX[Math.floor(i / ledgers.length) % MIX.length];
      await ops[kind](l, Math.floor(i / ledgers.length));
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - started) / 1000;
  stopSampling = true;
  await sampler;
  const last = vigilMemory(state);
  if (last) memory.push({ t: elapsed, n: requestsSoFar(), ...last });

  const all = KINDS.flatMap((k) => perKind[k].latencies).sort((a, b) => a - b);
  const kinds = Object.fromEntries(
    KINDS.map((k) => {
      const { latencies, ...rest } = perKind[k];
      latencies.sort((a, b) => a - b);
      return [k, { ...rest, ...units[k], p50: percentile(latencies, 50), p95: percentile(latencies, 95) }];
    }),
  );
  const requests = all.length;
  return {
    seconds: elapsed,
    targetRate: rate,
    operations: Math.min(next, count),
    opsPerSecond: Math.min(next, count) / elapsed,
    requests,
    requestsPerSecond: requests / elapsed,
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    p99: percentile(all, 99),
    limited: KINDS.reduce((n, k) => n + kinds[k].limited, 0),
    serverErrors: KINDS.reduce((n, k) => n + kinds[k].serverErrors, 0),
    failed: KINDS.reduce((n, k) => n + kinds[k].failed, 0),
    failures,
    kinds,
    memory,
    ledgers,
  };
}

// ------------------------------------------------------------------------------------------------------------
// Memory of the workerd process(es) serving Vigil

function readProc(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/**
 * The processes of the `wrangler dev` that persists to `state` (its command line names the directory) and all
 * their descendants; the workerd ones are Vigil's runtime. Empty where there is no /proc.
 */
export function vigilProcesses(state) {
  let entries;
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const parent = new Map();
  const roots = [];
  for (const pid of entries) {
    const stat = readProc(`/proc/${pid}/stat`);
    if (!stat) continue;
    // The command name is in parentheses and may hold spaces: the fields after it are fixed.
    const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    parent.set(Number(pid), { ppid: Number(after[1]), comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
    const cmd = readProc(`/proc/${pid}/cmdline`);
    if (cmd && cmd.includes(`\0${state}\0`) && cmd.includes("\0dev\0")) roots.push(Number(pid));
  }
  const inTree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of parent) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  return [...inTree].map((pid) => ({ pid, comm: parent.get(pid)?.comm ?? "?" }));
}

/**
 * RSS now and its high-water mark (MiB) of the workerd that runs Vigil, and of wrangler dev's own proxy workerd in
 * front of it (`proxy`, for the record); null when Vigil's is not found. wrangler dev starts Vigil's runtime with
 * an inspector address, its proxy without.
 */
export function vigilMemory(state) {
  const workerd = vigilProcesses(state).filter((p) => p.comm.startsWith("workerd"));
  const read = (pid) => {
    const status = readProc(`/proc/${pid}/status`) ?? "";
    return { pid, rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, hwm: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
  };
  const isRuntime = (pid) => (readProc(`/proc/${pid}/cmdline`) ?? "").includes("--inspector-addr");
  const runtime = workerd.filter((p) => isRuntime(p.pid)).map((p) => read(p.pid));
  const proxy = workerd.filter((p) => !isRuntime(p.pid)).map((p) => read(p.pid));
  if (!runtime.length) return null;
  const sum = (list, k) => list.reduce((n, x) => n + x[k], 0);
  return { rss: sum(runtime, "rss"), hwm: sum(runtime, "hwm"), proxy: proxy.length ? sum(proxy, "rss") : null, pids: runtime.map((p) => p.pid), proxyPids: proxy.map((p) => p.pid) };
}

/**
 * RSS at the start of the load, after its first third (warm), at its end and the peak. Growth is measured from
 * the warm sample to the end; `bound` is the fraction allowed (0.25: a leak of even 1 KB per request shows in
 * 10 minutes at the long form's rates, while caches that settle do not).
 */
export function memoryVerdict(samples, { bound = 0.25 } = {}) {
  if (!samples.length) return { measured: false };
  const total = samples.at(-1).t;
  const warm = samples.find((s) => s.t >= total / 3) ?? samples.at(-1);
  const start = samples[0];
  const end = samples.at(-1);
  const peak = Math.max(...samples.map((s) => s.rss), ...samples.map((s) => s.hwm));
  const growth = (end.rss - warm.rss) / warm.rss;
  // KiB of RSS per request after warm-up: comparable between runs of different lengths and rates.
  const kibPerRequest = end.n > warm.n ? ((end.rss - warm.rss) * 1024) / (end.n - warm.n) : null;
  return { measured: true, start: start.rss, warm: warm.rss, warmAt: warm.t, end: end.rss, peak, growth, kibPerRequest, bound, flat: growth < bound, pids: [...new Set(samples.flatMap((s) => s.pids))], proxy: { warm: warm.proxy, end: end.proxy } };
}

// ------------------------------------------------------------------------------------------------------------
// Counting back what Vigil stored

async function errorIssues(base, cookie, projectId) {
  const out = [];
  let cursor;
  do {
    const page = await api(base, cookie, "GET", `/api/v1/projects/${projectId}/issues?limit=100&sort=firstSeen${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    out.push(...page.data.filter((i) => i.kind === "error"));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function transactionsCounted(base, cookie, projectId) {
  const { data } = await api(base, cookie, "GET", `/api/v1/projects/${projectId}/performance`);
  return data.reduce((n, r) => n + r.count, 0);
}

async function logLinesCounted(base, cookie, projectId, from) {
  const range = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`;
  const h = await api(base, cookie, "GET", `/api/v1/projects/${projectId}/logs/histogram?${range}`);
  return h.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
}

/** Runs per cron slug recorded from check-ins (Vigil's own missed/timeout rows aside): all, and those finished ok. */
async function cronRuns(base, cookie, projectId) {
  const { data } = await api(base, cookie, "GET", `/api/v1/projects/${projectId}/crons`);
  const out = new Map();
  for (const cron of data) {
    let runs = 0;
    let ok = 0;
    let cursor;
    do {
      const page = await api(base, cookie, "GET", `/api/v1/crons/${cron.id}/checkins?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      for (const r of page.data) {
        if (r.source !== "sentry") continue;
        runs += 1;
        if (r.status === "ok") ok += 1;
      }
      cursor = page.nextCursor;
    } while (cursor);
    out.set(cron.slug, { runs, ok });
  }
  return out;
}

/** Stored counts of the queued kinds (errors, transactions, check-ins), summed over the projects. */
async function queuedCounts(base, cookie, ledgers) {
  let errors = 0;
  let transactions = 0;
  let runs = 0;
  for (const l of ledgers) {
    errors += (await errorIssues(base, cookie, l.project.id)).reduce((n, i) => n + i.count, 0);
    transactions += await transactionsCounted(base, cookie, l.project.id);
    for (const r of (await cronRuns(base, cookie, l.project.id)).values()) runs += r.ok;
  }
  return { errors, transactions, runs };
}

function expectedQueued(ledgers) {
  let runs = 0;
  for (const l of ledgers) for (const r of l.runs.values()) runs += r.finished;
  return { errors: ledgers.reduce((n, l) => n + l.errors.size, 0), transactions: ledgers.reduce((n, l) => n + l.transactions.length, 0), runs };
}

/** Wait until the queue has caught up with what was accepted, or the counts stop moving for `stallSeconds`. */
export async function drain({ base, cookie, ledgers, maxSeconds = 300, stallSeconds = 30 }) {
  const want = expectedQueued(ledgers);
  const started = performance.now();
  let last = "";
  let lastChange = started;
  for (;;) {
    const got = await queuedCounts(base, cookie, ledgers);
    const now = performance.now();
    const key = JSON.stringify(got);
    if (key !== last) {
      last = key;
      lastChange = now;
    }
    const caughtUp = got.errors >= want.errors && got.transactions >= want.transactions && got.runs >= want.runs;
    if (caughtUp || now - started > maxSeconds * 1000 || now - lastChange > stallSeconds * 1000) {
      return { seconds: (now - started) / 1000, caughtUp, want, got };
    }
    await sleep(1000);
  }
}

async function mapLimit(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/**
 * Count back everything the ledgers say was accepted. Per project: each error event by its id (and the issue it
 * is in), the error issues and their counts, each transaction by its trace, the routes table's count, the log
 * histogram's total since `since`, and each cron's runs. Returns the findings; `problems` lists every mismatch.
 */
export async function verify({ base, cookie, ledgers, since, concurrency = 4 }) {
  const problems = [];
  const per = [];
  for (const l of ledgers) {
    const pid = l.project.id;
    // Error events, each by its id; each group's events must all be in one issue, and no issue hold two groups.
    let eventsFound = 0;
    const issueOfGroup = new Map();
    const groupsOfIssue = new Map();
    const missing = [];
    await mapLimit([...l.errors], concurrency, async ([eventId, group]) => {
      const res = await fetch(`${base}/api/v1/projects/${pid}/events/${eventId}`, { headers: { cookie } });
      const body = await res.json().catch(() => null);
      if (res.status !== 200 || body?.eventId !== eventId) {
        missing.push(`${eventId} (${res.status})`);
        return;
      }
      eventsFound += 1;
      if (!issueOfGroup.has(group)) issueOfGroup.set(group, new Set());
      issueOfGroup.get(group).add(body.issueId);
      if (!groupsOfIssue.has(body.issueId)) groupsOfIssue.set(body.issueId, new Set());
      groupsOfIssue.get(body.issueId).add(group);
    });
    if (missing.length) problems.push(`project ${pid}: ${missing.length} accepted error events not found, e.g. ${missing.slice(0, 3).join(", ")}`);
    for (const [group, ids] of issueOfGroup) if (ids.size !== 1) problems.push(`project ${pid}: group ${group} split over issues ${[...ids].join(", ")}`);
    for (const [issue, groups] of groupsOfIssue) if (groups.size !== 1) problems.push(`project ${pid}: issue ${issue} mixes groups ${[...groups].join(", ")}`);

    const issues = await errorIssues(base, cookie, pid);
    const groupsSent = new Set(l.errors.values()).size;
    const issueEvents = issues.reduce((n, i) => n + i.count, 0);
    if (issues.length !== groupsSent) problems.push(`project ${pid}: ${issues.length} error issues for ${groupsSent} groups sent`);
    if (issueEvents !== l.errors.size) problems.push(`project ${pid}: issue counts add up to ${issueEvents}, ${l.errors.size} error events accepted`);

    // Transactions: each by its trace, and once in the routes table.
    let tracesFound = 0;
    const lost = [];
    await mapLimit(l.transactions, concurrency, async ({ eventId, traceId }) => {
      const res = await fetch(`${base}/api/v1/projects/${pid}/traces/${traceId}`, { headers: { cookie } });
      const body = await res.json().catch(() => null);
      if (res.status === 200 && body.transactions.some((t) => t.eventId === eventId)) tracesFound += 1;
      else lost.push(`${traceId} (${res.status})`);
    });
    if (lost.length) problems.push(`project ${pid}: ${lost.length} accepted transactions not found by trace, e.g. ${lost.slice(0, 3).join(", ")}`);
    const routesCount = await transactionsCounted(base, cookie, pid);
    if (routesCount !== l.transactions.length) problems.push(`project ${pid}: routes table counts ${routesCount} transactions, ${l.transactions.length} accepted`);

    const linesStored = await logLinesCounted(base, cookie, pid, since);
    if (linesStored !== l.logLines) problems.push(`project ${pid}: logs histogram counts ${linesStored} lines, ${l.logLines} accepted`);

    const runs = await cronRuns(base, cookie, pid);
    const crons = [];
    for (const [slug, sent] of l.runs) {
      const got = runs.get(slug) ?? { runs: 0, ok: 0 };
      crons.push({ slug, accepted: sent, stored: got });
      if (got.runs !== sent.either || got.ok !== sent.finished) problems.push(`project ${pid}: cron ${slug} has ${got.runs} runs (${got.ok} ok), ${sent.either} accepted (${sent.finished} finished)`);
    }
    per.push({
      project: pid,
      errors: { accepted: l.errors.size, found: eventsFound, groupsSent, issues: issues.length, issueEvents },
      transactions: { accepted: l.transactions.length, foundByTrace: tracesFound, routesCount },
      logLines: { accepted: l.logLines, stored: linesStored },
      crons,
    });
  }
  const sum = (f) => per.reduce((n, p) => n + f(p), 0);
  return {
    problems,
    projects: per,
    totals: {
      errors: { accepted: sum((p) => p.errors.accepted), stored: sum((p) => p.errors.found), issues: sum((p) => p.errors.issues), groups: sum((p) => p.errors.groupsSent), issueEvents: sum((p) => p.errors.issueEvents) },
      transactions: { accepted: sum((p) => p.transactions.accepted), stored: sum((p) => p.transactions.foundByTrace), routesCount: sum((p) => p.transactions.routesCount) },
      logLines: { accepted: sum((p) => p.logLines.accepted), stored: sum((p) => p.logLines.stored) },
      checkinRuns: {
        accepted: sum((p) => p.crons.reduce((n, c) => n + c.accepted.either, 0)),
        stored: sum((p) => p.crons.reduce((n, c) => n + c.stored.runs, 0)),
        finishedAccepted: sum((p) => p.crons.reduce((n, c) => n + c.accepted.finished, 0)),
        finishedStored: sum((p) => p.crons.reduce((n, c) => n + c.stored.ok, 0)),
      },
    },
  };
}

// ------------------------------------------------------------------------------------------------------------
// The whole soak

/**
 * Load, drain, verify, judge memory: the result printSoak() prints. `projects` from setUpSoak(); `state` is the
 * Vigil's persist directory (to find its workerd). Both bounds of the load (count and time) come from `seconds`.
 */
export async function soak({ base, cookie, projects, state, seconds, rate, concurrency = 4, verifyConcurrency = concurrency, sampleSeconds = 5, memoryBound = 0.25, drainSeconds = 300, onProgress }) {
  const since = Date.now() - 60_000;
  const load = await runLoad({ base, projects, seconds, rate, concurrency, state, sampleSeconds, onProgress });
  const drained = await drain({ base, cookie, ledgers: load.ledgers, maxSeconds: drainSeconds });
  const afterDrain = vigilMemory(state);
  const verified = await verify({ base, cookie, ledgers: load.ledgers, since, concurrency: verifyConcurrency });
  const memory = { ...memoryVerdict(load.memory, { bound: memoryBound }), afterDrain: afterDrain?.rss ?? null };
  const { ledgers, memory: memorySamples, ...rest } = load;
  return { ...rest, drained, verified, memory, memorySamples: memorySamples.map((s) => ({ t: Math.round(s.t), rss: Math.round(s.rss), proxy: s.proxy === null ? null : Math.round(s.proxy) })), loadAverage: os.loadavg() };
}

/**
 * Step the rate up (each step `stepSeconds` on the given Vigil's projects) until a step falls short of its rate,
 * gets a 429 or 5xx, its p95 exceeds `maxP95` ms, or the queue is still behind `drainSeconds` after it.
 * Answers the steps and the highest rate that held. The p95 bound is a second, not less: on a 2-core machine
 * shared with other work, p95 swings by hundreds of ms with the neighbours while the median stays put.
 */
export async function findSustainableRate({ base, cookie, projects, state, rates = [20, 40, 60, 80, 120, 160, 240, 320], stepSeconds = 15, concurrency = 8, maxP95 = 1000, drainSeconds = 10, log = () => {} }) {
  const ledgers = projects.map(newLedger);
  const steps = [];
  let best = null;
  for (const rate of rates) {
    const r = await runLoad({ base, projects, seconds: stepSeconds, rate, concurrency, state, sampleSeconds: stepSeconds, ledgers });
    const d = await drain({ base, cookie, ledgers, maxSeconds: drainSeconds, stallSeconds: drainSeconds });
    const step = { rate, opsPerSecond: r.opsPerSecond, requestsPerSecond: r.requestsPerSecond, p50: r.p50, p95: r.p95, limited: r.limited, serverErrors: r.serverErrors, failed: r.failed, caughtUp: d.caughtUp, behind: { errors: d.want.errors - d.got.errors, transactions: d.want.transactions - d.got.transactions, runs: d.want.runs - d.got.runs } };
    const held = r.opsPerSecond >= 0.95 * rate && r.limited === 0 && r.serverErrors === 0 && r.failed === 0 && r.p95 <= maxP95 && d.caughtUp;
    steps.push({ ...step, held });
    log(step, held);
    if (!held) break;
    best = rate;
  }
  return { steps, best };
}

/**
 * The control for the memory figures: the do-nothing Worker (bench/baseline) under the same `wrangler dev`, sent the
 * same error and transaction envelopes at `rate` requests a second for `seconds`. What its workerd's RSS does is the
 * runtime's and wrangler dev's own behaviour, with no Vigil code in it.
 */
export async function controlMemory({ seconds = 120, rate = 40, concurrency = 4, sampleSeconds = 5 } = {}) {
  const w = await startWorker({ config: "bench/baseline/wrangler.toml" });
  try {
    const samples = [];
    let n = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        const m = vigilMemory(w.state);
        if (m) samples.push({ t: (performance.now() - started) / 1000, n, ...m });
        for (let waited = 0; waited < sampleSeconds * 1000 && !stop; waited += 250) await sleep(250);
      }
    })();
    let next = 0;
    const count = Math.floor(seconds * rate);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const i = next++;
          if (i >= count) return;
          const due = started + (i / rate) * 1000;
          if (due > performance.now()) await sleep(due - performance.now());
          if (performance.now() >= end) return;
          const body = i % 2 ? errorEnvelope("alpha-1", i % 6, hex(16), i) : transactionEnvelope(i, hex(16), hex(16));
          const res = await fetch(`${w.base}/api/1/envelope/`, { method: "POST", headers: sdkHeaders("0".repeat(32)), body });
          await res.arrayBuffer();
          n += 1;
        }
      }),
    );
    stop = true;
    await sampler;
    const last = vigilMemory(w.state);
    if (last) samples.push({ t: (performance.now() - started) / 1000, n, ...last });
    return { requests: n, seconds: (performance.now() - started) / 1000, memory: memoryVerdict(samples) };
  } finally {
    w.stop();
    setTimeout(() => rmSync(w.state, { recursive: true, force: true }), 2000);
  }
}

// ------------------------------------------------------------------------------------------------------------

const f1 = (x) => (x === null || x === undefined ? "–" : x.toFixed(1));

export function printSoak(r) {
  const t = r.verified.totals;
  console.log(`\nSoak: ${r.seconds.toFixed(0)} s at ${r.targetRate} operations/s (${r.opsPerSecond.toFixed(1)} achieved, ${r.requestsPerSecond.toFixed(1)} requests/s), p50 ${f1(r.p50)} ms, p95 ${f1(r.p95)} ms, p99 ${f1(r.p99)} ms; queue drained in ${r.drained.seconds.toFixed(0)} s${r.drained.caughtUp ? "" : " (NOT caught up)"}.\n`);
  console.log("| kind | requests | 200 | 429 | 5xx | p50 ms | p95 ms | sent | accepted | stored |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  const k = r.kinds;
  const row = (name, x, sent, accepted, stored) => console.log(`| ${name} | ${x.requests} | ${x.ok} | ${x.limited} | ${x.serverErrors} | ${f1(x.p50)} | ${f1(x.p95)} | ${sent} | ${accepted} | ${stored} |`);
  row("error events", k.error, k.error.sent, t.errors.accepted, `${t.errors.stored} by id; ${t.errors.issueEvents} in ${t.errors.issues} issues (${t.errors.groups} groups sent)`);
  row("transactions", k.transaction, k.transaction.sent, t.transactions.accepted, `${t.transactions.stored} by trace; ${t.transactions.routesCount} in routes`);
  row("Sentry log items (lines)", k.log, k.log.sent, k.log.accepted, "↓");
  row("NDJSON log batches (lines)", k.ndjson, k.ndjson.sent, k.ndjson.accepted, `${t.logLines.stored} of ${t.logLines.accepted} lines in the histogram`);
  row("check-ins (runs)", k.checkin, `${k.checkin.sent} check-ins`, `${t.checkinRuns.accepted} runs (${t.checkinRuns.finishedAccepted} finished)`, `${t.checkinRuns.stored} runs (${t.checkinRuns.finishedStored} ok)`);
  const m = r.memory;
  if (m.measured) {
    console.log(
      `\nVigil's workerd RSS (pid ${m.pids.join(", ")}): start ${m.start.toFixed(0)} MiB, after the first third (${m.warmAt.toFixed(0)} s) ${m.warm.toFixed(0)} MiB, end ${m.end.toFixed(0)} MiB, peak ${m.peak.toFixed(0)} MiB, after the drain ${f1(m.afterDrain)} MiB; growth after warm-up ${(m.growth * 100).toFixed(1)}%, ${f1(m.kibPerRequest)} KiB a request (bound ${(m.bound * 100).toFixed(0)}%: ${m.flat ? "flat" : "NOT flat"})`,
    );
    if (m.proxy.end !== null) console.log(`wrangler dev's proxy workerd in front of it: ${f1(m.proxy.warm)} → ${f1(m.proxy.end)} MiB`);
  } else console.log("\nworkerd RSS: not measured (no /proc, or its process was not found)");
  console.log(r.verified.problems.length ? `\nPROBLEMS:\n- ${r.verified.problems.join("\n- ")}` : "\nEvery accepted event, transaction, log line and check-in was counted back.");
  if (r.failures.length) console.log(`\nfailed requests (first ${r.failures.length}):\n- ${r.failures.join("\n- ")}`);
}

// ------------------------------------------------------------------------------------------------------------
// The long form: `node bench/soak.mjs`

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.env.SOAK_SECONDS ?? 600);
  let rate = process.env.SOAK_RATE ? Number(process.env.SOAK_RATE) : null;
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
  console.log(`Machine: ${machine}\nStarted ${new Date().toISOString()}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  let ramp = null;
  if (rate === null) {
    // The ramp runs on a Vigil of its own, so the soak starts from a fresh one.
    const vigil = await startSoakVigil();
    try {
      const { cookie, projects } = await setUpSoak(vigil.base);
      console.log("\nRamp (15 s a step):\n\n| target ops/s | achieved ops/s | req/s | p50 ms | p95 ms | 429 | 5xx | failed | queue caught up | held |\n|---|---|---|---|---|---|---|---|---|---|");
      ramp = await findSustainableRate({
        base: vigil.base,
        cookie,
        projects,
        state: vigil.state,
        log: (s, held) => console.log(`| ${s.rate} | ${s.opsPerSecond.toFixed(1)} | ${s.requestsPerSecond.toFixed(1)} | ${f1(s.p50)} | ${f1(s.p95)} | ${s.limited} | ${s.serverErrors} | ${s.failed} | ${s.caughtUp ? "yes" : `no (${JSON.stringify(s.behind)})`} | ${held ? "yes" : "**no**"} |`),
      });
    } finally {
      await vigil.stop();
    }
    if (ramp.best === null) throw new Error("not even the first step of the ramp held");
    rate = Math.max(1, Math.floor(ramp.best * 0.8));
    console.log(`\nHighest rate that held: ${ramp.best} operations/s; the soak runs at 80%: ${rate} operations/s for ${seconds} s.`);
    await sleep(3000);
  }
  const vigil = await startSoakVigil();
  let result;
  try {
    const { cookie, projects } = await setUpSoak(vigil.base);
    let lastPrint = 0;
    result = await soak({
      base: vigil.base,
      cookie,
      projects,
      state: vigil.state,
      seconds,
      rate,
      concurrency: 8,
      onProgress: ({ t, units }) => {
        if (t - lastPrint < 60) return;
        lastPrint = t;
        const m = vigilMemory(vigil.state);
        console.log(`  ${t.toFixed(0)} s: ${units.error.accepted} errors, ${units.transaction.accepted} transactions, ${units.log.accepted + units.ndjson.accepted} log lines, ${units.checkin.accepted} check-ins accepted; RSS ${m ? m.rss.toFixed(0) : "?"} MiB`);
      },
    });
  } finally {
    await vigil.stop();
  }
  console.log(`Finished ${new Date().toISOString()}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  printSoak(result);
  // The control: the same runtime with no Vigil in it, at the soak's request rate (SOAK_CONTROL=0 skips it).
  let control = null;
  if (process.env.SOAK_CONTROL !== "0") {
    control = await controlMemory({ seconds: 120, rate: Math.round(result.requestsPerSecond) });
    const c = control.memory;
    if (c.measured) console.log(`\nControl, the do-nothing Worker under the same wrangler dev, ${control.requests} envelopes in ${control.seconds.toFixed(0)} s: RSS start ${c.start.toFixed(0)} MiB, after the first third ${c.warm.toFixed(0)} MiB, end ${c.end.toFixed(0)} MiB, peak ${c.peak.toFixed(0)} MiB; ${f1(c.kibPerRequest)} KiB a request after warm-up`);
  }
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync("bench/results", { recursive: true });
  (await import("node:fs")).writeFileSync(`bench/results/${date}-soak.json`, JSON.stringify({ machine, date, ramp, result, control }, null, 2));
  if (result.verified.problems.length || !result.memory.flat) process.exitCode = 1;
}
