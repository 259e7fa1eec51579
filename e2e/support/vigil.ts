// Start a real Vigil (wrangler dev, local D1/R2/Queues/DOs) for one test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { artifactsDir, binDir, childEnv, repoRoot } from './paths.js';
import { run } from './run.js';

export interface Vigil {
  /** e.g. http://127.0.0.1:41234 — no trailing slash */
  baseUrl: string;
  port: number;
  stateDir: string;
  logFile: string;
  stop(): Promise<void>;
  /** Kill wrangler and workerd at once (SIGKILL, no shutdown), keeping the state directory for a restart. */
  crash(): Promise<void>;
}

const READY_PATH = '/api/v1/openapi.json';

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 60): string {
  try {
    // eslint-disable-next-line no-control-regex
    const text = readFileSync(file, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Apply the D1 migrations to a fresh state directory (or the one given), then run `wrangler dev` on a free
 * port and wait until the API answers. `name` names the log file in e2e/artifacts/.
 */
export async function startVigil(
  name: string,
  options: {
    timeoutMs?: number;
    /** Restart on a crashed Vigil's state and port. */
    after?: Vigil;
    /** Start on a state directory prepared beforehand (e.g. an older schema with data); stop() removes it. */
    stateDir?: string;
  } = {},
): Promise<Vigil> {
  mkdirSync(artifactsDir, { recursive: true });
  const stateDir = options.after?.stateDir ?? options.stateDir ?? mkdtempSync(path.join(tmpdir(), `vigil-e2e-${name}-`));
  const logFile = path.join(artifactsDir, `${name}.wrangler.log`);
  const log = openSync(logFile, 'w');
  const wrangler = path.join(binDir, 'wrangler');
  const env = childEnv();

  const migrate = await run(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir], {
    cwd: repoRoot,
    env: { ...env, CI: 'true' },
    timeoutMs: 120_000,
  });
  writeSync(log, `$ wrangler d1 migrations apply DB --local --persist-to ${stateDir}\n${migrate.stdout}${migrate.stderr}\n`);
  if (migrate.code !== 0) {
    closeSync(log);
    rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`wrangler d1 migrations apply failed (exit ${migrate.code}); log: ${logFile}\n${tail(logFile)}`);
  }

  const port = options.after?.port ?? (await freePort());
  const inspectorPort = await freePort();
  const args = [
    'dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--inspector-port', String(inspectorPort),
    '--persist-to', stateDir,
    '--show-interactive-dev-session=false',
    '--log-level', 'info',
    // As in `npm start`: links in alerts point here, and alert channels may use local receivers.
    '--var', `PUBLIC_URL:http://127.0.0.1:${port}`,
    '--var', 'ALERTS_ALLOW_PRIVATE_URLS:true',
  ];
  writeSync(log, `$ wrangler ${args.join(' ')}\n`);
  // detached: its own process group, so stop() reaches workerd and esbuild too.
  const child: ChildProcess = spawn(wrangler, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);

  // Set when the process ends: its exit code, or the signal's name.
  const status: { exited?: string } = {};
  child.on('exit', (code, signal) => (status.exited = String(code ?? signal)));

  // If the test process goes away without afterAll (crash, Ctrl-C), take wrangler with it.
  const killOnExit = () => {
    if (child.pid !== undefined && status.exited === undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.once('exit', killOnExit);

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.pid !== undefined) {
      // SIGTERM to wrangler itself: it forwards the signal and shuts workerd down in order.
      if (status.exited === undefined) child.kill('SIGTERM');
      for (let i = 0; i < 100 && status.exited === undefined; i++) await sleep(100);
      // Then anything left in its process group (workerd, esbuild), whatever happened above.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* the group is empty */
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  const crash = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 100 && status.exited === undefined; i++) await sleep(100);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let lastError = '';
  while (Date.now() < deadline) {
    if (status.exited !== undefined) {
      await stop();
      throw new Error(`wrangler dev exited (${status.exited}) before answering ${READY_PATH}; log: ${logFile}\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(baseUrl + READY_PATH, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) {
        await response.arrayBuffer();
        return { baseUrl, port, stateDir, logFile, stop, crash };
      }
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = String(error);
    }
    await sleep(300);
  }
  await stop();
  throw new Error(`Vigil did not answer ${READY_PATH} in time (last: ${lastError}); log: ${logFile}\n${tail(logFile)}`);
}
