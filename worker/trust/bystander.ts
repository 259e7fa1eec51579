import { SELF } from "cloudflare:test";
import { inject } from "vitest";
import { eventually, keyOf, ORIGIN, withProject } from "../test/client";
import keyError from "../test/fixtures/key-error.envelope?raw";
import zeroDivision from "../test/fixtures/zero-division.envelope?raw";
import homeTransaction from "../test/fixtures/tx-home.envelope?raw";
import { newTarget } from "../test/targets-client";

/**
 * A project in an organization of its own, holding one of each kind of data (issues and events, a trace,
 * log lines, an uptime monitor, a cron monitor, a saved search, a channel and a rule), seeded through the
 * real doors and API. Hostile-input tests read it before and after and expect every read to be the same.
 */
export type Bystander = Awaited<ReturnType<typeof seedBystander>>;

/** A fixture envelope with a fresh event id, so the same fixture can be sent twice. */
export function freshEnvelope(envelope: string, eventId = crypto.randomUUID().replaceAll("-", "")): { body: string; eventId: string } {
  const [header, ...rest] = envelope.split("\n");
  return { body: [JSON.stringify({ ...JSON.parse(header!), event_id: eventId }), ...rest].join("\n"), eventId };
}

export async function ingest(project: { id: number; dsn: string }, path: string, body: BodyInit, contentType: string) {
  const res = await SELF.fetch(`${ORIGIN}/api/${project.id}${path}`, {
    method: "POST",
    headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7`, "content-type": contentType },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`ingest ${path}: ${res.status} ${text}`);
  return text;
}

export async function seedBystander() {
  const owner = await withProject("bystander");
  const { client, project } = owner;
  const must = async (p: Promise<{ status: number; body: any }>, status: number, what: string) => {
    const r = await p;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const errors = [freshEnvelope(keyError), freshEnvelope(zeroDivision)];
  for (const e of errors) await ingest(project, "/envelope/", e.body, "application/x-sentry-envelope");
  await ingest(project, "/envelope/", freshEnvelope(homeTransaction).body, "application/x-sentry-envelope");
  await ingest(project, "/logs/", [1, 2, 3].map((i) => JSON.stringify({ message: `bystander line ${i}`, level: "warning" })).join("\n"), "application/x-ndjson");
  const traceId = JSON.parse(homeTransaction.split("\n")[2]!).contexts.trace.trace_id as string;
  const target = await newTarget({ body: "ok" });
  const monitor = await must(client.post(`/projects/${project.id}/monitors`, { name: "Bystander site", url: target.url, intervalSeconds: 300 }), 201, "monitor");
  const cron = await must(client.post(`/projects/${project.id}/crons`, { slug: "bystander-nightly", schedule: { type: "crontab", value: "0 3 * * *" } }), 201, "cron");
  const channel = await must(client.post(`/orgs/${owner.orgSlug}/channels`, { type: "webhook", name: "Bystander hook", url: `${inject("receiverUrl")}/bystander` }), 201, "channel");
  await must(client.post(`/projects/${project.id}/alert-rules`, { name: "Bystander rule", events: ["issue.new"], channelIds: [channel.id] }), 201, "rule");
  await must(client.post(`/projects/${project.id}/saved-searches`, { name: "Bystander warnings", query: "level:warning" }), 201, "saved search");

  const issues = await eventually(async () => {
    const list = (await client.get(`/projects/${project.id}/issues`)).body.data as { id: number }[] | undefined;
    return list && list.length === errors.length ? list : undefined;
  });
  for (const e of errors) await eventually(async () => (await client.get(`/projects/${project.id}/events/${e.eventId}`)).status === 200);
  await eventually(async () => (await client.get(`/projects/${project.id}/traces/${traceId}`)).status === 200);
  await eventually(async () => (await client.get(`/projects/${project.id}/logs`)).body.data?.length === 3);

  const reads = [
    `/projects/${project.id}`,
    `/projects/${project.id}/issues`,
    ...issues.flatMap((i) => [`/issues/${i.id}`, `/issues/${i.id}/events`]),
    ...errors.map((e) => `/projects/${project.id}/events/${e.eventId}`),
    `/projects/${project.id}/traces/${traceId}`,
    // A fixed range: the default one (the last 24 h) would move between the two reads.
    `/projects/${project.id}/logs?${new URLSearchParams({ q: "bystander", from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() })}`,
    `/projects/${project.id}/saved-searches`,
    `/projects/${project.id}/alert-rules`,
    `/orgs/${owner.orgSlug}/channels`,
    `/monitors/${monitor.id}`,
    `/crons/${cron.id}`,
    `/projects/${project.id}/keys`,
  ];
  return { ...owner, reads, ids: { issues: issues.map((i) => i.id), monitor: monitor.id as number, cron: cron.id as number, channel: channel.id as string, traceId } };
}

/**
 * Fields of a monitor that move on their own with time (an uptime probe's last result, a cron's next
 * expected run): left out there, so the comparison sees only what a request could change.
 */
const MOVING = /^(last|next|status$|state$|uptime|sparkline|gaps|responseTime|incidents?$|checks?$|currentIncident|usage|leaseUntil|suspect|failStreak|days$)/i;

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).filter(([k]) => !MOVING.test(k)).map(([k, v]) => [k, stable(v)]));
  return value;
}
const moves = (path: string) => path.startsWith("/monitors/") || path.startsWith("/crons/");

/** What the bystander's owner reads through the API, minus what moves by itself. */
export async function snapshot(b: Bystander): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of b.reads) {
    const r = await b.client.get(path);
    out[path] = { status: r.status, body: moves(path) ? stable(r.body) : r.body };
  }
  return out;
}
