import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Allowances, type Limits } from "./allowance";
import type { Category } from "./categories";
import { MAX_BLOCK } from "./gate";

// Each Allowances stands for one isolate; all of them ask the same real IngestGate of the project.
// Time is passed in, so windows are exact: NOON is 10 s into a minute, in the middle of a month.
const NOON = Date.UTC(2030, 0, 15, 12, 0, 10);
const MINUTE = 60_000;

let projects = 0;
/** A project id no other test uses, so its gate starts empty. */
const freshProject = () => 1_000_000_000 + Math.floor(Math.random() * 1_000_000) * 100 + ++projects;

async function send(isolate: Allowances, projectId: number, limits: Limits, n: number, now = NOON, category: Category = "error") {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await isolate.admit(env.INGEST_GATE, projectId, { [category]: 1 }, limits, now));
  return {
    accepted: results.filter((r) => r.accepted.length === 1).length,
    limited: results.flatMap((r) => r.limited),
  };
}

describe("isolate allowances leased from the IngestGate", () => {
  it("several isolates together accept exactly the per-minute limit", async () => {
    const projectId = freshProject();
    const limits = { perMinute: 50, monthlyQuota: 1_000_000 };
    const isolates = [new Allowances(), new Allowances(), new Allowances()];
    let accepted = 0;
    let refused = 0;
    // Round robin until every isolate is refused once: each holds a leased block it spends first.
    for (let round = 0; round < 40; round++) {
      for (const isolate of isolates) {
        const r = await isolate.admit(env.INGEST_GATE, projectId, { error: 1 }, limits, NOON);
        if (r.accepted.length) accepted++;
        else refused++;
      }
    }
    expect(accepted).toBe(50);
    expect(refused).toBe(3 * 40 - 50);
  });

  it("a refusal names the category and reason with the seconds to the end of the window", async () => {
    const projectId = freshProject();
    const isolate = new Allowances();
    const minute = await send(isolate, projectId, { perMinute: 3, monthlyQuota: 1_000_000 }, 4);
    expect(minute.accepted).toBe(3);
    expect(minute.limited).toEqual([{ category: "error", reason: "rate_limited", retryAfter: 50 }]);

    const other = freshProject();
    const month = await send(isolate, other, { perMinute: 1000, monthlyQuota: 2 }, 3);
    expect(month.accepted).toBe(2);
    const endOfMonth = Date.UTC(2030, 1, 1);
    expect(month.limited).toEqual([{ category: "error", reason: "quota_exceeded", retryAfter: (endOfMonth - NOON) / 1000 }]);
  });

  it("a new minute brings a new per-minute budget; the monthly quota carries over", async () => {
    const projectId = freshProject();
    const isolate = new Allowances();
    const limits = { perMinute: 20, monthlyQuota: 30 };
    const first = await send(isolate, projectId, limits, 25);
    expect(first.accepted).toBe(20);
    expect(first.limited.every((l) => l.reason === "rate_limited")).toBe(true);
    const next = await send(isolate, projectId, limits, 20, NOON + MINUTE);
    expect(next.accepted).toBe(10);
    expect(next.limited.every((l) => l.reason === "quota_exceeded")).toBe(true);
  });

  it("an isolate's unspent block is not available to another isolate until the minute ends", async () => {
    const projectId = freshProject();
    const limits = { perMinute: 1000, monthlyQuota: 1_000_000 };
    const holder = new Allowances();
    const other = new Allowances();
    expect((await send(holder, projectId, limits, 1)).accepted).toBe(1); // leases a block, spends 1
    const rest = await send(other, projectId, limits, 1000);
    expect(rest.accepted).toBe(1000 - MAX_BLOCK);
    expect((await send(holder, projectId, limits, MAX_BLOCK)).accepted).toBe(MAX_BLOCK - 1);
    expect((await send(other, projectId, limits, 1, NOON + MINUTE)).accepted).toBe(1);
  });

  it("a request larger than a block is granted whole when that much is left, and refused whole when not", async () => {
    const projectId = freshProject();
    const isolate = new Allowances();
    const limits = { perMinute: 1000, monthlyQuota: 1_000_000 };
    const logs = (n: number) => isolate.admit(env.INGEST_GATE, projectId, { log_item: n, error: 1 }, limits, NOON);
    expect(await logs(500)).toEqual({ accepted: ["log_item", "error"], limited: [] });
    const tooMany = await logs(501);
    expect(tooMany.accepted).toEqual(["error"]);
    expect(tooMany.limited).toEqual([expect.objectContaining({ category: "log_item", reason: "rate_limited" })]);
    expect((await logs(500)).accepted).toEqual(["log_item", "error"]);
  });

  it("items a refused request took from the isolate's allowance are given back", async () => {
    const projectId = freshProject();
    const isolate = new Allowances();
    // Minute blocks of 10; the quota leaves room for 3 items.
    const limits = { perMinute: 100, monthlyQuota: 3 };
    expect((await send(isolate, projectId, limits, 1)).accepted).toBe(1);
    const refused = await isolate.admit(env.INGEST_GATE, projectId, { error: 5 }, limits, NOON);
    expect(refused.limited).toEqual([expect.objectContaining({ reason: "quota_exceeded" })]);
    // With the quota raised, the isolate still holds the 9 items of its minute block it had before.
    const raised = { perMinute: 100, monthlyQuota: 1_000_000 };
    expect((await send(isolate, projectId, raised, 99)).accepted).toBe(99);
    expect((await send(isolate, projectId, raised, 1)).accepted).toBe(0);
  });
});
