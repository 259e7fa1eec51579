// Projects and their DSN keys.
import { API_BASE, request, type Signal } from './client.ts';
import type {
	NewProjectKeyRequest,
	NewProjectRequest,
	ListResponse,
	Project,
	ProjectKey,
	UpdateProjectRequest
} from './types.ts';

const project = (id: number) => `/projects/${id}`;

export const listProjects = (orgSlug: string, options: Signal = {}) =>
	request<ListResponse<Project>>(`/orgs/${encodeURIComponent(orgSlug)}/projects`, options);

/** admin+; also creates the project's first key. */
export const createProject = (orgSlug: string, body: NewProjectRequest) =>
	request<Project>(`/orgs/${encodeURIComponent(orgSlug)}/projects`, { method: 'POST', body });

export const getProject = (id: number, options: Signal = {}) => request<Project>(project(id), options);

/** admin+ */
export const updateProject = (id: number, body: UpdateProjectRequest) =>
	request<Project>(project(id), { method: 'PATCH', body });

/** admin+ */
export const deleteProject = (id: number) => request<void>(project(id), { method: 'DELETE' });

/** admin+; a JSON file download (project, issues, every event), opened as a plain link so the browser saves it. */
export const projectExportUrl = (id: number) => `${API_BASE}${project(id)}/export`;

export const listProjectKeys = (id: number, options: Signal = {}) =>
	request<ListResponse<ProjectKey>>(`${project(id)}/keys`, options);

/** admin+ */
export const createProjectKey = (id: number, body: NewProjectKeyRequest = {}) =>
	request<ProjectKey>(`${project(id)}/keys`, { method: 'POST', body });

/** Answers the new key; the old one is revoked. */
export const rotateProjectKey = (id: number, keyId: string) =>
	request<ProjectKey>(`${project(id)}/keys/${encodeURIComponent(keyId)}/rotate`, { method: 'POST' });

/** Answers the revoked key (the row is kept). */
export const revokeProjectKey = (id: number, keyId: string) =>
	request<ProjectKey>(`${project(id)}/keys/${encodeURIComponent(keyId)}`, { method: 'DELETE' });
