// The one fetch wrapper of the dashboard. Every call to the Worker goes through `request()`:
// same origin, cookies included, JSON in and out, the API's error shape turned into an
// `ApiError`, and a 401 sending the browser to the login page (except on the auth pages).
import { goto } from '$app/navigation';
import type { ErrorBody, ErrorCode, ErrorDetail } from './types.ts';

export const API_BASE = '/api/v1';

/** Every failed call throws this: an API error answer, a non-JSON answer or a network failure. */
export class ApiError extends Error {
	override readonly name = 'ApiError';

	constructor(
		/** HTTP status; 0 when the request never got an answer. */
		readonly status: number,
		readonly code: ErrorCode | 'network_error' | 'http_error' | (string & {}),
		message: string,
		/** The Worker's request id, to quote when reporting a problem. */
		readonly requestId: string | null = null,
		readonly details: ErrorDetail[] = [],
		/** Seconds to wait, from `Retry-After` on a 429. */
		readonly retryAfter: number | null = null
	) {
		super(message);
	}

	/** The message of the detail about `field`, if the API named that field. */
	detailFor(field: string): string | undefined {
		return this.details.find((d) => d.path === field || d.path.split('.')[0] === field)?.message;
	}
}

export function isApiError(value: unknown): value is ApiError {
	return value instanceof ApiError;
}

/** Pages where a 401 is an answer to show, not a reason to go to the login page. */
const AUTH_PAGES = /^\/(login|signup|invite)(\/|$)/;

/** Called on every 401, so session state can be cleared. Set by the session store. */
let onUnauthenticated: (() => void) | null = null;

export function setUnauthenticatedHandler(handler: () => void): void {
	onUnauthenticated = handler;
}

export function loginUrl(next: string = currentPath()): string {
	return next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

function currentPath(): string {
	return location.pathname + location.search + location.hash;
}

export interface RequestOptions {
	method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
	/** Sent as JSON with `Content-Type: application/json`. */
	body?: unknown;
	/** Query string parameters; `undefined` values are left out. */
	query?: Record<string, string | number | boolean | undefined>;
	/** On a 401, throw instead of going to the login page (to probe whether someone is logged in). */
	allowUnauthenticated?: boolean;
	signal?: AbortSignal;
}

/** For reads that a view may abandon (navigating away aborts them). */
export type Signal = Pick<RequestOptions, 'signal'>;

/** Calls `/api/v1${path}` and returns the parsed JSON answer (`undefined` for 204). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
	const { method = 'GET', body, query, allowUnauthenticated = false, signal } = options;

	let url = API_BASE + path;
	if (query) {
		const params = new URLSearchParams();
		for (const [key, value] of Object.entries(query)) {
			if (value !== undefined) params.set(key, String(value));
		}
		const qs = params.toString();
		if (qs) url += `?${qs}`;
	}

	const headers: Record<string, string> = { Accept: 'application/json' };
	if (body !== undefined) headers['Content-Type'] = 'application/json';

	let response: Response;
	try {
		response = await fetch(url, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			signal
		});
	} catch (cause) {
		if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
		throw new ApiError(0, 'network_error', 'Vigil could not be reached. Check your connection and try again.');
	}

	if (response.ok) {
		if (response.status === 204) return undefined as T;
		const text = await response.text();
		return (text ? JSON.parse(text) : undefined) as T;
	}

	const error = await toApiError(response);

	if (
		response.status === 401 &&
		error.code !== 'invalid_credentials' &&
		!allowUnauthenticated &&
		!AUTH_PAGES.test(location.pathname)
	) {
		onUnauthenticated?.();
		void goto(loginUrl(), { replaceState: true });
	}

	throw error;
}

async function toApiError(response: Response): Promise<ApiError> {
	const retryAfterHeader = response.headers.get('Retry-After');
	const retryAfter = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
	const headerRequestId = response.headers.get('X-Request-Id');

	let parsed: unknown = null;
	try {
		parsed = await response.json();
	} catch {
		// not JSON: a proxy or platform error page
	}

	if (isErrorBody(parsed)) {
		return new ApiError(
			response.status,
			parsed.error.code,
			parsed.error.message,
			parsed.requestId ?? headerRequestId,
			Array.isArray(parsed.error.details) ? parsed.error.details.filter(isErrorDetail) : [],
			retryAfter
		);
	}

	const statusText = response.statusText ? ` ${response.statusText}` : '';
	return new ApiError(
		response.status,
		'http_error',
		`The server answered ${response.status}${statusText}.`,
		headerRequestId,
		[],
		retryAfter
	);
}

function isErrorBody(value: unknown): value is ErrorBody {
	if (typeof value !== 'object' || value === null || !('error' in value)) return false;
	const error = (value as { error: unknown }).error;
	return (
		typeof error === 'object' &&
		error !== null &&
		typeof (error as { code?: unknown }).code === 'string' &&
		typeof (error as { message?: unknown }).message === 'string'
	);
}

function isErrorDetail(value: unknown): value is ErrorDetail {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { path?: unknown }).path === 'string' &&
		typeof (value as { message?: unknown }).message === 'string'
	);
}
