// The issue search: tokens as the Worker parses them (worker/errors/query.ts), and what to suggest
// while someone types one.
import type { IssueSort, Level } from '../api/types.ts';
import { LEVELS } from '../api/types.ts';

export const DEFAULT_QUERY = 'is:unresolved';

export const SORTS: readonly { value: IssueSort; label: string }[] = [
	{ value: 'lastSeen', label: 'Last seen' },
	{ value: 'firstSeen', label: 'First seen' },
	{ value: 'events', label: 'Events' },
	{ value: 'users', label: 'Users' }
];

export const DEFAULT_SORT: IssueSort = 'lastSeen';

export function isSort(value: string | null): value is IssueSort {
	return SORTS.some((s) => s.value === value);
}

/** A search token and where it sits in the query (for replacing it with a suggestion). */
export interface QueryToken {
	text: string;
	start: number;
	end: number;
}

/** Split on spaces, keeping "quoted phrases" and key:"quoted values" together, as the Worker does. */
export function tokenize(query: string): QueryToken[] {
	return [...query.matchAll(/\S+:"[^"]*"?|"[^"]*"?|\S+/g)].map((m) => ({
		text: m[0],
		start: m.index,
		end: m.index + m[0].length
	}));
}

export interface Suggestion {
	/** What replaces the token being typed. */
	insert: string;
	/** Shown in the list. */
	label: string;
	description: string;
	/** A key ("level:") keeps the list open for its values; a value closes it. */
	partial: boolean;
}

export interface SuggestionContext {
	/** Releases seen on the issues loaded so far. */
	releases: string[];
}

const KEYS: readonly { key: string; description: string }[] = [
	{ key: 'is:', description: 'Status: unresolved, resolved, ignored, regressed' },
	{ key: 'level:', description: 'fatal, error, warning, info, debug' },
	{ key: 'release:', description: 'Issues with events in a release' },
	{ key: 'environment:', description: 'Issues with events in an environment' },
	{ key: 'user.email:', description: 'Issues that affected a user' }
];

const STATUS_VALUES: readonly { value: string; description: string }[] = [
	{ value: 'unresolved', description: 'Open issues (default)' },
	{ value: 'resolved', description: 'Marked as fixed' },
	{ value: 'ignored', description: 'Muted for now' },
	{ value: 'regressed', description: 'Came back after being resolved' }
];

const LEVEL_DESCRIPTIONS: Record<Level, string> = {
	fatal: 'Crashes',
	error: 'Errors and unhandled exceptions',
	warning: 'Warnings',
	info: 'Informational messages',
	debug: 'Debug messages'
};

/** The token under the caret, or an empty one where a new token would start. */
export function tokenAt(query: string, caret: number): QueryToken {
	for (const token of tokenize(query)) {
		if (caret >= token.start && caret <= token.end) return token;
	}
	return { text: '', start: caret, end: caret };
}

/** Suggestions for the token under the caret. */
export function suggest(query: string, caret: number, context: SuggestionContext): Suggestion[] {
	const token = tokenAt(query, caret);
	const text = token.text.toLowerCase();
	const colon = text.indexOf(':');
	const used = new Set(
		tokenize(query)
			.filter((t) => t.start !== token.start)
			.map((t) => t.text.toLowerCase().split(':')[0] + ':')
	);

	if (colon === -1) {
		return KEYS.filter((k) => k.key.startsWith(text) && !used.has(k.key)).map((k) => ({
			insert: k.key,
			label: k.key,
			description: k.description,
			partial: true
		}));
	}

	const key = text.slice(0, colon + 1);
	const typed = text.slice(colon + 1).replace(/"/g, '');
	const values = (list: { value: string; description: string }[]) =>
		list
			.filter((v) => v.value.toLowerCase().startsWith(typed) && v.value.toLowerCase() !== typed)
			.map((v) => ({ insert: key + quote(v.value), label: key + v.value, description: v.description, partial: false }));

	switch (key) {
		case 'is:':
			return values([...STATUS_VALUES]);
		case 'level:':
			return values(LEVELS.map((l) => ({ value: l, description: LEVEL_DESCRIPTIONS[l] })));
		case 'release:':
			return values(context.releases.map((r) => ({ value: r, description: 'Seen on a listed issue' }))).slice(0, 8);
		default:
			return [];
	}
}

function quote(value: string): string {
	return /\s/.test(value) ? `"${value}"` : value;
}

/** The query with `token` replaced by `insert`; a finished value gets a trailing space. */
export function applySuggestion(query: string, token: QueryToken, suggestion: Suggestion): { query: string; caret: number } {
	const before = query.slice(0, token.start);
	const after = query.slice(token.end).replace(/^\s*/, '');
	const glue = suggestion.partial ? '' : ' ';
	const next = before + suggestion.insert + glue;
	return { query: (next + after).replace(/\s+$/, suggestion.partial ? '' : ' '), caret: next.length };
}

/** Whether an issue still matches the `is:` tokens of a search (to drop rows after a bulk change). */
export function matchesStatus(query: string, issue: { status: string; substatus: string }): boolean {
	for (const { text } of tokenize(query)) {
		const lower = text.toLowerCase();
		if (!lower.startsWith('is:')) continue;
		const value = lower.slice(3);
		if (value === 'regressed' && issue.substatus !== 'regressed') return false;
		if ((value === 'unresolved' || value === 'resolved' || value === 'ignored') && issue.status !== value) return false;
	}
	return true;
}
