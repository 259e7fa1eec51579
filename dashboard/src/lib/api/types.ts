// Types of the Vigil management API (/api/v1), as written in the foundation contract.
// Entity names and shapes are identical to the contract; request and answer names are those
// of the OpenAPI document's components (GET /api/v1/openapi.json), so each type here can be
// checked against the schema of the same name. One exception: the `Error` component is
// `ErrorBody` here, so as not to shadow the global `Error`.
// Times are ISO 8601 UTC strings.

export type Role = 'owner' | 'admin' | 'member';

export const ROLES: readonly Role[] = ['owner', 'admin', 'member'];

export interface User {
	id: string;
	email: string;
	name: string;
	createdAt: string;
}

export interface Organization {
	id: string;
	slug: string;
	name: string;
	/** The caller's role in this organization. */
	role: Role;
	createdAt: string;
}

export type Platform = 'django';

export interface Project {
	id: number;
	slug: string;
	name: string;
	platform: Platform;
	organization: { slug: string; name: string };
	/** The first active key's DSN, "" if the project has no active key. */
	dsn: string;
	settings: ProjectSettings;
	createdAt: string;
}

/** Ingest settings of a project. */
export interface ProjectSettings {
	/** Items accepted per minute per category before 429. */
	rateLimitPerMinute: number;
	/** Items accepted per calendar month (UTC) per category before 429. */
	monthlyQuota: number;
	/** Keep client IP addresses on events. */
	storeIp: boolean;
	/** Extra field names to scrub, beyond the built-in list. */
	scrubFields: string[];
	/** Apdex T in ms: requests up to T satisfy, up to 4T are tolerated. */
	apdexThresholdMs: number;
	/** Days log lines stay full-text indexed (search, live tail) before they move to the archive. */
	logsHotDays: number;
	/** Days log lines are kept at all, hot and archived. */
	logsRetentionDays: number;
	/** Days error and performance events (with their attachments) are kept; an issue goes with its last event. */
	eventsRetentionDays: number;
	/** Days the hourly uptime check history is kept (raw checks are folded into it after 48 hours). */
	checksRetentionDays: number;
	/** Days stored transactions (traces) are kept; the performance rollups are kept by resolution. */
	transactionsRetentionDays: number;
}

export type ProjectKeyStatus = 'active' | 'revoked';

export interface ProjectKey {
	id: string;
	label: string;
	publicKey: string;
	dsn: string;
	status: ProjectKeyStatus;
	createdAt: string;
	revokedAt: string | null;
}

export interface Member {
	userId: string;
	email: string;
	name: string;
	role: Role;
	joinedAt: string;
}

export interface Invite {
	id: string;
	email: string | null;
	role: Role;
	createdAt: string;
	expiresAt: string;
	/** Name or email of the member who created the invite. */
	invitedBy: string;
}

export interface ApiToken {
	id: string;
	name: string;
	/** The first characters of the token, e.g. "vgl_ab12". */
	prefix: string;
	/** `["read"]`: GET only; `["read", "write"]`: every method. */
	scopes: TokenScope[];
	createdAt: string;
	lastUsedAt: string | null;
}

export type TokenScope = 'read' | 'write';

/** A list answer: `{ data: [...] }`. */
export interface ListResponse<T> {
	data: T[];
	nextCursor?: string;
}

/** Error body of every 4xx/5xx answer (the `Error` component). */
export type ErrorCode =
	| 'validation_failed'
	| 'malformed_json'
	| 'unauthenticated'
	| 'invalid_credentials'
	| 'forbidden'
	| 'insufficient_scope'
	| 'csrf_failed'
	| 'not_found'
	| 'conflict'
	| 'payload_too_large'
	| 'unsupported_media_type'
	| 'too_many_requests'
	| 'internal_error';

/** One problem of a `validation_failed` answer; `path` names the field, e.g. "password". */
export interface ErrorDetail {
	path: string;
	message: string;
}

export interface ErrorBody {
	error: {
		code: ErrorCode | (string & {});
		message: string;
		details?: ErrorDetail[];
	};
	requestId: string;
}

// ---- auth ----

export interface SignupRequest {
	email: string;
	/** 8..256 characters. */
	password: string;
	name?: string;
}

export interface SignupResponse {
	user: User;
	organization: Organization;
}

export interface LoginRequest {
	email: string;
	password: string;
}

export interface LoginResponse {
	user: User;
}

export interface Me {
	user: User;
	organizations: Organization[];
}

// ---- API tokens ----

export interface NewApiTokenRequest {
	name: string;
	/** Default `["read", "write"]`. */
	scopes?: TokenScope[];
}

/** The created token; `token` is shown once. */
export type NewApiToken = ApiToken & { token: string };

// ---- organizations ----

export interface NewOrganizationRequest {
	name: string;
	slug?: string;
}

export interface UpdateOrganizationRequest {
	name: string;
}

export interface ChangeRoleRequest {
	role: Role;
}

export interface NewInviteRequest {
	role: Role;
	email?: string;
}

/** The created invite; `token` and `url` (origin + "/invite/" + token) are shown once. */
export type NewInvite = Invite & { token: string; url: string };

/** What anyone holding an invite link can see (no login needed). */
export interface InvitePreview {
	organization: { slug: string; name: string };
	role: Role;
	email: string | null;
	expiresAt: string;
}

// ---- projects ----

export interface NewProjectRequest {
	name: string;
	platform?: Platform;
}

export interface UpdateProjectRequest {
	name?: string;
	rateLimitPerMinute?: number;
	monthlyQuota?: number;
	storeIp?: boolean;
	scrubFields?: string[];
	apdexThresholdMs?: number;
	/** 1..30 */
	logsHotDays?: number;
	/** 1..400 */
	logsRetentionDays?: number;
	/** 1..400 */
	eventsRetentionDays?: number;
	/** 7..400 */
	checksRetentionDays?: number;
	/** 1..90 */
	transactionsRetentionDays?: number;
}

export interface NewProjectKeyRequest {
	label?: string;
}

// ---- issues and events ----

export type Level = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

export const LEVELS: readonly Level[] = ['fatal', 'error', 'warning', 'info', 'debug'];

export type IssueStatus = 'unresolved' | 'resolved' | 'ignored';

export type IssueSubstatus = 'new' | 'ongoing' | 'regressed' | 'unignored';

export type IssueSort = 'lastSeen' | 'firstSeen' | 'events' | 'users';

export interface Issue {
	id: number;
	projectId: number;
	kind: 'error' | 'performance';
	/** "ZeroDivisionError: division by zero", or the message of a message event. */
	title: string;
	/** Where it happened: "store.reports in conversion_rate", or the transaction ("/checkout/"). */
	culprit: string;
	type: string;
	value: string;
	level: Level;
	status: IssueStatus;
	substatus: IssueSubstatus;
	/** Resolved "in the next release": events of this release (or older) do not reopen it. */
	resolvedInRelease: string | null;
	ignoredUntil: string | null;
	/** Ignored until the event count reaches this number. */
	ignoredUntilCount: number | null;
	/** Events, all time. */
	count: number;
	/** Distinct users affected. */
	userCount: number;
	firstSeen: string;
	lastSeen: string;
	firstRelease: string | null;
	lastRelease: string | null;
	groupingAlgorithm: string;
	/** Events per hour over the last 24 hours, oldest first (24 numbers). */
	sparkline: number[];
}

/** Search of `GET /projects/{id}/issues`. */
export interface IssueListParams {
	/** Tokens: `is:unresolved|resolved|ignored|regressed level: release: environment: user.email:` and free text. */
	query?: string;
	status?: IssueStatus;
	environment?: string;
	release?: string;
	sort?: IssueSort;
	/** 1..100, default 50. */
	limit?: number;
	cursor?: string;
}

export interface IssueHour {
	/** Start of the hour (ISO). */
	hour: string;
	count: number;
}

/** How the events of an issue spread over the values of one tag (top 10 values). */
export interface IssueTag {
	key: string;
	/** Events with this tag. */
	total: number;
	values: { value: string; count: number }[];
}

export interface IssueDetail extends Issue {
	/** Events per hour over the last 14 days, oldest first (336 hours). */
	histogram: IssueHour[];
	tags: IssueTag[];
	latestEventId: string | null;
	oldestEventId: string | null;
}

export interface UpdateIssueRequest {
	status: IssueStatus;
	/** With "resolved": events from the current release do not reopen it; a newer release does. */
	inNextRelease?: boolean;
	/** With "ignored": reopen at this time (ISO). */
	ignoreUntil?: string;
	/** With "ignored": reopen after this many more events. */
	ignoreCount?: number;
}

export interface BulkUpdateIssuesRequest extends UpdateIssueRequest {
	/** 1..100 issue ids of the project. */
	ids: number[];
}

export interface BulkUpdateIssuesResponse {
	updated: number;
}

export interface EventSummary {
	eventId: string;
	issueId: number | null;
	timestamp: string;
	level: Level;
	title: string;
	release: string | null;
	environment: string | null;
	user: string | null;
	url: string | null;
}

export interface EventAttachment {
	name: string;
	size: number;
	contentType: string;
}

export interface EventDetail {
	eventId: string;
	issueId: number | null;
	projectId: number;
	/** The older neighbour within the issue. */
	previousEventId: string | null;
	/** The newer neighbour within the issue. */
	nextEventId: string | null;
	attachments: EventAttachment[];
	/** The stored event: normalized and scrubbed Sentry event JSON (see `SentryEvent`). */
	event: SentryEvent;
}

export interface SampleEventResponse {
	eventId: string;
}

// ---- the stored Sentry event (what `EventDetail.event` holds) ----
// Everything is optional and loosely typed: SDKs differ, and the dashboard must render whatever came.

export interface SentryFrame {
	filename?: string | null;
	abs_path?: string | null;
	module?: string | null;
	function?: string | null;
	lineno?: number | null;
	colno?: number | null;
	pre_context?: (string | null)[] | null;
	context_line?: string | null;
	post_context?: (string | null)[] | null;
	vars?: Record<string, unknown> | null;
	in_app?: boolean | null;
	[key: string]: unknown;
}

export interface SentryException {
	type?: string | null;
	value?: string | null;
	module?: string | null;
	mechanism?: { type?: string; handled?: boolean; [key: string]: unknown } | null;
	/** Oldest call first, the crash last. */
	stacktrace?: { frames?: SentryFrame[] | null } | null;
	[key: string]: unknown;
}

export interface SentryBreadcrumb {
	timestamp?: string | number | null;
	type?: string | null;
	category?: string | null;
	message?: string | null;
	level?: string | null;
	data?: Record<string, unknown> | null;
}

export interface SentryRequest {
	method?: string | null;
	url?: string | null;
	query_string?: string | [string, string][] | Record<string, unknown> | null;
	headers?: Record<string, unknown> | [string, unknown][] | null;
	data?: unknown;
	cookies?: string | Record<string, unknown> | [string, unknown][] | null;
	env?: Record<string, unknown> | null;
	[key: string]: unknown;
}

/** A note from processing: a value trimmed, a timestamp replaced. */
export interface ProcessingNote {
	type: string;
	name?: string;
	value?: unknown;
}

export interface SentryEvent {
	event_id?: string;
	/** Epoch seconds (float). */
	timestamp?: number;
	level?: string;
	platform?: string;
	logger?: string;
	transaction?: string;
	release?: string;
	environment?: string;
	server_name?: string;
	message?: string | { message?: string; formatted?: string; params?: unknown[] } | null;
	logentry?: { message?: string; formatted?: string; params?: unknown[] } | null;
	exception?: { values?: SentryException[] | null } | null;
	breadcrumbs?: { values?: SentryBreadcrumb[] | null } | null;
	request?: SentryRequest | null;
	user?: Record<string, unknown> | null;
	contexts?: Record<string, Record<string, unknown> | null> | null;
	tags?: [string, string][] | Record<string, string> | null;
	extra?: Record<string, unknown> | null;
	sdk?: { name?: string; version?: string; integrations?: string[]; packages?: { name: string; version: string }[] } | null;
	fingerprint?: string[];
	errors?: ProcessingNote[] | null;
	/** Dotted paths of values that server-side scrubbing replaced (wholly or partly) with "[Filtered]". */
	_filtered?: string[] | null;
	[key: string]: unknown;
}

// ---- alerts ----

export type ChannelType = 'slack' | 'webhook' | 'email';

/** Where alerts go; channels belong to the organization. */
export interface Channel {
	id: string;
	type: ChannelType;
	name: string;
	/** Where it sends: the email address, or the URL with its secret part masked. */
	target: string;
	createdAt: string;
}

/** The created channel; a webhook's `whsec_` signing `secret` is shown only in this answer. */
export type NewChannel = Channel & { secret?: string };

export interface NewChannelRequest {
	type: ChannelType;
	name: string;
	/** Slack and webhook channels. */
	url?: string;
	/** Email channels. */
	email?: string;
}

/** What the receiver answered to a test alert (sent once, without retries). */
export interface TestAlertResult {
	ok: boolean;
	/** HTTP status the receiver answered (null for email or no answer). */
	status: number | null;
	latencyMs: number;
	error?: string;
	/** The alert's id in the delivery log. */
	deliveryId: string;
}

export type AlertType =
	| 'issue.new'
	| 'issue.regressed'
	| 'issue.frequency'
	| 'monitor.down'
	| 'monitor.up'
	| 'cron.missed'
	| 'cron.failed'
	| 'cron.timeout'
	| 'cron.recovered'
	| 'logs.threshold'
	| 'performance.issue';

export interface AlertRule {
	id: string;
	projectId: number;
	name: string;
	events: AlertType[];
	channelIds: string[];
	environment: string | null;
	/** Only issues at this level or worse. */
	minLevel: Level | null;
	/** issue.frequency: more than `frequencyCount` events in `frequencyMinutes` minutes. */
	frequencyCount: number | null;
	frequencyMinutes: number | null;
	/** logs.threshold: the log search whose matching lines are counted (more than `frequencyCount` in `frequencyMinutes`). */
	logQuery: string | null;
	createdAt: string;
}

export interface NewAlertRuleRequest {
	name: string;
	events: AlertType[];
	channelIds: string[];
	environment?: string | null;
	minLevel?: Level | null;
	frequencyCount?: number | null;
	frequencyMinutes?: number | null;
	logQuery?: string | null;
}

export type UpdateAlertRuleRequest = Partial<NewAlertRuleRequest>;

export type AlertStatus = 'pending' | 'sent' | 'failed';

export interface AlertAttempt {
	at: string;
	/** HTTP status the receiver answered; null for email or no answer. */
	status: number | null;
	latencyMs: number;
	error?: string;
}

/** One alert sent (or being tried) to one channel: a row of the delivery log. */
export interface Alert {
	id: string;
	/** Null for test alerts, which belong to the organization and show in every project's log. */
	projectId: number | null;
	ruleId: string | null;
	/** `id` is null and `deleted` true once the channel was deleted; name and type stay for the history. */
	channel: { id: string | null; name: string; type: ChannelType; deleted: boolean };
	type: AlertType | 'test';
	summary: string;
	/** Absolute link to what the alert is about (usually a page of this dashboard). */
	url: string;
	status: AlertStatus;
	attempts: AlertAttempt[];
	/** Repeats held back by deduplication since this one. */
	suppressed: number;
	createdAt: string;
}

/** Filters of `GET /projects/{id}/alerts`. */
export interface AlertListParams {
	status?: AlertStatus;
	/** An `AlertType` or "test". */
	type?: string;
	/** 1..100, default 50. */
	limit?: number;
	cursor?: string;
}
