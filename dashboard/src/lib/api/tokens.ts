// The caller's API tokens (`Authorization: Bearer vgl_...`).
import { request } from './client.ts';
import type { ApiToken, CreateTokenRequest, CreatedApiToken, ListResponse } from './types.ts';

export const listTokens = () => request<ListResponse<ApiToken>>('/tokens');

/** The answer carries `token`, shown once. */
export const createToken = (body: CreateTokenRequest) =>
	request<CreatedApiToken>('/tokens', { method: 'POST', body });

export const deleteToken = (id: string) =>
	request<void>(`/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
