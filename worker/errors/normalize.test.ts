import { describe, expect, it } from "vitest";
import { MAX_STRING, normalizeEvent, parseTimestamp } from "./normalize";
import { FILTERED, scrubEvent } from "./scrub";

const NOW = Date.parse("2026-11-23T12:00:00Z");

describe("timestamps", () => {
  it.each([
    ["RFC 3339 with Z", "2026-11-23T11:59:00.250Z", NOW - 59_750],
    ["RFC 3339 with offset", "2026-11-23T12:59:00+01:00", NOW - 60_000],
    ["naive (UTC assumed)", "2026-11-23T11:00:00", NOW - 3_600_000],
    ["epoch seconds float", (NOW - 1500) / 1000, NOW - 1500],
    ["epoch seconds as string", String((NOW - 2000) / 1000), NOW - 2000],
  ])("parses %s", (_, input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([
    ["far future", "2999-01-01T00:00:00Z", "future_timestamp"],
    ["far past", "1999-01-01T00:00:00Z", "past_timestamp"],
    ["garbage", "yesterday-ish", "invalid_data"],
  ])("replaces a %s timestamp by the arrival time and says so", (_, timestamp, type) => {
    const e = normalizeEvent({ message: "x", timestamp }, "a".repeat(32), NOW);
    expect(e.timestamp).toBe(NOW / 1000);
    expect(e.errors).toEqual([expect.objectContaining({ type, name: "timestamp" })]);
  });
});

describe("normalizeEvent", () => {
  it("fills defaults and keeps what it does not know", () => {
    const e = normalizeEvent({ message: "hi", custom_field: { a: 1 }, _meta: { x: 1 } }, "b".repeat(32), NOW);
    expect(e).toMatchObject({ event_id: "b".repeat(32), level: "info", platform: "other", message: "hi", custom_field: { a: 1 }, _meta: { x: 1 } });
    expect(e.tags).toEqual([]);
    expect(e.breadcrumbs.values).toEqual([]);
  });

  it("reads logentry messages with params and legacy shapes", () => {
    const e = normalizeEvent(
      { logentry: { message: "Card declined for order %s", params: [5512] }, level: "warn", exception: [{ type: "E", value: 1 }], tags: { a: "b" } },
      "c".repeat(32),
      NOW,
    );
    expect(e.message).toBe("Card declined for order 5512");
    expect(e.level).toBe("warning");
    expect(e.exception!.values[0]).toMatchObject({ type: "E", value: "1" });
    expect(e.tags).toEqual([["a", "b"]]);
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])("a level of %j is not a level (found by worker/trust/fuzz.test.ts)", (level) => {
    expect(normalizeEvent({ message: "m", level }, "e".repeat(32), NOW).level).toBe("info");
    expect(normalizeEvent({ level, exception: { values: [{ type: "E" }] } }, "e".repeat(32), NOW).level).toBe("error");
  });

  it("trims huge strings and long lists, and notes it", () => {
    const e = normalizeEvent({ message: "m", extra: { blob: "x".repeat(MAX_STRING * 3), list: Array.from({ length: 500 }, (_, i) => i) } }, "d".repeat(32), NOW);
    const extra = e.extra as { blob: string; list: number[] };
    expect(extra.blob.length).toBeLessThanOrEqual(MAX_STRING + 1);
    expect(extra.list).toHaveLength(100);
    expect(e.errors.map((n) => n.type)).toEqual(expect.arrayContaining(["value_too_long", "too_many_items"]));
  });

  it("keeps the first and last frames of a very deep stack", () => {
    const frames = Array.from({ length: 1000 }, (_, i) => ({ function: `f${i}`, in_app: true }));
    const e = normalizeEvent({ exception: { values: [{ type: "RecursionError", stacktrace: { frames } }] } }, "e".repeat(32), NOW);
    const kept = e.exception!.values[0]!.stacktrace!.frames;
    expect(kept.length).toBeLessThanOrEqual(250);
    expect(kept[0]!.function).toBe("f0");
    expect(kept.at(-1)!.function).toBe("f999");
  });
});

describe("scrubbing", () => {
  const options = { extraFields: ["order_note"], storeIp: false, clientIp: "203.0.113.9" };

  it("filters secrets by key anywhere, card numbers in any string, and custom fields", () => {
    const e = normalizeEvent(
      {
        message: "paid with 4111 1111 1111 1111, ref 1234567890123",
        request: {
          headers: [["Authorization", "Bearer abc"], ["Accept", "text/html"]],
          cookies: "sessionid=abc",
          query_string: "page=2&api_key=xyz&token=t",
          data: { password: "hunter2", order_note: "leave at door", qty: 2 },
        },
        extra: { nested: { client_secret: "s", keep: "me" } },
        exception: { values: [{ type: "E", stacktrace: { frames: [{ function: "f", vars: { csrf_token: "c", total: "10" } }] } }] },
      },
      "f".repeat(32),
      NOW,
    );
    const filtered = scrubEvent(e, options);
    const req = e.request as Record<string, any>;
    expect(req.headers).toEqual([["Authorization", FILTERED], ["Accept", "text/html"]]);
    expect(req.cookies).toBe(FILTERED);
    expect(req.query_string).toBe(`page=2&api_key=${FILTERED}&token=${FILTERED}`);
    expect(req.data).toEqual({ password: FILTERED, order_note: FILTERED, qty: 2 });
    expect((e.extra as any).nested).toEqual({ client_secret: FILTERED, keep: "me" });
    expect(e.exception!.values[0]!.stacktrace!.frames[0]!.vars).toEqual({ csrf_token: FILTERED, total: "10" });
    expect(e.message).toBe(`paid with ${FILTERED}, ref 1234567890123`); // 13 digits failing Luhn are kept
    expect(filtered).toEqual(expect.arrayContaining(["request.headers.Authorization", "request.cookies", "request.query_string", "request.data.password", "message"]));
  });

  it("filters secrets inside text: query parameters in a repr, bearer tokens in a message", () => {
    const e = normalizeEvent(
      {
        message: "upstream said 401 for Authorization: Bearer abcdef0123456789",
        exception: { values: [{ type: "E", stacktrace: { frames: [{ function: "view", vars: { request: "<WSGIRequest: GET '/reports/?day=2026-01-05&token=abc'>" } }] } }] },
      },
      "9".repeat(32),
      NOW,
    );
    scrubEvent(e, options);
    expect(e.exception!.values[0]!.stacktrace!.frames[0]!.vars!.request).toBe(`<WSGIRequest: GET '/reports/?day=2026-01-05&token=${FILTERED}'>`);
    expect(e.message).toBe(`upstream said 401 for Authorization: Bearer ${FILTERED}`);
  });

  it("does not take timestamps and ids that pass the Luhn check for card numbers", () => {
    // "2-1795472893098" passes the Luhn check, but no card network issues numbers that look like it.
    const text = "probe bench-marker-2-1795472893098 at 1795472893098; order 4000-0000-0000-0002 paid by 5555 5555 5555 4444 and 378282246310005";
    const e = normalizeEvent({ message: text }, "8".repeat(32), NOW);
    scrubEvent(e, options);
    expect(e.message).toBe(`probe bench-marker-2-1795472893098 at 1795472893098; order ${FILTERED} paid by ${FILTERED} and ${FILTERED}`);
  });

  it("drops the IP address unless the project keeps it, and fills {{auto}} when it does", () => {
    const raw = { message: "m", user: { id: "1", ip_address: "{{auto}}" } };
    const off = normalizeEvent(structuredClone(raw), "1".repeat(32), NOW);
    scrubEvent(off, options);
    expect(off.user).toEqual({ id: "1" });
    const on = normalizeEvent(structuredClone(raw), "2".repeat(32), NOW);
    scrubEvent(on, { ...options, storeIp: true });
    expect(on.user).toEqual({ id: "1", ip_address: "203.0.113.9" });
  });
});
