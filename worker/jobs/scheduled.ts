import { createDb } from "../db/client";
import { createServices } from "../services";

/** Housekeeping run by the every-minute cron trigger: drop expired sessions and invites. */
export async function cleanUpExpired(env: Env, now = new Date()): Promise<{ sessions: number; invites: number }> {
  const services = createServices(createDb(env.DB), env, env.PUBLIC_URL || "http://localhost");
  const [sessions, invites] = await Promise.all([services.sessions.deleteExpired(now), services.invites.deleteExpired(now)]);
  return { sessions, invites };
}

/** What the cron trigger runs each minute. Each job is a plain function; later capabilities add theirs here. */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = new Date(controller.scheduledTime);
  await cleanUpExpired(env, now);
}
