// Uptime monitors: the list with sparklines and daily bars, one monitor with its uptime and incidents,
// response times for a chart, and "test now" (one check from each region, nothing saved).
import { request, type Signal } from './client.ts';
import type { Schemas } from './openapi.gen.ts';
import type { ListResponse } from './types.ts';

/** Where checks run from: Durable Object location hints. */
export type Region = 'wnam' | 'enam' | 'sam' | 'weur' | 'eeur' | 'apac' | 'oc' | 'afr' | 'me';
export const REGIONS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const satisfies readonly Region[];
export const DEFAULT_REGIONS: readonly Region[] = ['wnam', 'weur', 'apac'];
/** The intervals a monitor can be checked at, in seconds. */
export const INTERVALS_SECONDS = [60, 120, 300, 600, 1800, 3600] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** `pending`: created, not checked yet. */
export type MonitorState = 'pending' | 'up' | 'degraded' | 'down' | 'paused' | 'maintenance';
export type MonitorType = 'http' | 'tcp';
export type CheckStatus = 'up' | 'degraded' | 'down';
/** Why a check failed. */
export type ErrorClass = 'dns' | 'connect' | 'tls' | 'timeout' | 'status' | 'keyword' | 'assertion' | 'internal';

export interface JsonAssertion {
	/** `$.checks.database` style path into the JSON body. */
	path: string;
	/** The JSON value expected there. */
	equals?: unknown;
}

export type MaintenanceWindow =
	| { kind: 'once'; startsAt: string; endsAt: string; note?: string }
	| { kind: 'recurring'; cron: string; durationMinutes: number; timezone?: string; note?: string };

export interface Monitor {
	id: number;
	projectId: number;
	name: string;
	type: MonitorType;
	/** An http(s) URL, or `host:port` for TCP. */
	url: string;
	method: string;
	headers: Record<string, string>;
	body: string | null;
	/** Codes ("200") or classes ("2xx"). */
	expectedStatus: string[];
	keyword: string | null;
	keywordMode: 'present' | 'absent';
	jsonAssertion: JsonAssertion | null;
	/** Slower than this is `degraded`. */
	maxResponseMs: number | null;
	followRedirects: boolean;
	timeoutMs: number;
	intervalSeconds: number;
	regions: Region[];
	/** 0: a failing round is re-checked at once; 2–10: that many failing rounds in a row. */
	confirmRounds: number;
	public: boolean;
	paused: boolean;
	maintenance: MaintenanceWindow[];
	state: MonitorState;
	stateSince: string;
	lastCheckAt: string | null;
	lastLatencyMs: number | null;
	nextCheckAt: string;
	openIncidentId: number | null;
	createdAt: string;
	updatedAt: string;
}

/** Uptime of one UTC day; `uptime` is 0..1, null when there is no data for the day. */
export interface UptimeDay {
	date: string;
	uptime: number | null;
	downMs: number;
	incidents: number;
}

export interface MonitorListItem extends Monitor {
	uptime24h: number | null;
	/** Average response time per 30 minutes over the last 24 h (48 points). */
	sparkline: { t: string; ms: number | null }[];
	/** 90 days, oldest first. */
	bars: UptimeDay[];
}

export interface FirstError {
	region: Region;
	errorClass: ErrorClass;
	message: string;
	httpStatus: number | null;
	excerpt: string | null;
}

export interface Incident {
	id: number;
	monitorId: number;
	/** The first failing check. */
	startedAt: string;
	/** When the outage was confirmed (and alerted). */
	confirmedAt: string;
	/** The first check that passed again; null while ongoing. */
	endedAt: string | null;
	durationSeconds: number;
	failingRegions: Region[];
	firstError: FirstError;
}

export interface Check {
	region: Region;
	roundAt: string;
	checkedAt: string;
	status: CheckStatus;
	httpStatus: number | null;
	latencyMs: number | null;
	errorClass: ErrorClass | null;
	error: string | null;
	excerpt: string | null;
}

export type UptimeWindow = '24h' | '7d' | '30d' | '90d';

export interface MonitorDetail extends Monitor {
	uptime: Record<UptimeWindow, number | null>;
	bars: UptimeDay[];
	openIncident: Incident | null;
	/** The last failing checks, newest first. */
	recentFailures: Check[];
	/** Times Vigil itself did not check (counted as neither up nor down). */
	gaps: { from: string; to: string }[];
}

export interface NewMonitorRequest {
	name: string;
	type?: MonitorType;
	url: string;
	method?: HttpMethod;
	headers?: Record<string, string>;
	body?: string | null;
	expectedStatus?: (number | string)[];
	keyword?: string | null;
	keywordMode?: 'present' | 'absent';
	jsonAssertion?: JsonAssertion | null;
	maxResponseMs?: number | null;
	followRedirects?: boolean;
	timeoutMs?: number;
	intervalSeconds?: number;
	regions?: Region[];
	confirmRounds?: number;
	public?: boolean;
	paused?: boolean;
	maintenance?: MaintenanceWindow[];
}

export type UpdateMonitorRequest = Partial<NewMonitorRequest>;

export interface MonitorTestResult {
	data: Omit<Check, 'roundAt'>[];
}

export interface ResponseTimePoint {
	t: string;
	avgMs: number | null;
	p95Ms: number | null;
	failures: number;
	checks: number;
}

export interface ResponseTimes {
	from: string;
	to: string;
	bucketSeconds: number;
	/** `checks` inside the 48 h of raw checks (per region), `hourly` beyond it (all regions together). */
	source: 'checks' | 'hourly';
	series: { region: Region | 'all'; points: ResponseTimePoint[] }[];
}

const project = (id: number) => `/projects/${id}`;
const monitor = (id: number) => `/monitors/${id}`;

export const listMonitors = (projectId: number, options: Signal = {}) =>
	request<ListResponse<MonitorListItem>>(`${project(projectId)}/monitors`, options);

export const createMonitor = (projectId: number, body: NewMonitorRequest) =>
	request<Monitor>(`${project(projectId)}/monitors`, { method: 'POST', body });

/** Runs the definition once from each of its regions; nothing is saved. */
export const testMonitor = (projectId: number, body: NewMonitorRequest) =>
	request<MonitorTestResult>(`${project(projectId)}/monitors/test`, { method: 'POST', body });

export const getMonitor = (id: number, options: Signal = {}) => request<MonitorDetail>(monitor(id), options);

/** Change, pause (`{ paused: true }`) or resume a monitor. */
export const updateMonitor = (id: number, body: UpdateMonitorRequest) =>
	request<Monitor>(monitor(id), { method: 'PATCH', body });

export const deleteMonitor = (id: number) => request<void>(monitor(id), { method: 'DELETE' });

export const listIncidents = (id: number, options: Signal = {}) =>
	request<ListResponse<Incident>>(`${monitor(id)}/incidents`, options);

export const listChecks = (
	id: number,
	params: { from?: string; to?: string; region?: Region; status?: CheckStatus; limit?: number; cursor?: string } = {},
	options: Signal = {}
) => request<ListResponse<Check>>(`${monitor(id)}/checks`, { ...options, query: { ...params } });

/** `from` and `to`: ISO 8601 times. */
export const getResponseTimes = (id: number, params: { from?: string; to?: string } = {}, options: Signal = {}) =>
	request<ResponseTimes>(`${monitor(id)}/response-times`, { ...options, query: { ...params } });

// The types above are the OpenAPI document's schemas of the same names: a change on either side fails the check.
// (The generator turns a nullable object schema into the object alone, and the Worker's nullable `Incident`
// and `JsonAssertion` components are nullable where they are used; so those two are compared without null.)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type Nullable<T, K extends keyof T> = Omit<T, K> & { [P in K]: NonNullable<T[P]> | null };
type OptionalNullable<T, K extends keyof T> = Omit<T, K> & { [P in K]?: NonNullable<T[P]> | null };
type MonitorSchemasMatch = [
	Assert<Same<Region, Schemas['Region']>>,
	Assert<Same<MonitorState, Schemas['MonitorState']>>,
	Assert<Same<MaintenanceWindow, Schemas['MaintenanceWindow']>>,
	Assert<Same<UptimeDay, Schemas['UptimeDay']>>,
	Assert<Same<JsonAssertion, NonNullable<Schemas['JsonAssertion']>>>,
	Assert<Same<Monitor, Nullable<Schemas['Monitor'], 'jsonAssertion'>>>,
	Assert<Same<Omit<MonitorListItem, keyof Monitor>, Omit<Schemas['MonitorListItem'], keyof Schemas['Monitor']>>>,
	Assert<Same<Incident, NonNullable<Schemas['Incident']>>>,
	Assert<Same<Check, Schemas['Check']>>,
	Assert<
		Same<Omit<MonitorDetail, keyof Monitor>, Nullable<Omit<Schemas['MonitorDetail'], keyof Schemas['Monitor']>, 'openIncident'>>
	>,
	Assert<Same<NewMonitorRequest, OptionalNullable<Schemas['NewMonitorRequest'], 'jsonAssertion'>>>,
	Assert<Same<UpdateMonitorRequest, OptionalNullable<Schemas['UpdateMonitorRequest'], 'jsonAssertion'>>>,
	Assert<Same<MonitorTestResult, Schemas['MonitorTestResult']>>,
	Assert<Same<ResponseTimes, Schemas['ResponseTimes']>>,
	Assert<Same<(typeof REGIONS)[number], Schemas['Region']>>,
	Assert<Same<(typeof HTTP_METHODS)[number], NonNullable<Schemas['NewMonitorRequest']['method']>>>
];
