// The cron monitor editor's values: from a monitor (or defaults), checked as they are typed, and turned
// into the API's request — all fields for a new monitor, only the changed ones for a PATCH (the Worker
// keeps what a PATCH leaves out, and a job's monitor_config may have changed the rest meanwhile).
import type { Cron, CronSchedule, IntervalUnit, NewCronRequest, UpdateCronRequest } from '../api/crons.ts';
import { knownTimezone } from './schedule.ts';

export interface CronValues {
	name: string;
	slug: string;
	scheduleType: 'crontab' | 'interval';
	crontab: string;
	intervalValue: number | null;
	intervalUnit: IntervalUnit;
	timezone: string;
	checkinMargin: number | null;
	maxRuntime: number | null;
	failureThreshold: number | null;
	recoveryThreshold: number | null;
	/** Empty: check-ins of any environment count. */
	environment: string;
	paused: boolean;
}

/** Fields that can carry a message, named as the API names them (its `details[].path` first segment). */
export type CronField =
	| 'name'
	| 'slug'
	| 'schedule'
	| 'timezone'
	| 'checkinMargin'
	| 'maxRuntime'
	| 'failureThreshold'
	| 'recoveryThreshold'
	| 'environment'
	| 'paused';

export const CRON_FIELDS: readonly CronField[] = [
	'name',
	'slug',
	'schedule',
	'timezone',
	'checkinMargin',
	'maxRuntime',
	'failureThreshold',
	'recoveryThreshold',
	'environment',
	'paused'
];

/** IANA zones offered in the timezone field (any other IANA name can be typed). */
export const COMMON_TIMEZONES = [
	'UTC',
	'Europe/London',
	'Europe/Dublin',
	'Europe/Lisbon',
	'Europe/Paris',
	'Europe/Berlin',
	'Europe/Madrid',
	'Europe/Rome',
	'Europe/Amsterdam',
	'Europe/Brussels',
	'Europe/Zurich',
	'Europe/Stockholm',
	'Europe/Warsaw',
	'Europe/Athens',
	'Europe/Istanbul',
	'Europe/Kyiv',
	'Europe/Moscow',
	'Africa/Cairo',
	'Africa/Lagos',
	'Africa/Johannesburg',
	'Africa/Nairobi',
	'Asia/Dubai',
	'Asia/Karachi',
	'Asia/Kolkata',
	'Asia/Bangkok',
	'Asia/Jakarta',
	'Asia/Singapore',
	'Asia/Shanghai',
	'Asia/Hong_Kong',
	'Asia/Tokyo',
	'Asia/Seoul',
	'Australia/Perth',
	'Australia/Sydney',
	'Pacific/Auckland',
	'America/Sao_Paulo',
	'America/Argentina/Buenos_Aires',
	'America/Mexico_City',
	'America/Bogota',
	'America/New_York',
	'America/Toronto',
	'America/Chicago',
	'America/Denver',
	'America/Phoenix',
	'America/Los_Angeles',
	'America/Anchorage',
	'Pacific/Honolulu'
] as const;

export const localTimezone = () => {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
	} catch {
		return 'UTC';
	}
};

export const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A slug from a name, as the Worker makes them: "Nightly report" → "nightly-report". */
export function slugify(name: string): string {
	return name
		.trim()
		.toLowerCase()
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[^a-z0-9_-]+/g, '-')
		.replace(/^[-_]+|-+$/g, '')
		.slice(0, 64);
}

export function defaultValues(): CronValues {
	return {
		name: '',
		slug: '',
		scheduleType: 'crontab',
		crontab: '0 3 * * *',
		intervalValue: 1,
		intervalUnit: 'hour',
		timezone: localTimezone(),
		checkinMargin: 5,
		maxRuntime: 30,
		failureThreshold: 1,
		recoveryThreshold: 1,
		environment: '',
		paused: false
	};
}

export function valuesOf(c: Cron): CronValues {
	const d = defaultValues();
	return {
		name: c.name,
		slug: c.slug,
		scheduleType: c.schedule.type,
		crontab: c.schedule.type === 'crontab' ? c.schedule.value : d.crontab,
		intervalValue: c.schedule.type === 'interval' ? c.schedule.value : d.intervalValue,
		intervalUnit: c.schedule.type === 'interval' ? c.schedule.unit : d.intervalUnit,
		timezone: c.timezone,
		checkinMargin: c.checkinMargin,
		maxRuntime: c.maxRuntime,
		failureThreshold: c.failureThreshold,
		recoveryThreshold: c.recoveryThreshold,
		environment: c.environment ?? '',
		paused: c.paused
	};
}

const whole = (v: number | null, min: number, max: number) => v !== null && Number.isInteger(v) && v >= min && v <= max;

/** What is wrong with the values as they stand, by field; empty when they can be sent. */
export function problems(v: CronValues, crontabProblem?: string): Partial<Record<CronField, string>> {
	const out: Partial<Record<CronField, string>> = {};
	if (v.name.trim().length > 100) out.name = 'At most 100 characters.';
	const slug = v.slug.trim();
	if (!slug) out.slug = 'Give the monitor a slug: it goes in the ping URL and is Sentry’s monitor_slug.';
	else if (!SLUG.test(slug)) out.slug = 'Lower-case letters, digits, - and _ (at most 64), starting with a letter or digit.';

	if (v.scheduleType === 'crontab') {
		if (!v.crontab.trim()) out.schedule = 'Write a crontab line such as 0 3 * * *.';
		else if (crontabProblem) out.schedule = crontabProblem;
	} else if (!whole(v.intervalValue, 1, 10_000)) out.schedule = 'A whole number from 1 to 10000.';

	if (!v.timezone.trim()) out.timezone = 'Choose a timezone, e.g. UTC or Europe/Paris.';
	else if (!knownTimezone(v.timezone.trim())) out.timezone = `Unknown timezone “${v.timezone.trim()}”: use an IANA name such as Europe/Paris.`;

	if (!whole(v.checkinMargin, 1, 10_080)) out.checkinMargin = 'Minutes, 1 to 10080 (a week).';
	if (!whole(v.maxRuntime, 1, 10_080)) out.maxRuntime = 'Minutes, 1 to 10080 (a week).';
	if (!whole(v.failureThreshold, 1, 100)) out.failureThreshold = 'A whole number from 1 to 100.';
	if (!whole(v.recoveryThreshold, 1, 100)) out.recoveryThreshold = 'A whole number from 1 to 100.';
	if (v.environment.trim().length > 64) out.environment = 'At most 64 characters.';
	return out;
}

export function scheduleOf(v: CronValues): CronSchedule {
	return v.scheduleType === 'crontab'
		? { type: 'crontab', value: v.crontab.trim().replace(/\s+/g, ' ') }
		: { type: 'interval', value: v.intervalValue ?? 1, unit: v.intervalUnit };
}

/** The API request for these values (assumed free of problems). */
export function requestOf(v: CronValues): NewCronRequest {
	const slug = v.slug.trim();
	return {
		slug,
		name: v.name.trim() || slug,
		schedule: scheduleOf(v),
		timezone: v.timezone.trim(),
		checkinMargin: v.checkinMargin ?? 1,
		maxRuntime: v.maxRuntime ?? 30,
		failureThreshold: v.failureThreshold ?? 1,
		recoveryThreshold: v.recoveryThreshold ?? 1,
		environment: v.environment.trim() || null,
		paused: v.paused
	};
}

/** Only what differs from the saved monitor: a PATCH changes the fields it sends and keeps the rest. */
export function changesOf(saved: Cron, v: CronValues): UpdateCronRequest {
	const next = requestOf(v);
	const out: UpdateCronRequest = {};
	if (next.slug !== saved.slug) out.slug = next.slug;
	if (next.name !== saved.name) out.name = next.name;
	if (JSON.stringify(next.schedule) !== JSON.stringify(saved.schedule)) out.schedule = next.schedule;
	if (next.timezone !== saved.timezone) out.timezone = next.timezone;
	if (next.checkinMargin !== saved.checkinMargin) out.checkinMargin = next.checkinMargin;
	if (next.maxRuntime !== saved.maxRuntime) out.maxRuntime = next.maxRuntime;
	if (next.failureThreshold !== saved.failureThreshold) out.failureThreshold = next.failureThreshold;
	if (next.recoveryThreshold !== saved.recoveryThreshold) out.recoveryThreshold = next.recoveryThreshold;
	if (next.environment !== saved.environment) out.environment = next.environment;
	if (next.paused !== saved.paused) out.paused = next.paused;
	return out;
}
