// The timeline (everything that happened to a project over one window, in buckets on one time axis) and
// releases (a version seen for the first time in an event or a transaction: a deploy marker).
import { request, type Signal } from './client.ts';
import type { LogLevel } from './logs.ts';
import type { Schemas } from './openapi.gen.ts';

/** A window of time; `to` is null while it lasts. */
export interface TimelineBand {
	from: string;
	to: string | null;
}

export interface TimelineIncident extends TimelineBand {
	id: number;
	regions: string[];
	cause: string;
}

export interface TimelineMonitor {
	id: number;
	name: string;
	url: string;
	/** Confirmed outages overlapping the range. */
	incidents: TimelineIncident[];
	/** Per region: runs of failing checks (raw checks are kept 48 h; older ranges show incidents only). */
	regions: { region: string; failing: TimelineBand[] }[];
}

export interface TimelineCronRun {
	id: string;
	at: string;
	/** A check-in status: ok, error, missed, timeout, in_progress, unknown. */
	status: string;
	durationMs: number | null;
}

export interface TimelineCron {
	id: number;
	slug: string;
	name: string;
	runs: TimelineCronRun[];
}

export interface TimelineIssue {
	id: number;
	title: string;
	level: string;
	/** Events per bucket. */
	counts: number[];
}

export interface TimelineMark {
	at: string;
	kind: 'new' | 'regressed';
	issueId: number;
	title: string;
}

export interface Timeline {
	from: string;
	to: string;
	/** Width of each bucket: 60–120 buckets over the range. */
	bucketSeconds: number;
	/** Start of each bucket; every per-bucket array has one value per bucket. */
	buckets: string[];
	monitors: TimelineMonitor[];
	crons: TimelineCron[];
	errors: {
		/** Error events per bucket. */
		total: number[];
		/** The busiest issues of the range (up to 5). */
		issues: TimelineIssue[];
		/** Issues first seen, or regressed, in the range. */
		marks: TimelineMark[];
	};
	logs: {
		/** Log lines per bucket, per level. */
		counts: Partial<Record<LogLevel, number>>[];
	};
	requests: {
		/** Transactions per bucket. */
		count: number[];
		failures: number[];
		/** p95 duration (ms) per bucket, all routes. */
		p95: (number | null)[];
		/** Trace id of the slowest stored transaction per bucket. */
		slowest: (string | null)[];
	};
	/** Releases first seen in the range. */
	releases: { version: string; firstSeen: string }[];
}

export interface Release {
	version: string;
	firstSeen: string;
	/** Issues first seen in this release. */
	newIssues: number;
}

/** Requests over a window: latencies in ms and the failure rate 0..1, null without requests. */
export interface ReleaseWindow {
	count: number;
	p50: number | null;
	p95: number | null;
	failureRate: number | null;
}

export interface ReleaseDetail extends Release {
	issues: { id: number; title: string; level: string; count: number; firstSeen: string }[];
	/** All routes, the 24 h before the release was first seen and the 24 h after (up to now). */
	performance: { before: ReleaseWindow; after: ReleaseWindow };
	/** The busiest routes (up to 10), before and after. */
	routes: { transaction: string; before: ReleaseWindow; after: ReleaseWindow }[];
}

const project = (id: number) => `/projects/${id}`;

/** `from` and `to`: ISO 8601 times; the default is the last 24 hours. */
export const getTimeline = (projectId: number, params: { from?: string; to?: string } = {}, options: Signal = {}) =>
	request<Timeline>(`${project(projectId)}/timeline`, { ...options, query: { ...params } });

/** Newest first. */
export const listReleases = (projectId: number, options: Signal = {}) =>
	request<{ data: Release[] }>(`${project(projectId)}/releases`, options);

/** 404 when the project never saw this version. */
export const getRelease = (projectId: number, version: string, options: Signal = {}) =>
	request<ReleaseDetail>(`${project(projectId)}/releases/${encodeURIComponent(version)}`, options);

// The types above are the OpenAPI document's schemas of the same names: a change on either side fails the check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type TimelineSchemasMatch = [
	Assert<Same<Timeline, Schemas['Timeline']>>,
	Assert<Same<TimelineMonitor, Schemas['Timeline']['monitors'][number]>>,
	Assert<Same<TimelineCron, Schemas['Timeline']['crons'][number]>>,
	Assert<Same<TimelineMark, Schemas['Timeline']['errors']['marks'][number]>>,
	Assert<Same<Release, Schemas['Release']>>,
	Assert<Same<ReleaseWindow, Schemas['ReleaseDetail']['performance']['before']>>,
	Assert<Same<ReleaseDetail, Schemas['ReleaseDetail']>>
];
