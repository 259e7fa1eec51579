// Headless Chromium (the Debian package) driven by playwright-core.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { screenshotsDir } from './paths.js';

export const DESKTOP = { width: 1440, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export function chromiumPath(): string {
  const executable = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executable)) {
    throw new Error(`Chromium not found at ${executable}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  return executable;
}

/** A fresh browser profile (temp user-data-dir) at desktop size. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'vigil-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: ARGS,
    viewport: { ...DESKTOP },
    timeout: 60_000,
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Full-page screenshots of the current page at 1440×900 and 390×844 into
 * e2e/artifacts/screenshots/<name>-desktop.png and <name>-phone.png; the page's
 * viewport is restored afterwards. `only` limits it to one size (e.g. an open phone menu).
 */
export async function shot(page: Page, name: string, only?: 'desktop' | 'phone'): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  const sizes = ([['desktop', DESKTOP], ['phone', PHONE]] as const).filter(([label]) => !only || label === only);
  for (const [label, size] of sizes) {
    await page.setViewportSize({ ...size });
    await page.waitForTimeout(150); // let layout settle after the resize
    await page.screenshot({ path: path.join(screenshotsDir, `${name}-${label}.png`), fullPage: true, animations: 'disabled' });
  }
  await page.setViewportSize(original);
}
