// The monitor editor's values: from a monitor (or defaults), checked as they are typed, and turned
// into the API's request. Times in the form are local (datetime-local inputs); the API's are ISO.
import {
	DEFAULT_REGIONS,
	type HttpMethod,
	type MaintenanceWindow,
	type Monitor,
	type MonitorType,
	type NewMonitorRequest,
	type Region
} from '../api/monitors.ts';

export type WindowValues =
	| { kind: 'once'; startsAt: string; endsAt: string; note: string }
	| { kind: 'recurring'; cron: string; durationMinutes: number | null; timezone: string; note: string };

export interface MonitorValues {
	name: string;
	type: MonitorType;
	url: string;
	method: HttpMethod;
	headers: { name: string; value: string }[];
	body: string;
	/** Comma-separated codes or classes: "2xx, 3xx". */
	expectedStatus: string;
	keyword: string;
	keywordMode: 'present' | 'absent';
	jsonPath: string;
	/** JSON text: "ok" (with quotes), 200, true … */
	jsonEquals: string;
	maxResponseMs: number | null;
	followRedirects: boolean;
	timeoutSeconds: number | null;
	intervalSeconds: number;
	regions: Region[];
	confirm: 'recheck' | 'rounds';
	confirmRounds: number | null;
	public: boolean;
	maintenance: WindowValues[];
}

/** Fields that can carry a message, named as the API names them (its `details[].path` first segment). */
export type MonitorField =
	| 'name'
	| 'type'
	| 'url'
	| 'method'
	| 'headers'
	| 'body'
	| 'expectedStatus'
	| 'keyword'
	| 'jsonAssertion'
	| 'maxResponseMs'
	| 'timeoutMs'
	| 'intervalSeconds'
	| 'regions'
	| 'confirmRounds'
	| 'maintenance';

export const MONITOR_FIELDS: readonly MonitorField[] = [
	'name',
	'type',
	'url',
	'method',
	'headers',
	'body',
	'expectedStatus',
	'keyword',
	'jsonAssertion',
	'maxResponseMs',
	'timeoutMs',
	'intervalSeconds',
	'regions',
	'confirmRounds',
	'maintenance'
];

/** The fields behind the "Advanced" disclosure. */
export const ADVANCED_FIELDS: readonly MonitorField[] = [
	'method',
	'headers',
	'body',
	'expectedStatus',
	'keyword',
	'jsonAssertion',
	'maxResponseMs',
	'timeoutMs',
	'maintenance'
];

export const localTimezone = () => {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
	} catch {
		return 'UTC';
	}
};

/** ISO → the value of a datetime-local input, in the viewer's timezone. */
export function toLocalInput(iso: string): string {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return '';
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value → ISO, or null when it is not a time. */
export function fromLocalInput(value: string): string | null {
	if (!value) return null;
	const d = new Date(value);
	return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function defaultValues(): MonitorValues {
	return {
		name: '',
		type: 'http',
		url: '',
		method: 'GET',
		headers: [],
		body: '',
		expectedStatus: '2xx, 3xx',
		keyword: '',
		keywordMode: 'present',
		jsonPath: '',
		jsonEquals: '',
		maxResponseMs: null,
		followRedirects: true,
		timeoutSeconds: 10,
		intervalSeconds: 60,
		regions: [...DEFAULT_REGIONS],
		confirm: 'recheck',
		confirmRounds: 2,
		public: false,
		maintenance: []
	};
}

export function valuesOf(m: Monitor): MonitorValues {
	return {
		name: m.name,
		type: m.type,
		url: m.url,
		method: (m.method as HttpMethod) ?? 'GET',
		headers: Object.entries(m.headers).map(([name, value]) => ({ name, value })),
		body: m.body ?? '',
		expectedStatus: m.expectedStatus.join(', '),
		keyword: m.keyword ?? '',
		keywordMode: m.keywordMode,
		jsonPath: m.jsonAssertion?.path ?? '',
		jsonEquals: m.jsonAssertion ? JSON.stringify(m.jsonAssertion.equals ?? null) : '',
		maxResponseMs: m.maxResponseMs,
		followRedirects: m.followRedirects,
		timeoutSeconds: m.timeoutMs / 1000,
		intervalSeconds: m.intervalSeconds,
		regions: [...m.regions],
		confirm: m.confirmRounds >= 2 ? 'rounds' : 'recheck',
		confirmRounds: m.confirmRounds >= 2 ? m.confirmRounds : 2,
		public: m.public,
		maintenance: m.maintenance.map((w) =>
			w.kind === 'once'
				? { kind: 'once', startsAt: toLocalInput(w.startsAt), endsAt: toLocalInput(w.endsAt), note: w.note ?? '' }
				: { kind: 'recurring', cron: w.cron, durationMinutes: w.durationMinutes, timezone: w.timezone ?? 'UTC', note: w.note ?? '' }
		)
	};
}

/** Does the monitor use anything behind "Advanced"? Then the editor opens it. */
export function usesAdvanced(v: MonitorValues): boolean {
	const d = defaultValues();
	return (
		v.method !== d.method ||
		v.headers.length > 0 ||
		v.body !== '' ||
		v.expectedStatus.replace(/\s/g, '') !== d.expectedStatus.replace(/\s/g, '') ||
		v.keyword !== '' ||
		v.jsonPath !== '' ||
		v.maxResponseMs !== null ||
		!v.followRedirects ||
		v.timeoutSeconds !== d.timeoutSeconds ||
		v.maintenance.length > 0
	);
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const STATUS = /^([1-5]xx|[1-5]\d\d)$/i;
const JSON_PATH = /^\$(\.[^.[\]]+|\[\d+\]|\["[^"]*"\])*$/;

/** host:port, with an IPv6 host in brackets. */
function hostPort(target: string): boolean {
	const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target.trim());
	return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

/** What is wrong with the values as they stand, by field; empty when they can be sent. */
export function problems(v: MonitorValues): Partial<Record<MonitorField, string>> {
	const out: Partial<Record<MonitorField, string>> = {};
	if (!v.name.trim()) out.name = 'Give the monitor a name.';
	else if (v.name.trim().length > 100) out.name = 'At most 100 characters.';

	const url = v.url.trim();
	if (!url) out.url = v.type === 'tcp' ? 'Enter host:port, e.g. db.example.com:5432.' : 'Enter the URL to check.';
	else if (v.type === 'tcp') {
		if (!hostPort(url)) out.url = 'For a TCP monitor, write host:port (for example db.example.com:5432).';
	} else {
		let parsed: URL | null = null;
		try {
			parsed = new URL(url);
		} catch {
			parsed = null;
		}
		if (!parsed || !/^https?:$/.test(parsed.protocol)) out.url = 'Enter a full http:// or https:// URL, e.g. https://example.com/health-check/.';
	}

	if (v.type === 'http') {
		const names = v.headers.map((h) => h.name.trim()).filter(Boolean);
		const bad = names.find((n) => !HEADER_NAME.test(n));
		if (bad) out.headers = `"${bad}" is not a valid header name.`;
		else if (v.headers.some((h) => !h.name.trim() && h.value.trim())) out.headers = 'A header with a value needs a name.';
		else if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) out.headers = 'Each header once.';
		else if (names.length > 20) out.headers = 'At most 20 headers.';

		const codes = v.expectedStatus.split(/[\s,]+/).filter(Boolean);
		const badCode = codes.find((c) => !STATUS.test(c));
		if (badCode) out.expectedStatus = `"${badCode}" is not a status: use codes like 200 or classes like 2xx.`;

		if (v.keyword.length > 200) out.keyword = 'At most 200 characters.';

		if (v.jsonPath.trim() || v.jsonEquals.trim()) {
			if (!JSON_PATH.test(v.jsonPath.trim())) out.jsonAssertion = 'Write the path like $.status or $.checks[0].database.';
			else if (!v.jsonEquals.trim()) out.jsonAssertion = 'Enter the JSON value expected at the path, e.g. "ok" with the quotes.';
			else if (!parseJson(v.jsonEquals).ok) out.jsonAssertion = 'The expected value must be JSON: "ok" (with quotes), 200, true or null.';
		}
		if (v.body.length > 10_000) out.body = 'At most 10,000 characters.';
	}

	if (v.maxResponseMs !== null && (!Number.isInteger(v.maxResponseMs) || v.maxResponseMs < 1 || v.maxResponseMs > 60_000))
		out.maxResponseMs = 'Milliseconds, 1 to 60000, or empty for no limit.';
	if (v.timeoutSeconds === null || !(v.timeoutSeconds >= 0.5 && v.timeoutSeconds <= 30)) out.timeoutMs = 'Seconds, 0.5 to 30.';

	if (v.regions.length === 0) out.regions = 'Choose at least one region.';
	else if (v.regions.length > 5) out.regions = 'At most 5 regions.';

	if (v.confirm === 'rounds' && !(Number.isInteger(v.confirmRounds) && v.confirmRounds! >= 2 && v.confirmRounds! <= 10))
		out.confirmRounds = 'A whole number of rounds, 2 to 10.';

	v.maintenance.forEach((w, i) => {
		if (out.maintenance) return;
		const n = `Window ${i + 1}`;
		if (w.kind === 'once') {
			const a = fromLocalInput(w.startsAt);
			const b = fromLocalInput(w.endsAt);
			if (!a || !b) out.maintenance = `${n}: set both the start and the end.`;
			else if (Date.parse(b) <= Date.parse(a)) out.maintenance = `${n}: the end must be after the start.`;
		} else {
			const fields = w.cron.trim().split(/\s+/).filter(Boolean);
			if (fields.length < 5 || fields.length > 6) out.maintenance = `${n}: write the schedule as a crontab line, e.g. 0 3 * * 0 (Sundays at 03:00).`;
			else if (!(Number.isInteger(w.durationMinutes) && w.durationMinutes! >= 1 && w.durationMinutes! <= 1440))
				out.maintenance = `${n}: the duration is 1 to 1440 minutes.`;
			else if (!w.timezone.trim()) out.maintenance = `${n}: choose a timezone, e.g. UTC or Europe/Paris.`;
		}
	});
	return out;
}

/** The API request for these values (assumed free of problems). */
export function requestOf(v: MonitorValues): NewMonitorRequest {
	const http = v.type === 'http';
	const json = http && v.jsonPath.trim() ? parseJson(v.jsonEquals) : null;
	const maintenance: MaintenanceWindow[] = v.maintenance.map((w) =>
		w.kind === 'once'
			? {
					kind: 'once',
					startsAt: fromLocalInput(w.startsAt) ?? w.startsAt,
					endsAt: fromLocalInput(w.endsAt) ?? w.endsAt,
					...(w.note.trim() ? { note: w.note.trim() } : {})
				}
			: {
					kind: 'recurring',
					cron: w.cron.trim(),
					durationMinutes: w.durationMinutes ?? 60,
					timezone: w.timezone.trim() || 'UTC',
					...(w.note.trim() ? { note: w.note.trim() } : {})
				}
	);
	return {
		name: v.name.trim(),
		type: v.type,
		url: v.url.trim(),
		method: http ? v.method : 'GET',
		headers: http ? Object.fromEntries(v.headers.filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value])) : {},
		body: http && v.body && v.method !== 'GET' && v.method !== 'HEAD' ? v.body : null,
		expectedStatus: http ? v.expectedStatus.split(/[\s,]+/).filter(Boolean).map((c) => c.toLowerCase()) : ['2xx', '3xx'],
		keyword: http && v.keyword ? v.keyword : null,
		keywordMode: v.keywordMode,
		jsonAssertion: json && json.ok ? { path: v.jsonPath.trim(), equals: json.value } : null,
		maxResponseMs: v.maxResponseMs,
		followRedirects: v.followRedirects,
		timeoutMs: Math.round((v.timeoutSeconds ?? 10) * 1000),
		intervalSeconds: v.intervalSeconds,
		regions: v.regions,
		confirmRounds: v.confirm === 'rounds' ? (v.confirmRounds ?? 2) : 0,
		public: v.public,
		maintenance
	};
}

/**
 * The whole definition of a saved monitor, as a request. A change such as pausing sends it along:
 * the Worker fills fields left out of a PATCH with their defaults, so a partial body would reset them.
 */
export function definitionOf(m: Monitor): NewMonitorRequest {
	return {
		name: m.name,
		type: m.type,
		url: m.url,
		method: m.method as HttpMethod,
		headers: m.headers,
		body: m.body,
		expectedStatus: m.expectedStatus,
		keyword: m.keyword,
		keywordMode: m.keywordMode,
		jsonAssertion: m.jsonAssertion ? { path: m.jsonAssertion.path, equals: m.jsonAssertion.equals ?? null } : null,
		maxResponseMs: m.maxResponseMs,
		followRedirects: m.followRedirects,
		timeoutMs: m.timeoutMs,
		intervalSeconds: m.intervalSeconds,
		regions: m.regions,
		confirmRounds: m.confirmRounds,
		public: m.public,
		paused: m.paused,
		maintenance: m.maintenance
	};
}
