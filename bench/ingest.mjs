// Errors benchmark: the Sentry accept path (`POST /api/{id}/envelope/`) with real Django error envelopes,
// against the do-nothing Worker receiving the same bodies, and the end-to-end processed rate (queue drained,
// count sent = count stored). Used by bench/run.mjs.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { env, load, startWorker, api, sdkHeaders } from "./lib.mjs";

const DJANGO = "examples/django";
const PYTHON = `${DJANGO}/.venv/bin/python`;

// Runs inside the example shop: real Django requests through the test client, real sentry-sdk with its
// Django integration; a transport that keeps envelopes replaces the HTTP one, so nothing is sent.
const CAPTURE = String.raw`
import json, os, sys
import django
django.setup()
import sentry_sdk
from django.core.management import call_command
from django.test import Client
from sentry_sdk.transport import Transport
from store.models import Product

captured = []
class Keep(Transport):
    def capture_envelope(self, envelope):
        captured.append(envelope)

client = sentry_sdk.get_client()
client.transport = Keep(client.options)
call_command("migrate", verbosity=0)
# The migration's SQL would otherwise ride along as breadcrumbs: a web process starts without them.
for scope in (sentry_sdk.get_global_scope(), sentry_sdk.get_isolation_scope(), sentry_sdk.get_current_scope()):
    scope.clear_breadcrumbs()
browser = Client(raise_request_exception=False, headers={
    "Host": "shop.example.com",
    "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Accept-Language": "en-IE,en;q=0.9",
    "X-Customer-Id": "4711",
    "X-Customer-Email": "ann@example.com",
})
out_dir = sys.argv[1]
result = []

def grab(name, call):
    captured.clear()
    response = call()
    sentry_sdk.flush()
    for envelope in captured:
        for item in envelope.items:
            if item.type == "event":
                data = envelope.serialize()
                path = os.path.join(out_dir, name + ".envelope")
                with open(path, "wb") as f:
                    f.write(data)
                result.append({"name": name, "file": path, "eventId": item.payload.json["event_id"], "status": response.status_code, "bytes": len(data)})
                return

cheapest = Product.objects.order_by("price").first()
grab("zero-division", lambda: browser.get("/reports/conversion/?day=2026-01-05"))
grab("key-error", lambda: browser.post("/checkout/", {"product": cheapest.pk, "quantity": 1, "country": "IE", "email": "ann@example.com"}))
print(json.dumps(result))
`;

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"], ...opts });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}\n${stderr}`));
    });
  });
}

/**
 * Real envelopes of Django errors from the example shop, as the SDK serializes them (before compression):
 * the ZeroDivisionError report page and the KeyError checkout post, about 7 KB each. (The chained error,
 * 10.6 KB, and the template error, 35 KB with the template context in its locals, are outside the 5–10 KB
 * the goal is stated for.)
 */
export async function captureDjangoErrors() {
  await run("bash", [`${DJANGO}/setup.sh`]);
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-bench-envelopes-"));
  try {
    const stdout = await run(path.resolve(PYTHON), ["-c", CAPTURE, dir], {
      cwd: DJANGO,
      env: {
        ...env,
        DJANGO_SETTINGS_MODULE: "shop.settings",
        SHOP_DB_PATH: path.join(dir, "db.sqlite3"),
        VIGIL_DSN: "http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1",
        VIGIL_RELEASE: "shop@1.4.2",
        VIGIL_ENVIRONMENT: "production",
        DJANGO_ALLOWED_HOSTS: "shop.example.com",
        LOG_LEVEL: "CRITICAL",
      },
    });
    const captured = JSON.parse(stdout.trim().split("\n").at(-1));
    if (captured.length !== 2) throw new Error(`expected 2 captured envelopes, got ${stdout}`);
    return captured.map((c) => ({ ...c, text: readFileSync(c.file, "latin1") }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `n` gzip bodies (level 9, as the SDK compresses), cycling through the templates, each with its own
 * event_id (same length, so item `length` headers stay right). Compressed up front, off the clock.
 */
function makeBodies(templates, n, seed) {
  const bodies = [];
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length];
    const id = (seed + i.toString(16).padStart(8, "0") + t.eventId).slice(0, 32);
    bodies.push(gzipSync(Buffer.from(t.text.replaceAll(t.eventId, id), "latin1"), { level: 9 }));
  }
  return bodies;
}

const ok = async (res, what) => {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
};


/** Sum of event counts over a project's issues (every page). */
async function storedCount(base, cookie, projectId) {
  let total = 0;
  let cursor;
  for (let page = 0; page < 100; page++) {
    const q = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
    const body = await api(base, cookie, "GET", `/api/v1/projects/${projectId}/issues?${q}`);
    for (const issue of body.data) total += issue.count;
    cursor = body.nextCursor ?? null;
    if (!cursor || body.data.length === 0) break;
  }
  return total;
}

/** Poll until `want` events are stored, or the count stops moving for `stallSeconds`, or `maxSeconds` pass. */
async function drain(base, cookie, projectId, want, { maxSeconds = 240, stallSeconds = 30 } = {}) {
  const started = performance.now();
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const stored = await storedCount(base, cookie, projectId);
    if (stored !== last) {
      last = stored;
      lastChange = performance.now();
    }
    if (stored >= want) return { stored, at: performance.now() };
    const now = performance.now();
    if (now - started > maxSeconds * 1000 || now - lastChange > stallSeconds * 1000) return { stored, at: now, stalled: true };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function createProject(base, cookie, org, name) {
  const project = await api(base, cookie, "POST", `/api/v1/orgs/${org}/projects`, { name });
  return { id: project.id, key: new URL(project.dsn).username };
}

/** Raise the projects' ingest limits (PATCH /projects/{id}) before the first ingest request: keys are cached with their limits. */
async function raiseLimits(base, cookie, ids) {
  for (const id of ids) {
    const project = await api(base, cookie, "PATCH", `/api/v1/projects/${id}`, { rateLimitPerMinute: 10_000_000, monthlyQuota: 2_000_000_000 });
    if (project.settings?.rateLimitPerMinute !== 10_000_000) throw new Error(`limits not raised: ${JSON.stringify(project)}`);
  }
}

/**
 * wrangler.toml without its queue consumers, as a Worker named `vigil-accept`: the same code serving the accept
 * path in a workerd process of its own, sending events to the relay's queue (bench/relay/worker.ts), which
 * passes them on to the `vigil-ingest` queue that Vigil's process consumes. Written under .wrangler/
 * (git-ignored), with its paths made absolute.
 */
function writeAcceptOnlyConfig() {
  const kept = [];
  let consumer = false;
  for (const line of readFileSync("wrangler.toml", "utf8").split("\n")) {
    if (/^\s*\[/.test(line)) consumer = /^\s*\[\[queues\.consumers\]\]/.test(line);
    if (!consumer) kept.push(line);
  }
  const toml = kept
    .join("\n")
    .replace(/^name\s*=.*$/m, 'name = "vigil-accept"')
    .replace(/^(\s*queue\s*=\s*)"vigil-ingest"/gm, '$1"vigil-bench-accepted"')
    .replace(/^(\s*(?:main|directory|migrations_dir)\s*=\s*)"([^"]+)"/gm, (_, key, p) => key + JSON.stringify(path.resolve(p)));
  const dir = path.resolve(".wrangler/bench");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "wrangler.accept.toml");
  writeFileSync(file, toml);
  return file;
}

/**
 * The accept path alone in its own `wrangler dev`, with the relay, sharing Vigil's local D1 and R2 (the accept
 * path reads keys from it). Wrangler's dev registry connects the relay to Vigil's queue in the other process.
 */
export function startAcceptOnly(vigil) {
  return startWorker({ config: writeAcceptOnlyConfig(), also: ["bench/relay/wrangler.toml"], probePath: "/api/v1/openapi.json", state: vigil.state });
}

/** POST one gzip envelope to `origin` as the SDK does; throws unless it is accepted. */
async function postEnvelope(origin, project, body, what) {
  await ok(await fetch(`${origin}/api/${project.id}/envelope/`, { method: "POST", headers: sdkHeaders(project.key), body }), what);
}

/**
 * The accept path while the consumer is idle: `bursts` short bursts of `burstSize` (fewer than a queue batch,
 * sent well within its 1 s timeout), each followed by waiting until everything sent to the project is stored.
 * `stored` is what the project already holds; returns the row and the new total.
 */
async function burstRow({ origin, vigil, cookie, project, bodies, stored, bursts, burstSize, concurrency }) {
  const latencies = [];
  let seconds = 0;
  let sent = 0;
  for (let burst = 0; burst < bursts; burst++) {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < burstSize) {
          next++;
          const t0 = performance.now();
          await postEnvelope(origin, project, bodies[sent++], "burst");
          latencies.push(performance.now() - t0);
        }
      }),
    );
    seconds += (performance.now() - started) / 1000;
    const drained = await drain(vigil.base, cookie, project.id, stored + sent, { maxSeconds: 30, stallSeconds: 10 });
    if (drained.stalled) break;
  }
  latencies.sort((x, y) => x - y);
  const pct = (q) => latencies[Math.min(latencies.length - 1, Math.floor((q / 100) * latencies.length))];
  return { row: { requests: latencies.length, rps: latencies.length / seconds, p50: pct(50), p95: pct(95), p99: pct(99) }, stored: stored + sent };
}

/**
 * The errors rows. `baseline` and `vigil` are running workers from lib.startWorker;
 * `cookie` is a signed-in session of an owner of `org`. The accept path is measured in a workerd process of its
 * own while Vigil's process consumes what it enqueues (the layout of production, where the consumer runs in its
 * own invocations), and in Vigil's process next to the consumer (the layout of `npm start`).
 */
export async function benchIngest({ baseline, vigil, cookie, org, concurrency = 4, acceptCount = 2000, processCount = 3000, bursts = 10, burstSize = 80 }) {
  const { base } = vigil;
  const acceptOnly = await startAcceptOnly(vigil);
  try {
    const templates = await captureDjangoErrors();
    const ownProcessProject = await createProject(base, cookie, org, "bench-accept-own-process");
    const acceptProject = await createProject(base, cookie, org, "bench-accept");
    const processProject = await createProject(base, cookie, org, "bench-processing");
    await raiseLimits(base, cookie, [ownProcessProject.id, acceptProject.id, processProject.id]);

    const warmup = 20;
    const ownProcessBodies = makeBodies(templates, acceptCount + warmup, "e0");
    const ownProcessBurstBodies = makeBodies(templates, bursts * burstSize, "f0");
    const acceptBodies = makeBodies(templates, acceptCount + warmup, "a0");
    const burstBodies = makeBodies(templates, bursts * burstSize, "d0");
    const baselineBodies = makeBodies(templates, acceptCount + warmup, "b0");
    const processBodies = makeBodies(templates, processCount, "c0");
    const sizes = templates.map((t) => ({ name: t.name, bytes: t.bytes, gzip: gzipSync(Buffer.from(t.text, "latin1"), { level: 9 }).length }));
    const rowOptions = { count: acceptCount, seconds: 20, concurrency, warmup };
    const burstOptions = { vigil, cookie, bursts, burstSize, concurrency };

    // 1. The do-nothing Worker, same bodies, same concurrency.
    let b = 0;
    const baselineRow = await load(() => postEnvelope(baseline.base, { id: 1, key: acceptProject.key }, baselineBodies[b++], "baseline"), rowOptions);

    // 2. The accept path in its own workerd; Vigil's process stores what it enqueues at the same time.
    let o = 0;
    const ownProcessRow = await load(() => postEnvelope(acceptOnly.base, ownProcessProject, ownProcessBodies[o++], "envelope (own process)"), rowOptions);
    // Everything enqueued is processed too: wait for it (and check nothing was lost) before going on.
    const ownProcessDrain = await drain(base, cookie, ownProcessProject.id, o);
    // 2b. The same with the consumer idle.
    const ownProcessBursts = await burstRow({ ...burstOptions, origin: acceptOnly.base, project: ownProcessProject, bodies: ownProcessBurstBodies, stored: o });

    // 3. The accept path in Vigil's process, next to the queue consumer.
    let a = 0;
    const acceptRow = await load(() => postEnvelope(base, acceptProject, acceptBodies[a++], "envelope"), rowOptions);
    const acceptDrain = await drain(base, cookie, acceptProject.id, a);
    // 3b. The same with the consumer idle.
    const bursts1 = await burstRow({ ...burstOptions, origin: base, project: acceptProject, bodies: burstBodies, stored: a });

    // 4. End to end, in the production layout: send processCount events to the accept-only process (bounded by
    // 90 s), then poll until Vigil's consumer has stored all of them.
    const statuses = {};
    let p = 0;
    const started = performance.now();
    const sendRow = await load(
      async () => {
        const res = await fetch(`${acceptOnly.base}/api/${processProject.id}/envelope/`, { method: "POST", headers: sdkHeaders(processProject.key), body: processBodies[p++] });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      },
      { count: processCount, seconds: 90, concurrency, warmup: 0 },
    );
    const sendSeconds = (performance.now() - started) / 1000;
    const accepted = statuses[200] ?? 0;
    const done = await drain(base, cookie, processProject.id, accepted);
    const seconds = (done.at - started) / 1000;
    // Late or lost? Look at the accept rows' projects once more, now that everything had time.
    const ownProcessFinal = await storedCount(base, cookie, ownProcessProject.id);
    const acceptFinal = await storedCount(base, cookie, acceptProject.id);

    return {
      concurrency,
      sizes,
      rows: [
        [`do-nothing Worker, same gzip envelopes (baseline, ${concurrency} clients)`, baselineRow],
        [`POST /api/{id}/envelope/ — accept path in its own workerd, consumer busy in another (${concurrency} clients)`, ownProcessRow],
        [`POST /api/{id}/envelope/ — accept path in its own workerd, bursts of ${burstSize}, consumer idle (${concurrency} clients)`, ownProcessBursts.row],
        [`POST /api/{id}/envelope/ — sustained, in one workerd with the consumer (${concurrency} clients)`, acceptRow],
        [`POST /api/{id}/envelope/ — bursts of ${burstSize} in one workerd, consumer idle (${concurrency} clients)`, bursts1.row],
      ],
      ownProcessPhase: { sent: ownProcessBursts.stored, sentInSustained: o, storedAfterSustained: ownProcessDrain.stored, stalled: !!ownProcessDrain.stalled, storedAtEnd: ownProcessFinal },
      acceptPhase: { sent: bursts1.stored, sentInSustained: a, storedAfterSustained: acceptDrain.stored, stalled: !!acceptDrain.stalled, storedAtEnd: acceptFinal },
      processing: {
        sent: sendRow.requests,
        statuses,
        accepted,
        stored: done.stored,
        stalled: !!done.stalled,
        sendSeconds,
        sendRps: sendRow.requests / sendSeconds,
        seconds,
        storedPerSecond: done.stored / seconds,
        sendP99: sendRow.p99,
      },
    };
  } finally {
    acceptOnly.stop();
  }
}

const table = (rows) => [
  "| scenario | requests | req/s | p50 ms | p95 ms | p99 ms |",
  "|---|---|---|---|---|---|",
  ...rows.map(([name, r]) => `| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} |`),
];

/** The errors rows as Markdown, with the accept rows against the goals and what was stored. */
export function printIngest(ingest) {
  const sizes = ingest.sizes.map((s) => `${s.name} ${(s.bytes / 1024).toFixed(1)} KB, ${(s.gzip / 1024).toFixed(1)} KB gzip`).join("; ");
  console.log(`\nErrors: real Django error envelopes from the example shop (${sizes}), each with its own event_id, ${ingest.concurrency} concurrent clients.\n`);
  console.log(table(ingest.rows).join("\n"));
  const [base, ownProcess, ownProcessIdle, accept, burst] = ingest.rows.map(([, r]) => r);
  const share = (r) => `${((100 * r.rps) / base.rps).toFixed(0)}% of the baseline's req/s`;
  console.log(`\naccept path in its own workerd, consumer busy in another: ${share(ownProcess)} (goal ≥ 50%), p99 ${ownProcess.p99.toFixed(1)} ms (goal ≤ 50 ms)`);
  console.log(`accept path in its own workerd, consumer idle: ${share(ownProcessIdle)}, p99 ${ownProcessIdle.p99.toFixed(1)} ms`);
  console.log(`accept, sustained, one workerd with the consumer: ${share(accept)}, p99 ${accept.p99.toFixed(1)} ms`);
  console.log(`accept, one workerd, consumer idle: ${share(burst)}, p99 ${burst.p99.toFixed(1)} ms`);
  for (const [name, ph] of [["own-process rows", ingest.ownProcessPhase], ["one-workerd rows", ingest.acceptPhase]]) {
    console.log(
      `${name}: ${ph.sent} events sent; ${ph.storedAfterSustained} of the sustained row's ${ph.sentInSustained} stored when it drained` +
        `${ph.stalled ? " (the count stalled)" : ""}; ${ph.storedAtEnd} of ${ph.sent} stored at the end of the run`,
    );
  }
  const pr = ingest.processing;
  console.log(
    `processing: sent ${pr.sent} to the accept-only process in ${pr.sendSeconds.toFixed(1)} s (${pr.sendRps.toFixed(0)}/s, statuses ${JSON.stringify(pr.statuses)}), ` +
      `stored ${pr.stored} of ${pr.accepted} accepted after ${pr.seconds.toFixed(1)} s from the first send: ${pr.storedPerSecond.toFixed(0)} events stored/s (goal ≥ 300)` +
      `${pr.stored === pr.sent ? ", nothing lost" : `, MISSING ${pr.sent - pr.stored}`}${pr.stalled ? " (stopped waiting: the count stalled or the time ran out)" : ""}`,
  );
}

/** The error pipeline alone, inside workerd (vitest's workers pool, bench/processing/), with the accept path idle. */
export function measureErrorProcessingAlone() {
  const measured = spawnSync("vitest", ["run", "--config", "bench/processing/vitest.config.ts"], { encoding: "utf8", env: process.env, timeout: 300_000 });
  const line = /PROCESSING (\{.*\})/.exec(`${measured.stdout}${measured.stderr}`)?.[1];
  return line ? JSON.parse(line) : { failed: measured.status };
}

export function printErrorProcessingAlone(alone) {
  console.log(
    alone.eventsPerSecond !== undefined
      ? `\nprocessing alone (queue handler in workerd, real D1 + R2, ${alone.batches} batches of ${alone.batchSize}): ` +
          `${alone.eventsPerSecond.toFixed(0)} events/s, median batch ${alone.medianBatchMs.toFixed(0)} ms (goal ≥ 300/s)`
      : `\nprocessing alone: the measurement did not run (exit ${alone.failed})`,
  );
}
