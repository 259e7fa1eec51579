// Reading the stored Sentry event for display. SDKs and versions differ, so every accessor
// tolerates missing or oddly shaped fields and answers plain strings and lists.
import type { SentryEvent, SentryException, SentryFrame, SentryRequest } from '../api/types.ts';

export const FILTERED = '[Filtered]';

/** One exception of the chain, with its index in `exception.values` (for `_filtered` paths). */
export interface ChainLink {
	exception: SentryException;
	index: number;
}

/** The chain as a reader wants it: the exception that was raised last (the main one) first, then its causes. */
export function exceptionChain(event: SentryEvent): ChainLink[] {
	const values = Array.isArray(event.exception?.values) ? event.exception.values : [];
	return values
		.map((exception, index) => ({ exception, index }))
		.filter((link) => link.exception && typeof link.exception === 'object')
		.reverse();
}

export interface FrameRef {
	frame: SentryFrame;
	/** Index in `stacktrace.frames` (oldest call first). */
	index: number;
	inApp: boolean;
	/** The frame where the exception was raised (the last one). */
	crash: boolean;
}

/**
 * Frames with their in-app flag. When the SDK marked no frame either way, all frames count as the
 * app's own; when it marked some, an unmarked frame counts as a library frame.
 */
export function framesOf(exception: SentryException): FrameRef[] {
	const frames = Array.isArray(exception.stacktrace?.frames) ? exception.stacktrace.frames.filter(isObject) : [];
	const anyApp = frames.some((f) => f.in_app === true);
	return frames.map((frame, index) => ({
		frame,
		index,
		inApp: frame.in_app === true || (!anyApp && frame.in_app !== false),
		crash: index === frames.length - 1
	}));
}

export type FrameGroup = { kind: 'frame'; ref: FrameRef } | { kind: 'library'; refs: FrameRef[] };

/** Consecutive library frames fold into one group; the crash frame always stands alone. */
export function groupFrames(refs: FrameRef[]): FrameGroup[] {
	const groups: FrameGroup[] = [];
	for (const ref of refs) {
		if (ref.inApp || ref.crash) {
			groups.push({ kind: 'frame', ref });
			continue;
		}
		const last = groups.at(-1);
		if (last?.kind === 'library') last.refs.push(ref);
		else groups.push({ kind: 'library', refs: [ref] });
	}
	return groups;
}

/** "store/reports.py", else the module, else the absolute path. */
export function frameFile(frame: SentryFrame): string {
	return str(frame.filename) || str(frame.module) || str(frame.abs_path) || '<unknown>';
}

export interface SourceLine {
	number: number | null;
	text: string;
	crash: boolean;
}

/** Source context around the frame's line, numbered; empty when the SDK sent none. */
export function sourceLines(frame: SentryFrame): SourceLine[] {
	const context = typeof frame.context_line === 'string' ? frame.context_line : null;
	if (context === null) return [];
	const pre = (Array.isArray(frame.pre_context) ? frame.pre_context : []).map((l) => l ?? '');
	const post = (Array.isArray(frame.post_context) ? frame.post_context : []).map((l) => l ?? '');
	const lineno = typeof frame.lineno === 'number' ? frame.lineno : null;
	const at = (offset: number) => (lineno === null ? null : lineno + offset);
	return [
		...pre.map((text, i) => ({ number: at(i - pre.length), text, crash: false })),
		{ number: lineno, text: context, crash: true },
		...post.map((text, i) => ({ number: at(i + 1), text, crash: false }))
	];
}

/** The event's message, for message events and log records ("Payment declined for order 1234"). */
export function eventMessage(event: SentryEvent): string | null {
	const entry = event.logentry;
	if (entry && typeof entry === 'object') {
		const text = str(entry.formatted) || str(entry.message);
		if (text) return text;
	}
	const message = event.message;
	if (typeof message === 'string') return message || null;
	if (message && typeof message === 'object') return str(message.formatted) || str(message.message) || null;
	return null;
}

/** Key/value pairs from an object or a `[key, value][]` list (headers, cookies, tags). */
export function pairs(value: unknown): [string, unknown][] {
	if (Array.isArray(value)) {
		return value
			.filter((p): p is [unknown, unknown] => Array.isArray(p) && p.length >= 2)
			.map(([k, v]) => [String(k), v]);
	}
	if (isObject(value)) return Object.entries(value);
	return [];
}

/** `a=1&b=2` (or a pairs list) → pairs, decoded. */
export function queryPairs(query: SentryRequest['query_string']): [string, unknown][] {
	if (typeof query !== 'string') return pairs(query);
	const text = query.replace(/^\?/, '');
	if (!text) return [];
	return text.split('&').map((part) => {
		const eq = part.indexOf('=');
		const key = eq === -1 ? part : part.slice(0, eq);
		const value = eq === -1 ? '' : part.slice(eq + 1);
		return [decode(key), decode(value)];
	});
}

function decode(text: string): string {
	try {
		return decodeURIComponent(text.replace(/\+/g, ' '));
	} catch {
		return text;
	}
}

/** Tags of the event as pairs (stored as `[key, value][]`; older shapes as an object). */
export function tagPairs(event: SentryEvent): [string, string][] {
	return pairs(event.tags).map(([k, v]) => [k, display(v)]);
}

/** Any value as text: strings as they are, the rest as JSON. */
export function display(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value === undefined) return '';
	try {
		return JSON.stringify(value, null, 2) ?? String(value);
	} catch {
		return String(value);
	}
}

/** A breadcrumb's time as "14:03:22.481" (local), or "" when it has none. */
export function clockTime(value: unknown): string {
	const ms = toMillis(value);
	if (ms === null) return '';
	const d = new Date(ms);
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Epoch seconds (float), epoch milliseconds or an ISO string → epoch milliseconds. */
export function toMillis(value: unknown): number | null {
	if (typeof value === 'number' && Number.isFinite(value)) return value > 1e11 ? value : value * 1000;
	if (typeof value === 'string' && value) {
		if (/^\d+(\.\d+)?$/.test(value)) return toMillis(Number(value));
		const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
		const ms = Date.parse(withZone);
		return Number.isNaN(ms) ? null : ms;
	}
	return null;
}

/** The event's time as ISO, for <RelativeTime>. */
export function eventIso(event: SentryEvent): string | null {
	const ms = toMillis(event.timestamp);
	return ms === null ? null : new Date(ms).toISOString();
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
