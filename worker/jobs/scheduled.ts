import { createDb } from "../db/client";
import { createServices } from "../services";
import { cleanUpCheckins } from "../crons/retention";
import { checkLogAlerts } from "../logs/alerts";
import { detectRegressions } from "../performance/regression";
import { cleanUpPerformance } from "../performance/retention";
import { continueDeletions } from "../retention/deletion";
import { expireData } from "../retention/expire";
import { rollUpChecks } from "../uptime/rollup";
import { runUptimeRound } from "../uptime/round";

/** Housekeeping run by the every-minute cron trigger: drop expired sessions and invites. */
export async function cleanUpExpired(env: Env, now = new Date()): Promise<{ sessions: number; invites: number }> {
  const services = createServices(createDb(env.DB), env, env.PUBLIC_URL || "http://localhost");
  const [sessions, invites] = await Promise.all([services.sessions.deleteExpired(now), services.invites.deleteExpired(now)]);
  return { sessions, invites };
}

/**
 * What the cron trigger runs each minute. Each job is a plain function; one failing does not stop the
 * others (its error is logged and the next minute tries again).
 */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = controller.scheduledTime;
  const jobs = {
    uptime: () => runUptimeRound(env, now),
    "uptime rollup": () => rollUpChecks(env.DB, now),
    cleanup: () => cleanUpExpired(env, new Date(now)),
    "performance retention": () => cleanUpPerformance(env, now),
    "cron run retention": () => cleanUpCheckins(env.DB, now),
    retention: () => expireData(env, now),
    "project deletions": () => continueDeletions(env, now),
    "log alerts": () => checkLogAlerts(createDb(env.DB), env, now),
    // Once a day, a few minutes after midnight UTC, when yesterday's day rollups are complete.
    ...(new Date(now).getUTCHours() === 0 && new Date(now).getUTCMinutes() === 5 ? { "performance regressions": () => detectRegressions(env, now) } : {}),
  };
  const results = await Promise.allSettled(Object.values(jobs).map((job) => job()));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error(`scheduled job "${Object.keys(jobs)[i]}" failed:`, r.reason);
  });
}
