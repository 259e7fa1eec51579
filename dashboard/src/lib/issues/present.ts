// Words and tones for issue levels and states: color always comes with a word.
import { exactUtc } from '../format/time.ts';
import type { Issue, Level } from '../api/types.ts';

export type Tone = 'danger' | 'warn' | 'ok' | 'neutral' | 'accent';

export const LEVEL_TONE: Record<Level, Tone> = {
	fatal: 'danger',
	error: 'danger',
	warning: 'warn',
	info: 'accent',
	debug: 'neutral'
};

export const LEVEL_LABEL: Record<Level, string> = {
	fatal: 'Fatal',
	error: 'Error',
	warning: 'Warning',
	info: 'Info',
	debug: 'Debug'
};

export function levelOf(value: unknown): Level {
	return value === 'fatal' || value === 'warning' || value === 'info' || value === 'debug' ? value : 'error';
}

/** The issue's state in a word or two, and its tone. */
export function issueState(issue: Pick<Issue, 'status' | 'substatus'>): { label: string; tone: Tone } {
	if (issue.status === 'resolved') return { label: 'Resolved', tone: 'ok' };
	if (issue.status === 'ignored') return { label: 'Ignored', tone: 'neutral' };
	if (issue.substatus === 'regressed') return { label: 'Regressed', tone: 'danger' };
	if (issue.substatus === 'new') return { label: 'New', tone: 'accent' };
	return { label: 'Unresolved', tone: 'warn' };
}

/** A sentence about what resolving or ignoring set up, or null for an open issue. */
export function stateDetail(issue: Issue): string | null {
	if (issue.status === 'resolved') {
		return issue.resolvedInRelease
			? `Resolved in the release after ${issue.resolvedInRelease}: events from ${issue.resolvedInRelease} do not reopen it, a newer release does.`
			: 'Resolved: the next event reopens it as regressed.';
	}
	if (issue.status === 'ignored') {
		if (issue.ignoredUntil) return `Ignored until ${exactUtc(issue.ignoredUntil)}.`;
		if (issue.ignoredUntilCount !== null) {
			const more = Math.max(0, issue.ignoredUntilCount - issue.count);
			return `Ignored until ${more.toLocaleString()} more event${more === 1 ? '' : 's'} (${issue.ignoredUntilCount.toLocaleString()} in total).`;
		}
		return 'Ignored: new events are counted but do not reopen it.';
	}
	if (issue.substatus === 'regressed') return 'Regressed: it came back after being resolved.';
	return null;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

/** 1234 → "1.2K" beyond four digits; exact below. */
export function count(n: number): string {
	return n < 10_000 ? n.toLocaleString() : compact.format(n);
}
