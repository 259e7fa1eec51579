// A schedule in words and its next runs, as the editor types it. The words follow the Worker's
// describeSchedule (worker/crons/schedule.ts: cronstrue, 24-hour times, the timezone at the end);
// the next runs come from croner, the library the Worker computes deadlines with.
import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import type { CronSchedule } from '../api/crons.ts';

/** "every day at 03:00 Europe/Paris", "every 15 minutes", "every 6 hours". */
export function describeSchedule(schedule: CronSchedule, timezone: string): string {
	if (schedule.type === 'interval') return `every ${schedule.value === 1 ? schedule.unit : `${schedule.value} ${schedule.unit}s`}`;
	let words = cronstrue.toString(schedule.value, { use24HourTimeFormat: true, verbose: false });
	words = words.replace(/^At (\d\d:\d\d)$/, 'every day at $1');
	words = words.charAt(0).toLowerCase() + words.slice(1);
	const minutesOnly = /^every (\d+ )?minutes?$/.test(words) || /^every hour$/.test(words);
	return minutesOnly || timezone === 'UTC' ? `${words}${timezone === 'UTC' && !minutesOnly ? ' UTC' : ''}` : `${words} ${timezone}`;
}

/** Is this an IANA timezone the browser knows? */
export function knownTimezone(timezone: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: timezone });
		return true;
	} catch {
		return false;
	}
}

/**
 * The crontab line in words and its next `count` runs, or the reason it is not valid. Runs are
 * computed in `timezone` (the viewer sees them in their own).
 */
export function crontabPreview(
	value: string,
	timezone: string,
	count = 3
): { ok: true; words: string; next: Date[] } | { ok: false; problem: string } {
	const line = value.trim();
	const fields = line.split(/\s+/).filter(Boolean);
	if (fields.length < 5 || fields.length > 6) return { ok: false, problem: 'A crontab line has 5 fields: minute hour day-of-month month day-of-week, e.g. 0 3 * * *.' };
	const zone = knownTimezone(timezone) ? timezone : 'UTC';
	try {
		const next = new Cron(line, { timezone: zone, paused: true }).nextRuns(count);
		return { ok: true, words: describeSchedule({ type: 'crontab', value: line }, zone), next };
	} catch (error) {
		return { ok: false, problem: `Not a valid crontab line: ${error instanceof Error ? error.message : String(error)}` };
	}
}
