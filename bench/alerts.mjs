// Alert latency (ingest of a new error → signed webhook arriving at a local receiver) and dedupe under a
// burst (1,000 events of one issue → exactly one delivery). Exported for bench/run.mjs; bounded in count and time.
import { createServer } from "node:http";

function receiver() {
  const arrivals = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      arrivals.push({ path: req.url, at: performance.now(), body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, arrivals, close: () => server.close() })),
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(base, cookie, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { cookie, origin: base, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

async function store(base, project, event) {
  const key = new URL(project.dsn).username;
  const res = await fetch(`${base}/api/${project.id}/store/`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7` },
    body: JSON.stringify(event),
  });
  await res.arrayBuffer();
  return res.status;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** `vigil` must run with ALERTS_ALLOW_PRIVATE_URLS=true (startWorker passes it) so the receiver on 127.0.0.1 is allowed. */
export async function benchAlerts({ vigil, cookie, org, alerts = 30, burst = 1000, seconds = 120 }) {
  const rx = await receiver();
  const { base } = vigil;
  try {
    const channel = await api(base, cookie, "POST", `/orgs/${org}/channels`, { type: "webhook", name: "bench", url: `${rx.url}/latency` });
    // Projects created after the channel get the default rule (issue.new → this channel).
    const project = await api(base, cookie, "POST", `/orgs/${org}/projects`, { name: `alert bench ${Date.now()}` });
    const deadline = Date.now() + seconds * 1000;

    // Latency: one new issue at a time, 300 ms apart, each with a marker to match its delivery.
    const sentAt = new Map();
    for (let i = 0; i < alerts && Date.now() < deadline; i++) {
      const marker = `bench-marker-${i}-${Date.now()}`;
      sentAt.set(marker, performance.now());
      await store(base, project, { message: `Latency probe ${marker}`, level: "error", fingerprint: [marker] });
      await sleep(300);
    }
    // Count only this phase's probes: other projects of the organization got the default rule too.
    const probes = () => rx.arrivals.filter((a) => a.path === "/latency" && /bench-marker-\d+-\d+/.test(a.body));
    const latencyDeadline = Math.min(deadline, Date.now() + 30_000);
    while (Date.now() < latencyDeadline && probes().length < sentAt.size) await sleep(100);
    const latencies = [];
    for (const a of probes()) {
      const marker = /bench-marker-\d+-\d+/.exec(a.body)?.[0];
      if (marker && sentAt.has(marker)) latencies.push(a.at - sentAt.get(marker));
    }
    latencies.sort((a, b) => a - b);

    // Dedupe: a burst of one issue's events → one delivery. It gets its own minute, whatever the latency phase took.
    const burstDeadline = Date.now() + 60_000;
    const burstProject = await api(base, cookie, "POST", `/orgs/${org}/projects`, { name: `burst bench ${Date.now()}` });
    await api(base, cookie, "DELETE", `/channels/${channel.id}`);
    const burstChannel = await api(base, cookie, "POST", `/orgs/${org}/channels`, { type: "webhook", name: "burst", url: `${rx.url}/burst` });
    await api(base, cookie, "POST", `/projects/${burstProject.id}/alert-rules`, { name: "burst", events: ["issue.new"], channelIds: [burstChannel.id] });
    const started = performance.now();
    let next = 0;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < burst && Date.now() < burstDeadline) {
          next++;
          if ((await store(base, burstProject, { message: "The same error, over and over", level: "error" })) === 200) accepted++;
        }
      }),
    );
    let count = 0;
    while (Date.now() < burstDeadline) {
      const issues = await api(base, cookie, "GET", `/projects/${burstProject.id}/issues`);
      count = issues.data.reduce((n, i) => n + i.count, 0);
      if (count >= accepted) break;
      await sleep(250);
    }
    const processedSeconds = (performance.now() - started) / 1000;
    await sleep(2000);
    const deliveries = rx.arrivals.filter((a) => a.path === "/burst").length;
    return {
      latency: { alerts: latencies.length, sent: sentAt.size, p50: pct(latencies, 50), p95: pct(latencies, 95), max: latencies.at(-1) },
      burst: { sent: next, accepted, stored: count, deliveries, seconds: processedSeconds },
    };
  } finally {
    rx.close();
  }
}
