// Invite links, as seen by the person who received one.
import { request, type Signal } from './client.ts';
import type { InvitePreview, Organization } from './types.ts';

const invite = (token: string) => `/invites/${encodeURIComponent(token)}`;

/** No login needed; 404 when the invite is unknown, expired or used. */
export const getInvite = (token: string, options: Signal = {}) =>
	request<InvitePreview>(invite(token), { ...options, allowUnauthenticated: true });

/** Must be logged in. Answers the organization joined. */
export const acceptInvite = (token: string) =>
	request<Organization>(`${invite(token)}/accept`, { method: 'POST', allowUnauthenticated: true });
