// Once per `npm run test:e2e`: the Python venv for the Django example and the built dashboard.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir, childEnv, djangoDir, repoRoot, screenshotsDir } from './paths.js';
import { runOk } from './run.js';

export default async function setup(): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  mkdirSync(artifactsDir, { recursive: true });

  await runOk('bash', [path.join(djangoDir, 'setup.sh')], { timeoutMs: 300_000 });

  // `npm test` builds the dashboard first; when the e2e suite is run alone, build it if absent.
  if (!existsSync(path.join(repoRoot, 'dashboard', 'build', 'index.html'))) {
    await runOk('npm', ['run', '--silent', 'build:dashboard'], { cwd: repoRoot, env: childEnv(), timeoutMs: 300_000 });
  }
}
