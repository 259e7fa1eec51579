import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cronObject } from "../crons/checkin";
import { deadLetterPrefix } from "../dead-letters/store";
import { logStore } from "../logs/storage";
import { Client, eventually, keyOf, PASSWORD, sendEvent, signUp, uniqueEmail, withProject } from "../test/client";
import homeTransaction from "../test/fixtures/tx-home.envelope?raw";
import { continueDeletion, continueDeletions, GRACE_MS, PAGE } from "./deletion";
import { expireData, type Limits } from "./expire";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ORIGIN = "http://localhost:8787";

let seq = 0;
async function seedIssue(projectId: number, lastSeen: number): Promise<number> {
  const hash = `h${++seq}`;
  const row = await env.DB.prepare(
    `INSERT INTO issues (project_id, hash, grouping_algorithm, title, culprit, type, value, level, first_seen, last_seen, count)
     VALUES (?1, ?2, 'v1:message', ?2, '', 'Error', '', 'error', ?3, ?3, 1) RETURNING id`,
  )
    .bind(projectId, hash, lastSeen)
    .first<{ id: number }>();
  return row!.id;
}

/** Events at the given times, each with its object in R2. Answers their ids, in the order given. */
async function seedEvents(projectId: number, issueId: number, times: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const t of times) {
    const id = crypto.randomUUID().replaceAll("-", "");
    const key = `events/${projectId}/${id}.json.gz`;
    await env.BLOBS.put(key, "{}");
    await env.DB.prepare(
      `INSERT INTO events (project_id, event_id, issue_id, timestamp, received_at, level, title, r2_key) VALUES (?, ?, ?, ?, ?, 'error', 'x', ?)`,
    )
      .bind(projectId, id, issueId, t, t, key)
      .run();
    ids.push(id);
  }
  return ids;
}

const eventIds = async (projectId: number) =>
  (await env.DB.prepare(`SELECT event_id AS id FROM events WHERE project_id = ? ORDER BY timestamp`).bind(projectId).all<{ id: string }>()).results.map((r) => r.id);
const exists = async (key: string) => (await env.BLOBS.head(key)) !== null;
const count = async (sql: string, ...binds: unknown[]) => (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())!.n;

const ONLY: Limits = { events: 0, eventBatches: 0, issues: 0, hourly: 0, attachments: 0 };

describe("retention settings", () => {
  it("are in the project with their defaults, and changed within bounds by admins", async () => {
    const { client, project } = await withProject("settings");
    const got = await client.get(`/projects/${project.id}`);
    expect(got.body.settings).toMatchObject({ eventsRetentionDays: 90, checksRetentionDays: 91, transactionsRetentionDays: 14 });
    const changed = await client.patch(`/projects/${project.id}`, { eventsRetentionDays: 30, checksRetentionDays: 7, transactionsRetentionDays: 3 });
    expect(changed.status).toBe(200);
    expect((await client.get(`/projects/${project.id}`)).body.settings).toMatchObject({ eventsRetentionDays: 30, checksRetentionDays: 7, transactionsRetentionDays: 3 });
    for (const body of [{ eventsRetentionDays: 0 }, { eventsRetentionDays: 401 }, { checksRetentionDays: 6 }, { transactionsRetentionDays: 91 }, { eventsRetentionDays: 1.5 }]) {
      expect((await client.patch(`/projects/${project.id}`, body)).status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe("expiring data", () => {
  it("deletes events past their project's retention, oldest first, a bounded batch per run, then their issue; idempotent", async () => {
    const short = await withProject("short");
    const long = await withProject("long");
    await short.client.patch(`/projects/${short.project.id}`, { eventsRetentionDays: 30 });
    const now = Date.now();
    const oldIssue = await seedIssue(short.project.id, now - 36 * DAY);
    const old = await seedEvents(short.project.id, oldIssue, [40, 39, 38, 37, 36].map((d) => now - d * DAY));
    const liveIssue = await seedIssue(short.project.id, now - DAY);
    const young = await seedEvents(short.project.id, liveIssue, [now - 29 * DAY, now - DAY]);
    await env.DB.prepare(`INSERT INTO issue_hourly (issue_id, hour, count) VALUES (?1, ?2, 1), (?1, ?3, 1)`)
      .bind(liveIssue, Math.floor((now - 31 * DAY) / HOUR), Math.floor((now - DAY) / HOUR))
      .run();
    // Older than the short project's window, well within the long one's (90 days).
    const longIssue = await seedIssue(long.project.id, now - 40 * DAY);
    const kept = await seedEvents(long.project.id, longIssue, [now - 45 * DAY, now - 40 * DAY]);

    const limits: Limits = { events: 3, eventBatches: 1, issues: 10, hourly: 10, attachments: 0 };
    const first = await expireData(env, now, limits);
    expect(first).toMatchObject({ events: 3, issues: 0, issueHours: 1 });
    // The three oldest went first; the issue stays while it has events.
    expect(await eventIds(short.project.id)).toEqual([...old.slice(3), ...young]);
    expect(await count(`SELECT count(*) AS n FROM issues WHERE id = ?`, oldIssue)).toBe(1);
    for (const id of old.slice(0, 3)) expect(await exists(`events/${short.project.id}/${id}.json.gz`)).toBe(false);

    const second = await expireData(env, now, limits);
    expect(second).toMatchObject({ events: 2, issues: 1, issueHours: 0 });
    expect(await eventIds(short.project.id)).toEqual(young);
    expect(await count(`SELECT count(*) AS n FROM issues WHERE id = ?`, oldIssue)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM issue_hourly WHERE issue_id = ?`, liveIssue)).toBe(1);
    for (const id of young) expect(await exists(`events/${short.project.id}/${id}.json.gz`)).toBe(true);

    // The longer retention of the other project kept all of its events and their objects.
    expect(await eventIds(long.project.id)).toEqual(kept);
    for (const id of kept) expect(await exists(`events/${long.project.id}/${id}.json.gz`)).toBe(true);
    expect(await count(`SELECT count(*) AS n FROM issues WHERE id = ?`, longIssue)).toBe(1);

    // Nothing is left to do: a third run changes nothing.
    expect(await expireData(env, now, limits)).toEqual({ events: 0, issues: 0, issueHours: 0, checkHours: 0, attachments: 0 });
    expect(await eventIds(short.project.id)).toEqual(young);
  });

  it("deletes the hourly uptime history past checksRetentionDays, per project", async () => {
    const short = await withProject("checks-short");
    const long = await withProject("checks-long");
    await short.client.patch(`/projects/${short.project.id}`, { checksRetentionDays: 7 });
    const monitorOf = async (p: typeof short) => (await p.client.post(`/projects/${p.project.id}/monitors`, { name: "Home", url: "https://example.com/" })).body.id as number;
    const [a, b] = [await monitorOf(short), await monitorOf(long)];
    const now = Date.now();
    const hour = (ago: number) => Math.floor((now - ago) / HOUR) * HOUR;
    for (const m of [a, b]) {
      for (const ago of [DAY, 10 * DAY, 100 * DAY]) {
        await env.DB.prepare(`INSERT INTO monitor_hourly (monitor_id, hour, checks, failures, degraded) VALUES (?, ?, 60, 0, 0)`).bind(m, hour(ago)).run();
      }
    }
    const hours = async (m: number) => (await env.DB.prepare(`SELECT hour FROM monitor_hourly WHERE monitor_id = ? ORDER BY hour`).bind(m).all<{ hour: number }>()).results.map((r) => r.hour);
    expect((await expireData(env, now, { ...ONLY, hourly: 1 })).checkHours).toBe(1);
    expect((await expireData(env, now, { ...ONLY, hourly: 10 })).checkHours).toBe(2);
    expect(await hours(a)).toEqual([hour(DAY)]);
    expect(await hours(b)).toEqual([hour(10 * DAY), hour(DAY)]);
  });

  it("sweeps attachments uploaded before their project's retention, or whose project is gone, a page per run", async () => {
    const short = await withProject("att-short");
    const long = await withProject("att-long");
    await short.client.patch(`/projects/${short.project.id}`, { eventsRetentionDays: 30 });
    const keys = {
      short: `attachments/${short.project.id}/${"a".repeat(32)}/1-app.log`,
      long: `attachments/${long.project.id}/${"b".repeat(32)}/1-app.log`,
      orphan: `attachments/987654/${"c".repeat(32)}/1-app.log`,
    };
    for (const key of Object.values(keys)) await env.BLOBS.put(key, "log");
    // 40 days on: past the short project's 30, within the long one's 90. Only attachments are looked at.
    const later = Date.now() + 40 * DAY;
    let deleted = 0;
    for (let run = 0; run < 3; run++) deleted += (await expireData(env, later, { ...ONLY, attachments: 2 })).attachments;
    expect(deleted).toBe(2);
    expect(await exists(keys.short)).toBe(false);
    expect(await exists(keys.orphan)).toBe(false);
    expect(await exists(keys.long)).toBe(true);
  });
});

const projectTables = async () =>
  (
    // Every table with a project_id column (pragma functions are not allowed in D1, so from the CREATE statements).
    await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%`project_id`%' AND name != 'deletions'").all<{ name: string }>()
  ).results.map((r) => r.name);

describe("deleting a project", () => {
  it("removes its rows in every table, its R2 objects under every prefix and its Durable Object storage", async () => {
    const owner = await withProject("doomed");
    const doomed = owner.project;
    const other = (await owner.client.post(`/orgs/${owner.orgSlug}/projects`, { name: "Kept" })).body as { id: number; dsn: string };
    // Data everywhere: an error with an attachment, a transaction, a log line, a monitor, a cron with an alarm.
    await sendEvent(doomed, { message: "doomed error", level: "error", release: "doomed@1.0" });
    await sendEvent(other, { message: "kept error", level: "error" });
    await SELF.fetch(`${ORIGIN}/api/${doomed.id}/envelope/`, {
      method: "POST",
      headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(doomed.dsn)}, sentry_version=7` },
      body: homeTransaction,
    });
    await SELF.fetch(`${ORIGIN}/api/${doomed.id}/logs/`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyOf(doomed.dsn)}`, "content-type": "application/json" },
      body: JSON.stringify({ message: "doomed log line", level: "error" }),
    });
    const monitorId = (await owner.client.post(`/projects/${doomed.id}/monitors`, { name: "Home", url: "https://example.com/" })).body.id as number;
    const cronId = (await owner.client.post(`/projects/${doomed.id}/crons`, { slug: "backup", schedule: { type: "crontab", value: "0 3 * * *" } })).body.id as number;
    const at = Date.now();
    await cronObject(env, cronId).checkin(cronId, { status: "ok", source: "http", runId: null, checkinId: crypto.randomUUID(), at, environment: null, exitCode: null, log: null, durationMs: null });
    await owner.client.post(`/projects/${doomed.id}/saved-searches`, { name: "Errors", query: "level:error" });
    await eventually(async () => (await count(`SELECT count(*) AS n FROM events WHERE project_id IN (?, ?)`, doomed.id, other.id)) === 2);
    await eventually(async () => (await count(`SELECT count(*) AS n FROM perf_transactions WHERE project_id = ?`, doomed.id)) === 1);
    const objects = {
      attachment: `attachments/${doomed.id}/${"d".repeat(32)}/1-app.log`,
      staging: `staging/${doomed.id}/event-x.json`,
      deadLetter: `${deadLetterPrefix(doomed.id)}2026-01-01-m1.json`,
      othersDeadLetter: `${deadLetterPrefix(other.id)}2026-01-01-m2.json`,
    };
    for (const key of Object.values(objects)) await env.BLOBS.put(key, "{}");
    const prefixes = ["events", "attachments", "traces", "staging", "logs"].map((p) => `${p}/${doomed.id}/`);
    const listed = async (prefix: string) => (await env.BLOBS.list({ prefix })).objects.map((o) => o.key);
    expect((await listed(`events/${doomed.id}/`)).length).toBe(1);
    expect((await listed(`traces/${doomed.id}/`)).length).toBe(1);
    const cronStorage = () => runInDurableObject(cronObject(env, cronId), async (_, state) => ({ keys: (await state.storage.list()).size, alarm: await state.storage.getAlarm() }));
    expect((await cronStorage()).keys).toBeGreaterThan(0);
    const gate = env.INGEST_GATE.get(env.INGEST_GATE.idFromName(String(doomed.id)));
    const gateKeys = () => runInDurableObject(gate, async (_, state) => (await state.storage.list()).size);
    expect(await gateKeys()).toBeGreaterThan(0);
    const logLines = () => runInDurableObject(logStore(env, doomed.id), (_, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM lines").one().n);
    expect(await logLines()).toBe(1);
    const tables = await projectTables();
    const before = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(`SELECT count(*) AS n FROM ${t} WHERE project_id = ?`, doomed.id)] as const)));
    for (const t of ["project_keys", "issues", "events", "monitors", "cron_monitors", "perf_transactions", "perf_rollups", "releases", "saved_searches"]) expect(before[t], t).toBeGreaterThan(0);
    const issueIds = (await env.DB.prepare(`SELECT id FROM issues WHERE project_id = ?`).bind(doomed.id).all<{ id: number }>()).results.map((r) => r.id);

    expect((await owner.client.delete(`/projects/${doomed.id}`)).status).toBe(204);

    for (const t of tables) expect(await count(`SELECT count(*) AS n FROM ${t} WHERE project_id = ?`, doomed.id), t).toBe(0);
    for (const t of ["issue_hourly", "issue_tags", "issue_users"]) expect(await count(`SELECT count(*) AS n FROM ${t} WHERE issue_id IN (SELECT value FROM json_each(?))`, JSON.stringify(issueIds)), t).toBe(0);
    for (const t of ["monitor_checks", "monitor_hourly", "monitor_gaps"]) expect(await count(`SELECT count(*) AS n FROM ${t} WHERE monitor_id = ?`, monitorId), t).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM cron_checkins WHERE monitor_id = ?`, cronId)).toBe(0);
    for (const prefix of prefixes) expect(await listed(prefix), prefix).toEqual([]);
    expect(await exists(objects.deadLetter)).toBe(false);
    expect(await exists(objects.othersDeadLetter)).toBe(true);
    expect(await cronStorage()).toEqual({ keys: 0, alarm: null });
    expect(await gateKeys()).toBe(0);
    expect(await logLines()).toBe(0);
    // The other project of the organization keeps everything.
    expect(await count(`SELECT count(*) AS n FROM events WHERE project_id = ?`, other.id)).toBe(1);
    expect((await listed(`events/${other.id}/`)).length).toBe(1);

    // Done except the second pass, which waits for what the ingest queue may still hold; then the record goes.
    expect(await count(`SELECT count(*) AS n FROM deletions WHERE project_id = ?`, doomed.id)).toBe(1);
    await env.BLOBS.put(`events/${doomed.id}/late.json.gz`, "{}"); // written by a message that was in flight
    expect(await continueDeletions(env, Date.now())).toBe(0);
    expect(await continueDeletions(env, Date.now() + GRACE_MS + 1000)).toBeGreaterThanOrEqual(1);
    expect(await count(`SELECT count(*) AS n FROM deletions WHERE project_id = ?`, doomed.id)).toBe(0);
    expect(await listed(`events/${doomed.id}/`)).toEqual([]);
  });

  it("turns its DSN away at once (the key, cached by the accept path, is forgotten)", async () => {
    const owner = await withProject("doomed-dsn");
    const kept = (await owner.client.post(`/orgs/${owner.orgSlug}/projects`, { name: "Kept" })).body as { id: number; dsn: string };
    expect((await sendEvent(owner.project, { message: "before" })).status).toBe(200);
    expect((await sendEvent(kept, { message: "before" })).status).toBe(200);
    expect((await owner.client.delete(`/projects/${owner.project.id}`)).status).toBe(204);
    const after = await sendEvent(owner.project, { message: "after" });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("invalid_key");
    expect((await sendEvent(kept, { message: "after" })).status).toBe(200);
  });

  it("empties a large R2 prefix a page at a time over several runs", async () => {
    const projectId = 900_001;
    const keys = Array.from({ length: PAGE + 5 }, (_, i) => `events/${projectId}/${String(i).padStart(5, "0")}.json.gz`);
    for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => env.BLOBS.put(k, "{}")));
    const now = Date.now();
    const row = await env.DB.prepare(`INSERT INTO deletions (project_id, cron_ids, step, created_at, updated_at) VALUES (?, '[]', 0, ?, ?) RETURNING id`)
      .bind(projectId, now, now)
      .first<{ id: number }>();
    const left = async () => (await env.BLOBS.list({ prefix: `events/${projectId}/` })).objects.length;
    const load = async () => {
      const r = await env.DB.prepare(`SELECT id, project_id AS projectId, cron_ids AS cronIds, step, cursor, created_at AS createdAt FROM deletions WHERE id = ?`)
        .bind(row!.id)
        .first<{ id: number; projectId: number; cronIds: string; step: number; cursor: string | null; createdAt: number }>();
      return { ...r!, cronIds: JSON.parse(r!.cronIds) as number[] };
    };
    expect(await continueDeletion(env, await load(), now, { pages: 1, crons: 0 })).toBe("more");
    expect(await left()).toBe(5);
    expect(await load()).toMatchObject({ step: 0, cursor: keys[PAGE - 1] });
    expect(await continueDeletion(env, await load(), now, { pages: 1, crons: 0 })).toBe("more");
    expect(await left()).toBe(0);
    expect(await continueDeletion(env, await load(), now, { pages: 20, crons: 10 })).toBe("waiting");
  });
});

describe("deleting an organization", () => {
  it("is for owners; removes its projects, channels, members and invites; members lose it", async () => {
    const owner = await signUp("orgowner");
    const org = (await owner.client.post("/orgs", { name: "Acme" })).body as { slug: string; id: string };
    const project = (await owner.client.post(`/orgs/${org.slug}/projects`, { name: "Shop" })).body as { id: number; dsn: string };
    await owner.client.post(`/orgs/${org.slug}/channels`, { type: "email", name: "On call", email: "oncall@example.com" });
    const invite = await owner.client.post(`/orgs/${org.slug}/invites`, { role: "admin" });
    const admin = new Client();
    await admin.post("/auth/signup", { email: uniqueEmail("admin"), password: PASSWORD, name: "Admin" });
    expect((await admin.post(`/invites/${invite.body.token}/accept`)).status).toBe(200);
    await owner.client.post(`/orgs/${org.slug}/invites`, { role: "member" });
    await sendEvent(project, { message: "acme error" });
    await eventually(async () => (await count(`SELECT count(*) AS n FROM events WHERE project_id = ?`, project.id)) === 1);

    const refused = await admin.delete(`/orgs/${org.slug}`);
    expect(refused.status).toBe(403);
    expect((await owner.client.delete(`/orgs/${org.slug}`)).status).toBe(204);

    expect((await owner.client.get(`/orgs/${org.slug}`)).status).toBe(404);
    expect(((await admin.get("/me")).body.organizations as { slug: string }[]).map((o) => o.slug)).not.toContain(org.slug);
    for (const t of ["projects", "channels", "memberships", "invites", "alerts"]) expect(await count(`SELECT count(*) AS n FROM ${t} WHERE org_id = ?`, org.id), t).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM events WHERE project_id = ?`, project.id)).toBe(0);
    expect((await env.BLOBS.list({ prefix: `events/${project.id}/` })).objects).toEqual([]);
    // The owner's personal organization is untouched.
    expect((await owner.client.get(`/orgs/${owner.orgSlug}`)).status).toBe(200);
  });

  it("may be a user's only organization; they are left with none and can create one", async () => {
    const user = await signUp("leaver");
    expect((await user.client.delete(`/orgs/${user.orgSlug}`)).status).toBe(204);
    expect((await user.client.get("/me")).body.organizations).toEqual([]);
    expect((await user.client.post("/orgs", { name: "Fresh start" })).status).toBe(201);
  });
});
