// The docs check: what the guides show is what the end-to-end tests run, and every link in them leads somewhere.
// Needs no Vigil: it reads README.md, docs/*.md, e2e/*.e2e.ts and the files the snippets come from.
//
// Rules (each failure is reported as file:line):
// 1. Every fenced code block in docs/django.md is marked on the line above it, either
//    `<!-- snippet: path/to/file#region -->`, or `<!-- not-run: reason -->` with a reason of a few words.
// 2. A snippet block (in any docs page) equals the region of the file it names, between `# [region]` and
//    `# [/region]` (or `// [region]`), compared dedented and without trailing spaces; markers of other regions
//    nested inside are left out.
// 3. That file is one the e2e tests run: a module of the Django example (examples/django/shop or store —
//    errors, logs, performance and crons e2e run its runserver and management commands, django-example.e2e.ts
//    its own tests), or a file an e2e/*.e2e.ts names (the whole path, or each of its segments quoted).
// 4. A `<!-- payload: worker/….ts -->` block in docs/alerts.md is a webhook body exactly as webhookBody()
//    (worker/alerts/messages.ts) builds it from its own type, summary, url and data, every field of its `data`
//    is named in the file(s) the marker gives (where that alert is raised), and every alert type has one.
// 5. Every relative link and image in README.md and docs/*.md points at a file or folder that exists, and every
//    `#anchor` (into the same page or another .md) is GitHub's slug of a heading there, or an explicit `<a id>`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { titleOf, webhookBody, type AlertContent } from '../worker/alerts/messages.js';
import { ALERT_TYPES } from '../worker/alerts/schema.js';
import { repoRoot } from './support/paths.js';

const read = (rel: string) => readFileSync(path.join(repoRoot, rel), 'utf8');
const docsPages = ['README.md', ...readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const e2eSources = readdirSync(path.join(repoRoot, 'e2e')).filter((f) => f.endsWith('.e2e.ts')).map((f) => read(`e2e/${f}`));
/** Pages whose every code block must be a snippet or say why it is not run. */
const fullyChecked = ['docs/django.md', 'docs/alerts.md'];

interface Block { line: number; fence: string; text: string; marker: string | null }

/** Fenced code blocks, each with the comment on the nearest non-blank line above it (if any). */
function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(fence)) end++;
    let above = i - 1;
    while (above >= 0 && lines[above]!.trim() === '') above--;
    const comment = above >= 0 ? /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[above]!) : null;
    blocks.push({ line: i + 1, fence, text: lines.slice(i + 1, end).join('\n'), marker: comment ? comment[1]! : null });
    i = end;
  }
  return blocks;
}

/** Dedented, trailing spaces and surrounding blank lines removed: how a block and a region are compared. */
function normalize(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines.at(-1) === '') lines.pop();
  const indent = Math.min(...lines.filter((l) => l !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

const regionMarker = /^\s*(?:#|\/\/)\s*\[(\/?)([\w.-]+)\]\s*$/;

/** The text between `# [name]` and `# [/name]` in a file, or why it cannot be found. */
function region(source: string, name: string): { text: string } | { error: string } {
  const lines = source.split('\n');
  const starts = lines.flatMap((l, i) => (regionMarker.exec(l)?.[1] === '' && regionMarker.exec(l)?.[2] === name ? [i] : []));
  const ends = lines.flatMap((l, i) => (regionMarker.exec(l)?.[1] === '/' && regionMarker.exec(l)?.[2] === name ? [i] : []));
  if (starts.length !== 1 || ends.length !== 1) return { error: `region [${name}] must open and close exactly once (found ${starts.length} opening, ${ends.length} closing)` };
  if (ends[0]! < starts[0]!) return { error: `region [${name}] closes before it opens` };
  return { text: lines.slice(starts[0]! + 1, ends[0]!).filter((l) => !regionMarker.test(l)).join('\n') };
}

/** Whether the e2e tests run this file (rule 3). */
function runByE2e(rel: string): boolean {
  if (/^examples\/django\/(shop|store)\/.+\.py$/.test(rel)) return true;
  return e2eSources.some((src) => src.includes(rel) || rel.split('/').every((segment) => src.includes(`'${segment}'`)));
}

function checkSnippets(page: string): string[] {
  const problems: string[] = [];
  for (const block of codeBlocks(read(page))) {
    const at = `${page}:${block.line}`;
    const snippet = block.marker && /^snippet:\s*(\S+?)#([\w.-]+)$/.exec(block.marker);
    const notRun = block.marker && /^not-run:\s*(.*)$/.exec(block.marker);
    const payload = block.marker && /^payload:\s*(\S+(?:\s+\S+)*)$/.exec(block.marker);
    if (payload) {
      problems.push(...checkPayload(at, block.text, payload[1]!.split(/\s+/)));
    } else if (snippet) {
      const [, file, name] = snippet;
      if (!existsSync(path.join(repoRoot, file!))) { problems.push(`${at}: snippet source ${file} does not exist`); continue; }
      const found = region(read(file!), name!);
      if ('error' in found) { problems.push(`${at}: ${file}: ${found.error}`); continue; }
      if (normalize(block.text) !== normalize(found.text)) {
        const a = normalize(block.text).split('\n');
        const b = normalize(found.text).split('\n');
        const first = a.findIndex((l, i) => l !== b[i]);
        const n = first === -1 ? a.length : first;
        problems.push(`${at}: differs from ${file}#${name} at the block's line ${n + 1}:\n    docs: ${JSON.stringify(a[n] ?? '(end)')}\n    file: ${JSON.stringify(b[n] ?? '(end)')}`);
      }
      if (!runByE2e(file!)) problems.push(`${at}: ${file} is not run by any e2e test (name it in an e2e/*.e2e.ts that runs it)`);
    } else if (notRun) {
      if (notRun[1]!.trim().split(/\s+/).length < 3) problems.push(`${at}: not-run needs a reason of a few words`);
    } else if (fullyChecked.includes(page)) {
      problems.push(`${at}: code block without <!-- snippet: file#region --> or <!-- not-run: reason --> above it`);
    } else if (block.marker?.startsWith('snippet')) {
      problems.push(`${at}: malformed snippet marker "${block.marker}"`);
    }
  }
  return problems;
}

/** Alert types that have a payload example, filled in by checkPayload. */
const payloadTypes = new Set<string>();

/** Rule 4: the example is what webhookBody() makes of it, and its data fields come from the named file. */
function checkPayload(at: string, text: string, sources: string[]): string[] {
  const absent = sources.filter((f) => !existsSync(path.join(repoRoot, f)));
  if (absent.length) return [`${at}: payload source ${absent.join(', ')} does not exist`];
  const source = sources.join(' + ');
  let body: { type: AlertContent['type']; project: AlertContent['project']; summary: string; url: string; data: Record<string, unknown> };
  try {
    body = JSON.parse(text);
  } catch (err) {
    return [`${at}: not valid JSON: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  if (!(ALERT_TYPES as readonly string[]).includes(body.type)) problems.push(`${at}: "${body.type}" is not an alert type (worker/alerts/schema.ts)`);
  payloadTypes.add(body.type);
  const { environment, collapsed, ...data } = body.data ?? {};
  const title = `${titleOf({ type: body.type } as AlertContent)}: `;
  const more = collapsed ? ` (and ${(collapsed as { count: number }).count} more in the last ${(collapsed as { minutes: number }).minutes} min)` : '';
  if (!body.summary?.startsWith(title) || !body.summary.endsWith(more)) problems.push(`${at}: summary must be "${title}…${more}"`);
  const content: AlertContent = {
    type: body.type,
    project: body.project,
    organization: 'unused by webhooks',
    summary: body.summary?.slice(title.length, body.summary.length - more.length) ?? '',
    url: body.url,
    data,
    ...(typeof environment === 'string' ? { environment } : {}),
    ...(collapsed ? { collapsed: collapsed as AlertContent['collapsed'] } : {}),
  };
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(webhookBody(content))), body)) {
    problems.push(`${at}: webhookBody() would not send this body (fields: ${JSON.stringify(Object.keys(body))}; expected type, project, summary, url, data)`);
  }
  const src = sources.map(read).join('\n');
  if (!src.includes(`"${body.type}"`) && !src.includes(`'${body.type}'`)) problems.push(`${at}: ${source} does not raise "${body.type}"`);
  for (const field of Object.keys(data)) {
    if (!new RegExp(`\\b${field}\\b`).test(src)) problems.push(`${at}: data.${field} is not named in ${source}`);
  }
  return problems;
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2 … */
function anchors(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) { if (fence === null) fence = f[1]!; else if (f[1]!.startsWith(fence)) fence = null; continue; }
    if (fence) continue;
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) ids.add(m[1]!);
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, '') // inline HTML
      .replace(/`([^`]*)`/g, '$1')
      .replace(/[*~]/g, '')
      .replace(/(^|\s)_+|_+(\s|$)/g, '$1$2'); // _emphasis_, not snake_case
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

function checkLinks(page: string): string[] {
  const problems: string[] = [];
  const lines = read(page).split('\n');
  let fence: string | null = null;
  lines.forEach((raw, i) => {
    const f = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (f) { if (fence === null) fence = f[1]!; else if (f[1]!.startsWith(fence)) fence = null; return; }
    if (fence) return;
    const line = raw.replace(/`[^`]*`/g, ''); // links inside code spans are text
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]!),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
      const at = `${page}:${i + 1}`;
      const [filePart, anchor] = target.split('#', 2) as [string, string | undefined];
      const file = filePart === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(filePart)));
      if (file.startsWith('..')) { problems.push(`${at}: ${target} leaves the repository`); continue; }
      if (!existsSync(path.join(repoRoot, file))) { problems.push(`${at}: ${target}: ${file} does not exist`); continue; }
      if (anchor === undefined || !file.endsWith('.md') || statSync(path.join(repoRoot, file)).isDirectory()) continue;
      if (!anchors(read(file)).has(decodeURIComponent(anchor))) problems.push(`${at}: ${target}: no heading in ${file} has the id #${anchor}`);
    }
  });
  return problems;
}

function report(problems: string[]): void {
  // One error listing every problem, so a single run shows all of them.
  if (problems.length) throw new Error(`${problems.length} docs problem(s):\n${problems.join('\n')}`);
}

describe('the docs', () => {
  test('every code block in the Django guide and the alerts page is a snippet of a file the e2e tests run, or says why not', () => {
    report(fullyChecked.flatMap(checkSnippets));
    const missing = ALERT_TYPES.filter((t) => !payloadTypes.has(t));
    expect(missing, 'alert types without a payload example in docs/alerts.md').toEqual([]);
  });

  test('snippet markers on the other pages match their files', () => {
    report(docsPages.filter((p) => !fullyChecked.includes(p)).flatMap(checkSnippets));
  });

  test('every relative link and #anchor in README.md and docs/*.md resolves', () => {
    report(docsPages.flatMap(checkLinks));
  });

  test('the checker itself: GitHub slugs, regions and dedent', () => {
    expect([...anchors('# 3. Errors (live)\n## The Django integration\'s options\n## Logs\n## Logs\n### `sentry_sdk.init` & _more_\n')])
      .toEqual(['3-errors-live', 'the-django-integrations-options', 'logs', 'logs-1', 'sentry_sdkinit--more']);
    expect(region('a\n    # [x]\n    b\n    # [y]\n    c\n    # [/y]\n    # [/x]\n', 'x')).toEqual({ text: '    b\n    c' });
    expect(normalize('\n    if a:\n        b  \n\n')).toBe('if a:\n    b');
    expect(codeBlocks('<!-- not-run: a shell command -->\n\n```sh\nls\n```\n')).toEqual([{ line: 3, fence: '```', text: 'ls', marker: 'not-run: a shell command' }]);
  });
});
