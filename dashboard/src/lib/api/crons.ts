// Cron and heartbeat monitors: the list with each one's last runs, one monitor, its runs (newest first,
// paged), and create / change / pause / delete. Jobs check in by ping URL, Sentry's `monitor_slug` or
// Sentry's HTTP route; none of that goes through the management API.
import { request, type Signal } from './client.ts';
import type { Schemas } from './openapi.gen.ts';
import type { ListResponse } from './types.ts';

/** A crontab line in the monitor's timezone, or an interval counted from the last check-in. */
export type CronSchedule = { type: 'crontab'; value: string } | { type: 'interval'; value: number; unit: IntervalUnit };
export type IntervalUnit = 'minute' | 'hour' | 'day';
export const INTERVAL_UNITS = ['minute', 'hour', 'day'] as const satisfies readonly IntervalUnit[];

/**
 * `new`: no check-in yet; `late`: the expected time passed, still inside the margin; `missed`: not started
 * by expected time + margin; `timeout`: a started run went past its max runtime; `error`: the last run failed.
 */
export type CronState = 'new' | 'ok' | 'late' | 'missed' | 'in_progress' | 'timeout' | 'error' | 'paused';
export const CRON_STATES = ['new', 'ok', 'late', 'missed', 'in_progress', 'timeout', 'error', 'paused'] as const satisfies readonly CronState[];

/** A run's outcome; `unknown`: a slot missed while Vigil itself received almost nothing (not counted). */
export type CheckinStatus = 'in_progress' | 'ok' | 'error' | 'missed' | 'timeout' | 'unknown';
/** `vigil`: recorded by Vigil itself (missed, timeout). */
export type CheckinSource = 'sentry' | 'http' | 'ping' | 'vigil';

export interface Cron {
	id: number;
	projectId: number;
	/** In the ping URL, and Sentry's `monitor_slug`. */
	slug: string;
	name: string;
	schedule: CronSchedule;
	/** "every day at 03:00 Europe/Paris". */
	scheduleText: string;
	timezone: string;
	/** Minutes after the expected time before a run counts as missed. */
	checkinMargin: number;
	/** Minutes a started run may take before it counts as timed out. */
	maxRuntime: number;
	failureThreshold: number;
	recoveryThreshold: number;
	/** Only check-ins of this environment count; null: any. */
	environment: string | null;
	paused: boolean;
	state: CronState;
	stateSince: string;
	lastCheckinAt: string | null;
	lastDurationMs: number | null;
	/** Null until the first check-in, and while paused. */
	nextExpectedAt: string | null;
	/** `${origin}/ping/${public key}/${slug}`; empty when the project has no active DSN key. */
	pingUrl: string;
	createdAt: string;
	updatedAt: string;
}

export interface RecentRun {
	id: string;
	status: CheckinStatus;
	startedAt: string;
	durationMs: number | null;
}

export interface CronListItem extends Cron {
	/** The last 20 runs, oldest first. */
	recent: RecentRun[];
}

/** One run: a start paired with its finish, a finish alone, or a missed / timed-out run recorded by Vigil. */
export interface CronCheckin {
	id: string;
	status: CheckinStatus;
	/** `?rid=` or Sentry's `check_in_id`. */
	runId: string | null;
	source: CheckinSource;
	environment: string | null;
	/** For a missed run, when it was expected. */
	startedAt: string;
	finishedAt: string | null;
	durationMs: number | null;
	exitCode: number | null;
	/** The job's output as pinged (at most 10,000 characters). Text, never markup. */
	log: string | null;
	receivedAt: string;
}

export interface NewCronRequest {
	slug: string;
	name?: string;
	schedule: CronSchedule;
	timezone?: string;
	checkinMargin?: number;
	maxRuntime?: number;
	failureThreshold?: number;
	recoveryThreshold?: number;
	environment?: string | null;
	paused?: boolean;
}

/** Only the fields sent change; the others keep their values. */
export type UpdateCronRequest = Partial<NewCronRequest>;

const cron = (id: number) => `/crons/${id}`;

export const listCrons = (projectId: number, options: Signal = {}) =>
	request<ListResponse<CronListItem>>(`/projects/${projectId}/crons`, options);

export const createCron = (projectId: number, body: NewCronRequest) =>
	request<Cron>(`/projects/${projectId}/crons`, { method: 'POST', body });

export const getCron = (id: number, options: Signal = {}) => request<Cron>(cron(id), options);

/** Change, pause (`{ paused: true }`) or resume a cron monitor: only the fields sent change. */
export const updateCron = (id: number, body: UpdateCronRequest) => request<Cron>(cron(id), { method: 'PATCH', body });

export const deleteCron = (id: number) => request<void>(cron(id), { method: 'DELETE' });

/** Runs, newest first; `nextCursor` pages on. */
export const listCheckins = (
	id: number,
	params: { status?: CheckinStatus; limit?: number; cursor?: string } = {},
	options: Signal = {}
) => request<ListResponse<CronCheckin>>(`${cron(id)}/checkins`, { ...options, query: { ...params } });

// The types above are the OpenAPI document's schemas of the same names: a change on either side fails the check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type CronSchemasMatch = [
	Assert<Same<CronSchedule, Schemas['CronSchedule']>>,
	Assert<Same<CronState, Schemas['CronState']>>,
	Assert<Same<(typeof CRON_STATES)[number], Schemas['CronState']>>,
	Assert<Same<Cron, Schemas['Cron']>>,
	Assert<Same<CronListItem, Schemas['CronListItem']>>,
	Assert<Same<RecentRun, Schemas['CronListItem']['recent'][number]>>,
	Assert<Same<CronCheckin, Schemas['CronCheckin']>>,
	Assert<Same<CheckinStatus, Schemas['CronCheckin']['status']>>,
	Assert<Same<CheckinSource, Schemas['CronCheckin']['source']>>,
	Assert<Same<NewCronRequest, Schemas['NewCronRequest']>>,
	Assert<Same<UpdateCronRequest, Schemas['UpdateCronRequest']>>,
	Assert<Same<(typeof INTERVAL_UNITS)[number], Extract<Schemas['CronSchedule'], { type: 'interval' }>['unit']>>
];
