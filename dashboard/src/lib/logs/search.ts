// A log search as it lives in the URL (?q=&from=&to=&level=) and as the API is asked for it.
// `from` is either a moment (ISO 8601 or Unix seconds, as alert links carry) or a window ending now
// (`now-15m`, `now-1h`, … `now-30d`); `to` is a moment or absent (now). The default is the last 24 hours.
import { LOG_LEVELS, type LogLevel } from '../api/logs.ts';

export const PRESETS = [
	{ key: 'now-15m', label: '15 min', long: 'last 15 minutes', ms: 15 * 60_000 },
	{ key: 'now-1h', label: '1 h', long: 'last hour', ms: 3_600_000 },
	{ key: 'now-6h', label: '6 h', long: 'last 6 hours', ms: 6 * 3_600_000 },
	{ key: 'now-24h', label: '24 h', long: 'last 24 hours', ms: 86_400_000 },
	{ key: 'now-7d', label: '7 d', long: 'last 7 days', ms: 7 * 86_400_000 },
	{ key: 'now-30d', label: '30 d', long: 'last 30 days', ms: 30 * 86_400_000 }
] as const;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = PRESETS[3];

export interface LogSearchState {
	q: string;
	/** Levels picked with the chips; empty: all. */
	levels: LogLevel[];
	/** As in the URL: a preset key, a moment, or null (the default window). */
	from: string | null;
	to: string | null;
}

/** A window of time resolved against a clock: epoch ms. */
export interface TimeWindow {
	from: number;
	to: number;
	/** The preset it is, when it ends now. */
	preset: Preset | null;
	/** Whether it ends now (and moves on with each search). */
	endsNow: boolean;
}

const UNIT: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "now-90m" → 5,400,000; null when not of that form. */
function relative(value: string): number | null {
	const m = /^now-(\d{1,5})([mhd])$/.exec(value.trim());
	return m ? Number(m[1]) * UNIT[m[2]!]! : null;
}

/** ISO 8601 or Unix seconds → epoch ms; null when neither. */
function moment(value: string): number | null {
	const v = value.trim();
	if (/^\d{9,11}(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
	const t = Date.parse(v);
	return Number.isNaN(t) ? null : t;
}

export function readSearch(params: { get(name: string): string | null }): LogSearchState {
	const levels = (params.get('level') ?? '')
		.split(',')
		.map((l) => l.trim().toLowerCase())
		.filter((l): l is LogLevel => (LOG_LEVELS as readonly string[]).includes(l));
	return {
		q: params.get('q') ?? '',
		levels: LOG_LEVELS.filter((l) => levels.includes(l)),
		from: params.get('from') || null,
		to: params.get('to') || null
	};
}

/** The window the state names, at `now`. An unreadable or backwards window falls back to the default. */
export function resolveWindow(state: Pick<LogSearchState, 'from' | 'to'>, now: number): TimeWindow {
	const fallback: TimeWindow = { from: now - DEFAULT_PRESET.ms, to: now, preset: DEFAULT_PRESET, endsNow: true };
	const end = state.to ? moment(state.to) : now;
	if (end === null) return fallback;
	if (!state.from) return state.to ? { from: end - DEFAULT_PRESET.ms, to: end, preset: null, endsNow: false } : fallback;
	const span = relative(state.from);
	const start = span !== null ? end - span : moment(state.from);
	if (start === null || start >= end) return fallback;
	const preset = state.to ? null : (PRESETS.find((p) => p.key === state.from) ?? null);
	return { from: start, to: end, preset, endsNow: !state.to };
}

/** The query string of a search, leaving out what is the default. */
export function searchQuery(state: LogSearchState): string {
	const params = new URLSearchParams();
	if (state.q.trim()) params.set('q', state.q.trim());
	if (state.from && state.from !== DEFAULT_PRESET.key) params.set('from', state.from);
	if (state.to) params.set('to', state.to);
	if (state.levels.length) params.set('level', state.levels.join(','));
	const qs = params.toString();
	return qs ? `?${qs}` : '';
}

/** What the API is asked for: the window as ISO times. */
export function apiParams(state: LogSearchState, window: TimeWindow) {
	return {
		q: state.q.trim(),
		level: state.levels.join(','),
		from: new Date(window.from).toISOString(),
		to: new Date(window.to).toISOString()
	};
}

// ---- terms added to the query from a line ----

/** `logger:django.request`, quoted when the value has spaces, quotes or a trailing `*`. */
export function fieldTerm(field: string, value: string): string {
	const plain = /^[^\s"\\]+$/.test(value) && !value.endsWith('*') && !value.startsWith('-');
	return `${field}:${plain ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`}`;
}

/** The query with `term` added (once). */
export function withTerm(q: string, term: string): string {
	const current = q.trim();
	if (current.split(/\s+/).includes(term)) return current;
	return current ? `${current} ${term}` : term;
}

// ---- how the window reads ----

const dayTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "last 24 hours", "last 90 min", or "Mar 3, 14:05 – Mar 3, 15:05". */
export function windowText(window: TimeWindow): string {
	if (window.preset) return window.preset.long;
	if (window.endsNow) return `last ${spanText(window.to - window.from)}`;
	return `${dayTime.format(window.from)} – ${dayTime.format(window.to)}`;
}

/** "in the last 24 hours", or "between Mar 3, 14:05 and Mar 3, 15:05". */
export function windowPhrase(window: TimeWindow): string {
	if (window.preset || window.endsNow) return `in the ${windowText(window)}`;
	return `between ${dayTime.format(window.from)} and ${dayTime.format(window.to)}`;
}

/** A value for `<input type="datetime-local">` in the viewer's timezone. */
export function localInput(ms: number): string {
	const d = new Date(ms);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Wider windows than this one, to suggest when nothing matched. */
export function widerPresets(window: TimeWindow): readonly Preset[] {
	const span = window.to - window.from;
	return PRESETS.filter((p) => p.ms > span * 1.01);
}

/** 90 min, 5 h, 3 d. */
export function spanText(ms: number): string {
	if (ms < 2 * 3_600_000) return `${Math.max(1, Math.round(ms / 60_000))} min`;
	if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
	return `${Math.round(ms / 86_400_000)} d`;
}
