// Copies the guides in docs/ into the dashboard build under /docs/, so every deployment carries the docs of its
// own version and /help can show them offline (no repository URL needed). Also writes /docs/index.json, the
// list of pages with their titles and first paragraphs: the Worker answers an unknown path with index.html
// (single-page-application), so the help page asks the index which pages exist instead of fetching a guess.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

/** The reading order of the list; pages not named here follow alphabetically. */
const ORDER = ['django', 'deploy', 'alerts', 'uptime', 'crons', 'logs', 'performance', 'timeline', 'api', 'architecture', 'reliability', 'scaling', 'benchmarks', 'comparison'];

export interface DocsPage {
	page: string;
	title: string;
	summary: string;
}

/** Markdown inline syntax as plain words: the list shows the summary as text. */
function plain(markdown: string): string {
	return markdown
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/`([^`]*)`/g, '$1')
		.replace(/\*\*|__|(?<!\w)[*_]|[*_](?!\w)/g, '')
		.replace(/\s+/g, ' ')
		.trim();
}

/** The H1 and the first paragraph after it (comments, headings, fences and lists are not a paragraph). */
export function describePage(page: string, markdown: string): DocsPage {
	const lines = markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n');
	const title = plain(lines.find((l) => l.startsWith('# '))?.slice(2) ?? page);
	const paragraph: string[] = [];
	for (const line of lines) {
		const text = line.trim();
		if (!text) {
			if (paragraph.length) break;
			continue;
		}
		if (/^(#|```|~~~|[-*+] |\d+\. |\||>|<)/.test(text)) {
			if (paragraph.length) break;
			continue;
		}
		paragraph.push(text);
	}
	return { page, title, summary: plain(paragraph.join(' ')).replace(/:$/, '.') };
}

export function docsPlugin(docsDir: string): Plugin {
	const pages = () => {
		const names = readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
		const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
		return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
	};
	const files = (): Map<string, string | Buffer> => {
		const out = new Map<string, string | Buffer>();
		const index: DocsPage[] = [];
		for (const page of pages()) {
			const markdown = readFileSync(path.join(docsDir, `${page}.md`), 'utf8');
			out.set(`docs/${page}.md`, markdown);
			index.push(describePage(page, markdown));
		}
		out.set('docs/index.json', JSON.stringify(index));
		const images = path.join(docsDir, 'images');
		if (existsSync(images)) for (const f of readdirSync(images)) out.set(`docs/images/${f}`, readFileSync(path.join(images, f)));
		return out;
	};
	return {
		name: 'vigil-docs',
		generateBundle() {
			// SvelteKit builds the server bundle too; only the client output becomes dashboard/build.
			if (this.environment?.name !== 'client') return;
			for (const [fileName, source] of files()) this.emitFile({ type: 'asset', fileName, source });
		},
		configureServer(server) {
			// `vite dev`: the same files, read fresh on each request.
			server.middlewares.use((req, res, next) => {
				const name = decodeURIComponent((req.url ?? '').split('?')[0]!).slice(1);
				if (!name.startsWith('docs/')) return next();
				const body = files().get(name);
				if (body === undefined) return next();
				res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : name.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'image/png');
				res.end(body);
			});
		}
	};
}
