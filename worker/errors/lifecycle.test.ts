import { describe, expect, it } from "vitest";
import { eventually, sendEvent, withProject } from "../test/client";

const boom = (release = "shop@1.0", extra: Record<string, unknown> = {}) => ({
  level: "error",
  release,
  environment: "production",
  exception: {
    values: [
      {
        type: "ZeroDivisionError",
        value: "division by zero",
        stacktrace: { frames: [{ module: "shop.views", function: "checkout", context_line: "    return total / count", lineno: 42, in_app: true }] },
      },
    ],
  },
  ...extra,
});

async function issuesOf(client: Awaited<ReturnType<typeof withProject>>["client"], projectId: number, query = "") {
  return (await client.get(`/projects/${projectId}/issues?query=${encodeURIComponent(query)}`)).body.data as any[];
}

describe("issue lifecycle", () => {
  it("groups a repeat into the same issue and counts it", async () => {
    const { client, project } = await withProject();
    expect((await sendEvent(project, boom())).status).toBe(200);
    const [first] = await eventually(async () => (await issuesOf(client, project.id)).length === 1 && issuesOf(client, project.id));
    expect(first).toMatchObject({ title: "ZeroDivisionError: division by zero", culprit: "shop.views in checkout", count: 1, status: "unresolved", substatus: "new" });
    await sendEvent(project, boom("shop@1.0", { exception: { values: [{ ...boom().exception.values[0], stacktrace: { frames: [{ module: "shop.views", function: "checkout", context_line: "return total / count", lineno: 57, in_app: true }] } }] } }));
    const [again] = await eventually(async () => {
      const list = await issuesOf(client, project.id);
      return list[0]?.count === 2 && list;
    });
    expect(again.id).toBe(first.id);
  });

  it("resolve → new event → regressed; resolve in next release ignores the same release", async () => {
    const { client, project } = await withProject();
    await sendEvent(project, boom("shop@1.0"));
    const [issue] = await eventually(async () => (await issuesOf(client, project.id))[0] && issuesOf(client, project.id));
    const resolved = await client.patch(`/issues/${issue.id}`, { status: "resolved", inNextRelease: true });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: "resolved", resolvedInRelease: "shop@1.0" });

    await sendEvent(project, boom("shop@1.0"));
    await eventually(async () => (await client.get(`/issues/${issue.id}`)).body.count === 2);
    expect((await client.get(`/issues/${issue.id}`)).body.status).toBe("resolved");

    await sendEvent(project, boom("shop@1.1"));
    const regressed = await eventually(async () => {
      const i = (await client.get(`/issues/${issue.id}`)).body;
      return i.count === 3 && i;
    });
    expect(regressed).toMatchObject({ status: "unresolved", substatus: "regressed", lastRelease: "shop@1.1" });
    expect((await issuesOf(client, project.id, "is:regressed")).map((i) => i.id)).toEqual([issue.id]);
  });

  it("ignored until N more events reopens after N", async () => {
    const { client, project } = await withProject();
    await sendEvent(project, boom());
    const [issue] = await eventually(async () => (await issuesOf(client, project.id))[0] && issuesOf(client, project.id));
    const ignored = await client.patch(`/issues/${issue.id}`, { status: "ignored", ignoreCount: 2 });
    expect(ignored.body).toMatchObject({ status: "ignored", ignoredUntilCount: 3 });
    await sendEvent(project, boom());
    await eventually(async () => (await client.get(`/issues/${issue.id}`)).body.count === 2);
    expect((await client.get(`/issues/${issue.id}`)).body.status).toBe("ignored");
    await sendEvent(project, boom());
    const back = await eventually(async () => {
      const i = (await client.get(`/issues/${issue.id}`)).body;
      return i.count === 3 && i;
    });
    expect(back).toMatchObject({ status: "unresolved", substatus: "unignored" });
  });

  it("bulk resolves from the list", async () => {
    const { client, project } = await withProject();
    await sendEvent(project, boom());
    await sendEvent(project, { message: "Something else broke", level: "warning" });
    const list = await eventually(async () => {
      const l = await issuesOf(client, project.id);
      return l.length === 2 && l;
    });
    const res = await client.patch(`/projects/${project.id}/issues`, { ids: list.map((i: { id: number }) => i.id), status: "resolved" });
    expect(res.body.updated).toBe(2);
    expect(await issuesOf(client, project.id, "is:unresolved")).toEqual([]);
    expect(await issuesOf(client, project.id, "is:resolved")).toHaveLength(2);
  });

  it("the sample error becomes a full issue with frames, scrubbed secrets, request and user", async () => {
    const { client, project } = await withProject();
    const sent = await client.post(`/projects/${project.id}/sample-event`);
    expect(sent.status).toBe(202);
    const issue = await eventually(async () => (await issuesOf(client, project.id))[0]);
    expect(issue).toMatchObject({ title: "KeyError: 'IE'", culprit: "/checkout/", userCount: 1 });
    const { event } = (await client.get(`/projects/${project.id}/events/${sent.body.eventId}`)).body;
    const frames = event.exception.values[0].stacktrace.frames;
    expect(frames.at(-1).context_line).toContain("RATES[country]");
    expect(frames[1].vars.api_key).toBe("[Filtered]");
    expect(frames.at(-1).vars.country).toBe("'IE'");
    expect(event.request.headers.Cookie).toBe("[Filtered]");
    expect(event.request.data.card_number).toBe("[Filtered]");
    expect(event.user.email).toBe("ann@example.com");
    expect(event._filtered).toEqual(expect.arrayContaining(["request.headers.Cookie", "request.data.card_number"]));
  });

  it("an event too big for a queue message is staged in R2, processed, and the staging copy removed", async () => {
    const { client, project } = await withProject();
    const sent = await sendEvent(project, { message: "big one", extra: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`blob${i}`, "x".repeat(4000)])) });
    expect(sent.status).toBe(200);
    const issue = await eventually(async () => (await issuesOf(client, project.id))[0]);
    expect(issue.title).toBe("big one");
    const event = (await client.get(`/projects/${project.id}/events/${sent.body.id}`)).body.event;
    expect(Object.keys(event.extra)).toHaveLength(40);
    const { env } = await import("cloudflare:test");
    expect((await env.BLOBS.list({ prefix: `staging/${project.id}/` })).objects).toEqual([]);
  });

  it("scrubs the project's own extra fields", async () => {
    const { client, project } = await withProject();
    await client.patch(`/projects/${project.id}`, { scrubFields: ["loyalty_number"] });
    const sent = await sendEvent(project, { message: "custom", extra: { loyalty_number: "LN-1234", basket: "3 items" } });
    await eventually(async () => (await issuesOf(client, project.id))[0]);
    const event = (await client.get(`/projects/${project.id}/events/${sent.body.id}`)).body.event;
    expect(event.extra).toEqual({ loyalty_number: "[Filtered]", basket: "3 items" });
  });
});
