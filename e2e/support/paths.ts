import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (where wrangler.toml and package.json live). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const artifactsDir = path.join(repoRoot, 'e2e', 'artifacts');
export const screenshotsDir = path.join(artifactsDir, 'screenshots');
export const djangoDir = path.join(repoRoot, 'examples', 'django');
export const venvPython = path.join(djangoDir, '.venv', 'bin', 'python');
export const binDir = path.join(repoRoot, 'node_modules', '.bin');

/** Environment for child processes: Node 22 from node_modules first, wrangler offline and quiet. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...extra,
  };
}
