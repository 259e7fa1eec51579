import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { errorCode, eventually, keyOf, ORIGIN, sendEvent, withProject } from "../test/client";

const enc = new TextEncoder();

describe("project export", () => {
  it("streams the project, its issues and every event as the event API shows them; other organizations get 404", async () => {
    const { client, project } = await withProject("exporter");
    await sendEvent(project, { message: "first failure", level: "error", release: "shop@1.0" });
    await sendEvent(project, { message: "second failure", level: "warning" });
    const withFile = crypto.randomUUID().replaceAll("-", "");
    const log = "line 1\n";
    await SELF.fetch(`${ORIGIN}/api/${project.id}/envelope/`, {
      method: "POST",
      headers: { "x-sentry-auth": `Sentry sentry_key=${keyOf(project.dsn)}, sentry_version=7` },
      body: [
        JSON.stringify({ event_id: withFile }),
        JSON.stringify({ type: "event" }),
        JSON.stringify({ message: "with a log file" }),
        JSON.stringify({ type: "attachment", length: enc.encode(log).length, filename: "app.log", content_type: "text/plain" }),
        log,
      ].join("\n"),
    });
    const issues = await eventually(async () => {
      const list = (await client.get(`/projects/${project.id}/issues`)).body.data as { id: number; count: number }[];
      return list.length === 3 && list;
    });
    const eventIds: string[] = [];
    for (const issue of issues) {
      for (const e of (await client.get(`/issues/${issue.id}/events`)).body.data as { eventId: string }[]) eventIds.push(e.eventId);
    }
    expect(eventIds).toHaveLength(3);

    const res = await client.get(`/projects/${project.id}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="vigil-${project.slug}-${new Date().toISOString().slice(0, 10)}.json"`);
    const doc = res.body as { format: string; project: unknown; issues: { id: number }[]; events: { eventId: string }[]; next?: string };
    expect(doc.format).toBe("vigil-export/1");
    expect(doc.project).toEqual((await client.get(`/projects/${project.id}`)).body);
    const byId = <T extends { id: number }>(xs: T[]) => [...xs].sort((a, b) => a.id - b.id);
    expect(byId(doc.issues)).toEqual(byId(issues.map(({ sparkline: _, ...i }: { id: number; sparkline?: unknown }) => i)));
    expect(doc.events.map((e) => e.eventId).sort()).toEqual([...eventIds].sort());
    for (const exported of doc.events) {
      const { previousEventId: _p, nextEventId: _n, ...detail } = (await client.get(`/projects/${project.id}/events/${exported.eventId}`)).body;
      expect(exported).toEqual(detail);
    }
    expect(doc.events.find((e) => e.eventId === withFile)).toMatchObject({ attachments: [{ name: "1-app.log", size: enc.encode(log).length, contentType: "text/plain" }] });
    expect(doc.next).toBeUndefined();

    // A later part: the events after a given one, without the issues.
    const sorted = doc.events.map((e) => e.eventId).sort();
    const rest = (await client.get(`/projects/${project.id}/export?after=${sorted[0]}`)).body as typeof doc;
    expect(rest.issues).toEqual([]);
    expect(rest.events.map((e) => e.eventId)).toEqual(sorted.slice(1));

    const stranger = await withProject("stranger");
    const foreign = await stranger.client.get(`/projects/${project.id}/export`);
    expect(foreign.status).toBe(404);
    expect(errorCode(foreign)).toBe("not_found");
  });
});
