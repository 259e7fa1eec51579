// How log lines read on screen: level words, tones and chart colors, times to the millisecond in the
// viewer's timezone, attribute values, and the search language's cheat sheet.
import type { LogAttributeValue, LogLevel, LogLine } from '../api/logs.ts';
import type { Tone } from '../issues/present.ts';

/** The same tones as issue levels (LevelBadge): errors red, warnings amber, info in the accent, the rest gray. */
export const LOG_LEVEL_TONE: Record<LogLevel, Tone> = {
	trace: 'neutral',
	debug: 'neutral',
	info: 'accent',
	warn: 'warn',
	error: 'danger',
	fatal: 'danger'
};

export const LOG_LEVEL_LABEL: Record<LogLevel, string> = {
	trace: 'Trace',
	debug: 'Debug',
	info: 'Info',
	warn: 'Warn',
	error: 'Error',
	fatal: 'Fatal'
};

/** Chart colors, from the tones above; fatal a deeper red than error, trace a lighter gray than debug. */
export const LOG_LEVEL_COLOR: Record<LogLevel, string> = {
	trace: 'var(--log-trace)',
	debug: 'var(--neutral)',
	info: 'var(--accent)',
	warn: 'var(--warn)',
	error: 'var(--danger)',
	fatal: 'var(--log-fatal)'
};

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** "14:03:22.123" today, "Mar 3 14:03:22.123" on another day: local time. */
export function lineTime(timestamp: string, now: number = Date.now()): string {
	const t = Date.parse(timestamp);
	if (Number.isNaN(t)) return timestamp;
	const d = new Date(t);
	const ms = String(d.getMilliseconds()).padStart(3, '0');
	const time = `${clock.format(d)}.${ms}`;
	return new Date(now).toDateString() === d.toDateString() ? time : `${day.format(d)} ${time}`;
}

/** The full date and time to the millisecond, local, for the detail view. */
export function lineDateTime(timestamp: string): string {
	const t = Date.parse(timestamp);
	if (Number.isNaN(t)) return timestamp;
	const d = new Date(t);
	const date = d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' });
	return `${date} ${clock.format(d)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Strings as they are; numbers, booleans and arrays as JSON. */
export function attributeText(value: LogAttributeValue): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The line as pretty JSON, for the clipboard. */
export const lineJson = (line: LogLine) => JSON.stringify(line, null, 2);

/** "service · host" (or one of them), null without either. */
export function origin(line: Pick<LogLine, 'service' | 'host'>): string | null {
	const parts = [line.service, line.host].filter((p): p is string => !!p);
	return parts.length ? parts.join(' · ') : null;
}

/** The search language in examples: each one clickable in the help. */
export const SEARCH_HELP: readonly { example: string; meaning: string }[] = [
	{ example: 'timeout', meaning: 'lines with the word (any case)' },
	{ example: '"connection reset"', meaning: 'the exact phrase' },
	{ example: 'conn*', meaning: 'words starting with conn' },
	{ example: 'level:error', meaning: 'one level: trace, debug, info, warn, error, fatal' },
	{ example: 'level:warn+', meaning: 'warn and worse' },
	{ example: 'logger:django.*', meaning: 'logger, exact or a prefix with *' },
	{ example: 'service:shop', meaning: 'service (also host:, source:)' },
	{ example: 'host:web-1', meaning: 'the host the line came from' },
	{ example: 'attr.status_code:500', meaning: 'an attribute’s value' },
	{ example: 'trace:4bf92f3577b34da6a3ce929d0e0e4736', meaning: 'the lines of one trace (32 hex)' },
	{ example: '-healthcheck', meaning: 'a leading - leaves lines out' }
];
