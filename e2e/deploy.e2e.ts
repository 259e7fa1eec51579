// `npm run deploy -- --dry-run` and `--pages --dry-run`, run as a user would: offline, no Cloudflare account.
// Needs no Vigil. Checks that the deploy config generated from wrangler.toml keeps every binding, Durable
// Object migration and the cron trigger, that wrangler bundled the Worker (and the Pages Function), that the
// commands a real run would run are printed, and that the committed wrangler.toml is left byte for byte.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { childEnv, repoRoot } from './support/paths.js';
import { run } from './support/run.js';

const dryRunDir = path.join(repoRoot, '.wrangler', 'deploy-dry-run');
const sourceConfig = path.join(repoRoot, 'wrangler.toml');

/** Keys the deploy legitimately rewrites: ids, vars set per deploy, and paths made relative to the config. */
const rewritten = new Set(['main', 'directory', 'migrations_dir', 'database_id', 'PUBLIC_URL', 'ALERTS_EMAIL_FROM']);

/** The meaningful lines of a TOML file (no comments, no blanks), each with the table it sits in. */
function settings(toml: string): { table: string; line: string }[] {
  let table = '';
  const out: { table: string; line: string }[] = [];
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[')) table = line;
    out.push({ table, line });
  }
  return out;
}

/** Lines of wrangler.toml the generated config must carry unchanged (minus [assets] when the dashboard goes to Pages). */
function expectedLines(source: string, { assets }: { assets: boolean }): string[] {
  return settings(source)
    .filter(({ table }) => assets || table !== '[assets]')
    .filter(({ line }) => !rewritten.has(line.split('=')[0]!.trim()))
    .map(({ line }) => line);
}

function missingFrom(generated: string, expected: string[]): string[] {
  const remaining = settings(generated).map(({ line }) => line);
  const missing: string[] = [];
  for (const line of expected) {
    const i = remaining.indexOf(line);
    if (i === -1) missing.push(line);
    else remaining.splice(i, 1);
  }
  return missing;
}

const values = (toml: string, key: string) => [...toml.matchAll(new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'gm'))].map((m) => m[1]!);

async function deploy(args: string[]) {
  const before = readFileSync(sourceConfig);
  const started = Date.now();
  const result = await run('npm', ['run', '--silent', 'deploy', '--', ...args], { cwd: repoRoot, env: childEnv(), timeoutMs: 80_000 });
  const output = result.stdout + result.stderr;
  expect(result.code, output).toBe(0);
  expect(readFileSync(sourceConfig).equals(before), 'wrangler.toml changed').toBe(true);
  return { output, seconds: (Date.now() - started) / 1000 };
}

describe('npm run deploy --dry-run', () => {
  const source = readFileSync(sourceConfig, 'utf8');
  const generatedPath = path.join(dryRunDir, 'wrangler.deploy.toml');

  test('Workers static assets: every binding of wrangler.toml, a bundle, and the real commands', async () => {
    // The first run builds the dashboard, as a user's would.
    const { output } = await deploy(['--dry-run']);
    const generated = readFileSync(generatedPath, 'utf8');
    expect(missingFrom(generated, expectedLines(source, { assets: true }))).toEqual([]);
    expect(values(generated, 'database_id')[0]).toMatch(/^[0-9a-f-]{36}$/);

    const bundle = path.join(dryRunDir, 'worker', 'index.js');
    expect(existsSync(bundle) && statSync(bundle).size > 0).toBe(true);

    // wrangler itself read every binding of the generated config.
    for (const binding of [...values(source, 'binding'), ...values(source, 'name').slice(1)]) expect(output).toContain(`env.${binding}`);

    const [database] = values(source, 'database_name');
    const [bucket] = values(source, 'bucket_name');
    const queues = [...new Set(values(source, 'queue'))];
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const command of [
      'wrangler whoami',
      `wrangler d1 create ${database}`,
      `wrangler r2 bucket create ${bucket}`,
      ...queues.map((q) => `wrangler queues create ${q}`),
      'wrangler d1 migrations apply DB --remote --config wrangler.deploy.toml',
      'wrangler deploy --config wrangler.deploy.toml',
    ]) {
      expect(output).toContain(`$ ${command}`);
    }
  }, 90_000);

  test('--pages: the Worker without [assets], and a Pages Function for the Worker routes', async () => {
    // The dashboard was built by the test above (or by `npm test`): reuse it.
    const { output } = await deploy(['--pages', '--dry-run', '--no-build']);
    const generated = readFileSync(generatedPath, 'utf8');
    expect(missingFrom(generated, expectedLines(source, { assets: false }))).toEqual([]);
    expect(generated).not.toMatch(/^\[assets\]/m);
    expect(output).not.toContain('env.ASSETS');
    expect(existsSync(path.join(dryRunDir, 'worker', 'index.js'))).toBe(true);

    // The function runs for exactly the paths wrangler.toml sends to the Worker first; the rest stays static.
    expect(existsSync(path.join(dryRunDir, 'pages-functions', 'index.js'))).toBe(true);
    const routes = JSON.parse(readFileSync(path.join(dryRunDir, 'pages-functions', '_routes.json'), 'utf8')).include as string[];
    const workerFirst = JSON.parse(source.match(/^run_worker_first\s*=\s*(\[.*\])/m)![1]!) as string[];
    expect([...routes].sort()).toEqual([...workerFirst].sort());

    const pagesConfig = readFileSync(path.join(dryRunDir, 'pages', 'wrangler.toml'), 'utf8');
    expect(values(pagesConfig, 'service')).toEqual([values(source, 'name')[0]]);
    // …and wrangler reads it back as a binding to that Worker.
    const pagesEnv = readFileSync(path.join(dryRunDir, 'pages-functions', 'pages-env.d.ts'), 'utf8');
    expect(pagesEnv).toContain(`VIGIL: Fetcher /* ${values(source, 'name')[0]} */`);
    expect(output).toContain('$ wrangler pages deploy');
  }, 90_000);
});
