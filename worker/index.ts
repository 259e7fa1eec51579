import { newApp } from "./app";
import { runScheduled } from "./jobs/scheduled";
import { consumeBatch, type IngestMessage } from "./jobs/queue";

export { RateLimiter } from "./accounts/throttle";

const app = newApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeBatch(batch, env),
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(controller, env)),
} satisfies ExportedHandler<Env, IngestMessage>;
