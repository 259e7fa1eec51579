import { describe, expect, it } from "vitest";
import { newTarget } from "../test/targets-client";
import { classifyFailure, readJsonPath, runCheck, statusExpected, type CheckSpec } from "./check";

const spec = (over: Partial<CheckSpec>): CheckSpec => ({
  monitorId: 1,
  type: "http",
  url: "http://127.0.0.1:1/",
  method: "GET",
  headers: {},
  body: null,
  expectedStatus: ["2xx", "3xx"],
  keyword: null,
  keywordMode: "present",
  jsonAssertion: null,
  maxResponseMs: null,
  followRedirects: true,
  timeoutMs: 3000,
  ...over,
});

describe("one check against a real local server", () => {
  it("up: answers 200, with the latency, and names its region in the User-Agent", async () => {
    const t = await newTarget({ body: "Welcome to the shop" });
    const r = await runCheck(spec({ url: `${t.url}/`, keyword: "shop" }), "weur");
    expect(r).toMatchObject({ status: "up", httpStatus: 200, errorClass: null, region: "weur" });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await t.log()).map((l) => l.region)).toEqual(["weur"]);
  });

  it("a 500 is a status failure with the start of the body kept", async () => {
    const t = await newTarget({ status: 500, body: "<h1>Server Error (500)</h1>" });
    const r = await runCheck(spec({ url: t.url }), "wnam");
    expect(r).toMatchObject({ status: "down", httpStatus: 500, errorClass: "status", excerpt: "<h1>Server Error (500)</h1>" });
    expect(r.error).toContain("500");
  });

  it("wrong keyword, and a keyword that must be absent", async () => {
    const t = await newTarget({ body: "Maintenance mode" });
    expect(await runCheck(spec({ url: t.url, keyword: "Welcome" }), "wnam")).toMatchObject({ status: "down", errorClass: "keyword", excerpt: "Maintenance mode" });
    expect(await runCheck(spec({ url: t.url, keyword: "Maintenance", keywordMode: "absent" }), "wnam")).toMatchObject({ status: "down", errorClass: "keyword" });
    expect(await runCheck(spec({ url: t.url, keyword: "Error", keywordMode: "absent" }), "wnam")).toMatchObject({ status: "up" });
  });

  it("JSON path assertion on a Django health check", async () => {
    const t = await newTarget({ contentType: "application/json", body: JSON.stringify({ status: "ok", checks: { database: "ok", cache: "down" } }) });
    expect(await runCheck(spec({ url: t.url, jsonAssertion: { path: "$.checks.database", equals: "ok" } }), "wnam")).toMatchObject({ status: "up" });
    const r = await runCheck(spec({ url: t.url, jsonAssertion: { path: "$.checks.cache", equals: "ok" } }), "wnam");
    expect(r).toMatchObject({ status: "down", errorClass: "assertion" });
    expect(r.error).toBe('$.checks.cache is "down"; expected "ok".');
  });

  it("slow: degraded above the max response time; timeout when slower than the timeout", async () => {
    const t = await newTarget({ delayMs: 300 });
    const slow = await runCheck(spec({ url: t.url, maxResponseMs: 100 }), "wnam");
    expect(slow).toMatchObject({ status: "degraded", httpStatus: 200 });
    expect(slow.latencyMs).toBeGreaterThanOrEqual(300);
    const timedOut = await runCheck(spec({ url: t.url, timeoutMs: 100 }), "wnam");
    expect(timedOut).toMatchObject({ status: "down", errorClass: "timeout", httpStatus: null });
  });

  it("connection refused when the server is stopped, up again when it is started", async () => {
    const t = await newTarget();
    await t.stop();
    const down = await runCheck(spec({ url: t.url }), "apac");
    expect(down).toMatchObject({ status: "down", errorClass: "connect" });
    await t.start();
    expect(await runCheck(spec({ url: t.url }), "apac")).toMatchObject({ status: "up" });
  });

  it("redirects: followed by default, or judged as the 3xx itself", async () => {
    const t = await newTarget({ status: 302, headers: { location: "/elsewhere" }, body: "" });
    const manual = await runCheck(spec({ url: t.url, followRedirects: false, expectedStatus: ["200"] }), "wnam");
    expect(manual).toMatchObject({ status: "down", httpStatus: 302, errorClass: "status" });
  });

  it("TCP: port open, refused when closed", async () => {
    const t = await newTarget();
    expect(await runCheck(spec({ type: "tcp", url: t.tcp }), "wnam")).toMatchObject({ status: "up", httpStatus: null });
    await t.stop();
    expect(await runCheck(spec({ type: "tcp", url: t.tcp }), "wnam")).toMatchObject({ status: "down", errorClass: "connect" });
    await t.start();
  });
});

describe("check helpers", () => {
  it.each([
    [200, ["2xx", "3xx"], true],
    [301, ["2xx", "3xx"], true],
    [404, ["2xx", "3xx"], false],
    [404, ["404"], true],
    [204, [], true],
    [503, ["200", "5xx"], true],
  ] as const)("status %i against %j → %s", (status, expected, ok) => {
    expect(statusExpected(status, [...expected])).toBe(ok);
  });

  it("reads JSON paths with dots, indexes and quoted keys", () => {
    const doc = { checks: { database: "ok" }, items: [{ status: "a" }], "odd key": 1 };
    expect(readJsonPath(doc, "$.checks.database")).toBe("ok");
    expect(readJsonPath(doc, "$.items[0].status")).toBe("a");
    expect(readJsonPath(doc, '$["odd key"]')).toBe(1);
    expect(readJsonPath(doc, "$.missing.deeper")).toBeUndefined();
  });

  it("classifies network errors", () => {
    expect(classifyFailure(Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" })).errorClass).toBe("timeout");
    expect(classifyFailure(new Error("DNS lookup failed")).errorClass).toBe("dns");
    expect(classifyFailure(new Error("TLS handshake failed: certificate expired")).errorClass).toBe("tls");
    expect(classifyFailure(new Error("Network connection lost.")).errorClass).toBe("connect");
  });
});
