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

export const paths = {
	home: () => '/',
	login: () => '/login',
	signup: () => '/signup',
	account: () => '/account',
	newOrganization: () => '/orgs/new',
	organization: (org: string) => `/orgs/${seg(org)}`,
	organizationSettings: (org: string) => `/orgs/${seg(org)}/settings`,
	newProject: (org: string) => `/orgs/${seg(org)}/new-project`,
	project: (org: string, projectId: number | string, section: ProjectSection = 'overview') =>
		`/orgs/${seg(org)}/projects/${seg(String(projectId))}/${section}`,
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
