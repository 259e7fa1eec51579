// Issues (errors grouped by cause) and their events.
import { request, type Signal } from './client.ts';
import type {
	BulkUpdateIssuesRequest,
	BulkUpdateIssuesResponse,
	EventDetail,
	EventSummary,
	IssueDetail,
	Issue,
	IssueListParams,
	ListResponse,
	SampleEventResponse,
	UpdateIssueRequest
} from './types.ts';

const project = (id: number) => `/projects/${id}`;
const issue = (id: number) => `/issues/${id}`;

/** GET /projects/{id}/issues: one page, ordered by `sort` (newest activity first by default). */
export const listIssues = (projectId: number, params: IssueListParams = {}, options: Signal = {}) =>
	request<ListResponse<Issue>>(`${project(projectId)}/issues`, { ...options, query: { ...params } });

/** PATCH /projects/{id}/issues: resolve, ignore or reopen up to 100 issues at once. */
export const bulkUpdateIssues = (projectId: number, body: BulkUpdateIssuesRequest) =>
	request<BulkUpdateIssuesResponse>(`${project(projectId)}/issues`, { method: 'PATCH', body });

/** GET /issues/{id}: the issue with its 14-day histogram, tag distributions and first/last event ids. */
export const getIssue = (id: number, options: Signal = {}) => request<IssueDetail>(issue(id), options);

/** PATCH /issues/{id}: answers the issue as it is now. */
export const updateIssue = (id: number, body: UpdateIssueRequest) =>
	request<IssueDetail>(issue(id), { method: 'PATCH', body });

/** GET /issues/{id}/events: newest first. */
export const listIssueEvents = (id: number, params: { limit?: number; cursor?: string } = {}, options: Signal = {}) =>
	request<ListResponse<EventSummary>>(`${issue(id)}/events`, { ...options, query: { ...params } });

/** GET /projects/{id}/events/{eventId}: the full stored event with its older and newer neighbours. */
export const getEvent = (projectId: number, eventId: string, options: Signal = {}) =>
	request<EventDetail>(`${project(projectId)}/events/${encodeURIComponent(eventId)}`, options);

/** POST /projects/{id}/sample-event → 202; the sample issue appears within a few seconds. */
export const sendSampleEvent = (projectId: number) =>
	request<SampleEventResponse>(`${project(projectId)}/sample-event`, { method: 'POST' });

/** Where an attachment of an event downloads from (same origin, with the session cookie). */
export const attachmentUrl = (projectId: number, eventId: string, name: string) =>
	`/api/v1${project(projectId)}/events/${encodeURIComponent(eventId)}/attachments/${encodeURIComponent(name)}`;
