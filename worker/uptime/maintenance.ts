import { Cron } from "croner";
import type { MaintenanceWindow } from "./schema";

/** Is `now` inside this window? A recurring window is open for `durationMinutes` after each time its cron fires. */
export function windowOpen(w: MaintenanceWindow, now: number): boolean {
  if (w.kind === "once") return Date.parse(w.startsAt) <= now && now < Date.parse(w.endsAt);
  const durationMs = w.durationMinutes * 60_000;
  // The first start after (now - duration), if it is not in the future, began a window still open now.
  const start = new Cron(w.cron, { timezone: w.timezone, paused: true }).nextRun(new Date(now - durationMs));
  return start !== null && start.getTime() <= now;
}

export const inMaintenance = (windows: MaintenanceWindow[], now: number) => windows.some((w) => windowOpen(w, now));

/** A readable problem with a recurring window's cron expression or timezone, or undefined when it is fine. */
export function maintenanceProblem(w: MaintenanceWindow): string | undefined {
  if (w.kind === "once") {
    const [a, b] = [Date.parse(w.startsAt), Date.parse(w.endsAt)];
    if (!Number.isFinite(a) || !Number.isFinite(b)) return "startsAt and endsAt must be ISO 8601 times.";
    return b > a ? undefined : "endsAt must be after startsAt.";
  }
  try {
    new Cron(w.cron, { timezone: w.timezone, paused: true }).nextRun();
    return undefined;
  } catch (err) {
    return `Recurring window: ${(err as Error).message}`;
  }
}
