// Words for alerts: event types, channel types, delivery statuses and receivers' answers.
import type { AlertAttempt, AlertRule, AlertStatus, AlertType, ChannelType, Level, TestAlertResult } from '../api/types.ts';

export interface EventGroup {
	label: string;
	events: { type: AlertType; label: string; hint: string }[];
}

/** Every event a rule can send, grouped by what raises it (as in docs/alerts.md). */
export const EVENT_GROUPS: readonly EventGroup[] = [
	{
		label: 'Issues',
		events: [
			{ type: 'issue.new', label: 'New issue', hint: 'The first event of a new issue' },
			{ type: 'issue.regressed', label: 'Regressed', hint: 'A resolved issue got a new event' },
			{ type: 'issue.frequency', label: 'Frequent', hint: 'More than N events in M minutes' }
		]
	},
	{
		label: 'Uptime',
		events: [
			{ type: 'monitor.down', label: 'Monitor down', hint: 'A monitor stopped answering' },
			{ type: 'monitor.up', label: 'Monitor up', hint: 'It answers again (only after a down)' }
		]
	},
	{
		label: 'Crons',
		events: [
			{ type: 'cron.missed', label: 'Cron missed', hint: 'A run did not start in time' },
			{ type: 'cron.failed', label: 'Cron failed', hint: 'A run reported an error' },
			{ type: 'cron.timeout', label: 'Cron timed out', hint: 'A run started and did not finish in time' },
			{ type: 'cron.recovered', label: 'Cron recovered', hint: 'Runs are fine again' }
		]
	},
	{
		label: 'Logs',
		events: [{ type: 'logs.threshold', label: 'Log threshold', hint: 'More than N lines matching a log search in M minutes' }]
	},
	{
		label: 'Performance',
		events: [{ type: 'performance.issue', label: 'Performance issue', hint: 'A slow route or query' }]
	}
];

const EVENT_LABELS: Record<string, string> = Object.fromEntries(
	EVENT_GROUPS.flatMap((group) => group.events.map((event) => [event.type, event.label]))
);

/** "New issue" for "issue.new", "Test" for test alerts; an unknown type as it is. */
export function eventLabel(type: string): string {
	if (type === 'test') return 'Test';
	return EVENT_LABELS[type] ?? type;
}

export const CHANNEL_TYPES: readonly { value: ChannelType; label: string }[] = [
	{ value: 'slack', label: 'Slack' },
	{ value: 'webhook', label: 'Webhook' },
	{ value: 'email', label: 'Email' }
];

export function channelTypeLabel(type: ChannelType): string {
	return CHANNEL_TYPES.find((t) => t.value === type)?.label ?? type;
}

export const ALERT_STATUSES: readonly { value: AlertStatus; label: string; badge: string }[] = [
	{ value: 'sent', label: 'Sent', badge: 'badge-ok' },
	{ value: 'pending', label: 'Pending', badge: 'badge-warn' },
	{ value: 'failed', label: 'Failed', badge: 'badge-danger' }
];

export function statusBadge(status: AlertStatus): { label: string; badge: string } {
	return ALERT_STATUSES.find((s) => s.value === status) ?? { label: status, badge: 'badge-neutral' };
}

export function isAlertStatus(value: string | null): value is AlertStatus {
	return value === 'sent' || value === 'pending' || value === 'failed';
}

/** "200", or "no answer" when the request failed before an answer (or for email). */
function answer(status: number | null): string | null {
	return status === null ? null : String(status);
}

/** "Delivered (200, 85 ms)", or what went wrong. */
export function testResultText(result: TestAlertResult): string {
	const facts = [answer(result.status), `${result.latencyMs} ms`].filter(Boolean).join(', ');
	if (result.ok) return `Delivered (${facts})`;
	return `Not delivered: ${result.error ?? 'the receiver did not accept it.'} (${facts})`;
}

/** An attempt succeeded: a 2xx, or an email handed over without an error. */
export function attemptOk(attempt: AlertAttempt): boolean {
	return !attempt.error && (attempt.status === null || (attempt.status >= 200 && attempt.status < 300));
}

/** What the receiver answered: the status code; for email (no status) "handed over" or "not sent". */
export function attemptAnswer(attempt: AlertAttempt, type: ChannelType): string {
	if (attempt.status !== null) return String(attempt.status);
	if (type === 'email') return attempt.error ? 'not sent' : 'handed over';
	return 'no answer';
}

const LEVEL_WORDS: Record<Level, string> = {
	fatal: 'Fatal only',
	error: 'Error and worse',
	warning: 'Warning and worse',
	info: 'Info and worse',
	debug: 'Any level'
};

export function levelFilterText(level: Level): string {
	return LEVEL_WORDS[level];
}

/** The filters of a rule in words, e.g. ["Environment: production", "Error and worse"]. */
export function ruleFilters(rule: AlertRule): string[] {
	const filters: string[] = [];
	if (rule.environment) filters.push(`Environment: ${rule.environment}`);
	if (rule.minLevel) filters.push(levelFilterText(rule.minLevel));
	if (rule.events.includes('issue.frequency') && rule.frequencyCount && rule.frequencyMinutes) {
		filters.push(
			`Frequent: more than ${rule.frequencyCount} event${rule.frequencyCount === 1 ? '' : 's'} in ${rule.frequencyMinutes} min`
		);
	}
	if (rule.events.includes('logs.threshold') && rule.logQuery && rule.frequencyCount && rule.frequencyMinutes) {
		filters.push(
			`Logs: more than ${rule.frequencyCount} line${rule.frequencyCount === 1 ? '' : 's'} matching “${rule.logQuery}” in ${rule.frequencyMinutes} min`
		);
	}
	return filters;
}

/**
 * The in-app path of an alert's link when it points into this dashboard (same origin), so it
 * opens without a reload; null for a link elsewhere or a malformed one.
 */
export function dashboardPath(url: string, origin: string = location.origin): string | null {
	try {
		const parsed = new URL(url);
		if (parsed.origin !== origin) return null;
		return parsed.pathname + parsed.search + parsed.hash;
	} catch {
		return null;
	}
}
