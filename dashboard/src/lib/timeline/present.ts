// How the timeline reads: its window in the URL (the log search's `?from=&to=` conventions: a preset ending
// now such as `from=now-6h`, or ISO moments), the shared time scale of every lane, axis ticks, and the
// colors and words of what the lanes draw.
import type { Timeline, TimelineBand } from '../api/timeline.ts';
import type { LogLevel } from '../api/logs.ts';
import { resolveWindow, type TimeWindow } from '../logs/search.ts';

export const TIMELINE_PRESETS = [
	{ key: 'now-1h', label: '1 h', long: 'last hour', ms: 3_600_000 },
	{ key: 'now-6h', label: '6 h', long: 'last 6 hours', ms: 6 * 3_600_000 },
	{ key: 'now-24h', label: '24 h', long: 'last 24 hours', ms: 86_400_000 },
	{ key: 'now-7d', label: '7 d', long: 'last 7 days', ms: 7 * 86_400_000 }
] as const;
export const DEFAULT_TIMELINE_PRESET = 'now-24h';

/** A zoom never goes below this: the API's buckets are at least a minute wide. */
export const MIN_WINDOW_MS = 20 * 60_000;
/** What "around" a moment means when another page links in: 15 minutes either side. */
export const AROUND_MS = 15 * 60_000;

/** The window named by the URL, at `now` (24 hours ending now by default). */
export function timelineWindow(params: { get(name: string): string | null }, now: number): TimeWindow {
	return resolveWindow({ from: params.get('from') || null, to: params.get('to') || null }, now);
}

/** The `?from=&to=` of a window around [start, end] (end null: now), `AROUND_MS` either side. */
export function aroundWindow(start: string | number, end: string | number | null = start): { from: string; to: string } {
	const a = typeof start === 'number' ? start : Date.parse(start);
	const b = end === null ? Date.now() : typeof end === 'number' ? end : Date.parse(end);
	return { from: new Date(a - AROUND_MS).toISOString(), to: new Date(Math.max(a, b) + AROUND_MS).toISOString() };
}

/** A dragged window widened to the minimum around its middle. */
export function zoomWindow(from: number, to: number): { from: number; to: number } {
	if (to - from >= MIN_WINDOW_MS) return { from, to };
	const mid = (from + to) / 2;
	return { from: Math.round(mid - MIN_WINDOW_MS / 2), to: Math.round(mid + MIN_WINDOW_MS / 2) };
}

// ---- the shared scale ----

/** Every lane places time with this: the same window, the same width, so they line up exactly. */
export interface Scale {
	from: number;
	to: number;
	width: number;
	/** Bucket starts, epoch ms. */
	starts: number[];
	bucketMs: number;
	/** Epoch ms → px from the plot's left edge. */
	x(t: number): number;
	/** px → epoch ms. */
	t(x: number): number;
	/** The bucket under px, or -1. */
	bucketAt(x: number): number;
}

export function makeScale(timeline: Pick<Timeline, 'from' | 'to' | 'buckets' | 'bucketSeconds'>, width: number): Scale {
	const starts = timeline.buckets.map((b) => Date.parse(b));
	const bucketMs = timeline.bucketSeconds * 1000;
	// the window, widened to whole buckets when they do not line up with it: no bar is cut at an edge
	const from = Math.min(Date.parse(timeline.from), starts[0] ?? Infinity);
	const to = Math.max(Date.parse(timeline.to), (starts.at(-1) ?? -Infinity) + bucketMs);
	const span = Math.max(1, to - from);
	const x = (t: number) => ((t - from) / span) * width;
	const t = (px: number) => from + (px / Math.max(1, width)) * span;
	return {
		from,
		to,
		width,
		starts,
		bucketMs,
		x,
		t,
		bucketAt(px: number) {
			const time = t(px);
			for (let i = starts.length - 1; i >= 0; i--) if (starts[i]! <= time) return time < starts[i]! + bucketMs ? i : -1;
			return -1;
		}
	};
}

/** A band as px [left, width], clipped to the plot and to now (an open band runs to now); at least 2 px wide. */
export function bandPx(scale: Scale, band: TimelineBand, now = Date.now()): { left: number; width: number } | null {
	const a = Math.max(0, scale.x(Date.parse(band.from)));
	const b = Math.min(scale.width, scale.x(Math.min(band.to ? Date.parse(band.to) : scale.to, now)));
	if (b < 0 || a > scale.width) return null;
	return { left: Math.min(a, scale.width - 2), width: Math.max(2, b - a) };
}

export const bandCovers = (band: TimelineBand, from: number, to: number, end: number) =>
	Date.parse(band.from) < to && (band.to ? Date.parse(band.to) : end) > from;

// ---- the axis ----

const STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880];
const hm = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dm = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Marks at (nearly) the same time side by side rather than on top of each other: each at least `gap` px
 *  right of the previous one (sorted by x). */
export function dodge<T extends { x: number }>(marks: T[], gap: number): T[] {
	const out = [...marks].sort((a, b) => a.x - b.x);
	for (let i = 1; i < out.length; i++) {
		const prev = out[i - 1]!;
		if (out[i]!.x - prev.x < gap) out[i] = { ...out[i]!, x: prev.x + gap };
	}
	return out;
}

/** Round local times every few minutes / hours / days, as many as fit `width` at ~90 px apart. */
export function axisTicks(scale: Scale, spacing = 90): { t: number; label: string; day: boolean }[] {
	const wanted = Math.max(2, Math.floor(scale.width / spacing));
	const spanMin = (scale.to - scale.from) / 60_000;
	const step = STEPS_MIN.find((s) => spanMin / s <= wanted) ?? 2880;
	const stepMs = step * 60_000;
	const offset = new Date(scale.from).getTimezoneOffset() * 60_000;
	// local round times: count in local minutes
	let t = Math.ceil((scale.from - offset) / stepMs) * stepMs + offset;
	if (step >= 1440) {
		const d = new Date(scale.from);
		d.setHours(24, 0, 0, 0);
		t = d.getTime();
	}
	const out: { t: number; label: string; day: boolean }[] = [];
	for (; t <= scale.to && out.length < 60; t += stepMs) {
		const d = new Date(t);
		const day = d.getHours() === 0 && d.getMinutes() === 0;
		out.push({ t, label: day || step >= 1440 ? dm.format(d) : hm.format(d), day });
	}
	return out;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** "Nov 24, 02:57 – 03:27" within a day, "Nov 23, 22:00 – Nov 24, 04:00" across days. */
export function windowLabel(from: number, to: number): string {
	const a = new Date(from);
	const b = new Date(to);
	if (a.toDateString() === b.toDateString()) return `${dayFormat.format(a)}, ${hm.format(a)} – ${hm.format(b)}`;
	return `${dayFormat.format(a)}, ${hm.format(a)} – ${dayFormat.format(b)}, ${hm.format(b)}`;
}

const tipFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "Tue, Mar 3, 14:00 – 14:15". */
export function bucketText(start: number, bucketMs: number): string {
	return `${tipFormat.format(start)} – ${hm.format(start + bucketMs)}`;
}

export const clockTime = (t: number | string) => hm.format(typeof t === 'number' ? t : Date.parse(t));
export const dayTime = (t: number | string) => tipFormat.format(typeof t === 'number' ? t : Date.parse(t));

// ---- colors and words ----

/** The top issues' colors, in order (the rest of the errors are gray). Distinct in light and dark. */
export const ISSUE_COLORS = ['var(--tl-issue-1)', 'var(--tl-issue-2)', 'var(--tl-issue-3)', 'var(--tl-issue-4)', 'var(--tl-issue-5)'];
export const OTHER_ERRORS_COLOR = 'var(--neutral)';

/** Bottom first, as on the Logs page. */
export const LOG_STACK: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export type RunKind = 'ok' | 'failed' | 'missed' | 'running' | 'unknown';

/** A cron run's status as the timeline marks it: a shape and a color, never color alone. */
export function runKind(status: string): RunKind {
	if (status === 'ok') return 'ok';
	if (status === 'error' || status === 'timeout') return 'failed';
	if (status === 'missed') return 'missed';
	if (status === 'in_progress') return 'running';
	return 'unknown';
}

export const RUN_KIND: Record<RunKind, { label: string; rank: number }> = {
	failed: { label: 'Failed', rank: 4 },
	missed: { label: 'Missed', rank: 3 },
	running: { label: 'Running', rank: 2 },
	unknown: { label: 'Unknown', rank: 1 },
	ok: { label: 'OK', rank: 0 }
};

/** 950, 12k, 1.2M. */
export function compact(n: number): string {
	if (n < 1000) return String(n);
	if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
	if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
	return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** 15 min, 2 h, 1 d: a bucket's width. */
export function bucketWidthText(seconds: number): string {
	if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
	if (seconds % 3600 === 0) return `${seconds / 3600} h`;
	if (seconds % 60 === 0) return `${seconds / 60} min`;
	return `${seconds} s`;
}

/** Whether anything at all is in the window (else the page says how to fill it). */
export function timelineEmpty(t: Timeline): boolean {
	const any = (xs: number[]) => xs.some((v) => v > 0);
	return (
		t.monitors.length === 0 &&
		t.crons.length === 0 &&
		!any(t.errors.total) &&
		!t.logs.counts.some((c) => Object.values(c).some((v) => (v ?? 0) > 0)) &&
		!any(t.requests.count) &&
		t.releases.length === 0
	);
}
