// Logs benchmarks, against a real Vigil (wrangler dev from a frozen bundle, local D1/R2/Durable Objects):
// 1. benchLogIngest — lines ingested per second: batches of 100 realistic lines (Django, gunicorn and nginx shaped,
//    five levels, several hosts and loggers), NDJSON, gzip, posted to POST /api/{id}/logs/ by 4 clients, bounded
//    by count and seconds; the same bodies posted to the do-nothing Worker are the baseline.
// 2. benchLogSearch — search latency over 1,000,000 stored lines spread over the last 24 h (filled through the same
//    ingest door): a rare word, a common word with a level filter, the 24 h histogram (all lines, and for the
//    common word), and the default page (newest 100 of everything).
// Run alone with `node bench/logs.mjs` (LOG_LINES=100000 for a quicker search part, LOG_LINES=0 for none; LOG_CLIENTS=8
// for more clients than the default 4); `npm run bench` runs it too.
import { gzipSync } from "node:zlib";
import { inTurns, load, startWorker, api } from "./lib.mjs";
import { frozenVigilConfig, signUp } from "./performance.mjs";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;


export async function createProject(base, cookie, org, name) {
  const project = await api(base, cookie, "POST", `/api/v1/orgs/${org}/projects`, { name });
  await api(base, cookie, "PATCH", `/api/v1/projects/${project.id}`, { rateLimitPerMinute: 10_000_000, monthlyQuota: 2_000_000_000 });
  return { id: project.id, key: new URL(project.dsn).username };
}

// ------------------------------------------------------------------------------------------------------------
// Lines that look like a Django shop's

/** A small deterministic PRNG, so every run sends the same lines. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PATHS = ["/", "/products/", "/products/42/", "/cart/", "/checkout/", "/reports/sales/", "/api/orders/", "/account/login/", "/health/"];
const HOSTS = ["web-1", "web-2", "web-3", "worker-1"];
const WORDS = "order payment customer session cache template query timeout retry connection database worker queue email invoice stock price".split(" ");

function makeLine(r, ts, i) {
  const roll = r();
  const level = roll < 0.15 ? "debug" : roll < 0.85 ? "info" : roll < 0.95 ? "warning" : roll < 0.99 ? "error" : "critical";
  const host = HOSTS[Math.floor(r() * HOSTS.length)];
  const path = PATHS[Math.floor(r() * PATHS.length)];
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  const kind = r();
  let line;
  if (kind < 0.5) {
    line = { logger: "gunicorn.access", message: `10.0.${i % 250}.${(i * 7) % 250} - - "GET ${path} HTTP/1.1" ${level === "error" ? 500 : 200} ${Math.floor(r() * 40000)} request served in ${Math.floor(r() * 900)}ms` };
  } else if (kind < 0.8) {
    line = { logger: "django.request", message: `request ${path} handled: ${w()} ${w()} ${w()} for customer ${Math.floor(r() * 100000)}` };
  } else {
    line = { logger: `shop.${w()}`, message: `${w()} ${w()} updated (${w()} #${Math.floor(r() * 1e6)}) after ${Math.floor(r() * 5)} tries` };
  }
  // About one line in 10,000 has the rare word.
  if (i % 10_000 === 4321) line.message += " quokka sighting";
  return { timestamp: new Date(ts).toISOString(), level, host, service: "shop", ...line, request_id: `${i.toString(16)}-${Math.floor(r() * 1e9).toString(16)}` };
}

/** `count` batches of `size` lines, gzip NDJSON, evenly spaced in time across [from, to). */
export function batches(count, size, from, to, seed = 7) {
  const r = rng(seed);
  const step = (to - from) / (count * size);
  const out = [];
  let i = 0;
  for (let b = 0; b < count; b++) {
    const lines = [];
    for (let k = 0; k < size; k++, i++) lines.push(JSON.stringify(makeLine(r, from + i * step, i)));
    out.push(gzipSync(lines.join("\n")));
  }
  return out;
}

export async function postLines(origin, project, body) {
  const res = await fetch(`${origin}/api/${project.id}/logs/`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip", authorization: `Bearer ${project.key}` },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`logs: ${res.status} ${text.slice(0, 300)}`);
}

// ------------------------------------------------------------------------------------------------------------
// 1. Ingest rate

export async function benchLogIngest({ baseline, vigil, cookie, org, requests = 1500, seconds = 30, concurrency = Number(process.env.LOG_CLIENTS ?? 4) }) {
  const project = await createProject(vigil.base, cookie, org, "Logs ingest");
  const now = Date.now();
  const bodies = batches(requests + 40, 100, now - HOUR, now, 11);
  const bytes = bodies.reduce((n, b) => n + b.length, 0) / bodies.length;
  // Each call (warm-up included) posts the next body: a body sent twice would be recognised as a resend and not stored again.
  const posted = new Map();
  const each = (origin, list, size) => {
    let k = 0;
    return () => {
      if (origin === vigil.base) posted.set(size, (posted.get(size) ?? 0) + 1);
      return postLines(origin, project, list[k++ % list.length]);
    };
  };
  // The do-nothing Worker and Vigil take turns (three rounds each), so a drift in the VM's speed touches both alike.
  const { base, vig } = await inTurns({
    base: [each(baseline.base, bodies, 100), { count: requests, seconds, concurrency, warmup: 20 }],
    vig: [each(vigil.base, bodies, 100), { count: requests, seconds, concurrency, warmup: 20 }],
  });
  // The same lines in batches of 1,000 (Vector's and Fluent Bit's batches are often this big or bigger).
  const big = batches(220, 1000, now - HOUR, now, 13);
  const { bigBase, bigVig } = await inTurns({
    bigBase: [each(baseline.base, big, 1000), { count: 200, seconds, concurrency, warmup: 5 }],
    bigVig: [each(vigil.base, big, 1000), { count: 200, seconds, concurrency, warmup: 5 }],
  });
  // Every line accepted is stored: count them back.
  const stored = await api(vigil.base, cookie, "GET", `/api/v1/projects/${project.id}/logs/histogram?from=${new Date(now - 2 * HOUR).toISOString()}&to=${new Date().toISOString()}`);
  const total = stored.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
  return {
    clients: concurrency,
    gzipBytesPerBatch: Math.round(bytes),
    baseline: { ...base, linesPerSecond: base.rps * 100 },
    vigil: { ...vig, linesPerSecond: vig.rps * 100 },
    big: { baseline: { ...bigBase, linesPerSecond: bigBase.rps * 1000 }, vigil: { ...bigVig, linesPerSecond: bigVig.rps * 1000 } },
    sent: (posted.get(100) ?? 0) * 100 + (posted.get(1000) ?? 0) * 1000,
    stored: total,
  };
}

export function printLogIngest(r) {
  console.log(`\nLog lines ingested: batches of 100 lines, NDJSON, gzip (${r.gzipBytesPerBatch} bytes a batch on average), ${r.clients} clients; the do-nothing Worker and Vigil in turns, 3 rounds.\n`);
  console.log("| scenario | requests | req/s | lines/s | p50 ms | p95 ms | p99 ms |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, x] of [
    ["do-nothing Worker, same bodies (baseline)", r.baseline],
    ["POST /api/{id}/logs/ (stored in the project's LogStore before the answer)", r.vigil],
    ["do-nothing Worker, batches of 1,000 lines", r.big.baseline],
    ["POST /api/{id}/logs/, batches of 1,000 lines", r.big.vigil],
  ]) {
    console.log(`| ${name} | ${x.requests} | ${x.rps.toFixed(0)} | **${x.linesPerSecond.toFixed(0)}** | ${x.p50.toFixed(1)} | ${x.p95.toFixed(1)} | ${x.p99.toFixed(1)} |`);
  }
  console.log(`\nsent ${r.sent} lines, counted back ${r.stored}; ${((r.vigil.rps / r.baseline.rps) * 100).toFixed(0)}% of the baseline's request rate; goal ≥ 20,000 lines/s`);
}

// ------------------------------------------------------------------------------------------------------------
// 2. Search over a million lines

export async function benchLogSearch({ vigil, cookie, org, lines = 1_000_000, concurrency = 4 }) {
  const project = await createProject(vigil.base, cookie, org, "Logs search");
  const now = Date.now();
  const count = lines / 100;
  const started = performance.now();
  // Generated and sent in slices, so a million lines are never all in memory.
  let sent = 0;
  for (let slice = 0; slice < count; slice += 500) {
    const n = Math.min(500, count - slice);
    const from = now - DAY + (slice / count) * DAY;
    const to = now - DAY + ((slice + n) / count) * DAY;
    const bodies = batches(n, 100, from, to, 1000 + slice);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) await postLines(vigil.base, project, bodies[next++]);
      }),
    );
    sent += n * 100;
  }
  const fillSeconds = (performance.now() - started) / 1000;
  const range = `from=${encodeURIComponent(new Date(now - DAY).toISOString())}&to=${encodeURIComponent(new Date(now + 60_000).toISOString())}`;
  const base = `${vigil.base}/api/v1/projects/${project.id}`;
  const cases = [
    ["newest 100 lines, no filter (the page as it opens)", `${base}/logs?${range}&limit=100`],
    ["rare word (`quokka`, 100 lines in 1 M)", `${base}/logs?${range}&limit=100&q=quokka`],
    ["common word + level (`request level:error`)", `${base}/logs?${range}&limit=100&q=${encodeURIComponent("request level:error")}`],
    ["phrase + exclusion (`\"request served\" -health`)", `${base}/logs?${range}&limit=100&q=${encodeURIComponent('"request served" -health')}`],
    ["24 h histogram, all lines", `${base}/logs/histogram?${range}`],
    ["24 h histogram of a common word (`request`)", `${base}/logs/histogram?${range}&q=request`],
  ];
  const results = [];
  for (const [name, url] of cases) {
    let hits = null;
    const r = await load(
      async () => {
        const res = await fetch(url, { headers: { cookie } });
        const body = await res.json();
        if (!res.ok) throw new Error(`${name}: ${res.status} ${JSON.stringify(body)}`);
        hits = body.data ? body.data.length : body.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
      },
      { count: 20, seconds: 60, concurrency: 1, warmup: 2 },
    );
    results.push({ name, ...r, hits });
  }
  return { lines: sent, fillSeconds, fillLinesPerSecond: sent / fillSeconds, results };
}

export function printLogSearch(r) {
  console.log(`\nLog search over ${r.lines.toLocaleString("en")} lines across the last 24 h (filled in ${r.fillSeconds.toFixed(0)} s, ${r.fillLinesPerSecond.toFixed(0)} lines/s); 20 sequential requests each after 2 unmeasured.\n`);
  console.log("| request | p50 ms | p95 ms | max-ish p99 ms | lines (or counted) |");
  console.log("|---|---|---|---|---|");
  for (const x of r.results) console.log(`| ${x.name} | ${x.p50.toFixed(1)} | **${x.p95.toFixed(1)}** | ${x.p99.toFixed(1)} | ${x.hits} |`);
  console.log("\ngoal: search p95 under 300 ms over 1 M lines");
}

// ------------------------------------------------------------------------------------------------------------

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = frozenVigilConfig();
  const baseline = await startWorker({ config: "bench/baseline/wrangler.toml" });
  const vigil = await startWorker({ config, probePath: "/api/v1/openapi.json", migrate: true });
  try {
    const { cookie, org } = await signUp(vigil.base);
    console.log(`Machine: load average ${(await import("node:os")).default.loadavg().map((x) => x.toFixed(2)).join(" ")}; ${new Date().toISOString()}`);
    printLogIngest(await benchLogIngest({ baseline, vigil, cookie, org }));
    // LOG_LINES=0: the ingest part only.
    const lines = Number(process.env.LOG_LINES ?? 1_000_000);
    if (lines > 0) printLogSearch(await benchLogSearch({ vigil, cookie, org, lines }));
  } finally {
    baseline.stop();
    vigil.stop();
  }
}
