import { newApp } from "./app";
import { consumeBatch } from "./jobs/queue";
import { runScheduled } from "./jobs/scheduled";
import { withFaults } from "./lib/faults";

export { RateLimiter } from "./accounts/throttle";
export { IngestGate } from "./ingest/gate";
export { AlertDeduper } from "./alerts/deduper";
export { Probe } from "./uptime/probe";
export { CronMonitor } from "./crons/monitor-object";
export { LogStore } from "./logs/log-store";

const app = newApp();

// `withFaults` is the storage layer's test seam: `env` itself unless the tests turned fault injection on.
const handler: ExportedHandler<Env, unknown> = {
  fetch: (req, env, ctx) => app.fetch(req, withFaults(env), ctx),
  queue: (batch, env) => consumeBatch(batch, withFaults(env)),
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(controller, withFaults(env))),
};

export default handler;
