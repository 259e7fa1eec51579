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
	createdAt: string;
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
	createdAt: string;
	lastUsedAt: string | null;
}

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
	name: string;
}

export interface NewProjectKeyRequest {
	label?: string;
}
