// The Django example is a real project: its checks and its own tests pass in the venv
// that setup.sh builds (the same venv the other end-to-end tests use).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { djangoDir, venvPython } from './support/paths.js';
import { run } from './support/run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-e2e-django-'));
const env = {
  ...process.env,
  SHOP_DB_PATH: path.join(dir, 'db.sqlite3'),
  LOG_LEVEL: 'WARNING',
  VIGIL_DSN: '', // nothing leaves the machine here
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manage = (...args: string[]) => run(venvPython, ['manage.py', ...args], { cwd: djangoDir, env, timeoutMs: 60_000 });

describe('examples/django', () => {
  test('manage.py check passes', async () => {
    const result = await manage('check');
    expect(result.code, result.stderr).toBe(0);
  });

  test('no model change is missing a migration', async () => {
    const result = await manage('makemigrations', '--check', '--dry-run');
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  test("the example's own tests pass", async () => {
    const result = await manage('test', '--noinput');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^OK$/m);
  });
});
