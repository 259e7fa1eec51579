// Performance: per-route numbers over a time range, one route's charts, queries and slowest requests,
// and one trace's spans for the waterfall. Transactions arrive from the Sentry SDK (`traces_sample_rate`)
// or OpenTelemetry through ingest; nothing here writes.
import { request, type Signal } from './client.ts';
import type { Schemas } from './openapi.gen.ts';

/** Where a request's time went, in milliseconds. `other` is Python: the time in none of the others. */
export interface TimeBreakdown {
	db: number;
	cache: number;
	template: number;
	http: number;
	other: number;
}

/** Numbers of a route (or of a chart bucket) over a time range. Latencies in ms, null without requests. */
export interface PerformanceSummary {
	count: number;
	/** Transactions per minute. */
	tpm: number;
	p50: number | null;
	p75: number | null;
	p95: number | null;
	p99: number | null;
	avg: number | null;
	/** 0..1: share of requests whose status is not ok, cancelled or unknown. */
	failureRate: number;
	/** 0..1, against the project's Apdex threshold; null without requests. */
	apdex: number | null;
	/** Average ms per part. */
	breakdown: TimeBreakdown;
	/** p95 ms per part. */
	breakdownP95: TimeBreakdown;
}

export interface RoutePerformance extends Omit<PerformanceSummary, 'breakdownP95'> {
	/** The route, e.g. `/products/<int:pk>/`. */
	transaction: string;
}

export interface RoutePerformanceList {
	from: string;
	to: string;
	data: RoutePerformance[];
}

/** One request as indexed: what the slowest list and the trace page show of it. */
export interface TransactionSummary {
	eventId: string;
	traceId: string;
	transaction: string;
	start: string;
	durationMs: number;
	/** Sentry span status: `ok`, `internal_error`, `not_found`, … */
	status: string;
	httpStatus: number | null;
	environment: string | null;
	release: string | null;
	spanCount: number;
	breakdown: TimeBreakdown;
}

export interface RouteQuery {
	hash: string;
	/** Normalized: literals and IN lists as `?`. */
	sql: string;
	count: number;
	/** Average times per request that ran it. */
	perRequest: number;
	totalMs: number;
	p95: number | null;
	slowestMs: number | null;
	/** The transaction with the slowest run of it. */
	slowestEventId: string;
}

export type Resolution = 'minute' | 'hour' | 'day';

export interface RoutePerformanceDetail {
	transaction: string;
	from: string;
	to: string;
	/** The width of a `series` bucket. */
	resolution: Resolution;
	summary: PerformanceSummary;
	/** One point per bucket from `from` to `to`, empty buckets included (count 0). */
	series: (PerformanceSummary & { t: string })[];
	/** Most total time first, at most 50. */
	queries: RouteQuery[];
	/** The 20 slowest requests of the range. */
	slowest: TransactionSummary[];
}

export interface Span {
	spanId: string;
	parentSpanId: string | null;
	/** `db`, `db.query`, `cache.get`, `template.render`, `http.client`, `middleware.django`, … */
	op: string;
	/** SQL for db spans, the URL for http.client, the template name, … */
	description: string | null;
	start: string;
	durationMs: number;
	/** Start relative to its transaction's start. */
	offsetMs: number;
	status: string | null;
}

export interface TraceTransaction extends TransactionSummary {
	spanId: string;
	op: string;
	spans: Span[];
}

export interface TraceError {
	eventId: string;
	issueId: number | null;
	title: string;
	level: string;
	timestamp: string;
}

export interface Trace {
	traceId: string;
	/** Oldest first. */
	transactions: TraceTransaction[];
	/** Error events of the same trace. */
	errors: TraceError[];
}

const project = (id: number) => `/projects/${id}`;

/** `from` and `to`: ISO 8601 times; the default is the last 24 hours. */
export const listRoutePerformance = (projectId: number, params: { from?: string; to?: string } = {}, options: Signal = {}) =>
	request<RoutePerformanceList>(`${project(projectId)}/performance`, { ...options, query: { ...params } });

export const getRoutePerformance = (
	projectId: number,
	params: { transaction: string; from?: string; to?: string },
	options: Signal = {}
) => request<RoutePerformanceDetail>(`${project(projectId)}/performance/route`, { ...options, query: { ...params } });

/** 404 when no transaction of the trace is kept (unknown id, or past retention). */
export const getTrace = (projectId: number, traceId: string, options: Signal = {}) =>
	request<Trace>(`${project(projectId)}/traces/${encodeURIComponent(traceId)}`, options);

// The types above are the OpenAPI document's schemas of the same names: a change on either side fails the check.
// (The routes list answer and the summary are inline in the document: compared through the schemas that use them.)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type PerformanceSchemasMatch = [
	Assert<Same<TimeBreakdown, Schemas['TimeBreakdown']>>,
	Assert<Same<RoutePerformance, Schemas['RoutePerformance']>>,
	Assert<Same<PerformanceSummary, Schemas['RoutePerformanceDetail']['summary']>>,
	Assert<Same<RoutePerformanceDetail, Schemas['RoutePerformanceDetail']>>,
	Assert<Same<RouteQuery, Schemas['RoutePerformanceDetail']['queries'][number]>>,
	Assert<Same<TransactionSummary, Schemas['TransactionSummary']>>,
	Assert<Same<TraceTransaction, Schemas['Trace']['transactions'][number]>>,
	Assert<Same<Span, Schemas['Trace']['transactions'][number]['spans'][number]>>,
	Assert<Same<Trace, Schemas['Trace']>>
];
