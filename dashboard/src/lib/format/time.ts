// Relative times ("3 min ago") for the eye, exact UTC for the title attribute.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** "just now", "3 min ago", "5 h ago", "yesterday", "12 days ago", then the local date. */
export function relativeTime(iso: string, now: number = Date.now()): string {
	const time = Date.parse(iso);
	if (Number.isNaN(time)) return iso;
	const diff = now - time;
	const future = diff < 0;
	const abs = Math.abs(diff);

	// a little in the future is the server's clock running ahead of the browser's
	if (abs < 45_000 || (future && abs < 2 * MINUTE)) return 'just now';
	let text: string;
	if (abs < HOUR) text = `${Math.max(1, Math.round(abs / MINUTE))} min`;
	else if (abs < DAY) text = `${Math.round(abs / HOUR)} h`;
	else if (abs < 2 * DAY) return future ? 'tomorrow' : 'yesterday';
	else if (abs < 30 * DAY) text = `${Math.round(abs / DAY)} days`;
	else return dateFormat.format(time);
	return future ? `in ${text}` : `${text} ago`;
}

/** "2026-03-12 14:03:22 UTC" */
export function exactUtc(iso: string): string {
	const time = Date.parse(iso);
	if (Number.isNaN(time)) return iso;
	return new Date(time).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
