import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { keyOf, withProject } from "../test/client";
import { MAX_CRONS_PER_PROJECT } from "./checkin";

const ORIGIN = "http://localhost:8787";

async function call(path: string, init: RequestInit = {}) {
  const res = await SELF.fetch(`${ORIGIN}${path}`, init);
  const text = await res.text();
  return { status: res.status, text };
}

describe("the per-project cap on cron monitors", () => {
  it("holds for monitors that jobs create themselves (?create=1, monitor_config), not only through the API", async () => {
    const { client, project } = await withProject("cap");
    const key = keyOf(project.dsn);
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM cron_monitors WHERE project_id = ?").bind(project.id).first<{ n: number }>())!.n;
    // One short of the cap, written directly (the API would take a while for 499).
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO cron_monitors (project_id, slug, name, schedule, state_since, created_at, updated_at)
       SELECT ?1, 'bulk-' || value, 'bulk-' || value, '{"type":"interval","value":1,"unit":"day"}', ?2, ?2, ?2 FROM json_each(?3)`,
    )
      .bind(project.id, now, JSON.stringify(Array.from({ length: MAX_CRONS_PER_PROJECT - 1 }, (_, i) => i)))
      .run();

    expect((await call(`/ping/${key}/last-one?create=1`)).status).toBe(200);
    expect(await count()).toBe(MAX_CRONS_PER_PROJECT);

    const refused = await call(`/ping/${key}/one-too-many?create=1`);
    expect(refused.status, refused.text).toBe(409);
    expect(JSON.parse(refused.text).error.message).toContain(`${MAX_CRONS_PER_PROJECT} cron monitors`);
    const viaHttp = await call(`/api/${project.id}/cron/from-config/${key}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "ok", monitor_config: { schedule: { type: "crontab", value: "0 3 * * *" } } }),
    });
    expect(viaHttp.status, viaHttp.text).toBe(409);
    // An envelope check-in is accepted (the SDK cannot act on an error) and dropped by the queue.
    const envelope = await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, {
      method: "POST",
      headers: { "content-type": "application/x-sentry-envelope", "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7` },
      body: `{}\n${JSON.stringify({ type: "check_in" })}\n${JSON.stringify({ check_in_id: crypto.randomUUID(), monitor_slug: "from-envelope", status: "ok", monitor_config: { schedule: { type: "interval", value: 1, unit: "hour" } } })}\n`,
    });
    expect(envelope.status).toBe(200);
    await envelope.arrayBuffer();
    expect((await client.post(`/projects/${project.id}/crons`, { slug: "via-api", schedule: { type: "interval", value: 1, unit: "hour" } })).status).toBe(409);

    // Existing monitors still take check-ins.
    expect((await call(`/ping/${key}/bulk-7`)).status).toBe(200);
    expect((await call(`/ping/${key}/last-one`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500)); // the queue had its chance
    expect(await count()).toBe(MAX_CRONS_PER_PROJECT);
  });
});
