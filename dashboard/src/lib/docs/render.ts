// The guides of docs/ as HTML for /help. The Markdown is ours, but it is rendered with {@html}, so nothing in it
// may become markup of its own: raw HTML is shown as text (comments dropped), links only go to other help pages,
// anchors, or http(s)/mailto addresses, and images only come from /docs/images/.
import { Marked, type Tokens } from 'marked';
import { paths } from '../paths.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** GitHub's heading slug (as e2e/docs.e2e.ts checks the anchors): lower case, punctuation dropped, spaces to dashes. */
export function githubSlug(heading: string): string {
	return heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/`([^`]*)`/g, '$1')
		.replace(/[*~]/g, '')
		.replace(/(^|\s)_+|_+(\s|$)/g, '$1$2')
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
		.replace(/ /g, '-');
}

/** Where a link of a guide leads in the dashboard, or undefined when it leads out of docs/ (a source file). */
export function docsHref(href: string): string | undefined {
	if (/^(https?:|mailto:)/i.test(href)) return href;
	if (href.startsWith('#')) return href;
	const m = /^(?:\.\/)?([a-z0-9][a-z0-9_-]*)\.md(#[^\s]*)?$/i.exec(href);
	if (m) return paths.help(m[1]!) + (m[2] ?? '');
	return undefined;
}

/** A relative image of docs/images/ as its URL in the build; anything else is not shown. */
function imageSrc(href: string): string | undefined {
	const m = /^(?:\.\/)?images\/([a-z0-9][a-z0-9._-]*)$/i.exec(href);
	return m ? `/docs/images/${m[1]}` : undefined;
}

/** An explicit anchor of the docs check (`<a id="x"></a>`), kept as an anchor and nothing more. */
const ANCHOR = /^<a\s+(?:id|name)="([\w-]+)"\s*>\s*(?:<\/a>)?$/i;

export function renderDoc(markdown: string): string {
	const seen = new Map<string, number>();
	const marked = new Marked({
		gfm: true,
		renderer: {
			html({ text }: Tokens.HTML | Tokens.Tag) {
				const trimmed = text.trim();
				if (trimmed.startsWith('<!--')) return '';
				const anchor = ANCHOR.exec(trimmed);
				if (anchor) return `<a id="${escapeHtml(anchor[1]!)}"></a>`;
				return escapeHtml(text);
			},
			heading({ tokens, depth, text }: Tokens.Heading) {
				const base = githubSlug(text);
				const n = seen.get(base) ?? 0;
				seen.set(base, n + 1);
				const id = n === 0 ? base : `${base}-${n}`;
				return `<h${depth} id="${escapeHtml(id)}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
			},
			link({ href, title, tokens }: Tokens.Link) {
				const inner = this.parser.parseInline(tokens);
				const target = docsHref(href);
				if (target === undefined) return `<span class="doc-source" title="${escapeHtml(href)}">${inner}</span>`;
				const external = /^(https?:|mailto:)/i.test(target);
				const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
				const rel = external ? ' rel="noopener noreferrer" target="_blank"' : '';
				return `<a href="${escapeHtml(target)}"${titleAttr}${rel}>${inner}</a>`;
			},
			image({ href, text }: Tokens.Image) {
				const src = imageSrc(href);
				if (src === undefined) return escapeHtml(text);
				return `<img src="${escapeHtml(src)}" alt="${escapeHtml(text)}" loading="lazy" />`;
			},
			code({ text, lang }: Tokens.Code) {
				const language = (lang ?? '').match(/^[\w+-]+/)?.[0];
				const label = language ? `<span class="doc-code-lang">${escapeHtml(language)}</span>` : '';
				return `<pre class="doc-code">${label}<code>${escapeHtml(text)}</code></pre>\n`;
			}
		}
	});
	return marked.parse(markdown, { async: false });
}
