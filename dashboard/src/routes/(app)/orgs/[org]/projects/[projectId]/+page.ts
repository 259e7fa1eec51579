import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

// /orgs/{org}/projects/{id} is the project's overview.
export const load: PageLoad = ({ params }) => {
	redirect(307, `/orgs/${encodeURIComponent(params.org)}/projects/${encodeURIComponent(params.projectId)}/overview`);
};
