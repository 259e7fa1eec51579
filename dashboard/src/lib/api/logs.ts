// Logs: search a project's lines (hot and archived), count them over time per level, open one line and the
// lines around it, saved searches, and the live tail's WebSocket address. Lines arrive through ingest
// (the Sentry SDK's `enable_logs`, OpenTelemetry, Vector / Fluent Bit / Loki); nothing here writes lines.
import { API_BASE, request, type Signal } from './client.ts';
import type { Schemas } from './openapi.gen.ts';

/** Lowest first; the same order as OpenTelemetry's severity numbers. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogAttributeValue = string | number | boolean | Array<string | number | boolean>;

export interface LogLine {
	/** Orders lines by time; also the paging cursor. */
	id: string;
	/** RFC 3339 with nanoseconds. */
	timestamp: string;
	level: LogLevel;
	/** OpenTelemetry severity number, 1–24. */
	severity: number;
	/** The severity as the sender wrote it. */
	severityText: string;
	body: string;
	logger: string | null;
	service: string | null;
	host: string | null;
	source: string | null;
	traceId: string | null;
	spanId: string | null;
	attributes: Record<string, LogAttributeValue>;
}

export interface LogSearch {
	from: string;
	to: string;
	/** Newest first. */
	data: LogLine[];
	/** Pass as `cursor` for older lines; null when there are none. */
	nextCursor: string | null;
	archive: {
		/** Archived chunks (lines past the hot window) read for this page. */
		chunksScanned: number;
		/** The search stopped at its budget here; the cursor continues from it. */
		stoppedAt: string | null;
	};
}

export interface LogHistogram {
	from: string;
	to: string;
	bucketSeconds: number;
	buckets: { t: string; counts: Partial<Record<LogLevel, number>> }[];
	/** True when some archived lines could not be counted for a text search. */
	partial: boolean;
}

export interface LogContext {
	line: LogLine;
	/** Oldest first, up to the line. */
	before: LogLine[];
	/** Oldest first, after the line. */
	after: LogLine[];
}

export interface SavedSearch {
	id: string;
	name: string;
	query: string;
	createdAt: string;
}

export interface NewSavedSearchRequest {
	name: string;
	query: string;
}

/** What a search asks for: `q` in the search language, `level` comma-separated, `from`/`to` ISO 8601. */
export interface LogSearchParams {
	q?: string;
	level?: string;
	from?: string;
	to?: string;
	cursor?: string;
	limit?: number;
}

const project = (id: number) => `/projects/${id}`;
const blank = (value: string | undefined) => (value ? value : undefined);

export const searchLogs = (projectId: number, params: LogSearchParams, options: Signal = {}) =>
	request<LogSearch>(`${project(projectId)}/logs`, {
		...options,
		query: { ...params, q: blank(params.q), level: blank(params.level) }
	});

export const getLogHistogram = (projectId: number, params: Omit<LogSearchParams, 'cursor' | 'limit'>, options: Signal = {}) =>
	request<LogHistogram>(`${project(projectId)}/logs/histogram`, {
		...options,
		query: { ...params, q: blank(params.q), level: blank(params.level) }
	});

export const getLogLine = (projectId: number, lineId: string, options: Signal = {}) =>
	request<LogLine>(`${project(projectId)}/logs/${encodeURIComponent(lineId)}`, options);

/** The lines around one from the same service, host and source. */
export const getLogContext = (projectId: number, lineId: string, around: { before?: number; after?: number } = {}, options: Signal = {}) =>
	request<LogContext>(`${project(projectId)}/logs/${encodeURIComponent(lineId)}/context`, { ...options, query: { ...around } });

export const listSavedSearches = (projectId: number, options: Signal = {}) =>
	request<{ data: SavedSearch[] }>(`${project(projectId)}/saved-searches`, options);

export const createSavedSearch = (projectId: number, body: NewSavedSearchRequest) =>
	request<SavedSearch>(`${project(projectId)}/saved-searches`, { method: 'POST', body });

export const deleteSavedSearch = (projectId: number, searchId: string) =>
	request<void>(`${project(projectId)}/saved-searches/${encodeURIComponent(searchId)}`, { method: 'DELETE' });

/** The live tail's WebSocket URL (same origin: the session cookie goes along). */
export function tailUrl(projectId: number, q: string): string {
	const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
	const qs = q ? `?${new URLSearchParams({ q })}` : '';
	return `${scheme}//${location.host}${API_BASE}${project(projectId)}/logs/tail${qs}`;
}

/** What the live tail sends. */
export type TailMessage =
	| { type: 'hello'; q: string }
	| { type: 'lines'; lines: LogLine[] }
	| { type: 'skipped'; count: number }
	| { type: 'error'; message: string };

// The types above are the OpenAPI document's schemas of the same names: a change on either side fails the check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type LogSchemasMatch = [
	Assert<Same<LogLevel, Schemas['LogLevel']>>,
	Assert<Same<LogLine, Schemas['LogLine']>>,
	Assert<Same<LogSearch, Schemas['LogSearch']>>,
	Assert<Same<LogHistogram, Schemas['LogHistogram']>>,
	Assert<Same<LogContext, Schemas['LogContext']>>,
	Assert<Same<SavedSearch, Schemas['SavedSearch']>>,
	Assert<Same<NewSavedSearchRequest, Schemas['NewSavedSearchRequest']>>
];
