// Response times for the monitor chart: per region inside the 48 hours of raw checks, beyond them one
// "all regions" line per hour (the Worker folds the recent raw checks into hours like its rollups).
import { getResponseTimes, type ResponseTimePoint, type ResponseTimes } from '../api/monitors.ts';

export interface ChartSeriesData {
	region: string;
	points: ResponseTimePoint[];
}

export interface ChartData {
	from: number;
	to: number;
	bucketSeconds: number;
	source: ResponseTimes['source'];
	series: ChartSeriesData[];
}

export async function loadResponseTimes(monitorId: number, from: number, to: number, signal: AbortSignal): Promise<ChartData> {
	const r = await getResponseTimes(monitorId, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, { signal });
	return { from, to, bucketSeconds: r.bucketSeconds, source: r.source, series: r.series };
}
