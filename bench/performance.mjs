// Performance benchmarks:
// 1. benchTransactions — Sentry transactions through a real Vigil (wrangler dev, local D1/R2/Queues): the
//    example shop's /products/ transaction (captured from the real sentry-sdk, 30 spans, plus the 10 spans
//    middleware_spans=True and cache_spans=True would add: 40), gzip, a fresh event and trace id each, sent from
//    `concurrency` clients, bounded by count and seconds. The accept req/s is compared with the do-nothing Worker
//    receiving the same bodies; the processed rate is the transactions counted in GET /performance over the time
//    from the first send until all of them are counted (count sent = count stored). Twice: to Vigil's own process
//    (accept path and queue consumer in one workerd, as `npm start`), and to the accept path in a workerd of its
//    own (as on Cloudflare). benchProcessingAlone: the queue handler alone, inside workerd, with and without a
//    performance issue found in every transaction (bench/performance/transactions.measure.ts).
// 2. benchRoutesQuery — the routes table over a large history: synthetic rollups written straight into the local
//    D1 (`wrangler d1 execute --local --file`): 200 routes × 7 days of day and hour rows and 48 h of minute rows,
//    10 M transactions in all, with histograms sampled from per-route latency distributions; then
//    GET /api/v1/projects/{id}/performance timed over 7 days, 3 days, 24 h, 6 h and 1 h.
// Vigil runs from a frozen bundle (built once at the start), so edits to worker/ by others during the run do not
// restart it. Run alone with `node bench/performance.mjs` (all of it, printed as Markdown).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAcceptOnly } from "./ingest.mjs";
import { productListTemplate, transactionBodies } from "./performance/transaction.mjs";
import { env, load, startWorker, api, sdkHeaders } from "./lib.mjs";

export { productListTemplate, transactionBodies };

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------------------
// Vigil, frozen

/**
 * wrangler.toml with `main` pointing at the Worker bundled once now (`wrangler deploy --dry-run`), without the
 * dashboard's assets: `wrangler dev` on the live sources rebuilds and restarts whenever someone saves a file.
 * `dir`: where the bundle goes (a run that must not share it with other benchmarks gives its own).
 */
export function frozenVigilConfig(dir = path.resolve(".wrangler/bench/performance")) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const built = spawnSync("wrangler", ["deploy", "--dry-run", "--outdir", dir], { env, encoding: "utf8", timeout: 180_000 });
  if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${built.status}): ${built.error ?? ""}\n${(built.stderr ?? "").slice(-2000)}`);
  const toml = readFileSync("wrangler.toml", "utf8")
    .replace(/^\[assets\][\s\S]*?(?=^\[)/m, "")
    .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(path.join(dir, "index.js"))}\nno_bundle = true`)
    .replace(/^(\s*migrations_dir\s*=\s*)"([^"]+)"/m, (_, key, p) => key + JSON.stringify(path.resolve(p)));
  const file = path.join(dir, "wrangler.toml");
  writeFileSync(file, toml);
  return file;
}

export async function startVigil(config = frozenVigilConfig()) {
  const vigil = await startWorker({ config, probePath: "/api/v1/openapi.json", migrate: true });
  if (!vigil.state) throw new Error("bench/lib.mjs startWorker() must return the state directory (`state`) of the local D1");
  return { ...vigil, config };
}


/** Sign up on a fresh Vigil; the session cookie and the organization's slug. */
export async function signUp(base) {
  const res = await fetch(`${base}/api/v1/auth/signup`, {
    method: "POST",
    headers: { origin: base, "content-type": "application/json" },
    body: JSON.stringify({ email: `perf.${Date.now()}@example.com`, password: "correct horse battery staple" }),
  });
  if (res.status !== 201) throw new Error(`signup: ${res.status} ${await res.text()}`);
  return { cookie: res.headers.get("set-cookie").split(";")[0], org: (await res.json()).organization.slug };
}

async function createProject(base, cookie, org, name) {
  const project = await api(base, cookie, "POST", `/api/v1/orgs/${org}/projects`, { name });
  // No rate limiting in the way (keys are cached with their limits: raise them before the first ingest request).
  await api(base, cookie, "PATCH", `/api/v1/projects/${project.id}`, { rateLimitPerMinute: 10_000_000, monthlyQuota: 2_000_000_000 });
  return { id: project.id, key: new URL(project.dsn).username };
}

// ------------------------------------------------------------------------------------------------------------
// 1. Transactions


async function post(origin, project, body) {
  const res = await fetch(`${origin}/api/${project.id}/envelope/`, { method: "POST", headers: sdkHeaders(project.key), body });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`envelope: ${res.status}`);
}

/** Transactions counted in the project's routes table (last 24 h). */
async function counted(base, cookie, projectId) {
  const { data } = await api(base, cookie, "GET", `/api/v1/projects/${projectId}/performance`);
  return data.reduce((n, r) => n + r.count, 0);
}

/** Poll until `want` transactions are counted, or the count stops moving for `stallSeconds`, or `maxSeconds` pass. */
async function drain(base, cookie, projectId, want, { maxSeconds = 240, stallSeconds = 30 } = {}) {
  const started = performance.now();
  let last = -1;
  let lastChange = started;
  for (;;) {
    const n = await counted(base, cookie, projectId);
    const now = performance.now();
    if (n !== last) {
      last = n;
      lastChange = now;
    }
    if (n >= want) return { counted: n, at: now };
    if (now - started > maxSeconds * 1000 || now - lastChange > stallSeconds * 1000) return { counted: n, at: now, stalled: true };
    await sleep(250);
  }
}

/**
 * Send up to `count` transactions to `origin` for `project` (bounded by `seconds`), then poll Vigil's routes table
 * until all are counted: the accept row, and the processed rate from the first send to the last one counted.
 */
async function sendAndCount({ vigil, cookie, origin, project, bodies, seconds, concurrency }) {
  let i = 0;
  const started = performance.now();
  const row = await load(() => post(origin, project, bodies[i++]), { count: bodies.length, seconds, concurrency, warmup: 0 });
  const sendSeconds = (performance.now() - started) / 1000;
  const sent = row.requests;
  const done = await drain(vigil.base, cookie, project.id, sent);
  const total = (done.at - started) / 1000;
  // Counted exactly once each: nothing more shows up later.
  await sleep(3000);
  const final = await counted(vigil.base, cookie, project.id);
  const issues = (await api(vigil.base, cookie, "GET", `/api/v1/projects/${project.id}/issues`)).data.map((x) => ({ title: x.title.slice(0, 40), count: x.count }));
  return { row, processing: { sent, sendSeconds, counted: done.counted, final, stalled: !!done.stalled, seconds: total, perSecond: done.counted / total, issues } };
}

/**
 * Accept and process rates. `vigil` and `baseline` are running workers (lib.startWorker); `count` transactions are
 * sent from `concurrency` clients, bounded by `seconds`, in two layouts: to Vigil's own process, where the queue
 * consumer runs too (as in `npm start`), and to the accept path in a workerd of its own (bench/ingest.mjs's
 * startAcceptOnly, with its relay), while Vigil's process consumes (as on Cloudflare, where the consumer runs in
 * invocations of its own).
 */
export async function benchTransactions({ vigil, baseline, cookie, org, count = 3000, seconds = 60, concurrency = 4 }) {
  const template = productListTemplate();
  const warmup = 20;
  const oneProject = await createProject(vigil.base, cookie, org, "bench-transactions-one-workerd");
  const ownProject = await createProject(vigil.base, cookie, org, "bench-transactions-own-workerd");
  const warm = await createProject(vigil.base, cookie, org, "bench-transactions-warmup");
  const baselineBodies = transactionBodies(template, count + warmup);
  const raw = Buffer.byteLength(JSON.stringify(template.tx));
  const gz = baselineBodies.reduce((n, b) => n + b.length, 0) / baselineBodies.length;

  // The do-nothing Worker, the same bodies, the same clients.
  let b = 0;
  const baselineRow = await load(() => post(baseline.base, oneProject, baselineBodies[b++]), { count, seconds, concurrency, warmup });

  const acceptOnly = await startAcceptOnly(vigil);
  try {
    // Warm both processes and the consumer on another project, and let that drain, so each clock starts idle.
    for (const origin of [vigil.base, acceptOnly.base]) for (const body of transactionBodies(template, warmup)) await post(origin, warm, body);
    await drain(vigil.base, cookie, warm.id, 2 * warmup, { maxSeconds: 60 });

    const one = await sendAndCount({ vigil, cookie, origin: vigil.base, project: oneProject, bodies: transactionBodies(template, count), seconds, concurrency });
    const own = await sendAndCount({ vigil, cookie, origin: acceptOnly.base, project: ownProject, bodies: transactionBodies(template, count), seconds, concurrency });
    return {
      spans: template.tx.spans.length,
      rawBytes: raw,
      gzipBytes: Math.round(gz),
      concurrency,
      rows: [
        [`do-nothing Worker, same gzip envelopes (baseline, ${concurrency} clients)`, baselineRow],
        [`POST /api/{id}/envelope/, one workerd with the queue consumer, as \`npm start\` (${concurrency} clients)`, one.row],
        [`POST /api/{id}/envelope/, accept path in a workerd of its own, consumer in Vigil's (${concurrency} clients)`, own.row],
      ],
      processing: [
        ["one workerd (accept + consumer)", one.processing],
        ["accept path in its own workerd", own.processing],
      ],
    };
  } finally {
    acceptOnly.stop();
  }
}

/** Transaction processing alone (bench/performance/transactions.measure.ts, inside workerd): with and without a finding each. */
export function benchProcessingAlone() {
  const measured = spawnSync("vitest", ["run", "--config", "bench/performance/vitest.config.ts"], { encoding: "utf8", env, timeout: 300_000 });
  const line = /TX_PROCESSING (\{.*\})/.exec(`${measured.stdout}${measured.stderr}`)?.[1];
  if (!line) throw new Error(`the processing measurement did not run (exit ${measured.status}):\n${`${measured.stdout}${measured.stderr}`.slice(-3000)}`);
  return JSON.parse(line);
}

// ------------------------------------------------------------------------------------------------------------
// 2. The routes table over a large history

/** A seeded PRNG (mulberry32), so every run writes the same history. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The histogram of worker/performance/histogram.ts: buckets of ±1% (γ = 1.01/0.99) above 0.01 ms.
const GAMMA = 1.01 / 0.99;
const LOG_GAMMA = Math.log(GAMMA);
const bucketOf = (ms) => (ms > 0.01 ? Math.max(1, Math.ceil(Math.log(ms / 0.01) / LOG_GAMMA)) : 0);
const PARTS = ["db", "cache", "template", "http", "python"];

/**
 * One route's traffic model: a median latency (15–900 ms, log-uniform), a spread, the share of each part, and a
 * share of the project's traffic (Zipf-like, so a few routes carry most of it). The spread is small enough that
 * an hour's histogram of ~300 requests fills about 50 buckets, as measured routes do.
 */
function routeModels(routes, random) {
  const weights = Array.from({ length: routes }, (_, i) => 1 / (i + 1) ** 0.6);
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w, i) => {
    const db = 0.2 + 0.6 * random();
    const http = i % 7 === 0 ? 0.25 * random() : 0;
    const cache = i % 3 === 0 ? 0.03 : 0;
    const template = i % 2 === 0 ? 0.1 * random() : 0;
    return {
      name: `/api/v${1 + (i % 3)}/resource-${i}/${i % 4 === 0 ? "{id}/" : ""}`,
      share: w / sum,
      median: 15 * 60 ** random(),
      sigma: 0.25 + 0.15 * random(),
      parts: { db, cache, template, http, python: Math.max(0.05, 1 - db - cache - template - http) },
      failure: i % 10 === 0 ? 0.02 : 0.002,
    };
  });
}

/** Sampled requests of a route, as a rollup row's fields. */
function sampleRollup(model, n, random, apdexMs = 300) {
  const histogram = {};
  const partHistograms = { db: {}, cache: {}, template: {}, http: {}, python: {} };
  const partSums = { db: 0, cache: 0, template: 0, http: 0, python: 0 };
  let durationSum = 0;
  let satisfied = 0;
  let tolerating = 0;
  let failures = 0;
  const add = (h, v) => {
    const k = bucketOf(v);
    h[k] = (h[k] ?? 0) + 1;
  };
  for (let i = 0; i < n; i++) {
    // Box–Muller: a lognormal duration around the route's median.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const d = model.median * Math.exp(model.sigma * z);
    durationSum += d;
    add(histogram, d);
    if (d <= apdexMs) satisfied++;
    else if (d <= 4 * apdexMs) tolerating++;
    if (random() < model.failure) failures++;
    for (const p of PARTS) {
      const v = model.parts[p] === 0 ? 0 : d * model.parts[p] * (0.8 + 0.4 * random());
      partSums[p] += v;
      add(partHistograms[p], v);
    }
  }
  return { count: n, failures, satisfied, tolerating, durationSum, histogram, partSums, partHistograms };
}

function mergeInto(into, from) {
  into.count += from.count;
  into.failures += from.failures;
  into.satisfied += from.satisfied;
  into.tolerating += from.tolerating;
  into.durationSum += from.durationSum;
  const merge = (a, b) => {
    for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
  };
  merge(into.histogram, from.histogram);
  for (const p of PARTS) {
    into.partSums[p] += from.partSums[p];
    merge(into.partHistograms[p], from.partHistograms[p]);
  }
}

const emptyRollup = () => ({ count: 0, failures: 0, satisfied: 0, tolerating: 0, durationSum: 0, histogram: {}, partSums: { db: 0, cache: 0, template: 0, http: 0, python: 0 }, partHistograms: { db: {}, cache: {}, template: {}, http: {}, python: {} } });

const sqlText = (s) => `'${String(s).replaceAll("'", "''")}'`;
function rowSql(projectId, resolution, start, name, r) {
  const round = (v) => Math.round(v * 1000) / 1000;
  const sums = Object.fromEntries(PARTS.map((p) => [p, round(r.partSums[p])]));
  return `(${projectId},'${resolution}',${start},${sqlText(name)},${r.count},${r.failures},${r.satisfied},${r.tolerating},${round(r.durationSum)},${sqlText(JSON.stringify(r.histogram))},${sqlText(JSON.stringify(sums))},${sqlText(JSON.stringify(r.partHistograms))})`;
}

/**
 * Write the history as SQL files of `rowsPerFile` rows (multi-row INSERTs) and run each with
 * `wrangler d1 execute --local`. Traffic follows a day curve (quiet nights, busy afternoons) around
 * `total / 7 days`; each hour's requests are split over its minutes for the last 48 h, and the hour and day rows
 * are the merges of what they contain, as Vigil's own rollups are.
 */
export async function seedHistory({ vigil, projectId, routes = 200, days = 7, minuteHours = 48, total = 10_000_000, now = Date.now(), rowsPerFile = 40_000, log = () => {} }) {
  const random = rng(42);
  const models = routeModels(routes, random);
  const firstHour = Math.floor((now - days * DAY) / HOUR) * HOUR;
  const lastHour = Math.floor(now / HOUR) * HOUR;
  const hours = (lastHour - firstHour) / HOUR + 1;
  const minuteFrom = Math.floor((now - minuteHours * HOUR) / HOUR) * HOUR;
  const perHour = total / hours;
  // A day curve: 0.3× at 04:00 UTC, 1.7× at 16:00.
  const curve = (t) => 1 + 0.7 * Math.sin(((new Date(t).getUTCHours() - 10) / 24) * 2 * Math.PI);
  const dir = mkdtempSync(path.join(os.tmpdir(), "vigil-bench-rollups-"));
  const stats = { rows: { minute: 0, hour: 0, day: 0 }, transactions: 0, buckets: { minute: 0, hour: 0, day: 0 }, bytes: 0 };
  let pending = [];
  let files = 0;
  const flush = async () => {
    if (!pending.length) return;
    // Multi-row INSERTs, each under D1's 100 KB statement limit.
    const lines = [];
    let values = [];
    let size = 0;
    const statement = () => {
      if (values.length) lines.push(`INSERT INTO perf_rollups (project_id, resolution, start, "transaction", count, failures, satisfied, tolerating, duration_sum, histogram, part_sums, part_histograms) VALUES\n${values.join(",\n")};`);
      values = [];
      size = 0;
    };
    for (const v of pending) {
      if (size + v.length > 90_000) statement();
      values.push(v);
      size += v.length + 2;
    }
    statement();
    const file = path.join(dir, `rollups-${files++}.sql`);
    const text = lines.join("\n");
    stats.bytes += text.length;
    writeFileSync(file, text);
    pending = [];
    await execute(vigil, file);
    rmSync(file);
    log(`  seeded ${stats.rows.minute + stats.rows.hour + stats.rows.day} rows`);
  };
  const emit = async (resolution, start, name, r) => {
    if (!r.count) return;
    stats.rows[resolution]++;
    stats.buckets[resolution] += Object.keys(r.histogram).length;
    pending.push(rowSql(projectId, resolution, start, name, r));
    if (pending.length >= rowsPerFile) await flush();
  };
  try {
    // In time order, as Vigil writes them: every route's row of a minute (rewritten with each batch of the minute,
    // so they end up side by side), each hour's rows when it ends, each day's when it ends. Time-ordered ranges
    // then read neighbouring rows, as they do in a real database.
    const days = new Map();
    let dayStart = Math.floor(firstHour / DAY) * DAY;
    for (let h = 0; h < hours; h++) {
      const hourStart = firstHour + h * HOUR;
      const d = Math.floor(hourStart / DAY) * DAY;
      if (d !== dayStart) {
        for (const [name, day] of days) await emit("day", dayStart, name, day);
        days.clear();
        dayStart = d;
      }
      const counts = models.map((model) => Math.max(0, Math.round(perHour * model.share * curve(hourStart) * (0.9 + 0.2 * random()))));
      let hourRows;
      if (hourStart >= minuteFrom) {
        hourRows = models.map(() => emptyRollup());
        // The hour's requests over its minutes (the current hour only up to now).
        const minutes = hourStart === lastHour ? Math.max(1, Math.floor((now - hourStart) / MINUTE)) : 60;
        for (let m = 0; m < minutes; m++) {
          for (const [r, model] of models.entries()) {
            const n = counts[r];
            const k = Math.floor(n / minutes) + (random() < (n % minutes) / minutes ? 1 : 0);
            const minute = sampleRollup(model, k, random);
            await emit("minute", hourStart + m * MINUTE, model.name, minute);
            mergeInto(hourRows[r], minute);
          }
        }
      } else hourRows = models.map((model, r) => sampleRollup(model, counts[r], random));
      for (const [r, model] of models.entries()) {
        await emit("hour", hourStart, model.name, hourRows[r]);
        stats.transactions += hourRows[r].count;
        if (!days.has(model.name)) days.set(model.name, emptyRollup());
        mergeInto(days.get(model.name), hourRows[r]);
      }
    }
    for (const [name, day] of days) await emit("day", dayStart, name, day);
    await flush();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { routes, ...stats };
}

function execute(vigil, file) {
  return new Promise((resolve, reject) => {
    const child = spawn("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", vigil.state, "--config", vigil.config ?? "wrangler.toml", "--file", file], { env: { ...env, CI: "true" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler d1 execute --file ${file} exited ${code}\n${stderr.slice(-2000)}`))));
  });
}

/** p50 / p95 / max of `n` sequential GETs (after 2 unmeasured), and the size of the answer. `url` may be a function, called per request. */
async function timeGet(url, cookie, n) {
  const once = async () => {
    const t0 = performance.now();
    const res = await fetch(typeof url === "function" ? url() : url, { headers: { cookie } });
    const body = await res.json();
    if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t0, body };
  };
  await once();
  await once();
  const times = [];
  let body;
  for (let i = 0; i < n; i++) {
    const r = await once();
    times.push(r.ms);
    body = r.body;
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  const data = Array.isArray(body.data) ? body.data : null;
  return { n, p50: pct(50), p95: pct(95), max: times.at(-1), rows: data?.length ?? null, counted: data?.reduce((s, r) => s + r.count, 0) ?? null };
}

/**
 * Seed a project's history (see seedHistory), then time the routes table over ranges of each precision the
 * service snaps to (worker/performance/ranges.ts snapRange: up to 6 h to the minute, up to 3 days to whole hours,
 * longer to whole days), and `GET /api/v1/me` (a session lookup) as the floor of any authenticated request.
 */
export async function benchRoutesQuery({ vigil, cookie, org, requests = 20, log = () => {} }) {
  const project = await createProject(vigil.base, cookie, org, "bench-history");
  const now = Date.now();
  const t0 = performance.now();
  const seeded = await seedHistory({ vigil, projectId: project.id, now, log });
  const seedSeconds = (performance.now() - t0) / 1000;
  const base = `${vigil.base}/api/v1/projects/${project.id}/performance`;
  // Exactly `ms` long, ending `end` (default now; whole seconds): a range one second over 6 h would be widened.
  const range = (ms, end = Date.now()) => {
    const to = Math.floor(end / 1000);
    return `?from=${to - ms / 1000}&to=${to}`;
  };
  // Whole-hour ranges read the fewest rows just after midnight (UTC), when most of them is whole days, and the
  // most when they end at noon: those are timed as well, ending at the last 12:00 UTC.
  const noon = Math.floor((now - 12 * HOUR) / DAY) * DAY + 12 * HOUR;
  const rows = [["GET /api/v1/me (session lookup: the floor)", await timeGet(`${vigil.base}/api/v1/me`, cookie, requests)]];
  for (const [name, query] of [
    ["routes table, last 7 days (whole days)", () => range(7 * DAY)],
    ["routes table, last 3 days (whole hours)", () => range(3 * DAY)],
    ["routes table, 3 days to 12:00 UTC (whole hours, the most rows)", () => range(3 * DAY, noon)],
    ["routes table, last 24 h (the default; whole hours)", () => ""],
    ["routes table, 24 h to 12:00 UTC (whole hours, the most rows)", () => range(DAY, noon)],
    ["routes table, last 6 h (to the minute)", () => range(6 * HOUR)],
    ["routes table, last hour (to the minute)", () => range(HOUR)],
  ]) {
    rows.push([name, await timeGet(() => base + query(), cookie, requests)]);
  }
  return { seeded, seedSeconds, rows };
}

// ------------------------------------------------------------------------------------------------------------

export function printTransactions(t) {
  console.log(`\nTransactions: the example shop's /products/ transaction, ${t.spans} spans, ${(t.rawBytes / 1024).toFixed(1)} KB JSON, ${(t.gzipBytes / 1024).toFixed(1)} KB gzip, a fresh event and trace id each, ${t.concurrency} clients.\n`);
  console.log("| scenario | requests | req/s | p50 ms | p95 ms | p99 ms |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, r] of t.rows) console.log(`| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} |`);
  const [base, ...accept] = t.rows.map(([, r]) => r);
  console.log(`\naccept: ${accept.map((r) => `${((100 * r.rps) / base.rps).toFixed(0)}%`).join(" and ")} of the baseline's req/s`);
  console.log("\n| layout | sent | send time | counted | until all counted | processed | lost |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, p] of t.processing) {
    console.log(
      `| ${name} | ${p.sent} | ${p.sendSeconds.toFixed(1)} s | ${p.final} | ${p.seconds.toFixed(1)} s${p.stalled ? " (stopped waiting)" : ""} | **${p.perSecond.toFixed(0)}/s** | ${p.final === p.sent ? "none" : `${p.sent - p.final}`} |`,
    );
  }
  for (const [name, p] of t.processing) console.log(`\nperformance issues (${name}): ${p.issues.map((i) => `${i.title}… ×${i.count}`).join("; ")}`);
  console.log("\ngoal: ≥ 200 transactions/s processed");
}

export function printProcessingAlone(a) {
  console.log(`\nProcessing alone (queue handler inside workerd, real D1 + R2, ${a.withFinding.batches} batches of ${a.withFinding.batchSize}):\n`);
  console.log("| transaction | transactions/s | median batch of 100 |");
  console.log("|---|---|---|");
  console.log(`| /products/, ${a.withFinding.spans} spans, an N+1 in each (one occurrence recorded per batch) | ${a.withFinding.transactionsPerSecond.toFixed(0)} | ${a.withFinding.medianBatchMs.toFixed(0)} ms |`);
  console.log(`| the same with the N+1 under 50 ms (no finding) | ${a.without.transactionsPerSecond.toFixed(0)} | ${a.without.medianBatchMs.toFixed(0)} ms |`);
}

export function printRoutesQuery(q) {
  const s = q.seeded;
  console.log(
    `\nRoutes table over a large history: ${s.routes} routes, ${s.transactions.toLocaleString("en")} transactions; rows ${s.rows.day.toLocaleString("en")} day, ${s.rows.hour.toLocaleString("en")} hour, ${s.rows.minute.toLocaleString("en")} minute ` +
      `(average histogram buckets: day ${(s.buckets.day / s.rows.day).toFixed(0)}, hour ${(s.buckets.hour / s.rows.hour).toFixed(0)}, minute ${(s.buckets.minute / s.rows.minute).toFixed(1)}); ${(s.bytes / 2 ** 20).toFixed(0)} MB of SQL, seeded in ${q.seedSeconds.toFixed(0)} s.\n`,
  );
  console.log("| request | n | p50 ms | p95 ms | max ms | routes | transactions counted |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, r] of q.rows) console.log(`| ${name} | ${r.n} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.rows ?? "–"} | ${r.counted?.toLocaleString("en") ?? "–"} |`);
  console.log("\ngoal: under 200 ms");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; ${new Date().toISOString()}`);
  printProcessingAlone(benchProcessingAlone());
  const baseline = await startWorker({ config: "bench/baseline/wrangler.toml" });
  const vigil = await startVigil();
  try {
    const { cookie, org } = await signUp(vigil.base);
    printTransactions(await benchTransactions({ vigil, baseline, cookie, org }));
    printRoutesQuery(await benchRoutesQuery({ vigil, cookie, org, log: (m) => console.error(m) }));
  } finally {
    baseline.stop();
    vigil.stop();
    // The local D1 holds ~600,000 seeded rows and R2 thousands of traces: about 1 GB. Give workerd a moment to exit.
    await sleep(3000);
    for (const dir of [vigil.state, baseline.state]) rmSync(dir, { recursive: true, force: true });
  }
}
