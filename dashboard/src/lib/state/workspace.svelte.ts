// The projects of each organization (for the switcher and the first-run redirects),
// and which organization and project were opened last.
import { listProjects } from '../api/projects.ts';
import { ApiError, isApiError } from '../api/client.ts';
import type { Project } from '../api/types.ts';

const LAST_ORG_KEY = 'vigil.lastOrg';
const LAST_PROJECT_KEY = 'vigil.lastProject.';

function read(key: string): string | null {
	try {
		return localStorage.getItem(key);
	} catch {
		return null;
	}
}

function write(key: string, value: string): void {
	try {
		localStorage.setItem(key, value);
	} catch {
		// private mode: remembering is a nicety
	}
}

class Workspace {
	/** Projects by organization slug; missing until loaded. */
	projects = $state<Record<string, Project[]>>({});
	errors = $state<Record<string, ApiError>>({});
	#pending = new Map<string, Promise<Project[]>>();

	/** Loads an organization's projects (once, unless `force`). */
	loadProjects(orgSlug: string, force = false): Promise<Project[]> {
		const known = this.projects[orgSlug];
		if (known && !force) return Promise.resolve(known);
		let pending = this.#pending.get(orgSlug);
		if (!pending) {
			pending = listProjects(orgSlug)
				.then((answer) => {
					this.projects[orgSlug] = answer.data;
					delete this.errors[orgSlug];
					return answer.data;
				})
				.catch((error: unknown) => {
					if (isApiError(error)) this.errors[orgSlug] = error;
					throw error;
				})
				.finally(() => this.#pending.delete(orgSlug));
			this.#pending.set(orgSlug, pending);
		}
		return pending;
	}

	/** Puts a created or renamed project in the list. */
	upsertProject(project: Project): void {
		const slug = project.organization.slug;
		const list = this.projects[slug];
		if (!list) return;
		const index = list.findIndex((p) => p.id === project.id);
		if (index === -1) list.push(project);
		else list[index] = project;
	}

	removeProject(orgSlug: string, id: number): void {
		const list = this.projects[orgSlug];
		if (list) this.projects[orgSlug] = list.filter((p) => p.id !== id);
	}

	get lastOrg(): string | null {
		return read(LAST_ORG_KEY);
	}

	lastProject(orgSlug: string): number | null {
		const value = Number(read(LAST_PROJECT_KEY + orgSlug));
		return Number.isInteger(value) && value > 0 ? value : null;
	}

	remember(orgSlug: string, projectId?: number): void {
		write(LAST_ORG_KEY, orgSlug);
		if (projectId !== undefined) write(LAST_PROJECT_KEY + orgSlug, String(projectId));
	}

	/** The project to open in an organization: the last one opened there, else the first. */
	preferredProject(orgSlug: string): Project | undefined {
		const list = this.projects[orgSlug] ?? [];
		const last = this.lastProject(orgSlug);
		return list.find((p) => p.id === last) ?? list[0];
	}

	clear(): void {
		this.projects = {};
		this.errors = {};
	}
}

export const workspace = new Workspace();
