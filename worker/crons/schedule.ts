import { Cron } from "croner";
import cronstrue from "cronstrue";
import type { Schedule } from "./schema";

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * When the next run should start after `after` (ms): the next crontab time in the monitor's timezone
 * (daylight-saving changes included, by croner), or `after` plus the interval.
 */
export function nextExpected(schedule: Schedule, timezone: string, after: number): number {
  if (schedule.type === "interval") return after + schedule.value * UNIT_MS[schedule.unit];
  const next = new Cron(schedule.value, { timezone, paused: true }).nextRun(new Date(after));
  // A crontab that never fires again (e.g. a date in the past) expects nothing: far in the future.
  return next ? next.getTime() : after + 366 * UNIT_MS.day;
}

/** The expected time a check-in at `at` belongs to: the slot nearest before or at it (crontab), or `at` (interval). */
export function slotOf(schedule: Schedule, timezone: string, at: number, marginMs: number): number {
  if (schedule.type === "interval") return at;
  // A run that starts a little early or up to the margin late belongs to the slot around it.
  const next = nextExpected(schedule, timezone, at - marginMs - 1);
  return next <= at + marginMs ? next : at;
}

/** A readable problem with the schedule or timezone, or undefined when croner accepts them. */
export function scheduleProblem(schedule: Schedule, timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    return `Unknown timezone "${timezone}"; use an IANA name such as Europe/Paris.`;
  }
  if (schedule.type === "interval") return undefined;
  try {
    new Cron(schedule.value, { timezone, paused: true }).nextRun();
    return undefined;
  } catch (err) {
    return `The crontab "${schedule.value}" is not valid: ${(err as Error).message}`;
  }
}

/** "every day at 03:00 Europe/Paris", "every 15 minutes", "at 02:30, Monday through Friday (America/New_York)". */
export function describeSchedule(schedule: Schedule, timezone: string): string {
  if (schedule.type === "interval") return `every ${schedule.value === 1 ? schedule.unit : `${schedule.value} ${schedule.unit}s`}`;
  let words: string;
  try {
    words = cronstrue.toString(schedule.value, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return `${schedule.value} (${timezone})`;
  }
  words = words.replace(/^At (\d\d:\d\d)$/, "every day at $1");
  words = words.charAt(0).toLowerCase() + words.slice(1);
  const minutesOnly = /^every (\d+ )?minutes?$/.test(words) || /^every hour$/.test(words);
  return minutesOnly || timezone === "UTC" ? `${words}${timezone === "UTC" && !minutesOnly ? " UTC" : ""}` : `${words} ${timezone}`;
}
