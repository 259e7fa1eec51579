// Organizations, their members and their invites.
import { request, type Signal } from './client.ts';
import type {
	NewInviteRequest,
	NewOrganizationRequest,
	NewInvite,
	Invite,
	ListResponse,
	Member,
	Organization,
	ChangeRoleRequest,
	UpdateOrganizationRequest
} from './types.ts';

const org = (slug: string) => `/orgs/${encodeURIComponent(slug)}`;

export const listOrganizations = (options: Signal = {}) => request<ListResponse<Organization>>('/orgs', options);

export const createOrganization = (body: NewOrganizationRequest) =>
	request<Organization>('/orgs', { method: 'POST', body });

export const getOrganization = (slug: string, options: Signal = {}) => request<Organization>(org(slug), options);

/** admin+ */
export const updateOrganization = (slug: string, body: UpdateOrganizationRequest) =>
	request<Organization>(org(slug), { method: 'PATCH', body });

/** owner; deletes every project in it too. */
export const deleteOrganization = (slug: string) => request<void>(org(slug), { method: 'DELETE' });

export const listMembers = (slug: string, options: Signal = {}) =>
	request<ListResponse<Member>>(`${org(slug)}/members`, options);

/** admin+; only owners grant or revoke owner; the last owner can't be demoted. */
export const updateMember = (slug: string, userId: string, body: ChangeRoleRequest) =>
	request<Member>(`${org(slug)}/members/${encodeURIComponent(userId)}`, { method: 'PATCH', body });

/** admin+, or yourself (leave); the last owner can't leave. */
export const removeMember = (slug: string, userId: string) =>
	request<void>(`${org(slug)}/members/${encodeURIComponent(userId)}`, { method: 'DELETE' });

/** admin+ */
export const listInvites = (slug: string, options: Signal = {}) =>
	request<ListResponse<Invite>>(`${org(slug)}/invites`, options);

/** The answer carries `token` and `url`, shown once. */
export const createInvite = (slug: string, body: NewInviteRequest) =>
	request<NewInvite>(`${org(slug)}/invites`, { method: 'POST', body });

export const revokeInvite = (slug: string, id: string) =>
	request<void>(`${org(slug)}/invites/${encodeURIComponent(id)}`, { method: 'DELETE' });
