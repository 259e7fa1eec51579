import { describe, expect, it } from "vitest";
import { itemJson, parseEnvelope } from "../ingest/envelope";
import chained from "../test/fixtures/chained.envelope?raw";
import fingerprint from "../test/fixtures/fingerprint.envelope?raw";
import keyErrorAgain from "../test/fixtures/key-error-again.envelope?raw";
import keyError from "../test/fixtures/key-error.envelope?raw";
import loggedError from "../test/fixtures/logged-error.envelope?raw";
import message1 from "../test/fixtures/message-1.envelope?raw";
import message2 from "../test/fixtures/message-2.envelope?raw";
import zeroDivision from "../test/fixtures/zero-division.envelope?raw";
import { groupEvent, normalizeMessage } from "./grouping";
import { normalizeEvent } from "./normalize";

/** The event inside an envelope captured from the real sentry-sdk (worker/test/fixtures/capture.py). */
function eventOf(envelope: string) {
  const parsed = parseEnvelope(new TextEncoder().encode(envelope));
  const index = parsed.items.findIndex((i) => i.type === "event");
  const raw = itemJson(parsed.items[index]!, index);
  return normalizeEvent(raw, String(raw.event_id), Date.parse(String(raw.timestamp)));
}

const group = (envelope: string) => groupEvent(eventOf(envelope));

describe("grouping real sentry-sdk events", () => {
  it.each([
    ["key-error", keyError, "v1:exception", "KeyError: 'percent'", "__main__ in checkout"],
    ["zero-division", zeroDivision, "v1:exception", "ZeroDivisionError: division by zero", "__main__ in average"],
    ["chained", chained, "v1:exception", "RuntimeError: could not load settings", "__main__ in load_config"],
    ["message", message1, "v1:message", "Payment 1234 failed for ann@example.com (txn 9f8e7d6c5b4a)", ""],
    ["fingerprint", fingerprint, "v1:fingerprint", "SMTP timeout for message <abc@mail>", ""],
    ["logged error", loggedError, "v1:message", "Card declined for order 5512", "shop.payments"],
  ])("%s: algorithm, title and culprit", async (_, envelope, algorithm, title, culprit) => {
    const g = await group(envelope);
    expect(g.algorithm).toBe(algorithm);
    expect(g.title).toBe(title);
    expect(g.culprit).toBe(culprit);
    expect(g.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it("the same bug with different data and line numbers is one issue", async () => {
    expect((await group(keyError)).hash).toBe((await group(keyErrorAgain)).hash);
  });

  it("different bugs are different issues", async () => {
    const hashes = await Promise.all([keyError, zeroDivision, chained, message1, fingerprint, loggedError].map(group));
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(6);
  });

  it("logged messages group by their template, not the formatted text", async () => {
    const a = normalizeEvent({ logentry: { message: "Import failed for %s", params: ["alice"] }, logger: "shop.imports" }, "a".repeat(32), Date.now());
    const b = normalizeEvent({ logentry: { message: "Import failed for %s", params: ["bob"] }, logger: "shop.imports" }, "b".repeat(32), Date.now());
    expect(a.message).toBe("Import failed for alice");
    expect((await groupEvent(a)).hash).toBe((await groupEvent(b)).hash);
    expect((await groupEvent(a)).title).toBe("Import failed for alice");
  });

  it("messages that differ only in ids, numbers and emails are one issue", async () => {
    expect((await group(message1)).hash).toBe((await group(message2)).hash);
  });

  it("a chained exception groups on every exception in the chain", async () => {
    const event = eventOf(chained);
    expect(event.exception!.values.map((e) => e.type)).toEqual(["ValueError", "RuntimeError"]);
    const onlyMain = { ...event, exception: { values: event.exception!.values.slice(1) } };
    expect((await groupEvent(onlyMain)).hash).not.toBe((await group(chained)).hash);
  });

  it("line numbers do not matter, the source line does", async () => {
    const event = eventOf(zeroDivision);
    const frames = event.exception!.values[0]!.stacktrace!.frames;
    const moved = structuredClone(event);
    moved.exception!.values[0]!.stacktrace!.frames = frames.map((f) => ({ ...f, lineno: (f.lineno ?? 0) + 30 }));
    expect((await groupEvent(moved)).hash).toBe((await groupEvent(event)).hash);
    const edited = structuredClone(event);
    const last = edited.exception!.values[0]!.stacktrace!.frames.at(-1)!;
    last.context_line = "    return sum(values) / max(len(values), 1)";
    expect((await groupEvent(edited)).hash).not.toBe((await groupEvent(event)).hash);
  });

  it("{{ default }} in a fingerprint expands to the default grouping", async () => {
    const event = eventOf(zeroDivision);
    const a = await groupEvent({ ...event, fingerprint: ["{{ default }}", "tenant-a"] });
    const b = await groupEvent({ ...event, fingerprint: ["{{ default }}", "tenant-b"] });
    expect(a.algorithm).toBe("v1:fingerprint");
    expect(a.hash).not.toBe(b.hash);
    const other = eventOf(keyError);
    const c = await groupEvent({ ...other, fingerprint: ["{{ default }}", "tenant-a"] });
    expect(c.hash).not.toBe(a.hash);
  });
});

describe("message normalization", () => {
  it.each([
    ["SMTP 451 for id 1f9c2a7e-0b1d-4c1e-9a6b-2b3c4d5e6f70", "SMTP <num> for id <uuid>"],
    ["Timeout talking to 10.0.0.12 after 30.5s", "Timeout talking to <ip> after <num>s"],
    ["Mail to bob@example.org bounced (queue id 4F2A9C1B7D)", "Mail to <email> bounced (queue id <hex>)"],
    ["User   42 not found", "User <num> not found"],
    // A random 8-hex reference is sometimes all digits: it must still group with the others.
    ["Payment declined for order 4242 (reference 4f3c2a1b)", "Payment declined for order <num> (reference <hex>)"],
    ["Payment declined for order 4242 (reference 39184270)", "Payment declined for order <num> (reference <hex>)"],
  ])("%s", (input, expected) => {
    expect(normalizeMessage(input)).toBe(expected);
  });
});
