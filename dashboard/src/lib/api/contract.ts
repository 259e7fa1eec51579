// The dashboard's API types are the OpenAPI document's schemas of the same names (openapi.gen.ts is generated
// from it by `npm run docs:api`): when the Worker's answers change, svelte-check fails here until both agree.
// Alert types are checked the same way in alerts.ts.
import type { Schemas } from './openapi.gen.ts';
import type {
	ApiToken,
	BulkUpdateIssuesRequest,
	ChangeRoleRequest,
	EventSummary,
	Invite,
	InvitePreview,
	Issue,
	IssueDetail,
	LoginRequest,
	Me,
	Member,
	NewApiToken,
	NewInvite,
	NewOrganizationRequest,
	NewProjectRequest,
	Organization,
	Project,
	ProjectKey,
	SignupRequest,
	SignupResponse,
	UpdateIssueRequest,
	UpdateProjectRequest,
	User
} from './types.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type SchemasMatch = [
	Assert<Same<User, Schemas['User']>>,
	Assert<Same<Organization, Schemas['Organization']>>,
	Assert<Same<Me, Schemas['Me']>>,
	Assert<Same<SignupRequest, Schemas['SignupRequest']>>,
	Assert<Same<SignupResponse, Schemas['SignupResponse']>>,
	Assert<Same<LoginRequest, Schemas['LoginRequest']>>,
	Assert<Same<ApiToken, Schemas['ApiToken']>>,
	Assert<Same<NewApiToken, Schemas['NewApiToken']>>,
	Assert<Same<NewOrganizationRequest, Schemas['NewOrganizationRequest']>>,
	Assert<Same<Member, Schemas['Member']>>,
	Assert<Same<ChangeRoleRequest, Schemas['ChangeRoleRequest']>>,
	Assert<Same<Invite, Schemas['Invite']>>,
	Assert<Same<NewInvite, Schemas['NewInvite']>>,
	Assert<Same<InvitePreview, Schemas['InvitePreview']>>,
	Assert<Same<Project, Schemas['Project']>>,
	Assert<Same<NewProjectRequest, Schemas['NewProjectRequest']>>,
	Assert<Same<UpdateProjectRequest, Schemas['UpdateProjectRequest']>>,
	Assert<Same<ProjectKey, Schemas['ProjectKey']>>,
	Assert<Same<Issue, Schemas['Issue']>>,
	Assert<Same<IssueDetail, Schemas['IssueDetail']>>,
	Assert<Same<UpdateIssueRequest, Schemas['UpdateIssueRequest']>>,
	Assert<Same<BulkUpdateIssuesRequest, Schemas['BulkUpdateIssuesRequest']>>,
	Assert<Same<EventSummary, Schemas['EventSummary']>>
];
