// Alerts: channels (per organization), rules (per project) and the delivery log.
import { request, type Signal } from './client.ts';
import type { Schemas } from './openapi.gen.ts';
import type {
	Alert,
	AlertListParams,
	AlertRule,
	Channel,
	ListResponse,
	NewAlertRuleRequest,
	NewChannel,
	NewChannelRequest,
	TestAlertResult,
	UpdateAlertRuleRequest
} from './types.ts';

const org = (slug: string) => `/orgs/${encodeURIComponent(slug)}`;
const channel = (id: string) => `/channels/${encodeURIComponent(id)}`;
const rule = (id: string) => `/alert-rules/${encodeURIComponent(id)}`;
const project = (id: number) => `/projects/${id}`;

/** GET /orgs/{org}/channels: oldest first (the first one receives the default rules). */
export const listChannels = (orgSlug: string, options: Signal = {}) =>
	request<ListResponse<Channel>>(`${org(orgSlug)}/channels`, options);

/** admin+; a webhook channel's answer carries its signing `secret`, shown only this once. */
export const createChannel = (orgSlug: string, body: NewChannelRequest) =>
	request<NewChannel>(`${org(orgSlug)}/channels`, { method: 'POST', body });

/** admin+ */
export const deleteChannel = (id: string) => request<void>(channel(id), { method: 'DELETE' });

/** Sends one test alert now (no retries) and answers what the receiver said; it shows in the delivery log. */
/** Send a test alert now; with `projectId`, its link leads to that project's Alerts page. */
export const testChannel = (id: string, projectId?: number) =>
	request<TestAlertResult>(`${channel(id)}/test`, { method: 'POST', body: projectId ? { projectId } : {} });

export const listAlertRules = (projectId: number, options: Signal = {}) =>
	request<ListResponse<AlertRule>>(`${project(projectId)}/alert-rules`, options);

/** admin+ */
export const createAlertRule = (projectId: number, body: NewAlertRuleRequest) =>
	request<AlertRule>(`${project(projectId)}/alert-rules`, { method: 'POST', body });

/** admin+ */
export const updateAlertRule = (id: string, body: UpdateAlertRuleRequest) =>
	request<AlertRule>(rule(id), { method: 'PATCH', body });

/** admin+ */
export const deleteAlertRule = (id: string) => request<void>(rule(id), { method: 'DELETE' });

/** GET /projects/{id}/alerts: the delivery log, newest first, with the organization's test alerts. */
export const listAlerts = (projectId: number, params: AlertListParams = {}, options: Signal = {}) =>
	request<ListResponse<Alert>>(`${project(projectId)}/alerts`, { ...options, query: { ...params } });

// The types above are the OpenAPI document's schemas of the same names: a change on either side fails the check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type AlertSchemasMatch = [
	Assert<Same<Channel, Schemas['Channel']>>,
	Assert<Same<NewChannel, Schemas['NewChannel']>>,
	Assert<Same<NewChannelRequest, Schemas['NewChannelRequest']>>,
	Assert<Same<TestAlertResult, Schemas['TestAlertResult']>>,
	Assert<Same<AlertRule, Schemas['AlertRule']>>,
	Assert<Same<NewAlertRuleRequest, Schemas['NewAlertRuleRequest']>>,
	Assert<Same<UpdateAlertRuleRequest, Schemas['UpdateAlertRuleRequest']>>,
	Assert<Same<Alert, Schemas['Alert']>>
];
