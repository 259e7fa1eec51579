// The project open in the frame (/orgs/{org}/projects/{id}/...), shared with its pages.
import { createContext } from 'svelte';
import { getProject } from '../api/projects.ts';
import type { Project } from '../api/types.ts';
import { Resource } from './resource.svelte.ts';
import { workspace } from './workspace.svelte.ts';

export class ProjectState {
	readonly resource: Resource<Project>;
	#last = $state<Project | undefined>(undefined);

	constructor(id: () => number) {
		this.resource = new Resource(async (signal) => {
			const project = await getProject(id(), { signal });
			workspace.upsertProject(project);
			this.#last = project;
			return project;
		});
	}

	/** The loaded project, `undefined` while it loads. */
	get project(): Project | undefined {
		return this.resource.data;
	}

	/**
	 * For the project's pages, which the layout renders only once the project is loaded:
	 * the project, or the previous one for the instant a navigation to another one takes.
	 */
	get current(): Project {
		const project = this.resource.data ?? this.#last;
		if (!project) throw new Error('The project is not loaded yet.');
		return project;
	}

	/** After a change elsewhere (rename, key rotation) that changes the project's answer. */
	set(project: Project): void {
		this.resource.data = project;
		this.#last = project;
		workspace.upsertProject(project);
	}
}

const [getProjectState, setProjectState] = createContext<ProjectState>();

export { getProjectState, setProjectState };
