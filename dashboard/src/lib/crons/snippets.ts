// What a Django developer pastes so a job checks in: Sentry's @monitor on a management command, the
// Celery beat integration, or a curl to the ping URL at the end of a crontab line.
import type { CronSchedule } from '../api/crons.ts';

/** curl that fails on HTTP errors, quietly, within 10 s, retrying: a ping never hangs or breaks the job. */
export const CURL = 'curl -fsS -m 10 --retry 3';

/**
 * The ping URL of a slug from the project's DSN (`http://<public key>@host/<project id>`):
 * `${origin}/ping/<public key>/<slug>`. Null without a DSN.
 */
export function pingUrlFromDsn(dsn: string, slug: string): string | null {
	try {
		const u = new URL(dsn);
		if (!u.username) return null;
		return `${u.protocol}//${u.host}/ping/${u.username}/${slug}`;
	} catch {
		return null;
	}
}

/** The Python literal of a schedule as Sentry's monitor_config writes it. */
function scheduleLiteral(s: CronSchedule): string {
	return s.type === 'crontab' ? `{"type": "crontab", "value": "${s.value}"}` : `{"type": "interval", "value": ${s.value}, "unit": "${s.unit}"}`;
}

export interface MonitorSettings {
	slug: string;
	schedule: CronSchedule;
	timezone: string;
	checkinMargin: number;
	maxRuntime: number;
}

/** The example of the empty page: a nightly report at 03:00 Paris time. */
export const EXAMPLE: MonitorSettings = {
	slug: 'nightly-report',
	schedule: { type: 'crontab', value: '0 3 * * *' },
	timezone: 'Europe/Paris',
	checkinMargin: 5,
	maxRuntime: 30
};

/** A management command wrapped in Sentry's @monitor, with the settings as its monitor_config. */
export function sentryCommandSnippet(m: MonitorSettings, command = 'nightly_report'): string {
	const tz = m.schedule.type === 'crontab' ? `\n            "timezone": "${m.timezone}",` : '';
	return `# yourapp/management/commands/${command}.py
from django.core.management.base import BaseCommand
from sentry_sdk.crons import monitor


class Command(BaseCommand):
    help = "Builds and emails the nightly report"

    @monitor(
        monitor_slug="${m.slug}",
        monitor_config={
            "schedule": ${scheduleLiteral(m.schedule)},${tz}
            "checkin_margin": ${m.checkinMargin},  # minutes late before the run counts as missed
            "max_runtime": ${m.maxRuntime},  # minutes before a started run counts as timed out
        },
    )
    def handle(self, *args, **options):
        ...  # the job; an exception reports the run as failed`;
}

export function celerySnippet(dsn: string): string {
	return `# settings.py (or wherever sentry_sdk.init runs for the worker and beat)
import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration

sentry_sdk.init(
    dsn="${dsn || 'https://<key>@<vigil host>/<project id>'}",
    integrations=[CeleryIntegration(monitor_beat_tasks=True)],
)`;
}

/** A crontab line that pings when the command succeeded. */
export function crontabSnippet(pingUrl: string, command = 'python manage.py nightly_report', when = '0 3 * * *'): string {
	return `${when} cd /srv/shop && ${command} && ${CURL} ${pingUrl}`;
}

export interface PingLine {
	key: string;
	label: string;
	hint: string;
	code: string;
}

/** The ways to ping one monitor's URL, from the simplest. */
export function pingLines(pingUrl: string, command = 'python manage.py nightly_report'): PingLine[] {
	return [
		{ key: 'success', label: 'Success', hint: 'At the end of the job: the run succeeded.', code: `${CURL} ${pingUrl}` },
		{ key: 'start', label: 'Start', hint: 'Before the job: Vigil measures the duration and notices a run that never ends.', code: `${CURL} ${pingUrl}/start` },
		{ key: 'fail', label: 'Failure', hint: 'The run failed; alerts go out.', code: `${CURL} ${pingUrl}/fail` },
		{
			key: 'exit',
			label: 'Exit code',
			hint: 'Reports the command’s exit code: 0 succeeds, anything else fails.',
			code: `${command}; ${CURL} ${pingUrl}/$?`
		},
		{
			key: 'log',
			label: 'With run id and log',
			hint: 'Start and finish paired by ?rid=, and the last 10,000 characters of the output kept as the run’s log.',
			code: `RID=$(date +%s)-$$
${CURL} "${pingUrl}/start?rid=$RID"
OUT=$(${command} 2>&1); CODE=$?
printf '%s' "$OUT" | tail -c 10000 | ${CURL} --data-binary @- "${pingUrl}/$CODE?rid=$RID"`
		}
	];
}
