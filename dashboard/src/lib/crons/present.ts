// How cron things read on screen: states, run outcomes, durations, "next run in 5 min".
import type { CheckinSource, CheckinStatus, Cron, CronState, RecentRun } from '../api/crons.ts';
import type { Tone } from '../uptime/present.ts';

/** The status colors used everywhere, plus the accent for a run in progress. */
export type CronTone = Tone | 'accent';

export const CRON_STATE: Record<CronState, { label: string; tone: CronTone; hint: string }> = {
	new: { label: 'New', tone: 'neutral', hint: 'No check-in yet: the schedule starts counting at the first one.' },
	ok: { label: 'OK', tone: 'ok', hint: 'The last run succeeded and the next one is not due yet.' },
	late: { label: 'Late', tone: 'warn', hint: 'The expected time passed; the run is not missed until the margin runs out.' },
	missed: { label: 'Missed', tone: 'danger', hint: 'No run started by the expected time plus the margin.' },
	in_progress: { label: 'Running', tone: 'accent', hint: 'A run started and has not finished yet.' },
	timeout: { label: 'Timed out', tone: 'danger', hint: 'A run started and did not finish within its max runtime.' },
	error: { label: 'Failed', tone: 'danger', hint: 'The last run reported a failure.' },
	paused: { label: 'Paused', tone: 'neutral', hint: 'Not watched until resumed: no late, missed or failure alerts.' }
};

export const RUN_STATUS: Record<CheckinStatus, { label: string; tone: CronTone }> = {
	ok: { label: 'OK', tone: 'ok' },
	error: { label: 'Failed', tone: 'danger' },
	missed: { label: 'Missed', tone: 'danger' },
	timeout: { label: 'Timed out', tone: 'danger' },
	in_progress: { label: 'Running', tone: 'accent' },
	unknown: { label: 'Unknown', tone: 'neutral' }
};

export const SOURCE: Record<CheckinSource, { label: string; hint: string }> = {
	ping: { label: 'Ping', hint: 'A request to the ping URL' },
	sentry: { label: 'Sentry SDK', hint: "sentry-sdk's check-in (@monitor, Celery beat)" },
	http: { label: 'Sentry HTTP', hint: "Sentry's HTTP check-in route" },
	vigil: { label: 'Vigil', hint: 'Recorded by Vigil: the run was missed or timed out' }
};

/** A failed outcome (counts against the failure threshold). */
export const failed = (status: CheckinStatus) => status === 'error' || status === 'missed' || status === 'timeout';

/** 850 ms, 12.3 s, 4 min 12 s, 2 h 5 min. */
export function runDuration(ms: number | null | undefined): string {
	if (ms === null || ms === undefined) return '—';
	if (ms < 1000) return `${Math.round(ms)} ms`;
	if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
	const h = Math.floor(m / 60);
	return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** 1 minute, 5 minutes, 2 hours, 1 day (for margins and runtimes given in minutes). */
export function minutesText(minutes: number): string {
	if (minutes % 1440 === 0) return plural(minutes / 1440, 'day');
	if (minutes % 60 === 0 && minutes >= 60) return plural(minutes / 60, 'hour');
	return plural(minutes, 'minute');
}

export const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A span of time in words, coarse: "42 s", "5 min", "3 h", "2 days". */
function span(ms: number): string {
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s} s`;
	const m = Math.round(s / 60);
	if (m < 60) return `${m} min`;
	const h = Math.round(m / 60);
	if (h < 48) return `${h} h`;
	return `${Math.round(h / 24)} days`;
}

/**
 * When the next run is expected, against `now`: "in 5 min", "in under a minute", or "3 min ago" once the
 * time has passed (the run is late). Null without an expectation (no check-in yet, or paused).
 */
export function nextRunText(iso: string | null, now: number): { text: string; overdue: boolean } | null {
	if (!iso) return null;
	const diff = Date.parse(iso) - now;
	if (Number.isNaN(diff)) return null;
	if (diff >= 0) return { text: diff < 60_000 ? 'in under a minute' : `in ${span(diff)}`, overdue: false };
	return { text: -diff < 60_000 ? 'due now' : `${span(-diff)} ago`, overdue: true };
}

/** What to show for a monitor's next run when there is no time to show. */
export function noNextRun(cron: Pick<Cron, 'paused' | 'state'>): string {
	if (cron.paused) return 'paused';
	return cron.state === 'new' ? 'waits for the first check-in' : '—';
}

const timeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A local date and time to the second, e.g. "Mar 12, 14:03:22". */
export const localTime = (iso: string) => timeFormat.format(new Date(iso));

/** Only the local time of day when it is today, else date and time. */
export function shortTime(iso: string, now: number = Date.now()): string {
	const d = new Date(iso);
	return d.toDateString() === new Date(now).toDateString() ? timeOnly.format(d) : timeFormat.format(d);
}

/** The tooltip of one run: "Failed · Mar 12, 14:03:22 · 1.2 s". */
export function runTitle(run: Pick<RecentRun, 'status' | 'startedAt' | 'durationMs'>): string {
	const parts = [RUN_STATUS[run.status].label, localTime(run.startedAt)];
	if (run.durationMs !== null) parts.push(runDuration(run.durationMs));
	else if (run.status === 'missed') parts[1] = `expected ${parts[1]}`;
	return parts.join(' · ');
}

/** "20 runs: 18 OK, 2 failed" for a strip of runs. */
export function runsSummary(runs: Pick<RecentRun, 'status'>[]): string {
	if (runs.length === 0) return 'No runs yet';
	const counts = new Map<string, number>();
	for (const r of runs) {
		const key = failed(r.status) ? 'failed' : RUN_STATUS[r.status].label.toLowerCase();
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	const parts = [...counts].map(([k, n]) => `${n} ${k === 'ok' ? 'OK' : k}`);
	return `${plural(runs.length, 'run')}: ${parts.join(', ')}`;
}
