// The docs inside the dashboard: "Docs" in the sidebar lists every guide of docs/ copied into the build, a guide
// renders as HTML under the page's Content-Security-Policy with its code blocks, its links to other guides stay
// in the dashboard and land on the heading they name, raw HTML written in a guide is shown as text, and a page
// that is not in the build says so. Screenshots: e2e/artifacts/screenshots/help-*.png.
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signUp } from './support/api.js';
import { DESKTOP, PHONE, launchBrowser, shot, type Browser } from './support/browser.js';
import { repoRoot, screenshotsDir } from './support/paths.js';
import { startVigil, type Vigil } from './support/vigil.js';

let vigil: Vigil;
let browser: Browser;
let page: Page;
let login: { email: string; password: string };
const problems: string[] = [];

const docsDir = path.join(repoRoot, 'docs');
const guides = readdirSync(docsDir).filter((f) => f.endsWith('.md'));
const django = readFileSync(path.join(docsDir, 'django.md'), 'utf8');

/** The guide's pages are long: the visible part at both sizes, not the full page. */
async function viewportShot(name: string) {
  mkdirSync(screenshotsDir, { recursive: true });
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize({ ...size });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(screenshotsDir, `${name}-${label}.png`), animations: 'disabled' });
  }
  await page.setViewportSize({ ...DESKTOP });
}

beforeAll(async () => {
  vigil = await startVigil('help-dashboard');
  const signed = await signUp(vigil.baseUrl, { name: 'Ada Lovelace' });
  login = { email: signed.user.email, password: signed.password };
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => problems.push(`pageerror: ${String(error)}`));
  // Chromium reports a blocked script, style or image (a CSP violation) as a console error.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await vigil?.stop();
});

describe('Docs in the dashboard', () => {
  test('the sidebar opens the list of every guide in docs/', async () => {
    await page.goto(`${vigil.baseUrl}/login`);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Docs' }).click();
    await page.waitForURL((url) => url.pathname === '/help');
    await page.getByRole('heading', { name: 'Docs', level: 1 }).waitFor();
    const items = page.locator('.docs-list li');
    await items.first().waitFor();
    expect(await items.count()).toBe(guides.length);
    // Each entry carries the guide's H1 and its first paragraph.
    const title = /^# (.*)$/m.exec(django)![1]!;
    const entry = page.getByRole('link', { name: title });
    expect(await entry.textContent()).toContain('Vigil speaks the Sentry protocol');
    await shot(page, 'help-01-list');
    expect(problems).toEqual([]);
  });

  test('a guide renders with code blocks; raw HTML and comments of the Markdown are not markup', async () => {
    const title = /^# (.*)$/m.exec(django)![1]!;
    await page.getByRole('link', { name: title }).click();
    await page.waitForURL((url) => url.pathname === '/help/django');
    const article = page.locator('article.doc');
    await article.getByRole('heading', { name: title, level: 1 }).waitFor();
    const blocks = article.locator('pre.doc-code');
    expect(await blocks.count()).toBe((django.match(/^\s*```/gm) ?? []).length / 2);
    expect(await blocks.first().isVisible()).toBe(true);
    const text = (await article.textContent()) ?? '';
    expect(text).not.toContain('<!--'); // the docs check's snippet markers are dropped
    expect(text).toContain('sentry_sdk.init(');
    expect(await article.locator('script, iframe, [onload], [onerror]').count()).toBe(0);
    // A link out of docs/ (to a source file) is text, not a link to a path the Worker would answer with index.html.
    const hrefs = await article.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.filter((h) => !/^(#|\/help\/|https?:|mailto:)/.test(h))).toEqual([]);
    await blocks.nth(1).evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await viewportShot('help-02-django');
    expect(problems).toEqual([]);
  });

  test('a link to another guide stays in the dashboard and lands on the heading it names', async () => {
    // The first link of the guide into another guide's heading, e.g. [logs.md](logs.md#sending-lines).
    const [, target, anchor] = /\]\(([a-z]+)\.md#([\w-]+)\)/.exec(django)!;
    await page.locator(`article.doc a[href="/help/${target}#${anchor}"]`).first().click();
    await page.waitForURL((url) => url.pathname === `/help/${target}` && url.hash === `#${anchor}`);
    const heading = page.locator(`article.doc [id="${anchor}"]`);
    await heading.waitFor();
    await expect.poll(async () => (await heading.boundingBox())?.y ?? -1).toBeGreaterThanOrEqual(0);
    expect((await heading.boundingBox())!.y).toBeLessThan(DESKTOP.height);
    await page.screenshot({ path: path.join(screenshotsDir, 'help-03-anchor-desktop.png') });

    // An anchor inside the same page (the first `](#…)` link of that guide).
    const inPage = /\]\(#([\w-]+)\)/.exec(readFileSync(path.join(docsDir, `${target}.md`), 'utf8'))![1]!;
    await page.locator(`article.doc a[href="#${inPage}"]`).first().click();
    await page.waitForURL((url) => url.hash === `#${inPage}`);
    await expect.poll(async () => (await page.locator(`article.doc [id="${inPage}"]`).boundingBox())?.y ?? -1).toBeLessThan(DESKTOP.height);

    await page.goto(`${vigil.baseUrl}/help/reliability`);
    await page.locator('article.doc h1').waitFor();
    // reliability.md names the payloads a browser test plants; here they are words, not elements.
    expect(await page.locator('article.doc').textContent()).toContain('<svg onload>');
    expect(await page.locator('article.doc svg').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  test('a page that is not in the build says so', async () => {
    await page.goto(`${vigil.baseUrl}/help/no-such-guide`);
    await page.getByRole('heading', { name: 'This page is not in this build' }).waitFor();
    await page.getByRole('link', { name: 'See all docs' }).click();
    await page.waitForURL((url) => url.pathname === '/help');
    await shot(page, 'help-04-missing', 'phone');
    expect(problems).toEqual([]);
  });
});
