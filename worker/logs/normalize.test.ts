import { describe, expect, it } from "vitest";
import { LIMITS } from "./model";
import {
  attributesFrom,
  formatInstant,
  levelOf,
  LineCollector,
  makeLine,
  MAX_FUTURE_MS,
  MAX_PAST_MS,
  normalizeSpanId,
  normalizeTraceId,
  parseTimestamp,
  placeInTime,
} from "./normalize";

/** 2025-11-23T12:13:20Z */
const BASE_MS = Date.UTC(2025, 10, 23, 12, 13, 20);
const RECEIVED = BASE_MS + 60_000;

describe("parseTimestamp", () => {
  it.each([
    ["float seconds (Sentry logs, Fluent Bit)", 1732400000.123456, { ts: 1732400000123, ns: 456000 }],
    ["integer seconds", 1732400000, { ts: 1732400000000, ns: 0 }],
    ["milliseconds", 1732400000123, { ts: 1732400000123, ns: 0 }],
    ["fractional milliseconds", 1732400000123.5, { ts: 1732400000123, ns: 500000 }],
    ["microseconds", 1732400000123456, { ts: 1732400000123, ns: 456000 }],
    // A double holds ns only to ~256: what the JSON parser kept is taken as it is.
    ["nanoseconds as a number", 1732400000123456800, { ts: 1732400000123, ns: 456768 }],
    // Python's int(created * 1e9) / 1e9 turns 10.25 s into 10.2499998: doubles are read to the microsecond.
    ["float seconds with float noise", 1763900010.2499998, { ts: 1763900010250, ns: 0 }],
  ])("reads %s", (_what, value, expected) => {
    expect(parseTimestamp(value)).toEqual(expected);
  });

  it.each([
    ["Loki's nanosecond string, exact", "1763900040123456789", { ts: 1763900040123, ns: 456789 }],
    ["decimal seconds, exact to 9 digits", "1763900000.123456789", { ts: 1763900000123, ns: 456789 }],
    ["decimal seconds with more than 9 digits (cut)", "1763900000.1234567891", { ts: 1763900000123, ns: 456789 }],
    ["decimal milliseconds", "1763900000123.456789", { ts: 1763900000123, ns: 456789 }],
    ["microseconds", "1763900000123456", { ts: 1763900000123, ns: 456000 }],
    ["seconds with a fraction of a string form of Python's float", "1763900050.125", { ts: 1763900050125, ns: 0 }],
    ["exponent notation", "1.7639e9", { ts: 1763900000000, ns: 0 }],
  ])("reads a numeric string: %s", (_what, value, expected) => {
    expect(parseTimestamp(value)).toEqual(expected);
  });

  it.each([
    ["RFC 3339 with 9 fractional digits", "2025-11-23T12:13:20.123456789Z", 123, 456789],
    ["a positive offset", "2025-11-23T13:13:20.123456789+01:00", 123, 456789],
    ["a negative half-hour offset", "2025-11-23T07:43:20.5-04:30", 500, 0],
    ["an offset without colon", "2025-11-23T14:13:20.25+0200", 250, 0],
    ["no fraction", "2025-11-23T12:13:20Z", 0, 0],
    ["one fractional digit", "2025-11-23T12:13:20.1Z", 100, 0],
    ["6 digits", "2025-11-23T12:13:20.000001Z", 0, 1000],
    ["lowercase t and z", "2025-11-23t12:13:20.000000001z", 0, 1],
    ["Python's asctime, read as UTC", "2025-11-23 12:13:20,123", 123, 0],
    ["Fluent Bit's java_sql_timestamp, read as UTC", "2025-11-23 12:13:20.123456", 123, 456000],
    ["more than 9 digits (cut)", "2025-11-23T12:13:20.1234567899999Z", 123, 456789],
  ])("reads %s", (_what, text, extraMs, ns) => {
    expect(parseTimestamp(text)).toEqual({ ts: BASE_MS + extraMs, ns });
  });

  it("knows leap years, leap seconds and the years before 100 (what a Date does)", () => {
    // The expectations come from Date's own parser of the same instants.
    for (const text of ["2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z", "0050-06-01T08:30:00Z", "0004-02-29T00:00:00Z", "1999-12-31T23:59:59Z"]) {
      expect(parseTimestamp(text), text).toEqual({ ts: Date.parse(text), ns: 0 });
    }
    // 23:59:60 (a leap second) is the next minute's first second.
    expect(parseTimestamp("2016-12-31T23:59:60Z")).toEqual({ ts: Date.parse("2017-01-01T00:00:00Z"), ns: 0 });
    for (const text of ["2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2025-04-31T00:00:00Z"]) expect(parseTimestamp(text), text).toBeNull();
  });

  it("reads {seconds, nanos} objects, exactly", () => {
    expect(parseTimestamp({ seconds: 1763900000, nanos: 123456789 })).toEqual({ ts: 1763900000123, ns: 456789 });
    expect(parseTimestamp({ seconds: "1763900000", nanos: 5 })).toEqual({ ts: 1763900000000, ns: 5 });
    expect(parseTimestamp({ seconds: 1763900000n })).toEqual({ ts: 1763900000000, ns: 0 });
  });

  it.each([
    ["empty", ""],
    ["words", "yesterday"],
    ["zero (OTLP's unset)", 0],
    ["a negative epoch", -5],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["month 13", "2025-13-01T00:00:00Z"],
    ["30 February", "2025-02-30T00:00:00Z"],
    ["hour 24", "2025-11-23T24:00:00Z"],
    ["an offset of 25 hours", "2025-11-23T12:00:00+25:00"],
    ["too many digits", "9".repeat(40)],
    ["beyond what a Date holds", { seconds: "9999999999999999999" }],
    ["an empty object", {}],
    ["an array", [1763900000]],
    ["a boolean", true],
    ["null", null],
    ["nanos out of range", { seconds: 1763900000, nanos: 1_000_000_000 }],
    ["a very long string", `2025-11-23T12:13:20.${"1".repeat(100)}Z`],
  ])("returns null for %s", (_what, value) => {
    expect(parseTimestamp(value)).toBeNull();
  });
});

describe("placeInTime", () => {
  it("keeps a believable timestamp", () => {
    const attributes = {};
    expect(placeInTime({ ts: RECEIVED - 5_000, ns: 7 }, RECEIVED, attributes)).toEqual({ ts: RECEIVED - 5_000, ns: 7 });
    expect(placeInTime({ ts: RECEIVED + MAX_FUTURE_MS, ns: 0 }, RECEIVED, attributes).ts).toBe(RECEIVED + MAX_FUTURE_MS);
    expect(placeInTime({ ts: RECEIVED - MAX_PAST_MS, ns: 0 }, RECEIVED, attributes).ts).toBe(RECEIVED - MAX_PAST_MS);
    expect(attributes).toEqual({});
  });

  it("places lines without a timestamp at their arrival", () => {
    expect(placeInTime(null, RECEIVED + 0.75, {})).toEqual({ ts: RECEIVED, ns: 0 });
  });

  it("replaces absurd timestamps, keeping the original to the nanosecond", () => {
    const ahead = {};
    expect(placeInTime({ ts: RECEIVED + 2 * 3600_000, ns: 1 }, RECEIVED, ahead)).toEqual({ ts: RECEIVED, ns: 0 });
    expect(ahead).toEqual({ "vigil.original_timestamp": "2025-11-23T14:14:20.000000001Z" });

    const behind = {};
    expect(placeInTime({ ts: 1544712660300, ns: 456789 }, RECEIVED, behind)).toEqual({ ts: RECEIVED, ns: 0 });
    expect(behind).toEqual({ "vigil.original_timestamp": "2018-12-13T14:51:00.300456789Z" });
  });

  it("formats instants with nine fractional digits", () => {
    expect(formatInstant({ ts: BASE_MS + 5, ns: 60 })).toBe("2025-11-23T12:13:20.005000060Z");
  });
});

describe("levelOf", () => {
  it.each([
    [1, "trace"],
    [4, "trace"],
    [5, "debug"],
    [8, "debug"],
    [9, "info"],
    [12, "info"],
    [13, "warn"],
    [16, "warn"],
    [17, "error"],
    [20, "error"],
    [21, "fatal"],
    [24, "fatal"],
  ])("maps OTel severity %i to %s", (severity, level) => {
    expect(levelOf(null, severity)).toEqual({ level, severity, severityText: "" });
  });

  it.each([
    ["trace", "trace", 1],
    ["DEBUG", "debug", 5],
    ["dbg", "debug", 5],
    ["D", "debug", 5],
    ["info", "info", 9],
    ["Information", "info", 9],
    ["notice", "info", 9],
    ["I", "info", 9],
    ["WARN", "warn", 13],
    ["Warning", "warn", 13],
    ["w", "warn", 13],
    ["error", "error", 17],
    ["ERR", "error", 17],
    ["exception", "error", 17],
    ["E", "error", 17],
    ["CRITICAL", "fatal", 21],
    ["crit", "fatal", 21],
    ["fatal", "fatal", 21],
    ["alert", "fatal", 21],
    ["emerg", "fatal", 21],
    ["Emergency", "fatal", 21],
    ["panic", "fatal", 21],
    ["F", "fatal", 21],
    ["INFO2", "info", 10],
    ["error4", "error", 20],
  ])("reads the text %s", (text, level, severity) => {
    expect(levelOf(text)).toEqual({ level, severity, severityText: text });
  });

  it("lets a valid severity number win over the text, keeping the text", () => {
    expect(levelOf("WARN", 13)).toEqual({ level: "warn", severity: 13, severityText: "WARN" });
    expect(levelOf("NOTICE", 10)).toEqual({ level: "info", severity: 10, severityText: "NOTICE" });
    expect(levelOf("Warning", 0)).toEqual({ level: "warn", severity: 13, severityText: "Warning" });
    expect(levelOf("error", 99)).toEqual({ level: "error", severity: 17, severityText: "error" });
  });

  it("reads unknown text as info and keeps it; syslog numbers as text are not levels", () => {
    expect(levelOf("verbose")).toEqual({ level: "info", severity: 9, severityText: "verbose" });
    expect(levelOf("3")).toEqual({ level: "info", severity: 9, severityText: "3" });
    expect(levelOf(null)).toEqual({ level: "info", severity: 9, severityText: "" });
    expect(levelOf("constructor")).toEqual({ level: "info", severity: 9, severityText: "constructor" });
  });
});

describe("attributesFrom", () => {
  const attrs = (o: Record<string, unknown>) => Object.fromEntries(attributesFrom(o));
  it("keeps JSON types, flattens nested objects and drops nulls", () => {
    expect(
      attrs({
        count: 3,
        ratio: 0.5,
        ok: false,
        name: "ada",
        missing: null,
        http: { request: { method: "GET" }, status: 200 },
        "already.dotted": "x",
        tags: ["a", "b"],
        codes: [200, 201.5],
        mixed: ["a", 1],
        nested: [{ a: 1 }],
        empty: [],
      }),
    ).toEqual({
      count: 3,
      ratio: 0.5,
      ok: false,
      name: "ada",
      "http.request.method": "GET",
      "http.status": 200,
      "already.dotted": "x",
      tags: ["a", "b"],
      codes: [200, 201.5],
      mixed: '["a",1]',
      nested: '[{"a":1}]',
      empty: [],
    });
  });

  it("keeps up to LIMITS.arrayItems array items", () => {
    const many = Array.from({ length: 100 }, (_, i) => i);
    expect(attrs({ many }).many).toEqual(many.slice(0, LIMITS.arrayItems));
  });

  it("keeps very deep objects as one JSON string, and a __proto__ key as data", () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const attributes = attrs(deep);
    const [key, value] = Object.entries(attributes)[0]!;
    expect(key).toBe(Array(8).fill("d").join("."));
    expect(typeof value).toBe("string");

    const hostile = attrs(JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}'));
    expect(hostile).toEqual({ "__proto__.polluted": "yes", a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("ids", () => {
  it("normalizes trace ids", () => {
    expect(normalizeTraceId("4BF92F3577B34DA6A3CE929D0E0E4736")).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(normalizeTraceId("4bf92f35-77b3-4da6-a3ce-929d0e0e4736")).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(normalizeTraceId("a3ce929d0e0e4736")).toBe("0000000000000000a3ce929d0e0e4736");
    expect(normalizeTraceId("00000000-0000-0000-0000-000000000000")).toBeNull();
    expect(normalizeTraceId("0".repeat(32))).toBeNull();
    expect(normalizeTraceId("xyz")).toBeNull();
    expect(normalizeTraceId(42)).toBeNull();
  });

  it("normalizes span ids", () => {
    expect(normalizeSpanId("00F067AA0BA902B7")).toBe("00f067aa0ba902b7");
    expect(normalizeSpanId("0".repeat(16))).toBeNull();
    expect(normalizeSpanId("00f067aa0ba902b")).toBeNull();
    expect(normalizeSpanId(null)).toBeNull();
  });
});

describe("makeLine", () => {
  it("fills in defaults", () => {
    expect(makeLine({}, RECEIVED)).toEqual({
      ts: RECEIVED,
      ns: 0,
      level: "info",
      severity: 9,
      severityText: "",
      body: "",
      logger: null,
      service: null,
      host: null,
      source: null,
      traceId: null,
      spanId: null,
      attributes: {},
    });
  });

  it("cuts a 100 KB body with an ellipsis", () => {
    const line = makeLine({ body: "x".repeat(100 * 1024) }, RECEIVED);
    expect(line.body).toHaveLength(LIMITS.bodyChars);
    expect(line.body.endsWith("x…")).toBe(true);
  });

  it("never cuts between the halves of a surrogate pair", () => {
    const body = `${"a".repeat(LIMITS.bodyChars - 2)}😀😀`;
    const cut = makeLine({ body }, RECEIVED).body;
    expect(cut.endsWith("a…")).toBe(true);
    expect(cut.length).toBe(LIMITS.bodyChars - 1);
  });

  it("keeps 64 of 200 attributes and counts the others", () => {
    const attributes = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key${i}`, i]));
    const line = makeLine({ attributes }, RECEIVED);
    expect(Object.keys(line.attributes)).toHaveLength(LIMITS.attributes + 1);
    expect(line.attributes.key63).toBe(63);
    expect(line.attributes.key64).toBeUndefined();
    expect(line.attributes["vigil.dropped_attributes"]).toBe(136);
  });

  it("adds the sender's own dropped count, and keeps vigil attributes beyond the limit", () => {
    const attributes = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`key${i}`, "v"]));
    const line = makeLine({ attributes, droppedAttributes: 4, time: { ts: 1, ns: 0 } }, RECEIVED);
    expect(line.attributes["vigil.dropped_attributes"]).toBe(10);
    expect(line.attributes["vigil.original_timestamp"]).toBe("1970-01-01T00:00:00.001000000Z");
  });

  it("cuts labels, attribute keys, values and arrays", () => {
    const line = makeLine(
      {
        logger: "l".repeat(1000),
        service: "   ",
        level: levelOf("x".repeat(1000)),
        attributes: {
          ["k".repeat(500)]: "v".repeat(10_000),
          list: Array.from({ length: 50 }, () => "w".repeat(5000)),
          nan: Number.NaN,
          inf: Number.NEGATIVE_INFINITY,
          "": "no key",
        },
      },
      RECEIVED,
    );
    expect(line.logger).toHaveLength(LIMITS.labelChars);
    expect(line.service).toBeNull();
    expect(line.severityText).toHaveLength(LIMITS.labelChars);
    const longKey = `${"k".repeat(LIMITS.attributeKeyChars - 1)}…`;
    expect(line.attributes[longKey]).toHaveLength(LIMITS.attributeValueChars);
    const list = line.attributes.list as string[];
    expect(list).toHaveLength(LIMITS.arrayItems);
    expect(list[0]).toHaveLength(LIMITS.attributeValueChars);
    expect(line.attributes.nan).toBe("NaN");
    expect(line.attributes.inf).toBe("-Infinity");
    expect(line.attributes[""]).toBeUndefined();
    expect(line.attributes["vigil.dropped_attributes"]).toBe(1);
  });

  it("takes attributes from a Map too", () => {
    const line = makeLine({ attributes: new Map([["a", 1]]), traceId: "4BF92F3577B34DA6A3CE929D0E0E4736", spanId: "bad" }, RECEIVED);
    expect(line.attributes).toEqual({ a: 1 });
    expect(line.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(line.spanId).toBeNull();
  });
});

describe("LineCollector", () => {
  it("refuses lines past LIMITS.linesPerRequest and keeps a few reasons", () => {
    const out = new LineCollector(RECEIVED);
    for (let i = 0; i < LIMITS.linesPerRequest + 3; i++) out.add({ body: String(i) });
    for (let i = 0; i < 10; i++) out.reject(`bad ${i}`);
    out.reject("bad 0");
    const result = out.result();
    expect(result.lines).toHaveLength(LIMITS.linesPerRequest);
    expect(result.rejected).toBe(3 + 11);
    expect(result.errors).toEqual([
      "bad 0",
      "bad 1",
      "bad 2",
      "bad 3",
      "bad 4",
      `Only ${LIMITS.linesPerRequest} lines are taken from one request; 3 more were refused.`,
    ]);
  });
});
