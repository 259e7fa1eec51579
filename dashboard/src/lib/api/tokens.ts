// The caller's API tokens (`Authorization: Bearer vgl_...`).
import { request, type Signal } from './client.ts';
import type { ApiToken, NewApiTokenRequest, NewApiToken, ListResponse } from './types.ts';

export const listTokens = (options: Signal = {}) => request<ListResponse<ApiToken>>('/tokens', options);

/** The answer carries `token`, shown once. */
export const createToken = (body: NewApiTokenRequest) =>
	request<NewApiToken>('/tokens', { method: 'POST', body });

export const deleteToken = (id: string) =>
	request<void>(`/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
