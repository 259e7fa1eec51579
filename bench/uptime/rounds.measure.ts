// Cost of one uptime scheduling round for 100 / 1,000 / 5,000 monitors inside workerd (real D1, real Probe
// Durable Objects, checks to a local HTTP server): wall time, probe calls, checks per call, D1 statements.
// Baselines in the same run: a round with no monitor due (the fixed cost), and the same number of plain
// fetches to the same server from one Worker, 36 at a time (the probes' total concurrency: 6 calls × 6).
// Run by `npm run bench`; prints `UPTIME_ROUNDS {json}`.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mapLimit } from "../../worker/lib/chunks";
import { newTarget } from "../../worker/test/targets-client";
import { runUptimeRound } from "../../worker/uptime/round";

const MINUTE = 60_000;
const REGIONS = 3;

async function projectId(): Promise<number> {
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("insert or ignore into organizations (id, slug, name, created_at) values ('bench-org', 'bench', 'Bench', ?)").bind(now),
    env.DB.prepare("insert or ignore into projects (id, org_id, slug, name, platform, created_at) values (1, 'bench-org', 'bench', 'Bench', 'django', ?)").bind(now),
  ]);
  return 1;
}

async function seed(n: number, url: string, at: number): Promise<void> {
  await env.DB.prepare("DELETE FROM monitors").run();
  const ids = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i += 1000) {
    await env.DB.prepare(
      `INSERT INTO monitors (project_id, name, type, url, method, headers, expected_status, timeout_ms, interval_seconds, regions, maintenance, state_since, next_check_at, created_at, updated_at)
       SELECT 1, 'bench ' || value, 'http', ?1 || '/m/' || value, 'GET', '{}', '["2xx"]', 10000, 60, '["wnam","weur","apac"]', '[]', ?2, ?2, ?2, ?2 FROM json_each(?3)`,
    )
      .bind(url, at, JSON.stringify(ids.slice(i, i + 1000)))
      .run();
  }
}

describe("uptime rounds", () => {
  it("measures", async () => {
    await projectId();
    const target = await newTarget({ body: "ok" });
    const out: Record<string, unknown>[] = [];
    let clock = Math.ceil(Date.now() / MINUTE) * MINUTE;

    await env.DB.prepare("DELETE FROM monitors").run();
    const idle = await runUptimeRound(env, (clock += MINUTE));
    out.push({ scenario: "no monitor due (fixed cost)", monitors: 0, wallMs: idle.wallMs, probeCalls: 0, maxChecksPerProbeCall: 0, d1Statements: idle.d1Statements, d1Calls: idle.d1Calls });

    for (const n of [100, 1000, 5000]) {
      const fetches = n * REGIONS;
      const t0 = Date.now();
      await mapLimit(Array.from({ length: fetches }, (_, i) => i), 36, async (i) => {
        const res = await fetch(`${target.url}/plain/${i}`);
        await res.arrayBuffer();
      });
      const plainMs = Date.now() - t0;

      await seed(n, target.url, clock);
      const stats = await runUptimeRound(env, (clock += MINUTE));
      expect(stats.checks).toBe(fetches);
      const states = await env.DB.prepare("SELECT count(*) AS n FROM monitors WHERE state = 'up'").first<{ n: number }>();
      expect(states!.n).toBe(n);
      out.push({ scenario: `${n} monitors × 3 regions`, monitors: n, checks: stats.checks, wallMs: stats.wallMs, plainFetchMs: plainMs, probeCalls: stats.probeCalls, maxChecksPerProbeCall: stats.maxChecksPerProbeCall, d1Statements: stats.d1Statements, d1Calls: stats.d1Calls, subrequests: stats.probeCalls + stats.d1Calls });
    }
    console.log(`UPTIME_ROUNDS ${JSON.stringify(out)}`);
  });
});
