// The overview's sparklines: a 24-hour timeline (15-minute buckets) folded into hours. Counts add up
// exactly; a p95 cannot be added, so an hour shows the worst p95 of its buckets (and says so).
import type { Timeline } from '../api/timeline.ts';

const HOUR = 3_600_000;

export interface Hourly {
	/** Start of each hour, oldest first. */
	hours: number[];
	errors: number[];
	/** Error and fatal log lines. */
	logErrors: number[];
	requests: number[];
	failures: number[];
	/** The worst bucket p95 of the hour (ms); null without requests. */
	p95: (number | null)[];
}

export function hourly(t: Timeline, hours = 24): Hourly {
	const index = new Map<number, number>();
	const out: Hourly = { hours: [], errors: [], logErrors: [], requests: [], failures: [], p95: [] };
	t.buckets.forEach((iso, i) => {
		const hour = Math.floor(Date.parse(iso) / HOUR) * HOUR;
		let k = index.get(hour);
		if (k === undefined) {
			k = out.hours.length;
			index.set(hour, k);
			out.hours.push(hour);
			out.errors.push(0);
			out.logErrors.push(0);
			out.requests.push(0);
			out.failures.push(0);
			out.p95.push(null);
		}
		out.errors[k]! += t.errors.total[i] ?? 0;
		const logs = t.logs.counts[i] ?? {};
		out.logErrors[k]! += (logs.error ?? 0) + (logs.fatal ?? 0);
		out.requests[k]! += t.requests.count[i] ?? 0;
		out.failures[k]! += t.requests.failures[i] ?? 0;
		const p = t.requests.p95[i];
		if (p !== null && p !== undefined) out.p95[k] = Math.max(out.p95[k] ?? 0, p);
	});
	const from = Math.max(0, out.hours.length - hours);
	return {
		hours: out.hours.slice(from),
		errors: out.errors.slice(from),
		logErrors: out.logErrors.slice(from),
		requests: out.requests.slice(from),
		failures: out.failures.slice(from),
		p95: out.p95.slice(from)
	};
}

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
