// Response times for the monitor chart. Inside the 48 hours of raw checks the Worker answers per region;
// beyond them only hourly rollups exist, and only for hours older than those 48 hours — so a longer
// range is asked in two parts (hourly rollups, then the recent raw checks folded into hours here) and
// shown as one "all regions" line.
import { getResponseTimes, type ResponseTimePoint, type ResponseTimes } from '../api/monitors.ts';

const HOUR = 3_600_000;
/** A little inside the Worker's 48 h raw window, so clock skew never sends the recent part to the rollups. */
const RAW_WINDOW = 47 * HOUR;

export interface ChartSeriesData {
	region: string;
	points: ResponseTimePoint[];
}

export interface ChartData {
	from: number;
	to: number;
	bucketSeconds: number;
	source: ResponseTimes['source'] | 'mixed';
	series: ChartSeriesData[];
}

/** Points of several series with the same `t` folded into one, averages weighted by checks. */
function foldByTime(points: ResponseTimePoint[], bucketMs: number): ResponseTimePoint[] {
	const byT = new Map<number, { sum: number; weight: number; p95: number | null; failures: number; checks: number }>();
	for (const p of points) {
		const t = Math.floor(Date.parse(p.t) / bucketMs) * bucketMs;
		const acc = byT.get(t) ?? { sum: 0, weight: 0, p95: null, failures: 0, checks: 0 };
		const answered = Math.max(1, p.checks - p.failures);
		if (p.avgMs !== null) {
			acc.sum += p.avgMs * answered;
			acc.weight += answered;
		}
		if (p.p95Ms !== null) acc.p95 = Math.max(acc.p95 ?? 0, p.p95Ms);
		acc.failures += p.failures;
		acc.checks += p.checks;
		byT.set(t, acc);
	}
	return [...byT]
		.sort(([a], [b]) => a - b)
		.map(([t, a]) => ({
			t: new Date(t).toISOString(),
			avgMs: a.weight ? Math.round(a.sum / a.weight) : null,
			p95Ms: a.p95,
			failures: a.failures,
			checks: a.checks
		}));
}

export async function loadResponseTimes(monitorId: number, from: number, to: number, signal: AbortSignal): Promise<ChartData> {
	const rawFrom = Date.now() - RAW_WINDOW;
	if (from >= rawFrom) {
		const r = await getResponseTimes(monitorId, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, { signal });
		return { from, to, bucketSeconds: r.bucketSeconds, source: r.source, series: r.series };
	}
	const [old, recent] = await Promise.all([
		getResponseTimes(monitorId, { from: new Date(from).toISOString(), to: new Date(Math.min(to, rawFrom)).toISOString() }, { signal }),
		to > rawFrom
			? getResponseTimes(monitorId, { from: new Date(rawFrom).toISOString(), to: new Date(to).toISOString() }, { signal })
			: Promise.resolve(null)
	]);
	const points = [
		...old.series.flatMap((s) => s.points),
		...(recent ? foldByTime(recent.series.flatMap((s) => s.points), HOUR) : [])
	];
	return { from, to, bucketSeconds: 3600, source: recent ? 'mixed' : old.source, series: [{ region: 'all', points: foldByTime(points, HOUR) }] };
}
