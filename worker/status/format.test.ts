import { describe, expect, it } from "vitest";
import { barTone, duration, percent, utcTime } from "./format";

describe("formatting for the public page", () => {
  it("durations: the two largest units, rounded down", () => {
    expect(duration(0)).toBe("0 s");
    expect(duration(999)).toBe("0 s");
    expect(duration(45_000)).toBe("45 s");
    expect(duration(12 * 60_000)).toBe("12 min");
    expect(duration(12 * 60_000 + 5_000)).toBe("12 min 5 s");
    expect(duration(3_600_000 + 3 * 60_000 + 59_000)).toBe("1 h 3 min");
    expect(duration(2 * 86_400_000 + 4 * 3_600_000 + 60_000)).toBe("2 d 4 h");
  });

  it("uptime is never rounded up to 100%", () => {
    expect(percent(1)).toBe("100%");
    expect(percent(0.99999)).toBe("99.99%");
    expect(percent(0.979166)).toBe("97.91%");
    expect(percent(0)).toBe("0.00%");
  });

  it("times are exact UTC", () => {
    expect(utcTime(new Date("2026-11-23T14:02:05.789Z"))).toBe("2026-11-23 14:02:05 UTC");
  });

  it("day colors: green without downtime, amber at 99% or more, red below, grey without data", () => {
    expect(barTone(null, 0)).toBe("none");
    expect(barTone(1, 0)).toBe("ok");
    expect(barTone(0.995, 432_000)).toBe("warn");
    expect(barTone(0.98, 1_728_000)).toBe("down");
  });
});
