import { env, SELF } from "cloudflare:test";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { compress as snappy, uncompress as unsnappy } from "snappyjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fromBase64 } from "../lib/encoding";
import { errorCode, eventually, keyOf, ORIGIN, withProject, type Client } from "../test/client";
import chained from "../test/fixtures/chained.envelope?raw";
import keyError from "../test/fixtures/key-error.envelope?raw";
import loggedError from "../test/fixtures/logged-error.envelope?raw";
import message1 from "../test/fixtures/message-1.envelope?raw";
import spansHome from "../test/fixtures/spans-home.envelope?raw";
import txHome from "../test/fixtures/tx-home.envelope?raw";
import zeroDivision from "../test/fixtures/zero-division.envelope?raw";
import fluentbit from "../test/fixtures/logs/fluentbit.jsonl?raw";
import lokiJson from "../test/fixtures/logs/loki-push.json?raw";
import lokiSnappyB64 from "../test/fixtures/logs/loki-push.pb.snappy.b64?raw";
import otlpLogsJson from "../test/fixtures/logs/otlp-logs.json?raw";
import otlpLogsPbB64 from "../test/fixtures/logs/otlp-logs.pb.b64?raw";
import pythonForm from "../test/fixtures/logs/python-httphandler.form?raw";
import pythonRecord from "../test/fixtures/logs/python-record.json?raw";
import sentryLogs from "../test/fixtures/logs/sentry-logs.envelope?raw";
import vectorNdjson from "../test/fixtures/logs/vector-events.ndjson?raw";
import tracesJson from "../test/fixtures/otlp/django-traces.json?raw";
import tracesPbB64 from "../test/fixtures/otlp/django-traces.pb.b64?raw";
import { freshEnvelope, ingest, seedBystander, snapshot, type Bystander } from "./bystander";
import { byteMutations, bytesOf, deepJson, mutateEnvelope, mutateForm, mutateJson, mutateLines, prng, type Rng } from "./mutate";

/**
 * Hostile input at every door: real captured inputs (the sentry-sdk's envelopes, the OTLP exporter's
 * protobuf, Vector's, Fluent Bit's and Python's log bodies, Loki's snappy protobuf) and the management
 * API's request bodies, mutated by a seeded PRNG. Every answer is below 500 and, when it is a 4xx, in the
 * one error shape; a project of another organization reads the same afterwards; the queue consumer never
 * fails on what was let in; and a well-formed envelope sent afterwards is still stored.
 *
 * A failure names its case number; run the file again with the same SEED to replay it.
 */
const SEED = 0x5eed_2026;
const CASES_PER_DOOR = 45;
const CASES_PER_ROUTE = 22;

const rng = prng(SEED);
const decode = (b64: string) => fromBase64(b64.trim());

type Kind = "envelope" | "json" | "lines" | "form" | "binary" | "snappy";
interface Input {
  name: string;
  kind: Kind;
  text?: string;
  bytes?: Uint8Array;
  contentType: string;
}
interface Door {
  name: string;
  /** The URL for one case; `key` is the project's public key. */
  url: (p: { id: number; key: string }, rng: Rng) => string;
  method?: string;
  inputs: Input[];
  /** The door's cap on what is sent (compressed or not), and a URL where the body is what decides. */
  cap: number;
  plain?: (p: { id: number; key: string }) => string;
}

const env_ = (name: string, text: string): Input => ({ name, kind: "envelope", text, contentType: "application/x-sentry-envelope" });
const eventOf = (envelope: string) => envelope.split("\n")[2]!;
const slugs = ["fuzz-cron", "fuzz-cron", "new-from-fuzz", "", "a".repeat(200), "%00", "..%2f..", "Ünïcode"];
const checkin = JSON.stringify({
  status: "ok",
  check_in_id: crypto.randomUUID(),
  duration: 1.5,
  environment: "production",
  monitor_config: { schedule: { type: "crontab", value: "0 3 * * *" }, checkin_margin: 5, max_runtime: 30, timezone: "Europe/Paris" },
});

const MB = 1024 * 1024;
const DOORS: Door[] = [
  {
    name: "envelope",
    url: (p) => `/api/${p.id}/envelope/`,
    cap: 20 * MB,
    inputs: [env_("key-error", keyError), env_("zero-division", zeroDivision), env_("chained", chained), env_("logged-error", loggedError), env_("message", message1), env_("tx-home", txHome), env_("spans-home", spansHome), env_("sentry-logs", sentryLogs)],
  },
  {
    name: "store",
    url: (p) => `/api/${p.id}/store/`,
    cap: 20 * MB,
    inputs: [keyError, zeroDivision, message1].map((e, i) => ({ name: `event-${i}`, kind: "json" as const, text: eventOf(e), contentType: "application/json" })),
  },
  {
    name: "otlp-traces",
    url: (p) => `/api/${p.id}/integration/otlp/v1/traces`,
    cap: 20 * MB,
    inputs: [
      { name: "django-traces.json", kind: "json", text: tracesJson, contentType: "application/json" },
      { name: "django-traces.pb", kind: "binary", bytes: decode(tracesPbB64), contentType: "application/x-protobuf" },
    ],
  },
  {
    name: "otlp-logs",
    url: (p) => `/api/${p.id}/integration/otlp/v1/logs`,
    cap: 20 * MB,
    inputs: [
      { name: "otlp-logs.json", kind: "json", text: otlpLogsJson, contentType: "application/json" },
      { name: "otlp-logs.pb", kind: "binary", bytes: decode(otlpLogsPbB64), contentType: "application/x-protobuf" },
    ],
  },
  {
    name: "logs",
    url: (p) => `/api/${p.id}/logs/`,
    cap: 20 * MB,
    inputs: [
      { name: "vector-events.ndjson", kind: "lines", text: vectorNdjson, contentType: "application/x-ndjson" },
      { name: "fluentbit.jsonl", kind: "lines", text: fluentbit, contentType: "application/json" },
      { name: "python-record.json", kind: "json", text: pythonRecord, contentType: "application/json" },
      { name: "python-httphandler.form", kind: "form", text: pythonForm.trim(), contentType: "application/x-www-form-urlencoded" },
    ],
  },
  {
    name: "loki",
    url: (p) => `/api/${p.id}/loki/api/v1/push`,
    cap: 20 * MB,
    inputs: [
      { name: "loki-push.json", kind: "json", text: lokiJson, contentType: "application/json" },
      { name: "loki-push.pb.snappy", kind: "snappy", bytes: decode(lokiSnappyB64), contentType: "application/x-protobuf" },
    ],
  },
  {
    name: "cron",
    url: (p, r) => `/api/${p.id}/cron/${encodeURIComponent(r.pick(slugs))}/${p.key}/?${r.pick(["", "status=ok", "status=in_progress&duration=1e308", "status=error&check_in_id=zz", "status=ok&environment=" + "e".repeat(500), "status=NaN", "duration=-1&status=ok"])}`,
    method: "POST",
    cap: 100 * 1024,
    plain: (p) => `/api/${p.id}/cron/fuzz-cron/${p.key}/?status=ok`,
    inputs: [{ name: "check-in", kind: "json", text: checkin, contentType: "application/json" }],
  },
  {
    name: "ping",
    url: (p, r) => `/ping/${p.key}/${encodeURIComponent(r.pick(slugs))}${r.pick(["", "/start", "/fail", "/0", "/255", "/256", "/-1", "/1e308"])}?${r.pick(["", "rid=" + "r".repeat(300), "create=1", "create=1&rid=%00"])}`,
    method: "POST",
    cap: 100 * 1024,
    plain: (p) => `/ping/${p.key}/fuzz-cron`,
    inputs: [{ name: "job output", kind: "lines", text: "backup: 3 files copied\nWARNING disk 91% full\n", contentType: "text/plain" }],
  },
];

const CONTENT_TYPES = ["", "text/plain", "application/json", "application/x-protobuf", "application/x-sentry-envelope", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=utf-16", ";;; =", "application/protobuf; charset=x"];

interface Case {
  what: string;
  body: Uint8Array;
  headers: Record<string, string>;
}

/** One hostile request for a door: a mutation of one real input, then maybe a lie about its type or encoding. */
function hostileCase(door: Door, r: Rng, n: number): Case {
  const input = r.pick(door.inputs);
  const text = input.text ?? "";
  let body = input.bytes ?? bytesOf(text);
  let what = `${door.name} #${n} ${input.name}`;
  const structured = input.kind !== "binary" && input.kind !== "snappy";
  const roll = r.next();
  if (structured && roll < 0.45) {
    const mutate = { envelope: mutateEnvelope, json: mutateJson, lines: mutateLines, form: mutateForm }[input.kind as "envelope" | "json" | "lines" | "form"];
    body = bytesOf(mutate(r, text));
    what += " structured";
  } else if (input.kind === "snappy" && roll < 0.45) {
    // Inside the snappy frame, so the protobuf reader sees the damage.
    const name = r.pick(Object.keys(byteMutations));
    body = snappy(byteMutations[name]!(r, unsnappy(body)));
    what += ` snappy(${name})`;
  } else if (roll < 0.9) {
    const name = r.pick(Object.keys(byteMutations));
    body = byteMutations[name]!(r, body);
    what += ` ${name}`;
  } else if (roll < 0.95 && structured) {
    body = bytesOf(input.kind === "envelope" ? `${text.split("\n")[0]}\n{"type":"event"}\n${deepJson(10_000, r)}` : deepJson(10_000, r));
    what += " deep nesting";
  } else {
    body = bytesOf(input.kind === "envelope" ? `{}\n{"type":"log"}\n{"items":[{"body":"${"x".repeat(3 * MB)}"}]}` : `{"message":"${"x".repeat(2 * MB + r.int(MB))}"}`);
    what += " huge string";
  }
  const headers: Record<string, string> = { "content-type": input.contentType };
  if (r.chance(0.15)) {
    headers["content-type"] = r.pick(CONTENT_TYPES);
    what += ` type=${JSON.stringify(headers["content-type"])}`;
  }
  if (r.chance(0.2)) {
    const encoding = r.pick(["gzip", "deflate", "deflate-raw", "br", "gzip-lie", "br-lie", "zstd", "gzip, br", "gzip-truncated"]);
    what += ` encoding=${encoding}`;
    if (encoding === "gzip") body = gzipSync(body);
    else if (encoding === "deflate") body = deflateSync(body);
    else if (encoding === "deflate-raw") body = deflateRawSync(body);
    else if (encoding === "br") body = brotliCompressSync(body);
    else if (encoding === "gzip-truncated") body = gzipSync(body).subarray(0, 5 + r.int(20));
    headers["content-encoding"] = encoding.replace(/-(lie|raw|truncated)$/, "");
  }
  return { what, body: new Uint8Array(body), headers };
}

interface Tally {
  cases: number;
  statuses: Record<number, number>;
}
const tallies: Record<string, Tally> = {};
const count = (door: string, status: number) => {
  const t = (tallies[door] ??= { cases: 0, statuses: {} });
  t.cases++;
  t.statuses[status] = (t.statuses[status] ?? 0) + 1;
};

/** The answer to one case: below 500, 429 only where the case provoked limits, a 4xx in the one error shape. */
async function expectHandled(res: Response, what: string, door: string, limitsProvoked = false) {
  const text = await res.text();
  count(door, res.status);
  // Soft: one run lists every failing case of a door, not just the first.
  expect.soft(res.status, `${what}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (!limitsProvoked) expect.soft(res.status, `${what}: rate limited without provoking limits`).not.toBe(429);
  if (res.status >= 400) {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: errorCode says so
    }
    expect.soft(() => errorCode({ status: res.status, headers: res.headers, body }), what).not.toThrow();
  }
}

/** Consumer failures: the queue handlers log these and retry (a retried message reaches the DLQ minutes later). */
const consumerFailures = () =>
  consoleError.mock.calls.map((c) => c.map(String).join(" ")).filter((line) => /failed \(attempt|transaction batch of|check-in .* failed/.test(line));
let consoleError: { mock: { calls: unknown[][] }; mockRestore(): void };

let bystander: Bystander;
let before: Record<string, unknown>;
let fuzzer: Awaited<ReturnType<typeof withProject>>;
let key: string;
const started = Date.now();

beforeAll(async () => {
  consoleError = vi.spyOn(console, "error");
  bystander = await seedBystander();
  before = await snapshot(bystander);
  fuzzer = await withProject("fuzzer");
  key = keyOf(fuzzer.project.dsn);
  // Limits high enough that no case below hits them unless it set them itself.
  expect((await fuzzer.client.patch(`/projects/${fuzzer.project.id}`, { rateLimitPerMinute: 10_000_000, monthlyQuota: 10_000_000_000 })).status).toBe(200);
  expect((await fuzzer.client.post(`/projects/${fuzzer.project.id}/crons`, { slug: "fuzz-cron", schedule: { type: "interval", value: 1, unit: "hour" } })).status).toBe(201);
  await ingest(fuzzer.project, "/envelope/", freshEnvelope(keyError).body, "application/x-sentry-envelope");
}, 60_000);

afterAll(() => {
  consoleError.mockRestore();
  const lines = Object.entries(tallies).map(([door, t]) => `${door}: ${t.cases} cases ${JSON.stringify(t.statuses)}`);
  console.log(`hostile input, seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s\n${lines.join("\n")}`);
});

describe(`hostile input (seed ${SEED})`, () => {
  for (const door of DOORS) {
    it(`${door.name}: ${CASES_PER_DOOR} mutated real inputs, one over the cap`, async () => {
      const p = { id: fuzzer.project.id, key };
      const auth = (r: Rng): Record<string, string> => {
        const how = r.int(10);
        if (how === 0) return {}; // no key at all: 401
        if (how === 1) return { authorization: `Bearer ${key}` };
        return { "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7` };
      };
      // The real inputs themselves are accepted: the mutations start from something valid.
      for (const input of door.inputs) {
        const res = await SELF.fetch(`${ORIGIN}${door.plain?.(p) ?? door.url(p, rng)}`, {
          method: "POST",
          headers: { "x-sentry-auth": `Sentry sentry_key=${key}`, "content-type": input.contentType },
          body: input.bytes ?? input.text,
        });
        expect(res.status, `${door.name} ${input.name} as captured: ${await res.text()}`).toBeLessThan(300);
      }
      for (let n = 0; n < CASES_PER_DOOR; n++) {
        const c = hostileCase(door, rng, n);
        const res = await SELF.fetch(`${ORIGIN}${door.url(p, rng)}`, { method: door.method ?? "POST", headers: { ...auth(rng), ...c.headers }, body: c.body });
        await expectHandled(res, c.what, door.name);
      }
      // Deep nesting inside each structured input, whose item length is kept right (the random cases seldom do).
      for (const input of door.inputs.filter((i) => i.text !== undefined)) {
        const mutate = { envelope: mutateEnvelope, json: mutateJson, lines: mutateLines, form: mutateForm }[input.kind as "envelope" | "json" | "lines" | "form"];
        const res = await SELF.fetch(`${ORIGIN}${door.plain?.(p) ?? door.url(p, rng)}`, {
          method: "POST",
          headers: { "x-sentry-auth": `Sentry sentry_key=${key}`, "content-type": input.contentType },
          body: mutate(rng, input.text!, true),
        });
        await expectHandled(res, `${door.name} ${input.name} nested 10,000 deep`, door.name);
      }
      // Over the door's cap, as one body with its Content-Length and as a stream without one.
      const over = new Uint8Array(door.cap + 1).fill(0x20);
      for (const body of [over, new Blob([over]).stream()]) {
        const res = await SELF.fetch(`${ORIGIN}${door.plain?.(p) ?? door.url(p, rng)}`, { method: "POST", headers: { "x-sentry-auth": `Sentry sentry_key=${key}`, "content-type": door.inputs[0]!.contentType }, body });
        await expectHandled(res, `${door.name} over the cap`, door.name);
        expect(res.status, `${door.name} over the cap`).toBe(413);
      }
    });
  }
});

interface Route {
  name: string;
  method: string;
  path: (ids: FuzzIds) => string;
  body?: (ids: FuzzIds) => unknown;
}
interface FuzzIds {
  project: number;
  org: string;
  monitor: number;
  cron: number;
  channel: string;
  rule: string;
  issue: number;
  savedSearch: string;
  bystander: Bystander;
}

const QUERIES = ['level:error', '"unterminated', "((((", "level:", "trace_id:zz", "a".repeat(5000), "*", "%", "\u0000", "logger:x OR 1=1; --", "<script>", "-", "!level:info", 'message:"\\', "🙂:🙂", "from:-1", ":", "a:b:c:d"];
const TIMES = ["", "1h", "2025-11-23T12:00:00Z", "-1", "0", "1e308", "9999999999999999", "NaN", "2025-13-45T00:00:00Z", "yesterday", "1700000000", "+275760-09-13T00:00:00.001Z"];

const ROUTES: Route[] = [
  { name: "monitor create", method: "POST", path: (i) => `/projects/${i.project}/monitors`, body: () => ({ name: "Fuzz site", url: "http://127.0.0.1:9/health", type: "http", method: "GET", intervalSeconds: 300, timeoutMs: 5000, expectedStatus: [200], keyword: "ok", regions: ["weur"], public: false }) },
  { name: "monitor patch", method: "PATCH", path: (i) => `/monitors/${i.monitor}`, body: () => ({ name: "Fuzz site 2", intervalSeconds: 600, timeoutMs: 3000, expectedStatus: [200, 204], keyword: "ok" }) },
  { name: "cron create", method: "POST", path: (i) => `/projects/${i.project}/crons`, body: () => ({ slug: `fuzz-${rng.int(1e6)}`, name: "Nightly", schedule: { type: "crontab", value: "0 3 * * *" }, timezone: "Europe/Paris", checkinMargin: 5, maxRuntime: 30 }) },
  { name: "cron patch", method: "PATCH", path: (i) => `/crons/${i.cron}`, body: () => ({ schedule: { type: "interval", value: 6, unit: "hour" }, timezone: "UTC", failureThreshold: 2 }) },
  { name: "channel create", method: "POST", path: (i) => `/orgs/${i.org}/channels`, body: () => ({ type: "webhook", name: "Fuzz hook", url: "http://127.0.0.1:9/hook" }) },
  { name: "alert rule create", method: "POST", path: (i) => `/projects/${i.project}/alert-rules`, body: (i) => ({ name: "Fuzz rule", events: ["issue.new", "monitor.down"], channelIds: [i.channel], environment: "production" }) },
  { name: "project patch", method: "PATCH", path: (i) => `/projects/${i.project}`, body: () => ({ name: "Shop", storeIp: false, scrubFields: ["password", "token"], apdexThresholdMs: 300, logsHotDays: 7, logsRetentionDays: 30 }) },
  { name: "issue patch", method: "PATCH", path: (i) => `/issues/${i.issue}`, body: () => ({ status: "resolved" }) },
  { name: "saved search create", method: "POST", path: (i) => `/projects/${i.project}/saved-searches`, body: () => ({ name: "Errors", query: "level:error logger:shop" }) },
  // Another organization's resources, with hostile bodies: 404 (or 400), and the bystander reads the same at the end.
  { name: "bystander issue patch", method: "PATCH", path: (i) => `/issues/${i.bystander.ids.issues[0]}`, body: () => ({ status: "ignored" }) },
  { name: "bystander monitor patch", method: "PATCH", path: (i) => `/monitors/${i.bystander.ids.monitor}`, body: () => ({ name: "taken", url: "http://127.0.0.1:9/" }) },
  { name: "bystander cron patch", method: "PATCH", path: (i) => `/crons/${i.bystander.ids.cron}`, body: () => ({ paused: true }) },
  { name: "bystander project patch", method: "PATCH", path: (i) => `/projects/${i.bystander.project.id}`, body: () => ({ name: "taken", rateLimitPerMinute: 1 }) },
];

/** Each parameter present half the time, with a hostile value, so a bad one does not always hide the others. */
const params = (r: Rng, choices: Record<string, string[]>) =>
  new URLSearchParams(Object.entries(choices).flatMap(([k, values]) => (r.chance(0.5) ? [[k, r.pick(values)]] : [])));

const QUERY_ROUTES: { name: string; path: (i: FuzzIds, r: Rng) => string }[] = [
  { name: "log search", path: (i, r) => `/projects/${i.project}/logs?${params(r, { q: QUERIES, from: TIMES, to: TIMES, limit: ["1", "-1", "1e308", "abc", "100000"], cursor: ["zzz", "eyJ9", "%00"] })}` },
  { name: "log histogram", path: (i, r) => `/projects/${i.project}/logs/histogram?${params(r, { q: QUERIES, from: TIMES, to: TIMES })}` },
  { name: "issue search", path: (i, r) => `/projects/${i.project}/issues?${params(r, { query: QUERIES, sort: ["freq", "new", "x"], status: ["resolved", "all", "x"], environment: QUERIES, release: QUERIES })}` },
  { name: "bystander logs", path: (i, r) => `/projects/${i.bystander.project.id}/logs?q=${encodeURIComponent(r.pick(QUERIES))}` },
];

/** A management API request as the dashboard sends it (session cookie, same-origin Origin), body bytes as given. */
function manage(client: Client, method: string, path: string, body: Uint8Array | undefined, headers: Record<string, string>) {
  return SELF.fetch(`${ORIGIN}/api/v1${path}`, { method, headers: { cookie: `vigil_session=${client.cookie}`, origin: ORIGIN, ...headers }, body });
}

describe(`hostile management API bodies (seed ${SEED})`, () => {
  let ids: FuzzIds;
  beforeAll(async () => {
    const c = fuzzer.client;
    const pid = fuzzer.project.id;
    const made = async (p: Promise<{ status: number; body: any }>) => {
      const r = await p;
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body;
    };
    const channel = await made(c.post(`/orgs/${fuzzer.orgSlug}/channels`, { type: "webhook", name: "Fuzz base", url: "http://127.0.0.1:9/base" }));
    ids = {
      project: pid,
      org: fuzzer.orgSlug,
      monitor: (await made(c.post(`/projects/${pid}/monitors`, { name: "Fuzz base", url: "http://127.0.0.1:9/", intervalSeconds: 300 }))).id,
      cron: (await made(c.post(`/projects/${pid}/crons`, { slug: "fuzz-base", schedule: { type: "crontab", value: "0 3 * * *" } }))).id,
      channel: channel.id,
      rule: (await made(c.post(`/projects/${pid}/alert-rules`, { name: "Fuzz base", events: ["issue.new"], channelIds: [channel.id] }))).id,
      issue: await eventually(async () => (await c.get(`/projects/${pid}/issues`)).body.data?.[0]?.id as number | undefined),
      savedSearch: (await made(c.post(`/projects/${pid}/saved-searches`, { name: "Fuzz base", query: "level:error" }))).id,
      bystander,
    };
  });

  for (const route of ROUTES) {
    it(`${route.name}: ${CASES_PER_ROUTE} mutated bodies, one over 64 KB`, async () => {
      const base = await manage(fuzzer.client, route.method, route.path(ids), bytesOf(JSON.stringify(route.body!(ids))), { "content-type": "application/json" });
      expect(base.status, `${route.name} unmutated: ${await base.text()}`).toBe(route.name.startsWith("bystander") ? 404 : route.method === "POST" ? 201 : 200);
      const deep = await manage(fuzzer.client, route.method, route.path(ids), bytesOf(mutateJson(rng, JSON.stringify(route.body!(ids)), true)), { "content-type": "application/json" });
      await expectHandled(deep, `${route.name} nested 10,000 deep`, `api ${route.name}`);
      for (let n = 0; n < CASES_PER_ROUTE; n++) {
        const text = JSON.stringify(route.body!(ids));
        let body = bytesOf(mutateJson(rng, text));
        let what = `${route.name} #${n}`;
        if (rng.chance(0.25)) {
          const name = rng.pick(Object.keys(byteMutations));
          body = byteMutations[name]!(rng, body);
          what += ` ${name}`;
        }
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (rng.chance(0.15)) headers["content-type"] = rng.pick(CONTENT_TYPES);
        if (rng.chance(0.05)) headers["content-encoding"] = rng.pick(["gzip", "br", "zstd"]);
        const res = await manage(fuzzer.client, route.method, route.path(ids), body, headers);
        // A hostile project PATCH may set the fuzz project's own limits; management routes have none of their own.
        await expectHandled(res, `${what} ${new TextDecoder().decode(body).slice(0, 200)}`, `api ${route.name}`);
      }
      const huge = bytesOf(JSON.stringify({ ...(route.body!(ids) as object), name: "x".repeat(70 * 1024) }));
      const res = await manage(fuzzer.client, route.method, route.path(ids), huge, { "content-type": "application/json" });
      await expectHandled(res, `${route.name} 70 KB`, `api ${route.name}`);
      expect(res.status).toBe(413);
    });
  }

  for (const route of QUERY_ROUTES) {
    it(`${route.name}: ${CASES_PER_ROUTE} hostile query strings`, async () => {
      for (let n = 0; n < CASES_PER_ROUTE; n++) {
        const path = route.path(ids, rng);
        const res = await manage(fuzzer.client, "GET", path, undefined, {});
        await expectHandled(res, `${route.name} #${n} ${path.slice(0, 200)}`, `api ${route.name}`);
      }
    });
  }
});

describe("after the fuzz", () => {
  it("a well-formed envelope is accepted and processed, and the consumer never failed", async () => {
    // Hostile project PATCHes may have left odd (valid) settings: put back the limits the envelope needs.
    expect((await fuzzer.client.patch(`/projects/${fuzzer.project.id}`, { rateLimitPerMinute: 10_000_000, monthlyQuota: 10_000_000_000 })).status).toBe(200);
    const { body, eventId } = freshEnvelope(message1);
    const res = await SELF.fetch(`${ORIGIN}/api/${fuzzer.project.id}/envelope/`, { method: "POST", headers: { "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7` }, body });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(eventId);
    await eventually(async () => (await fuzzer.client.get(`/projects/${fuzzer.project.id}/events/${eventId}`)).status === 200, 20_000);
    // The queue has drained when the count of stored events stops moving for a second.
    let last = -1;
    await eventually(async () => {
      const n = (await env.DB.prepare("SELECT count(*) AS n FROM events WHERE project_id = ?").bind(fuzzer.project.id).first<{ n: number }>())!.n;
      const still = n === last;
      last = n;
      if (!still) await new Promise((r) => setTimeout(r, 1000));
      return still;
    }, 20_000);
    expect(consumerFailures()).toEqual([]);
  });

  it("the bystander in another organization reads the same, and has no dead letters", async () => {
    expect(await snapshot(bystander)).toEqual(before);
    const dead = await env.BLOBS.list({ prefix: "dead-letters/" });
    expect(dead.objects.map((o) => o.key).filter((k) => k.includes(`/${bystander.project.id}-`))).toEqual([]);
  });
});
