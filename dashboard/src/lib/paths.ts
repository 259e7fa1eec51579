// Dashboard URLs. State lives in the URL, so every view has one and can be shared.

export type ProjectSection =
	| 'overview'
	| 'issues'
	| 'performance'
	| 'logs'
	| 'uptime'
	| 'crons'
	| 'alerts'
	| 'timeline'
	| 'setup'
	| 'settings';

const seg = encodeURIComponent;

/** `?a=1&b=2` of the values set, or nothing. */
function query(search: Record<string, string | undefined>): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(search)) if (value !== undefined && value !== '') params.set(key, value);
	const qs = params.toString();
	return qs ? `?${qs}` : '';
}

export const paths = {
	home: () => '/',
	login: () => '/login',
	signup: () => '/signup',
	account: () => '/account',
	/** The docs: the list, or one page (docs/<page>.md) and a heading's anchor in it. */
	help: (page?: string, anchor?: string) => (page ? `/help/${seg(page)}${anchor ? `#${anchor}` : ''}` : '/help'),
	newOrganization: () => '/orgs/new',
	organization: (org: string) => `/orgs/${seg(org)}`,
	organizationSettings: (org: string) => `/orgs/${seg(org)}/settings`,
	newProject: (org: string) => `/orgs/${seg(org)}/new-project`,
	project: (org: string, projectId: number | string, section: ProjectSection = 'overview') =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/${section}`,
	/** The issue list; `query` and `sort` only when they differ from the defaults. */
	issues: (org: string, projectId: number | string, search: { query?: string; sort?: string } = {}) => {
		const params = new URLSearchParams();
		if (search.query !== undefined) params.set('query', search.query);
		if (search.sort) params.set('sort', search.sort);
		const qs = params.toString();
		return `/orgs/${seg(org)}/projects/${seg(String(projectId))}/issues${qs ? `?${qs}` : ''}`;
	},
	/** An issue; with `eventId`, that event instead of the latest. */
	issue: (org: string, projectId: number | string, issueId: number | string, eventId?: string | null) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/issues/${seg(String(issueId))}` +
		(eventId ? `?event=${seg(eventId)}` : ''),
	/** An uptime monitor's page; with `search`, its chart window (`range`, or `from` and `to`). */
	monitor: (org: string, projectId: number | string, monitorId: number | string, search: Record<string, string> = {}) => {
		const qs = new URLSearchParams(search).toString();
		return `/orgs/${seg(org)}/projects/${seg(String(projectId))}/uptime/${seg(String(monitorId))}${qs ? `?${qs}` : ''}`;
	},
	newMonitor: (org: string, projectId: number | string) => `/orgs/${seg(org)}/projects/${seg(String(projectId))}/uptime/new`,
	editMonitor: (org: string, projectId: number | string, monitorId: number | string) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/uptime/${seg(String(monitorId))}/edit`,
	/** A cron monitor's page. */
	cron: (org: string, projectId: number | string, cronId: number | string) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/crons/${seg(String(cronId))}`,
	newCron: (org: string, projectId: number | string) => `/orgs/${seg(org)}/projects/${seg(String(projectId))}/crons/new`,
	editCron: (org: string, projectId: number | string, cronId: number | string) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/crons/${seg(String(cronId))}/edit`,
	/** The routes table; `search`: `range`, `sort`, `order`, each only when not the default. */
	performance: (org: string, projectId: number | string, search: Record<string, string | undefined> = {}) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/performance${query(search)}`,
	/** One route (transaction name, any characters) over `range`. */
	performanceRoute: (org: string, projectId: number | string, transaction: string, search: { range?: string } = {}) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/performance/route${query({ transaction, ...search })}`,
	/** A trace's waterfall; with `event`, that transaction of it is the one scrolled to. */
	trace: (org: string, projectId: number | string, traceId: string, search: { event?: string } = {}) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/performance/traces/${seg(traceId)}${query(search)}`,
	/** The log search; `search`: `q`, `from`, `to` (ISO 8601, or `from=now-1h` for a window ending now), `level`. */
	logs: (org: string, projectId: number | string, search: { q?: string; from?: string; to?: string; level?: string } = {}) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/logs${query(search)}`,
	/** The timeline; `from`/`to` as in the log search (ISO 8601, or `from=now-6h` for a window ending now). */
	timeline: (org: string, projectId: number | string, search: { from?: string; to?: string } = {}) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/timeline${query(search)}`,
	/** The releases of a project, newest first. */
	releases: (org: string, projectId: number | string) => `/orgs/${seg(org)}/projects/${seg(String(projectId))}/releases`,
	/** A release (version, any characters). */
	release: (org: string, projectId: number | string, version: string) =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/releases/${seg(version)}`,
	invite: (token: string) => `/invite/${seg(token)}`
};

/** A `next=` value is only followed when it is a path on this site. */
export function safeNext(next: string | null | undefined): string | null {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
	return next;
}

export function withNext(path: string, next: string | null): string {
	return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}
