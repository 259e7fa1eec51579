// Load and soak, the short form (the long one is `node bench/soak.mjs`, 10 minutes): a minute of mixed envelopes —
// error events, transactions, Sentry `log` items, NDJSON log lines, cron check-in pairs — into three projects of a
// real Vigil at a modest fixed rate from four clients, then: every error event answered 200 is found by its id and
// sits in the one issue of its group, the issues are exactly the groups sent and their counts add up, every
// transaction is found by its trace and counted once in the routes table, the logs histogram counts every accepted
// line, each cron has one run per accepted check-in pair, and the workerd process's memory stays flat after the
// first third. The mix, the ledger of what was accepted and the counting back are bench/soak.mjs's, shared.
// Vigil runs from a frozen bundle (as the benchmarks do): `wrangler dev` on the live sources restarts when someone
// saves a file, and a restart in the middle of a minute of load would lose its queue.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { printSoak, setUpSoak, soak, startSoakVigil, type SoakVigil } from '../bench/soak.mjs';

// Modest, for a loaded CI machine: about 12 operations a second (14 requests) is a fraction of what a quiet 2-core
// machine sustains (docs/benchmarks.md, "Soak"), so a slow machine still keeps up and the counts are exact.
const SECONDS = 60;
const RATE = 12;
// A minute is short for memory: under `wrangler dev` even the do-nothing Worker's workerd grows by about 25 KiB a
// request until V8 collects at about 370 MiB (docs/reliability.md), and Vigil's grew 36–45% after the first third of
// this minute. So the short form only catches a gross leak (RSS doubling after warm-up); the 10-minute long form
// is the measure.
const MEMORY_BOUND = 1.0;

let vigil: SoakVigil;

beforeAll(async () => {
  vigil = await startSoakVigil();
}, 120_000);

afterAll(async () => {
  await vigil?.stop();
});

describe('load and soak (short form)', () => {
  test('a minute of mixed load: everything accepted is stored, counted once, and memory stays flat', async () => {
    const { cookie, projects } = await setUpSoak(vigil.base);
    const r = await soak({ base: vigil.base, cookie, projects, state: vigil.state, seconds: SECONDS, rate: RATE, concurrency: 4, verifyConcurrency: 8, sampleSeconds: 3, memoryBound: MEMORY_BOUND, drainSeconds: 45 });
    printSoak(r);

    // The load happened, and Vigil neither refused nor broke under it.
    expect(r.serverErrors, r.failures.join('\n')).toBe(0);
    expect(r.limited, r.failures.join('\n')).toBe(0);
    for (const kind of Object.values(r.kinds)) expect(kind.accepted).toBeGreaterThanOrEqual(kind.sent * 0.95);
    expect(r.drained.caughtUp, JSON.stringify(r.drained)).toBe(true);

    // Nothing accepted was lost or counted twice.
    expect(r.verified.problems).toEqual([]);
    const t = r.verified.totals;
    expect(t.errors.stored).toBe(t.errors.accepted);
    expect(t.errors.issueEvents).toBe(t.errors.accepted);
    expect(t.errors.issues).toBe(t.errors.groups);
    expect(t.transactions.stored).toBe(t.transactions.accepted);
    expect(t.transactions.routesCount).toBe(t.transactions.accepted);
    expect(t.logLines.stored).toBe(t.logLines.accepted);
    expect(t.logLines.accepted).toBe(r.kinds.log.accepted + r.kinds.ndjson.accepted);
    expect(t.checkinRuns.stored).toBe(t.checkinRuns.accepted);
    expect(t.checkinRuns.finishedStored).toBe(t.checkinRuns.finishedAccepted);

    // Memory: measured where there is /proc (Linux, as in CI), and flat after warm-up.
    if (process.platform === 'linux') {
      expect(r.memory.measured).toBe(true);
      expect(r.memory.growth!, `RSS ${r.memory.warm} → ${r.memory.end} MiB`).toBeLessThan(MEMORY_BOUND);
    }
  }, 150_000);
});
