import { env, SELF } from "cloudflare:test";
import { ORIGIN, withProject } from "../test/client";
import type { MonitorState } from "../uptime/schema";

/** Helpers for the status page tests: monitors through the real API, history written straight into D1. */

export const DAY = 86_400_000;
export const MINUTE = 60_000;
/** UTC midnight of the day `daysAgo` days before today. */
export const dayStart = (daysAgo: number, now = Date.now()) => Math.floor(now / DAY) * DAY - daysAgo * DAY;

export type Owner = Awaited<ReturnType<typeof withProject>>;

export interface CreatedMonitor {
  id: number;
  projectId: number;
  name: string;
  url: string;
}

/** Create a monitor through the management API, as the dashboard does. */
export async function createMonitor(owner: Owner, name: string, options: { public?: boolean; url?: string } = {}): Promise<CreatedMonitor> {
  const url = options.url ?? `https://shop.example.com/health/${crypto.randomUUID()}`;
  const res = await owner.client.post(`/projects/${owner.project.id}/monitors`, { name, url, public: options.public ?? false });
  if (res.status !== 201) throw new Error(`monitor failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, projectId: owner.project.id, name, url };
}

/** Pretend the monitor has existed for `days` days (so every bar of the strip has data). */
export async function backdate(monitorId: number, days: number, now = Date.now()) {
  await env.DB.prepare("update monitors set created_at = ?1 where id = ?2").bind(now - days * DAY, monitorId).run();
}

export async function setState(monitorId: number, state: MonitorState) {
  await env.DB.prepare("update monitors set state = ?1 where id = ?2").bind(state, monitorId).run();
}

/** An outage as the round state machine records it; `endedAt` null while it goes on. */
export async function addIncident(m: CreatedMonitor, startedAt: number, endedAt: number | null) {
  const firstError = { region: "weur", errorClass: "status", message: `HTTP 500 from ${m.url}`, httpStatus: 500, excerpt: "secret stack trace" };
  await env.DB.prepare(
    "insert into monitor_incidents (monitor_id, project_id, started_at, confirmed_at, ended_at, failing_regions, first_error) values (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  )
    .bind(m.id, m.projectId, startedAt, startedAt + MINUTE, endedAt, JSON.stringify(["weur", "wnam"]), JSON.stringify(firstError))
    .run();
}

/** Time Vigil itself did not check the monitor. */
export async function addGap(monitorId: number, from: number, to: number) {
  await env.DB.prepare('insert into monitor_gaps (monitor_id, "from", "to") values (?1, ?2, ?3)').bind(monitorId, from, to).run();
}

export interface Page {
  status: number;
  headers: Headers;
  text: string;
}

/** GET a public path, like a browser with no session (or with the given headers). */
export async function get(path: string, headers: Record<string, string> = {}): Promise<Page> {
  const res = await SELF.fetch(`${ORIGIN}${path}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function getJson(path: string): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await get(path);
  return { status: res.status, headers: res.headers, body: JSON.parse(res.text) };
}
