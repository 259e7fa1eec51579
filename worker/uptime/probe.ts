import { DurableObject } from "cloudflare:workers";
import { allowPrivate } from "../alerts/deliver";
import { mapLimit } from "../lib/chunks";
import { runCheck, type CheckResult, type CheckSpec } from "./check";
import type { Region } from "./schema";

/** Checks one probe call runs: below the free plan's 50 subrequests per invocation. */
export const CHECKS_PER_PROBE_CALL = 40;
/** Checks in flight at once inside one probe call: the Workers limit of 6 open connections. */
export const PROBE_CONCURRENCY = 6;

/**
 * Runs checks from one place. One object per region (and shard), created with that region as its
 * `locationHint`, so the requests leave from there. Stateless: it answers with the results.
 */
export class Probe extends DurableObject<Env> {
  async run(region: Region, specs: CheckSpec[]): Promise<CheckResult[]> {
    const options = { allowPrivate: allowPrivate(this.env) };
    return mapLimit(specs.slice(0, CHECKS_PER_PROBE_CALL), PROBE_CONCURRENCY, (spec) => runCheck(spec, region, options));
  }
}

/** The probe object for a region (and shard of it), placed in that region. */
export function probeFor(env: Env, region: Region, shard = 0): DurableObjectStub<Probe> {
  return env.PROBE.get(env.PROBE.idFromName(`${region}:${shard}`), { locationHint: region as DurableObjectLocationHint });
}
