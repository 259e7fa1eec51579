// The docs copied into this build (dashboard/docs-plugin.ts): /docs/index.json lists them, /docs/<page>.md is one.
// The Worker answers a path that is not in the build with the dashboard's index.html and status 200, so a page
// counts as present only when the index names it.
import { ApiError } from '../api/client.ts';

export interface DocsPage {
	page: string;
	title: string;
	summary: string;
}

let index: Promise<DocsPage[]> | undefined;

async function get(url: string): Promise<Response> {
	let response: Response;
	try {
		response = await fetch(url, { headers: { Accept: 'text/markdown, application/json' } });
	} catch {
		throw new ApiError(0, 'network_error', 'The docs could not be loaded: no answer from the server.');
	}
	if (!response.ok || (response.headers.get('Content-Type') ?? '').includes('text/html')) {
		throw new ApiError(response.ok ? 404 : response.status, 'not_found', 'The docs are not in this build of the dashboard.');
	}
	return response;
}

/** Every page with its title and first paragraph, in reading order; fetched once per visit. */
export function docsIndex(): Promise<DocsPage[]> {
	index ??= get('/docs/index.json')
		.then((r) => r.json() as Promise<DocsPage[]>)
		.catch((error: unknown) => {
			index = undefined; // let Retry ask again
			throw error;
		});
	return index;
}

/** One page's Markdown, or undefined when this build has no such page. */
export async function docsMarkdown(page: string): Promise<{ meta: DocsPage; markdown: string } | undefined> {
	const meta = (await docsIndex()).find((p) => p.page === page);
	if (!meta) return undefined;
	const response = await get(`/docs/${encodeURIComponent(page)}.md`);
	return { meta, markdown: await response.text() };
}
