// How uptime things read on screen: states, regions, percentages, durations, error classes.
import type { CheckStatus, ErrorClass, MonitorState, Region, UptimeDay } from '../api/monitors.ts';

export type Tone = 'ok' | 'warn' | 'danger' | 'neutral';

export const STATE: Record<MonitorState, { label: string; tone: Tone; hint: string }> = {
	up: { label: 'Up', tone: 'ok', hint: 'Answering as expected from most regions.' },
	degraded: { label: 'Degraded', tone: 'warn', hint: 'Answering, but slower than its limit, or failing, from at least half of its regions (not enough to call it down).' },
	down: { label: 'Down', tone: 'danger', hint: 'Failing from most regions; an incident is open.' },
	paused: { label: 'Paused', tone: 'neutral', hint: 'Not checked until resumed.' },
	maintenance: { label: 'Maintenance', tone: 'neutral', hint: 'Inside a maintenance window: checked, but never alerted or counted down.' },
	pending: { label: 'Pending', tone: 'neutral', hint: 'Created, not checked yet: the first check runs within a minute.' }
};

export const CHECK_STATUS: Record<CheckStatus, { label: string; tone: Tone }> = {
	up: { label: 'Up', tone: 'ok' },
	degraded: { label: 'Degraded', tone: 'warn' },
	down: { label: 'Down', tone: 'danger' }
};

export const REGION_NAMES: Record<Region, string> = {
	wnam: 'Western North America',
	enam: 'Eastern North America',
	sam: 'South America',
	weur: 'Western Europe',
	eeur: 'Eastern Europe',
	apac: 'Asia-Pacific',
	oc: 'Oceania',
	afr: 'Africa',
	me: 'Middle East'
};

export const regionName = (region: string) => REGION_NAMES[region as Region] ?? (region === 'all' ? 'All regions' : region);

export const ERROR_CLASS: Record<ErrorClass, string> = {
	dns: 'DNS',
	connect: 'Connection',
	tls: 'TLS',
	timeout: 'Timeout',
	status: 'Status code',
	keyword: 'Keyword',
	assertion: 'JSON assertion',
	internal: 'Vigil'
};

/** 0..1 → "99.95 %"; two decimals below 100, never rounding a bad day up to 100. */
export function percent(value: number | null | undefined): string {
	if (value === null || value === undefined) return '—';
	if (value >= 1) return '100 %';
	const floored = Math.floor(value * 10_000) / 100;
	return `${floored.toFixed(2)} %`;
}

/** How an uptime ratio colors: green from 99.9 %, amber from 99 %, red below; grey without data. */
export function uptimeTone(value: number | null | undefined): Tone {
	if (value === null || value === undefined) return 'neutral';
	if (value >= 0.999) return 'ok';
	if (value >= 0.99) return 'warn';
	return 'danger';
}

/** A day bar's color: red for any real downtime beyond 1 %, amber for a little, green for none. */
export function dayTone(day: UptimeDay): Tone {
	if (day.uptime === null) return 'neutral';
	if (day.downMs === 0 && day.incidents === 0) return 'ok';
	return day.uptime >= 0.99 ? 'warn' : 'danger';
}

/** 42 s, 5 min, 3 h 12 min, 2 d 4 h */
export function duration(ms: number): string {
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return s % 60 && m < 10 ? `${m} min ${s % 60} s` : `${m} min`;
	const h = Math.floor(m / 60);
	if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
	const d = Math.floor(h / 24);
	return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export function interval(seconds: number): string {
	if (seconds < 3600) return `${seconds / 60} min`;
	return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
}

export const latency = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : `${ms} ms`);

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** The tooltip of a day bar: date, uptime and downtime. */
export function dayTitle(day: UptimeDay): string {
	const date = dayFormat.format(new Date(`${day.date}T00:00:00Z`));
	if (day.uptime === null) return `${date} (UTC): no data`;
	const parts = [`${date} (UTC): ${percent(day.uptime)} up`];
	if (day.downMs > 0) parts.push(`down ${duration(day.downMs)}`);
	if (day.incidents > 0) parts.push(`${day.incidents} incident${day.incidents === 1 ? '' : 's'}`);
	return parts.join(', ');
}

const timeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A local date and time to the second, e.g. "Mar 12, 14:03:22". */
export const localTime = (iso: string) => timeFormat.format(new Date(iso));

/** Only http(s) URLs become links. */
export const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

/** Line colors of the regions on a chart: distinct from the status colors (no green, amber or red). */
export const SERIES_COLORS = ['var(--accent)', '#0891b2', '#c026d3', '#64748b', '#a16207'] as const;
