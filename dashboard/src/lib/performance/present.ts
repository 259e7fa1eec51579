// How performance numbers read on screen: time ranges, the five parts of a request's time and their
// colors, latencies, throughput, failure rate and Apdex with their tones, and the routes table's sorting.
import type { PerformanceSummary, Resolution, RoutePerformance, TimeBreakdown } from '../api/performance.ts';

export type Tone = 'ok' | 'warn' | 'danger' | 'neutral';

// ---- time ranges (?range=) ----

export const RANGES = [
	{ key: '1h', label: '1 h', long: 'last hour', ms: 3_600_000 },
	{ key: '24h', label: '24 h', long: 'last 24 hours', ms: 86_400_000 },
	{ key: '7d', label: '7 d', long: 'last 7 days', ms: 7 * 86_400_000 },
	{ key: '30d', label: '30 d', long: 'last 30 days', ms: 30 * 86_400_000 }
] as const;
export type RangeKey = (typeof RANGES)[number]['key'];
export type Range = (typeof RANGES)[number];
export const DEFAULT_RANGE: RangeKey = '24h';

export function rangeOf(value: string | null | undefined): Range {
	return RANGES.find((r) => r.key === value) ?? RANGES.find((r) => r.key === DEFAULT_RANGE)!;
}

// ---- the parts of a request's time ----

export type Part = keyof TimeBreakdown;

export const PARTS: readonly { key: Part; label: string; color: string; hint: string }[] = [
	{ key: 'db', label: 'Database', color: 'var(--perf-db)', hint: 'SQL queries (db spans)' },
	{ key: 'cache', label: 'Cache', color: 'var(--perf-cache)', hint: 'cache.get, cache.set, … spans' },
	{ key: 'template', label: 'Templates', color: 'var(--perf-template)', hint: 'template rendering' },
	{ key: 'http', label: 'HTTP', color: 'var(--perf-http)', hint: 'outgoing HTTP calls (http.client)' },
	{ key: 'other', label: 'Python', color: 'var(--perf-other)', hint: 'the rest: your code, middleware, serialization' }
];

export const PART_BY_KEY = Object.fromEntries(PARTS.map((p) => [p.key, p])) as Record<Part, (typeof PARTS)[number]>;

/** The part a span's op belongs to, as the Worker counts it; `other` for spans that only structure the request. */
export function familyOf(op: string): Part {
	if (op === 'db' || op.startsWith('db.')) return 'db';
	if (op.startsWith('cache.')) return 'cache';
	if (op.startsWith('template.') || op === 'view.response.render') return 'template';
	if (op === 'http.client') return 'http';
	return 'other';
}

export const breakdownTotal = (b: TimeBreakdown) => b.db + b.cache + b.template + b.http + b.other;

/** "Database 45 ms (60 %), Python 30 ms (40 %)": the bar's text, for screen readers and the title. */
export function breakdownText(b: TimeBreakdown): string {
	const total = breakdownTotal(b);
	if (total <= 0) return 'no time recorded';
	return PARTS.filter((p) => b[p.key] > 0)
		.map((p) => `${p.label} ${ms(b[p.key])} (${Math.round((b[p.key] / total) * 100)} %)`)
		.join(', ');
}

// ---- numbers ----

/** 0.4 ms, 8.2 ms, 132 ms, 1.24 s, 12.5 s; — for none. */
export function ms(value: number | null | undefined): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return '—';
	if (value < 10) return `${value.toFixed(1).replace(/\.0$/, '')} ms`;
	if (value < 1000) return `${Math.round(value)} ms`;
	if (value < 10_000) return `${(value / 1000).toFixed(2)} s`;
	return `${(value / 1000).toFixed(1)} s`;
}

/** Transactions per minute: 0.02, 1.5, 240. */
export function tpm(value: number): string {
	if (value === 0) return '0';
	if (value < 0.01) return '<0.01';
	if (value < 10) return value.toFixed(2).replace(/0$/, '').replace(/\.0$/, '');
	return String(Math.round(value));
}

/** 0..1 → "0 %", "0.4 %", "12 %". */
export function rate(value: number): string {
	if (value <= 0) return '0 %';
	if (value < 0.001) return '<0.1 %';
	if (value < 0.1) return `${(value * 100).toFixed(1).replace(/\.0$/, '')} %`;
	return `${Math.round(value * 100)} %`;
}

export function failureTone(value: number): Tone {
	if (value >= 0.05) return 'danger';
	if (value >= 0.01) return 'warn';
	return 'ok';
}

/** Apdex as the usual bands: 0.94 excellent, 0.85 good, 0.70 fair, 0.50 poor, below unacceptable. */
export function apdexWord(value: number | null): string {
	if (value === null) return 'no data';
	if (value >= 0.94) return 'Excellent';
	if (value >= 0.85) return 'Good';
	if (value >= 0.7) return 'Fair';
	if (value >= 0.5) return 'Poor';
	return 'Unacceptable';
}

export function apdexTone(value: number | null): Tone {
	if (value === null) return 'neutral';
	if (value >= 0.85) return 'ok';
	if (value >= 0.7) return 'warn';
	return 'danger';
}

export const apdex = (value: number | null) => (value === null ? '—' : value.toFixed(2));

/** "ok", "200", "500 internal_error": how a request ended. */
export function requestStatus(status: string, httpStatus: number | null): { label: string; tone: Tone } {
	const failed = !['ok', 'cancelled', 'unknown', 'unset'].includes(status);
	const tone: Tone = failed ? 'danger' : httpStatus !== null && httpStatus >= 400 ? 'warn' : 'ok';
	if (httpStatus !== null) return { label: status === 'ok' ? String(httpStatus) : `${httpStatus} ${status}`, tone };
	return { label: status, tone };
}

// ---- the routes table's sorting (?sort=…&order=asc|desc) ----

export const SORTS = [
	{ key: 'impact', label: 'Most time spent', numeric: true },
	{ key: 'transaction', label: 'Route', numeric: false },
	{ key: 'tpm', label: 'TPM', numeric: true },
	{ key: 'p50', label: 'p50', numeric: true },
	{ key: 'p95', label: 'p95', numeric: true },
	{ key: 'p99', label: 'p99', numeric: true },
	{ key: 'failureRate', label: 'Failure rate', numeric: true },
	{ key: 'apdex', label: 'Apdex', numeric: true },
	{ key: 'avg', label: 'Average time', numeric: true }
] as const;
export type SortKey = (typeof SORTS)[number]['key'];
export type SortOrder = 'asc' | 'desc';

/** What a column sorts by first: numbers highest first (Apdex worst first), names A to Z. */
export function defaultOrder(key: SortKey): SortOrder {
	return key === 'transaction' || key === 'apdex' ? 'asc' : 'desc';
}

function sortValue(r: RoutePerformance, key: SortKey): number | string | null {
	switch (key) {
		case 'impact':
			return r.count * (r.p95 ?? 0);
		case 'transaction':
			return r.transaction;
		default:
			return r[key];
	}
}

/** Sorted copy; missing values last whatever the order, ties by route name. */
export function sortRoutes(rows: readonly RoutePerformance[], key: SortKey, order: SortOrder): RoutePerformance[] {
	const sign = order === 'asc' ? 1 : -1;
	return [...rows].sort((a, b) => {
		const x = sortValue(a, key);
		const y = sortValue(b, key);
		if (x === null && y !== null) return 1;
		if (y === null && x !== null) return -1;
		if (x !== null && y !== null && x !== y) {
			return (typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number)) * sign;
		}
		return a.transaction.localeCompare(b.transaction);
	});
}

/** Buckets without requests draw as gaps, not zeros. */
export const whenCounted = <T>(point: PerformanceSummary, value: T): T | null => (point.count > 0 ? value : null);

/** The width of a route chart's bucket, in seconds. */
export const bucketSeconds = (resolution: Resolution) => (resolution === 'minute' ? 60 : resolution === 'hour' ? 3600 : 86_400);
