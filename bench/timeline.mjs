// Timeline benchmark: GET /api/v1/projects/{id}/timeline for a busy project, against a real Vigil (wrangler dev
// from a frozen bundle, local D1/R2/Durable Objects).
// One project, the last 24 h:
// - 100,000 error events over 50 issues (rows in `events` + `issues`, a few new and regressed in the window, four
//   releases in `releases`), written straight into the local D1 (`wrangler d1 execute --local --file`);
// - 1,000,000 log lines through the real ingest door (POST /api/{id}/logs/, batches of 1,000 lines, gzip;
//   bench/logs.mjs's lines);
// - 1,000,000 transactions: their rollups (perf_rollups minute, hour and day rows over 50 routes with histograms,
//   bench/performance.mjs's seedHistory) and as many rows in perf_transactions (the index of stored transactions);
// - 10 monitors × 3 regions with a raw check per minute per region (a few failing checks, 2 incidents, one still
//   open), 5 hourly crons with their check-ins.
// Then the timeline is timed over the last 24 h (the default), 6 h, 1 h and 7 days (20 sequential requests after 2
// unmeasured), GET /api/v1/me as the floor, and every answer is checked against what was seeded. Last, each SQL
// statement of the 24 h timeline is timed on its own in the same SQLite file (node:sqlite on the local D1), with
// its plan, its rows and bytes, and the JavaScript work on the rollup rows, to show where the time goes.
// Run alone with `node bench/timeline.mjs` (printed as Markdown); `npm run bench` runs it after the logs part.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { env } from "./lib.mjs";
import { batches, createProject, postLines } from "./logs.mjs";
import { seedHistory, signUp, startVigil } from "./performance.mjs";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

// The day curve of bench/performance.mjs's history: 0.3× at 04:00 UTC, 1.7× at 16:00.
const curve = (t) => 1 + 0.7 * Math.sin(((new Date(t).getUTCHours() - 10) / 24) * 2 * Math.PI);
const hex = () => randomBytes(16).toString("hex");

// ------------------------------------------------------------------------------------------------------------
// Writing to the local D1

function wrangler(vigil, args) {
  return new Promise((resolve, reject) => {
    const child = spawn("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", vigil.state, "--config", vigil.config ?? "wrangler.toml", ...args], {
      env: { ...env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`wrangler d1 execute ${args.join(" ").slice(0, 200)} exited ${code}\n${stderr.slice(-2000)}`))));
  });
}

/** Rows of one SELECT, through `wrangler d1 execute --command --json`. */
async function query(vigil, sql) {
  const out = await wrangler(vigil, ["--json", "--command", sql]);
  return JSON.parse(out.slice(out.indexOf("[")))[0].results;
}

const sqlValue = (v) => (v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const tuple = (values) => `(${values.map(sqlValue).join(",")})`;

/**
 * Insert `rows` (an iterable of value arrays) into `table`: multi-row INSERTs under D1's 100 KB statement limit,
 * `rowsPerFile` rows a file, each file run with `wrangler d1 execute --local --file` (as bench/performance.mjs does).
 */
async function insertRows(vigil, table, columns, rows, { rowsPerFile = 40_000, log = () => {} } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "vigil-bench-timeline-"));
  const head = `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(", ")}) VALUES\n`;
  let lines = [];
  let values = [];
  let size = 0;
  let inFile = 0;
  let files = 0;
  const stats = { rows: 0, bytes: 0 };
  const statement = () => {
    if (values.length) lines.push(`${head}${values.join(",\n")};`);
    values = [];
    size = 0;
  };
  const flush = async () => {
    statement();
    if (!lines.length) return;
    const file = path.join(dir, `${table}-${files++}.sql`);
    const text = lines.join("\n");
    stats.bytes += text.length;
    writeFileSync(file, text);
    lines = [];
    inFile = 0;
    await wrangler(vigil, ["--file", file]);
    rmSync(file);
    log(`  ${table}: ${stats.rows.toLocaleString("en")} rows`);
  };
  try {
    for (const row of rows) {
      const v = tuple(row);
      if (size + v.length > 90_000) statement();
      values.push(v);
      size += v.length + 2;
      stats.rows++;
      if (++inFile >= rowsPerFile) await flush();
    }
    await flush();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return stats;
}

// ------------------------------------------------------------------------------------------------------------
// What a busy Django shop's day looks like

/** Versions deployed: one before the window, three during it (relative to now). */
const RELEASES = [
  ["shop@1.4.0", -9 * DAY],
  ["shop@1.4.1", -20 * HOUR],
  ["shop@1.5.0", -9 * HOUR - 20 * MINUTE],
  ["shop@1.5.1", -2 * HOUR - 10 * MINUTE],
];
const releaseAt = (now, t) => RELEASES.filter(([, at]) => now + at <= t).at(-1)[0];

const ERRORS = [
  ["KeyError", "'cart'", "shop.views.checkout"],
  ["ZeroDivisionError", "division by zero", "shop.reports.sales"],
  ["OperationalError", "could not connect to server: Connection refused", "django.db.backends.postgresql.base"],
  ["AttributeError", "'NoneType' object has no attribute 'price'", "shop.models.line_total"],
  ["IntegrityError", 'duplicate key value violates unique constraint "shop_order_number_key"', "shop.views.place_order"],
  ["ValueError", "invalid literal for int() with base 10: 'abc'", "shop.views.product_detail"],
  ["DoesNotExist", "Product matching query does not exist.", "shop.views.product_detail"],
  ["TimeoutError", "Read timed out. (read timeout=10)", "shop.payments.charge"],
  ["TemplateSyntaxError", "Invalid block tag on line 12: 'endfor'", "django.template.base.parse"],
  ["RedisError", "Error 111 connecting to cache:6379. Connection refused.", "django_redis.cache.get"],
];
// Issues that first appeared in the window (each just after a release) and issues that came back in it.
const NEW_ISSUES = new Map([
  [7, 1],
  [13, 2],
  [21, 2],
  [30, 3],
  [38, 1],
  [44, 3],
]);
const REGRESSED = new Map([
  [3, 2],
  [17, 3],
  [26, 1],
  [41, 2],
]);

function issueModels(now, random) {
  const weights = Array.from({ length: 50 }, (_, i) => 1 / (i + 1) ** 0.9);
  // Busiest first, except that the issue a release brought (13, at 1.5.0) is among the busiest.
  [weights[13], weights[2]] = [weights[2], weights[13]];
  return weights.map((w, i) => {
    const [type, value, module] = ERRORS[i % ERRORS.length];
    const variant = Math.floor(i / ERRORS.length);
    const culprit = variant ? `${module}_${variant}` : module;
    const release = NEW_ISSUES.get(i) ?? REGRESSED.get(i);
    const at = release === undefined ? null : now + RELEASES[release][1] + Math.floor((2 + 40 * random()) * MINUTE);
    const firstSeen = NEW_ISSUES.has(i) ? at : now - Math.floor((2 + 40 * random()) * DAY);
    return {
      i,
      hash: `${(i + 1).toString(16).padStart(4, "0")}${"timeline".repeat(4)}`.slice(0, 32),
      type,
      value,
      culprit,
      title: `${type}: ${value}${variant ? ` (${culprit})` : ""}`,
      level: i % 11 === 5 ? "warning" : i % 17 === 9 ? "fatal" : "error",
      weight: w,
      firstSeen,
      firstRelease: NEW_ISSUES.has(i) ? RELEASES[NEW_ISSUES.get(i)][0] : "shop@1.4.0",
      regressedAt: REGRESSED.has(i) ? at : null,
      // Events of the window start here: the window's start, or when the issue appeared or came back.
      activeFrom: at ?? now - DAY,
      // The issue 1.5.0 brought comes in a burst: most of its events in the 30 minutes after it appeared.
      burst: i === 13,
    };
  });
}

/** 100,000 events over 50 issues in [now − 24 h, now), in time order (as they are written), and the issues. */
async function seedErrors({ vigil, projectId, now, events = 100_000, log }) {
  const random = rng(7);
  const models = issueModels(now, random);
  const sum = models.reduce((a, m) => a + m.weight, 0);
  const counts = models.map((m) => Math.floor((events * m.weight) / sum));
  counts[0] += events - counts.reduce((a, b) => a + b, 0);

  // Each event: [time, issue], drawn within the issue's active time along the day curve.
  const drawn = [];
  for (const [k, m] of models.entries()) {
    for (let j = 0; j < counts[k]; j++) {
      let t = m.activeFrom + random() * (now - m.activeFrom);
      if (m.burst && random() < 0.6) t = m.activeFrom + random() * 30 * MINUTE;
      else while (random() * 1.7 > curve(t)) t = m.activeFrom + random() * (now - m.activeFrom);
      drawn.push([Math.floor(t), k]);
    }
  }
  drawn.sort((a, b) => a[0] - b[0]);

  await insertRows(
    vigil,
    "issues",
    ["project_id", "kind", "hash", "grouping_algorithm", "title", "culprit", "type", "value", "level", "status", "substatus", "first_seen", "last_seen", "first_release", "last_release", "count", "user_count", "resolved_in_release", "regressed_at"],
    models.map((m, k) => [
      projectId, "error", m.hash, "v1:exception", m.title, m.culprit, m.type, m.value, m.level, "unresolved", m.regressedAt ? "regressed" : m.firstSeen >= now - DAY ? "new" : "ongoing",
      m.firstSeen, now - Math.floor(random() * MINUTE), m.firstRelease, RELEASES.at(-1)[0], counts[k] + (m.firstSeen < now - DAY ? Math.floor(counts[k] * 3 * random()) : 0), Math.ceil(counts[k] / 3),
      m.regressedAt ? RELEASES[REGRESSED.get(m.i) - 1][0] : null, m.regressedAt,
    ]),
  );
  const ids = new Map((await query(vigil, `SELECT id, hash FROM issues WHERE project_id = ${projectId}`)).map((r) => [r.hash, r.id]));
  await insertRows(vigil, "releases", ["project_id", "version", "first_seen"], RELEASES.map(([v, at]) => [projectId, v, now + at]));
  const paths = ["/checkout/", "/products/42/", "/cart/", "/reports/sales/", "/api/orders/", "/account/login/"];
  const stats = await insertRows(
    vigil,
    "events",
    ["project_id", "event_id", "issue_id", "timestamp", "received_at", "level", "title", "release", "environment", "user_label", "url", "r2_key", "trace_id"],
    (function* () {
      for (const [t, k] of drawn) {
        const m = models[k];
        const id = hex();
        yield [projectId, id, ids.get(m.hash), t, t + 150 + Math.floor(random() * 400), m.level, m.title, releaseAt(now, t), "production", `user${Math.floor(random() * 5000)}@example.com`, `https://shop.example.com${paths[k % paths.length]}`, `events/${projectId}/${id}.json.gz`, hex()];
      }
    })(),
    { log },
  );
  const inWindow = (t) => t !== null && t >= now - DAY && t < now;
  return {
    events: stats.rows,
    issues: models.length,
    newInWindow: models.filter((m) => inWindow(m.firstSeen)).length,
    regressedInWindow: models.filter((m) => inWindow(m.regressedAt)).length,
    releases: RELEASES.length,
    releasesInWindow: RELEASES.filter(([, at]) => at >= -DAY).length,
    bytes: stats.bytes,
  };
}

/** 1,000,000 rows in perf_transactions over [now − 24 h, now), minute by minute along the day curve, 50 routes. */
async function seedTransactions({ vigil, projectId, now, total = 1_000_000, routes = 50, log }) {
  const random = rng(11);
  // The route names of bench/performance.mjs's history (seedHistory), with Zipf-like shares.
  const weights = Array.from({ length: routes }, (_, i) => 1 / (i + 1) ** 0.6);
  const sum = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const models = weights.map((w, i) => ({
    name: `/api/v${1 + (i % 3)}/resource-${i}/${i % 4 === 0 ? "{id}/" : ""}`,
    upTo: (acc += w / sum),
    median: 15 * 60 ** random(),
    sigma: 0.25 + 0.15 * random(),
    db: 0.2 + 0.6 * random(),
    failure: i % 10 === 0 ? 0.02 : 0.002,
  }));
  const from = now - DAY;
  const minutes = DAY / MINUTE;
  const curveSum = Array.from({ length: minutes }, (_, m) => curve(from + m * MINUTE)).reduce((a, b) => a + b, 0);
  const round = (v) => Math.round(v * 1000) / 1000;
  const stats = await insertRows(
    vigil,
    "perf_transactions",
    ["project_id", "event_id", "trace_id", "transaction", "start", "duration_ms", "status", "http_status", "environment", "release", "span_count", "breakdown", "r2_key", "aggregated"],
    (function* () {
      let cumulative = 0;
      let sent = 0;
      for (let m = 0; m < minutes; m++) {
        cumulative += curve(from + m * MINUTE);
        const n = Math.round((total * cumulative) / curveSum) - sent;
        sent += n;
        const starts = Array.from({ length: n }, () => from + m * MINUTE + Math.floor(random() * MINUTE)).sort((a, b) => a - b);
        for (const start of starts) {
          const u = random();
          const r = models.find((x) => u <= x.upTo) ?? models.at(-1);
          const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
          const d = r.median * Math.exp(r.sigma * z);
          const failed = random() < r.failure;
          const id = hex();
          const breakdown = { db: round(d * r.db), cache: round(d * 0.02), template: round(d * 0.05), http: 0, python: round(d * (0.93 - r.db)) };
          yield [projectId, id, hex(), r.name, start, round(d), failed ? "internal_error" : "ok", failed ? 500 : 200, "production", releaseAt(now, start), 10 + Math.floor(random() * 50), JSON.stringify(breakdown), `traces/${projectId}/${id}.json.gz`, 1];
        }
      }
    })(),
    { log },
  );
  return { rows: stats.rows, bytes: stats.bytes };
}

const MONITORS = ["Shop homepage", "Checkout API", "Login", "Search API", "Product images CDN", "Payments webhook", "Admin", "Status JSON", "Sitemap", "Health check"];
const REGIONS = ["wnam", "weur", "apac"];

/**
 * 10 monitors checked every minute from 3 regions for the last 24 h: Checkout API down everywhere for 25 minutes
 * 14 h ago (incident, ended), Product images CDN down in two regions for the last 35 minutes (incident, open), and
 * 20 single failed checks (timeouts) that opened nothing; 5 hourly crons with a check-in each hour.
 */
async function seedUptimeAndCrons({ vigil, projectId, now, log }) {
  const random = rng(13);
  const first = Math.floor((now - DAY) / MINUTE) * MINUTE;
  const incidents = [
    { monitor: 1, from: now - 14 * HOUR, to: now - 14 * HOUR + 25 * MINUTE, regions: REGIONS, error: { errorClass: "status", message: "HTTP 502 (expected 2xx)" } },
    { monitor: 4, from: now - 35 * MINUTE, to: null, regions: ["weur", "apac"], error: { errorClass: "timeout", message: "No answer within 10 s" } },
  ];
  await insertRows(
    vigil,
    "monitors",
    ["project_id", "name", "type", "url", "method", "headers", "expected_status", "timeout_ms", "interval_seconds", "regions", "maintenance", "state", "state_since", "last_check_at", "next_check_at", "created_at", "updated_at"],
    MONITORS.map((name, k) => [projectId, name, "http", `https://shop.example.com/${name.toLowerCase().replaceAll(" ", "-")}/`, "GET", "{}", '["2xx"]', 10_000, 60, JSON.stringify(REGIONS), "[]", k === 4 ? "down" : "up", now - (k === 4 ? 35 * MINUTE : 30 * DAY), now, now + 365 * DAY, now - 30 * DAY, now - 30 * DAY]),
  );
  const monitorIds = (await query(vigil, `SELECT id, name FROM monitors WHERE project_id = ${projectId}`)).reduce((m, r) => m.set(r.name, r.id), new Map());
  const id = (k) => monitorIds.get(MONITORS[k]);
  await insertRows(
    vigil,
    "monitor_incidents",
    ["monitor_id", "project_id", "started_at", "confirmed_at", "ended_at", "failing_regions", "first_error"],
    incidents.map((x) => [id(x.monitor), projectId, x.from, x.from + 2 * MINUTE, x.to, JSON.stringify(x.regions), JSON.stringify(x.error)]),
  );
  const open = (await query(vigil, `SELECT id FROM monitor_incidents WHERE project_id = ${projectId} AND ended_at IS NULL`))[0].id;
  await wrangler(vigil, ["--command", `UPDATE monitors SET open_incident_id = ${open} WHERE id = ${id(4)}`]);
  const blips = new Set(Array.from({ length: 20 }, () => `${Math.floor(random() * MONITORS.length)}:${REGIONS[Math.floor(random() * 3)]}:${first + Math.floor(random() * 1440) * MINUTE}`));
  let down = 0;
  const checks = await insertRows(
    vigil,
    "monitor_checks",
    ["id", "monitor_id", "round_at", "region", "status", "http_status", "latency_ms", "error_class", "error", "excerpt", "checked_at"],
    (function* () {
      for (let round = first; round < now; round += MINUTE) {
        for (let k = 0; k < MONITORS.length; k++) {
          for (const [r, region] of REGIONS.entries()) {
            const incident = incidents.find((x) => x.monitor === k && x.regions.includes(region) && round >= x.from - MINUTE && (x.to === null || round < x.to));
            const blip = blips.has(`${k}:${region}:${round}`);
            const checkedAt = round + 200 + r * 150 + Math.floor(random() * 300);
            const uuid = crypto.randomUUID();
            if (incident || blip) {
              down++;
              const timeout = blip || incident.error.errorClass === "timeout";
              yield [uuid, id(k), round, region, "down", timeout ? null : 502, timeout ? 10_000 : 40 + Math.floor(random() * 60), timeout ? "timeout" : "status", timeout ? "No answer within 10 s" : "HTTP 502 (expected 2xx)", timeout ? null : "<html><body>Bad Gateway</body></html>", checkedAt];
            } else {
              const ms = 60 + Math.floor(random() * 250) + (r === 2 ? 120 : 0);
              yield [uuid, id(k), round, region, random() < 0.01 ? "degraded" : "up", 200, ms, null, null, null, checkedAt];
            }
          }
        }
      }
    })(),
    { log },
  );

  const CRONS = [
    ["sync-inventory", "Sync inventory", 0],
    ["send-digests", "Send digests", 5],
    ["cleanup-sessions", "Clean up sessions", 15],
    ["refresh-search-index", "Refresh search index", 30],
    ["import-orders", "Import orders", 45],
  ];
  await insertRows(
    vigil,
    "cron_monitors",
    ["project_id", "slug", "name", "schedule", "state", "state_since", "last_checkin_at", "created_at", "updated_at"],
    CRONS.map(([slug, name, minute]) => [projectId, slug, name, `${minute} * * * *`, "ok", now - 30 * DAY, now - HOUR, now - 30 * DAY, now - 30 * DAY]),
  );
  const cronIds = (await query(vigil, `SELECT id, slug FROM cron_monitors WHERE project_id = ${projectId}`)).reduce((m, r) => m.set(r.slug, r.id), new Map());
  const runs = [];
  for (const [c, [slug, , minute]] of CRONS.entries()) {
    for (let h = Math.floor((now - DAY) / HOUR) * HOUR; h < now; h += HOUR) {
      const at = h + minute * MINUTE + Math.floor(random() * 3000);
      if (at < now - DAY || at >= now) continue;
      const roll = random();
      // Two failed runs and one missed in the day.
      const status = (c === 1 && runs.length % 24 === 7) || (c === 3 && runs.length % 24 === 15) ? "error" : c === 2 && runs.length % 24 === 20 ? "missed" : "ok";
      const duration = status === "missed" ? null : Math.floor((5 + 40 * roll) * 1000 * (c + 1));
      runs.push([hex(), cronIds.get(slug), status, status === "missed" ? null : hex(), status === "missed" ? "vigil" : "sentry", "production", at, duration === null ? null : at + duration, duration, null, null, duration === null ? at + 60_000 : at + duration + 50]);
    }
  }
  await insertRows(vigil, "cron_checkins", ["id", "monitor_id", "status", "run_id", "source", "environment", "started_at", "finished_at", "duration_ms", "exit_code", "log", "received_at"], runs);
  return { monitors: MONITORS.length, regions: REGIONS.length, checks: checks.rows, downChecks: down, incidents: incidents.length, crons: CRONS.length, checkins: runs.length };
}

/** 1,000,000 log lines over [now − 24 h, now) through POST /api/{id}/logs/, in batches of 1,000 (gzip NDJSON), 4 clients. */
async function sendLogs({ vigil, project, now, lines = 1_000_000, size = 1000, concurrency = 4, seconds = 600, log }) {
  const count = lines / size;
  const started = performance.now();
  let sent = 0;
  // Generated and sent in slices, so a million lines are never all in memory; bounded in time as well.
  for (let slice = 0; slice < count && performance.now() - started < seconds * 1000; slice += 50) {
    const n = Math.min(50, count - slice);
    const bodies = batches(n, size, now - DAY + (slice / count) * DAY, now - DAY + ((slice + n) / count) * DAY, 2000 + slice);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) await postLines(vigil.base, project, bodies[next++]);
      }),
    );
    sent += n * size;
    if ((slice / 50) % 4 === 3) log(`  log lines: ${sent.toLocaleString("en")}`);
  }
  const s = (performance.now() - started) / 1000;
  return { lines: sent, seconds: s, perSecond: sent / s };
}

// ------------------------------------------------------------------------------------------------------------
// Measuring

/** p50 / p95 / max of `n` sequential GETs after 2 unmeasured; the last answer and its size. */
async function timeGet(url, cookie, n) {
  const once = async () => {
    const u = typeof url === "function" ? url() : url;
    const t0 = performance.now();
    const res = await fetch(u, { headers: { cookie } });
    const text = await res.text();
    const ms = performance.now() - t0;
    if (!res.ok) throw new Error(`${u}: ${res.status} ${text.slice(0, 500)}`);
    return { ms, body: JSON.parse(text), bytes: text.length };
  };
  await once();
  await once();
  const times = [];
  let last;
  for (let i = 0; i < n; i++) {
    last = await once();
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  return { n, p50: pct(50), p95: pct(95), max: times.at(-1), body: last.body, bytes: last.bytes };
}

/** What a timeline answer holds, to check against what was seeded. */
function contents(t) {
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  return {
    buckets: t.buckets.length,
    bucketSeconds: t.bucketSeconds,
    errors: sum(t.errors.total),
    topIssues: t.errors.issues.length,
    marks: t.errors.marks.length,
    logLines: sum(t.logs.counts.map((c) => sum(Object.values(c)))),
    requests: sum(t.requests.count),
    failures: sum(t.requests.failures),
    p95s: t.requests.p95.filter((x) => x !== null).length,
    slowest: t.requests.slowest.filter((x) => x !== null).length,
    monitors: t.monitors.length,
    incidents: sum(t.monitors.map((m) => m.incidents.length)),
    failingBands: sum(t.monitors.map((m) => sum(m.regions.map((r) => r.failing.length)))),
    cronRuns: sum(t.crons.map((c) => c.runs.length)),
    releases: t.releases.length,
  };
}

/** The local D1's SQLite file under the state directory (v3/d1/…/*.sqlite). */
function d1File(state) {
  const dir = path.join(state, "v3", "d1");
  // Miniflare keeps a small metadata.sqlite next to the database: the database is the largest file.
  const files = readdirSync(dir, { recursive: true })
    .filter((f) => String(f).endsWith(".sqlite"))
    .map((f) => path.join(dir, String(f)))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files.length) throw new Error(`no D1 SQLite file under ${dir}`);
  return files[0];
}

/**
 * Each SQL statement the 24 h timeline runs (worker/timeline/service.ts, with the values it binds for a range
 * ending now), timed on its own in the local D1's SQLite file with node:sqlite: median of 5 after one unmeasured,
 * rows and bytes returned, and the query plan. Then the JavaScript work the service does on the perf_rollups rows
 * (JSON.parse and merge of every histogram into its bucket, then p95 per bucket), timed the same way.
 */
async function explainTimeline({ vigil, projectId, now = Date.now() }) {
  let DatabaseSync;
  try {
    ({ DatabaseSync } = await import("node:sqlite"));
  } catch {
    return { skipped: `node:sqlite is not available in Node ${process.version}` };
  }
  const db = new DatabaseSync(d1File(vigil.state), { readOnly: true });
  try {
    const to = now;
    const from = to - DAY;
    const bucketMs = 15 * MINUTE; // bucketFor(24 h) in worker/logs/service.ts
    const start = Math.floor(from / bucketMs) * bucketMs;
    const monitorIds = JSON.stringify(db.prepare("SELECT id FROM monitors WHERE project_id = ? ORDER BY name LIMIT 50").all(projectId).map((r) => r.id));
    const cronIds = JSON.stringify(db.prepare("SELECT id FROM cron_monitors WHERE project_id = ? ORDER BY slug LIMIT 50").all(projectId).map((r) => r.id));
    const topIds = JSON.stringify(db.prepare("SELECT id FROM issues WHERE project_id = ? ORDER BY count DESC LIMIT 5").all(projectId).map((r) => r.id));
    const statements = [
      ["monitors", "SELECT id, name, url, interval_seconds, regions FROM monitors WHERE project_id = ? ORDER BY name LIMIT ?", [projectId, 50]],
      ["monitor_incidents", "SELECT id, monitor_id, started_at, ended_at, failing_regions, first_error FROM monitor_incidents WHERE project_id = ? AND started_at < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at", [projectId, to, from]],
      ["monitor_checks (failing)", "SELECT monitor_id, region, checked_at FROM monitor_checks WHERE monitor_id IN (SELECT value FROM json_each(?)) AND checked_at >= ? AND checked_at < ? AND status = 'down' ORDER BY monitor_id, region, checked_at LIMIT ?", [monitorIds, from, to, 20_000]],
      ["cron_monitors", "SELECT id, slug, name FROM cron_monitors WHERE project_id = ? ORDER BY slug LIMIT ?", [projectId, 50]],
      ["cron_checkins", "SELECT id, monitor_id, started_at, status, duration_ms FROM cron_checkins WHERE monitor_id IN (SELECT value FROM json_each(?)) AND started_at >= ? AND started_at < ? ORDER BY started_at LIMIT ?", [cronIds, from, to, 5000]],
      ["events ⋈ issues per bucket", "SELECT CAST((e.timestamp - ?1) / ?2 AS INTEGER) AS b, e.issue_id, count(*) AS n FROM events e JOIN issues i ON i.id = e.issue_id WHERE e.project_id = ?3 AND e.timestamp >= ?1 AND e.timestamp < ?4 AND i.kind = 'error' GROUP BY b, e.issue_id", [start, bucketMs, projectId, to]],
      ["issues (new / regressed marks)", "SELECT id, title, level, first_seen, regressed_at FROM issues WHERE project_id = ?1 AND kind = 'error' AND ((first_seen >= ?2 AND first_seen < ?3) OR (regressed_at >= ?2 AND regressed_at < ?3)) LIMIT ?4", [projectId, start, to, 100]],
      ["issues (titles of the top 5)", "SELECT id, title, level FROM issues WHERE id IN (SELECT value FROM json_each(?))", [topIds]],
      ["perf_rollups (minute rows)", "SELECT start, count, failures, histogram FROM perf_rollups WHERE project_id = ? AND resolution = ? AND start >= ? AND start < ?", [projectId, "minute", Math.floor(start / MINUTE) * MINUTE, to]],
      ["perf_transactions (slowest per bucket)", "SELECT CAST((start - ?1) / ?2 AS INTEGER) AS b, trace_id, max(duration_ms) AS d FROM perf_transactions WHERE project_id = ?3 AND start >= ?1 AND start < ?4 GROUP BY b", [start, bucketMs, projectId, to]],
      ["releases", "SELECT version, first_seen FROM releases WHERE project_id = ? AND first_seen >= ? AND first_seen < ? ORDER BY first_seen LIMIT ?", [projectId, from, to, 50]],
    ];
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const out = [];
    let rollupRows = [];
    for (const [name, sql, params] of statements) {
      const stmt = db.prepare(sql);
      let rows = stmt.all(...params);
      const times = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        rows = stmt.all(...params);
        times.push(performance.now() - t0);
      }
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((r) => r.detail).join("; ");
      out.push({ name, ms: median(times), rows: rows.length, bytes: JSON.stringify(rows).length, plan });
      if (name.startsWith("perf_rollups")) rollupRows = rows;
    }
    // The service's work on the rollup rows (worker/timeline/service.ts requests(): merge per bucket, then p95).
    const GAMMA = 1.01 / 0.99;
    const valueOf = (b) => (b <= 0 ? 0 : (0.01 * 2 * GAMMA ** b) / (GAMMA + 1));
    const quantile = (h, q) => {
      const n = Object.values(h).reduce((a, b) => a + b, 0);
      if (!n) return null;
      const rank = Math.max(1, Math.ceil(q * n));
      let seen = 0;
      for (const b of Object.keys(h).map(Number).sort((a, c) => a - c)) if ((seen += h[String(b)]) >= rank) return valueOf(b);
      return null;
    };
    const merging = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const histograms = [];
      for (const r of rollupRows) {
        const k = Math.floor((r.start - start) / bucketMs);
        const h = (histograms[k] ??= {});
        for (const [b, n] of Object.entries(JSON.parse(r.histogram))) h[b] = (h[b] ?? 0) + n;
      }
      histograms.map((h) => quantile(h, 0.95));
      if (i) merging.push(performance.now() - t0);
    }
    const buckets = rollupRows.reduce((n, r) => n + Object.keys(JSON.parse(r.histogram)).length, 0);
    return {
      statements: out,
      sqlTotal: out.reduce((n, s) => n + s.ms, 0),
      merge: { ms: median(merging), rows: rollupRows.length, histogramBuckets: buckets },
    };
  } finally {
    db.close();
  }
}

/**
 * Seed a busy project's day (see the top of this file) and time the timeline over it. `vigil` is a running Vigil
 * (lib.startWorker / performance.startVigil: `state` is its local D1's directory).
 */
export async function benchTimeline({ vigil, cookie, org, requests = 20, events = 100_000, transactions = 1_000_000, lines = 1_000_000, log = () => {} }) {
  const project = await createProject(vigil.base, cookie, org, "bench-timeline");
  const now = Date.now();
  const seeded = {};
  const t0 = performance.now();
  log("timeline: errors");
  seeded.errors = await seedErrors({ vigil, projectId: project.id, now, events, log });
  log("timeline: monitors and crons");
  seeded.uptime = await seedUptimeAndCrons({ vigil, projectId: project.id, now, log });
  log("timeline: perf_transactions");
  seeded.transactions = await seedTransactions({ vigil, projectId: project.id, now, total: transactions, log });
  log("timeline: perf_rollups");
  seeded.rollups = await seedHistory({ vigil, projectId: project.id, routes: 50, days: 1, minuteHours: 24, total: transactions, now, log });
  seeded.d1Seconds = (performance.now() - t0) / 1000;
  log("timeline: log lines");
  seeded.logs = await sendLogs({ vigil, project, now, lines, log });
  seeded.seconds = (performance.now() - t0) / 1000;
  // Let the LogStore settle (nothing is queued, but give workerd a moment).
  await sleep(2000);

  const base = `${vigil.base}/api/v1/projects/${project.id}/timeline`;
  const range = (ms) => {
    const to = Math.floor(Date.now() / 1000);
    return `?from=${to - ms / 1000}&to=${to}`;
  };
  const me = await timeGet(`${vigil.base}/api/v1/me`, cookie, requests);
  const rows = [["GET /api/v1/me (session lookup: the floor)", { ...me, body: undefined, contents: null }]];
  for (const [name, query] of [
    ["timeline, last 24 h (the default)", () => ""],
    ["timeline, last 6 h", () => range(6 * HOUR)],
    ["timeline, last 1 h", () => range(HOUR)],
    ["timeline, last 7 days", () => range(7 * DAY)],
  ]) {
    log(`timeline: timing ${name}`);
    const r = await timeGet(() => base + query(), cookie, requests);
    rows.push([name, { ...r, body: undefined, contents: contents(r.body) }]);
  }
  // The LogStore's part alone: the same histogram through the logs API.
  const to = Date.now();
  const logHistogram = await timeGet(`${vigil.base}/api/v1/projects/${project.id}/logs/histogram?from=${new Date(to - DAY).toISOString()}&to=${new Date(to).toISOString()}`, cookie, requests);
  rows.push(["logs histogram alone, last 24 h (GET …/logs/histogram)", { ...logHistogram, body: undefined, contents: null }]);
  const secondsSinceSeed = (Date.now() - now) / 1000;
  log("timeline: timing each query");
  const explained = await explainTimeline({ vigil, projectId: project.id });
  return { projectId: project.id, seeded, rows, secondsSinceSeed, explained };
}

// ------------------------------------------------------------------------------------------------------------

export function printTimeline(t) {
  const s = t.seeded;
  const n = (x) => x.toLocaleString("en");
  console.log(
    `\nTimeline of one busy project. Seeded for the last 24 h: ${n(s.errors.events)} error events over ${s.errors.issues} issues (${s.errors.newInWindow} new and ${s.errors.regressedInWindow} regressed in the window, ` +
      `${s.errors.releasesInWindow} of ${s.errors.releases} releases in it); ${n(s.rollups.transactions)} transactions as rollups (${s.rollups.routes} routes; ${n(s.rollups.rows.minute)} minute, ${n(s.rollups.rows.hour)} hour, ${n(s.rollups.rows.day)} day rows) ` +
      `and ${n(s.transactions.rows)} rows in perf_transactions; ${n(s.logs.lines)} log lines through POST /api/{id}/logs/ (batches of 1,000, ${s.logs.seconds.toFixed(0)} s, ${n(Math.round(s.logs.perSecond))} lines/s); ` +
      `${s.uptime.monitors} monitors × ${s.uptime.regions} regions, ${n(s.uptime.checks)} raw checks (${s.uptime.downChecks} down), ${s.uptime.incidents} incidents; ${s.uptime.crons} hourly crons, ${s.uptime.checkins} check-ins. ` +
      `D1 seeded in ${s.d1Seconds.toFixed(0)} s, all in ${s.seconds.toFixed(0)} s; the timing ended ${t.secondsSinceSeed.toFixed(0)} s after the seed's "now" (data older than 24 h by then is outside the window).\n`,
  );
  console.log("| request | n | p50 ms | p95 ms | max ms | KB | buckets | errors | log lines | requests | monitors / incidents / failing bands | cron runs | marks | releases |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const [name, r] of t.rows) {
    const c = r.contents;
    const cells = c
      ? [`${c.buckets} × ${c.bucketSeconds / 60} min`, n(c.errors), n(c.logLines), n(c.requests), `${c.monitors} / ${c.incidents} / ${c.failingBands}`, c.cronRuns, c.marks, c.releases]
      : ["–", "–", "–", "–", "–", "–", "–", "–"];
    console.log(`| ${name} | ${r.n} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.bytes / 1024).toFixed(0)} | ${cells.join(" | ")} |`);
  }
  const day = t.rows.find(([name]) => name.includes("24 h (the default)"))[1];
  console.log(`\ngoal: the 24 h timeline under 300 ms — p50 ${day.p50.toFixed(0)} ms, p95 ${day.p95.toFixed(0)} ms: ${day.p95 < 300 ? "met" : "missed"}`);
  const e = t.explained;
  if (e.skipped) {
    console.log(`\nPer-query timing skipped: ${e.skipped}`);
    return;
  }
  console.log("\nEach statement of the 24 h timeline alone, in the local D1's SQLite file (node:sqlite, median of 5):\n");
  console.log("| statement | ms | rows | KB returned | plan |");
  console.log("|---|---|---|---|---|");
  for (const x of e.statements) console.log(`| ${x.name} | ${x.ms.toFixed(1)} | ${n(x.rows)} | ${(x.bytes / 1024).toFixed(0)} | ${x.plan.replaceAll("|", "\\|")} |`);
  console.log(`\nSQL alone, if run one after another: ${e.sqlTotal.toFixed(0)} ms. JSON.parse + merge of the ${n(e.merge.rows)} minute-rollup histograms (${n(e.merge.histogramBuckets)} buckets) into 96 buckets and their p95s: ${e.merge.ms.toFixed(0)} ms (Node ${process.version}).`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; ${new Date().toISOString()}`);
  const vigil = await startVigil();
  try {
    const { cookie, org } = await signUp(vigil.base);
    // TIMELINE_SCALE=0.05 for a quick run (5,000 events, 50,000 transactions, 50,000 log lines).
    const scale = Number(process.env.TIMELINE_SCALE ?? 1);
    const sizes = { events: Math.round(100_000 * scale), transactions: Math.round(1_000_000 * scale), lines: Math.round(1000 * scale) * 1000 };
    printTimeline(await benchTimeline({ vigil, cookie, org, ...sizes, log: (m) => console.error(m) }));
  } finally {
    vigil.stop();
    // The local D1 holds ~1.2 M seeded rows (about 1 GB) and the LogStore a million lines. Give workerd a moment to exit.
    await sleep(3000);
    rmSync(vigil.state, { recursive: true, force: true });
  }
}
