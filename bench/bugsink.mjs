// Side by side: Vigil and Bugsink (a self-hosted, Sentry-compatible error tracker: Django + SQLite) receive the
// same gzip error envelopes on the same machine, one after the other, each with the other stopped. For each:
// accepted events/s and accept latency (client side), processed events/s (time from the first send until every
// accepted event is stored and grouped: Vigil's issue counts from its API, Bugsink's events table in its SQLite
// file), and the memory of the server's whole process tree, at rest after start and at its peak during the run.
// Bugsink is installed from PyPI into a venv under .wrangler/ (git-ignored; bench/bugsink/server.mjs); Vigil is the
// Worker of the commit checked out (HEAD, without uncommitted edits in this shared checkout), bundled once and run
// by `wrangler dev` (workerd, local D1/R2/Queues; the queue consumer in the same process, as `npm start`).
// Run alone with `node bench/bugsink.mjs` (BENCH_BUGSINK_COUNT=3000, BENCH_BUGSINK_ORDER=bugsink,vigil to reverse the
// order); part of `npm run bench` only with BENCH_BUGSINK=1 (it installs Bugsink from PyPI).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { idleMemory, pidsByCommandLine, watchTree } from "./bugsink/memory.mjs";
import { installBugsink, startBugsink } from "./bugsink/server.mjs";
import { env, load, startWorker, api, sdkHeaders } from "./lib.mjs";
import { signUp } from "./performance.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadAverage = () => os.loadavg().map((l) => Number(l.toFixed(2)));

// ------------------------------------------------------------------------------------------------------------
// The envelopes

// Envelopes the real sentry-sdk sent from the example shop (examples/django): four exceptions (a ZeroDivisionError
// report page, a KeyError checkout, a chained RuntimeError, a logged error) and two messages (one with a custom
// fingerprint) — six issues in each system.
const TEMPLATES = ["zero-division", "key-error", "chained", "logged-error", "message-1", "fingerprint"];
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/g;

/**
 * `n` gzip bodies (level 9, as the SDK compresses), cycling through the templates, each with a fresh event_id and
 * its timestamps moved to now (same lengths, so the items' `length` headers stay right). Built once; both systems
 * receive exactly these bytes.
 */
export function errorEnvelopes(n) {
  const templates = TEMPLATES.map((name) => {
    const text = readFileSync(`worker/test/fixtures/${name}.envelope`, "latin1");
    const eventId = JSON.parse(text.split("\n")[0]).event_id;
    const timestamp = JSON.parse(text.split("\n")[2]).timestamp;
    return { name, text, eventId, shift: Date.now() - Date.parse(timestamp) };
  });
  const seed = Date.now().toString(16).slice(-8);
  const bodies = [];
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length];
    const id = (seed + i.toString(16).padStart(8, "0") + t.eventId).slice(0, 32);
    const text = t.text.replaceAll(t.eventId, id).replace(ISO, (iso) => {
      const ms = Date.parse(iso) + t.shift;
      return new Date(ms).toISOString().replace("Z", `${iso.slice(23, 26)}Z`);
    });
    bodies.push(gzipSync(Buffer.from(text, "latin1"), { level: 9 }));
  }
  const sizes = templates.map((t) => ({ name: t.name, bytes: Buffer.byteLength(t.text, "latin1"), gzip: gzipSync(Buffer.from(t.text, "latin1"), { level: 9 }).length }));
  return { bodies, sizes };
}

// ------------------------------------------------------------------------------------------------------------
// Vigil at HEAD

/**
 * Vigil as committed: HEAD exported with `git archive` into a temp directory (node_modules linked), bundled once
 * with `wrangler deploy --dry-run`, run from that bundle without the dashboard's assets. Other people's unsaved
 * or uncommitted edits in this checkout neither restart it nor end up in it.
 */
function frozenVigilAtHead() {
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), "vigil-bench-head-"));
  const archive = spawnSync("bash", ["-c", `git archive HEAD | tar -x -C ${JSON.stringify(dir)}`], { encoding: "utf8" });
  if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"));
  mkdirSync(path.join(dir, "dashboard/build"), { recursive: true }); // wrangler checks the assets directory exists
  const out = path.join(dir, ".frozen");
  const built = spawnSync("wrangler", ["deploy", "--dry-run", "--outdir", out], { cwd: dir, env, encoding: "utf8", timeout: 180_000 });
  if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${built.status}):\n${(built.stderr ?? "").slice(-2000)}`);
  const toml = readFileSync(path.join(dir, "wrangler.toml"), "utf8")
    .replace(/^\[assets\][\s\S]*?(?=^\[)/m, "")
    .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(path.join(out, "index.js"))}\nno_bundle = true`)
    .replace(/^(\s*migrations_dir\s*=\s*)"([^"]+)"/m, (_, key, p) => key + JSON.stringify(path.join(dir, p)));
  const config = path.join(out, "wrangler.toml");
  writeFileSync(config, toml);
  return { commit, dir, config };
}


/** Events stored in a Vigil project (the sum of its issues' counts) and its issues, every page. */
async function vigilCounts(base, cookie, projectId) {
  let events = 0;
  let issues = 0;
  let cursor;
  for (let page = 0; page < 100; page++) {
    const q = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
    const body = await api(base, cookie, "GET", `/api/v1/projects/${projectId}/issues?${q}`);
    for (const issue of body.data) events += issue.count;
    issues += body.data.length;
    cursor = body.nextCursor ?? null;
    if (!cursor || body.data.length === 0) break;
  }
  return { events, issues };
}

/** A started Vigil with one project whose limits are raised; the same shape as startBugsink's answer. */
async function startVigilSide() {
  const frozen = frozenVigilAtHead();
  const vigil = await startWorker({ config: frozen.config, probePath: "/api/v1/openapi.json", migrate: true });
  const { cookie, org } = await signUp(vigil.base);
  const created = await api(vigil.base, cookie, "POST", `/api/v1/orgs/${org}/projects`, { name: "bench-errors" });
  // Keys are cached with their limits: raise them before the first ingest request.
  await api(vigil.base, cookie, "PATCH", `/api/v1/projects/${created.id}`, { rateLimitPerMinute: 10_000_000, monthlyQuota: 2_000_000_000 });
  return {
    base: vigil.base,
    commit: frozen.commit,
    project: { id: created.id, key: new URL(created.dsn).username, dsn: created.dsn },
    setup: [`git archive HEAD (${frozen.commit}) → wrangler deploy --dry-run`, "wrangler d1 migrations apply DB --local", "wrangler dev (frozen bundle)", "sign up, create a project, raise its limits"],
    // wrangler dev's processes carry the state directory on their command line; workerd is their child.
    roots: () => pidsByCommandLine(vigil.state),
    counts: () => vigilCounts(vigil.base, cookie, created.id),
    async stop() {
      vigil.stop();
      await sleep(2000);
      for (const d of [vigil.state, frozen.dir]) rmSync(d, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------------------------------------------------
// One system: idle memory, send, drain, peak memory


/** Poll `counts()` until `want` events are stored, or the count stops moving for `stallSeconds`, or `maxSeconds` pass. */
async function drain(counts, want, { maxSeconds = 300, stallSeconds = 30 } = {}) {
  const started = performance.now();
  let last = -1;
  let lastChange = started;
  for (;;) {
    const c = await counts();
    const now = performance.now();
    if (c.events !== last) {
      last = c.events;
      lastChange = now;
    }
    if (c.events >= want) return { ...c, at: now };
    if (now - started > maxSeconds * 1000 || now - lastChange > stallSeconds * 1000) return { ...c, at: now, stalled: true };
    await sleep(250);
  }
}

async function measure(system, bodies, { seconds, concurrency }) {
  await sleep(5000); // settle after start-up and set-up
  const idle = await idleMemory(system.roots);
  const loadAtStart = loadAverage();
  const memory = watchTree(system.roots);
  const statuses = {};
  const url = `${system.base}/api/${system.project.id}/envelope/`;
  const headers = sdkHeaders(system.project.key);
  const started = performance.now();
  const row = await load(
    async (i) => {
      let status;
      try {
        const res = await fetch(url, { method: "POST", headers, body: bodies[i] });
        await res.arrayBuffer();
        status = res.status;
      } catch (e) {
        status = e.cause?.code ?? "error";
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    },
    { count: bodies.length, seconds, concurrency, warmup: 0 },
  );
  const sendSeconds = (performance.now() - started) / 1000;
  const accepted = statuses[200] ?? 0;
  const done = await drain(system.counts, accepted);
  const peak = memory.stop();
  const processSeconds = (done.at - started) / 1000;
  await sleep(3000); // anything counted twice or late shows up here
  const final = await system.counts();
  // Memory kept after the work is done (idle again): what grew during the run and was not given back.
  const after = await idleMemory(system.roots);
  return {
    loadAtStart,
    idle,
    peak,
    after,
    sent: row.requests,
    statuses,
    accepted,
    sendSeconds,
    acceptedPerSecond: accepted / sendSeconds,
    p50: row.p50,
    p95: row.p95,
    p99: row.p99,
    stored: done.events,
    stalled: !!done.stalled,
    processSeconds,
    processedPerSecond: done.events / processSeconds,
    final,
  };
}

/**
 * Vigil, then Bugsink (or `order`), each started fresh, measured, and stopped before the next starts; `count`
 * envelopes from `concurrency` clients, bounded by `seconds` of sending.
 */
export async function benchSideBySide({ count = 3000, seconds = 90, concurrency = 4, order = ["vigil", "bugsink"], log = (m) => console.error(m) } = {}) {
  const versions = { node: process.version, wrangler: JSON.parse(readFileSync("node_modules/wrangler/package.json", "utf8")).version, ...installBugsink({ log }) };
  const { bodies, sizes } = errorEnvelopes(count);
  const result = { date: new Date().toISOString(), loadAtStart: loadAverage(), count, seconds, concurrency, order, sizes, versions, systems: {} };
  for (const name of order) {
    log(`${name}: starting (load average ${loadAverage().join(" ")})`);
    const system = name === "vigil" ? await startVigilSide() : await startBugsink({ log });
    try {
      if (system.commit) versions.vigil = system.commit;
      log(`${name}: sending ${bodies.length} envelopes to ${system.base}`);
      result.systems[name] = { setup: system.setup, ...(await measure(system, bodies, { seconds, concurrency })) };
    } finally {
      await system.stop();
    }
  }
  result.loadAtEnd = loadAverage();
  return result;
}

// ------------------------------------------------------------------------------------------------------------
// Printing

const mib = (kib) => (kib / 1024).toFixed(0);
const names = { vigil: "Vigil", bugsink: "Bugsink" };

/** The largest processes of a memory sample, e.g. "workerd 1× 180 MiB, node 2× 150 MiB". */
function breakdown(byName) {
  return Object.entries(byName)
    .sort(([, a], [, b]) => b.rss - a.rss)
    .map(([name, e]) => `${name} ${e.processes}× ${mib(e.rss)} MiB`)
    .join(", ");
}

export function printSideBySide(r) {
  const v = r.versions;
  console.log(`\nSide by side: Vigil ${v.vigil} vs Bugsink ${v.bugsink} — ${r.date}`);
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`);
  console.log(`Versions: Node ${v.node}, wrangler ${v.wrangler}; ${v.python}, Bugsink ${v.bugsink}, Django ${v.django}, gunicorn ${v.gunicorn}`);
  console.log(`Load average at start ${r.loadAtStart.join(" ")}, at end ${r.loadAtEnd.join(" ")}`);
  console.log(`Envelopes: ${r.sizes.map((s) => `${s.name} ${(s.bytes / 1024).toFixed(1)} KB (${(s.gzip / 1024).toFixed(1)} KB gzip)`).join("; ")}`);
  console.log(`${r.count} sent to each, ${r.concurrency} concurrent clients, sending bounded by ${r.seconds} s; order: ${r.order.join(", ")}\n`);
  const systems = r.order.map((n) => [names[n], r.systems[n]]);
  const row = (label, f) => console.log(`| ${label} | ${systems.map(([, s]) => f(s)).join(" | ")} |`);
  console.log(`| | ${systems.map(([n]) => n).join(" | ")} |`);
  console.log(`|---|${systems.map(() => "---").join("|")}|`);
  row("load average (1 min) at its start", (s) => s.loadAtStart[0].toFixed(2));
  row("events sent / accepted (200) / stored", (s) => `${s.sent} / ${s.accepted} / ${s.stored}${s.stalled ? " (stopped waiting)" : ""}`);
  row("statuses", (s) => Object.entries(s.statuses).map(([k, n]) => `${k}: ${n}`).join(", "));
  row("accepted events/s", (s) => `**${s.acceptedPerSecond.toFixed(0)}** (${s.sendSeconds.toFixed(1)} s)`);
  row("accept latency p50 / p95 / p99 ms", (s) => `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} / ${s.p99.toFixed(1)}`);
  row("processed events/s (first send → last stored)", (s) => `**${s.processedPerSecond.toFixed(0)}** (${s.processSeconds.toFixed(1)} s)`);
  row("issues", (s) => String(s.final.issues));
  row("stored 3 s later", (s) => String(s.final.events));
  row("idle RSS / PSS, MiB (whole process tree)", (s) => `${mib(s.idle.rssKiB)} / ${mib(s.idle.pssKiB)}`);
  row("peak RSS / PSS, MiB (whole process tree)", (s) => `**${mib(s.peak.peakRssKiB)}** / ${mib(s.peak.peakPssKiB)}`);
  row("RSS / PSS 3 s after the last event was stored, MiB", (s) => `${mib(s.after.rssKiB)} / ${mib(s.after.pssKiB)}`);
  row("processes at peak RSS", (s) => breakdown(s.peak.atPeak));
  row("idle processes", (s) => breakdown(s.idle.byName));
  for (const [n, s] of systems) console.log(`\n${n} setup: ${s.setup.join("; ")}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.env.BENCH_BUGSINK_COUNT ?? 3000);
  const order = (process.env.BENCH_BUGSINK_ORDER ?? "vigil,bugsink").split(",");
  const result = await benchSideBySide({ count, order });
  printSideBySide(result);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(`bench/results/${result.date.replace(/:/g, "-").slice(0, 19)}-bugsink.json`, JSON.stringify(result, null, 2));
}
