import { newApp } from "./app";
import { consumeBatch, type IngestMessage } from "./jobs/queue";
import { runScheduled } from "./jobs/scheduled";

export { RateLimiter } from "./accounts/throttle";

const app = newApp();

const handler: ExportedHandler<Env, IngestMessage> = {
  fetch: app.fetch,
  queue: (batch, env) => consumeBatch(batch, env),
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(controller, env)),
};

export default handler;
