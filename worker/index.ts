import { newApp } from "./app";
import { consumeBatch } from "./jobs/queue";
import { runScheduled } from "./jobs/scheduled";

export { RateLimiter } from "./accounts/throttle";
export { IngestGate } from "./ingest/gate";
export { AlertDeduper } from "./alerts/deduper";
export { Probe } from "./uptime/probe";
export { CronMonitor } from "./crons/monitor-object";
export { LogStore } from "./logs/log-store";

const app = newApp();

const handler: ExportedHandler<Env, unknown> = {
  fetch: app.fetch,
  queue: (batch, env) => consumeBatch(batch, env),
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(controller, env)),
};

export default handler;
