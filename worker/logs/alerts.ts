/**
 * Log alerts (`logs.threshold`): each minute, every rule that has one counts the lines matching its search over
 * its window (more than `frequencyCount` in the last `frequencyMinutes` minutes) and raises the alert to that rule's
 * channels. The deduper holds repeats back for the window, so a sustained burst is one alert, not one a minute.
 */
import { sql } from "drizzle-orm";
import { AlertContext } from "../alerts/raise";
import { alertRules } from "../alerts/schema";
import { mapLimit } from "../lib/chunks";
import type { Db } from "../db/client";
import { logStore } from "./storage";

/** Rules checked per minute. */
const RULES_PER_MINUTE = 500;

export async function checkLogAlerts(db: Db, env: Env, now: number): Promise<{ checked: number; raised: number }> {
  const rules = await db
    .select()
    .from(alertRules)
    .where(sql`${alertRules.events} LIKE '%"logs.threshold"%' AND ${alertRules.logQuery} IS NOT NULL AND ${alertRules.frequencyCount} IS NOT NULL AND ${alertRules.frequencyMinutes} IS NOT NULL`)
    .limit(RULES_PER_MINUTE)
    .all();
  const alerts = new AlertContext(db, env);
  let raised = 0;
  await mapLimit(rules, 6, async (rule) => {
    const minutes = rule.frequencyMinutes!;
    const from = now - minutes * 60_000;
    const count = await logStore(env, rule.projectId).count(rule.projectId, rule.logQuery!, from, now);
    if (count <= rule.frequencyCount!) return;
    raised += 1;
    const q = rule.logQuery!;
    await alerts.raise(
      {
        projectId: rule.projectId,
        type: "logs.threshold",
        key: `logs.threshold:${rule.id}`,
        summary: `${count} log lines matched “${q}” in the last ${minutes} min (more than ${rule.frequencyCount})`,
        path: `logs?${new URLSearchParams({ q, from: new Date(from).toISOString(), to: new Date(now).toISOString() })}`,
        data: { rule: rule.name, query: q, count, threshold: rule.frequencyCount, minutes },
        cooldownMinutes: minutes,
      },
      [rule],
    );
  });
  return { checked: rules.length, raised };
}
