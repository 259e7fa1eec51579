// Bugsink from PyPI, set up as its single-server guide describes (SQLite, the `singleserver` configuration
// template, gunicorn for HTTP and the snappea worker for digestion), on 127.0.0.1, for the side-by-side
// benchmark (bench/bugsink.mjs). Nothing of Bugsink is committed: the venv is made under .wrangler/ (git-ignored)
// and the data directory in the system's temp directory, removed when the server stops.
import { execFile, spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../lib.mjs";

// 2.6.2 (the newest) requires certifi>=2026.10.19, which the package index reachable from this machine does not
// have; 2.6.1 installs with the same pinned dependencies otherwise (Django 5.2, gunicorn 26.2).
export const BUGSINK_VERSION = process.env.BUGSINK_VERSION ?? "2.6.1";
const VENV = path.resolve(".wrangler/bench/bugsink-venv");
const bin = (name) => path.join(VENV, "bin", name);

function must(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 300_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status} ${r.error ?? ""}\n${(r.stderr ?? "").slice(-3000)}`);
  return r.stdout;
}

/** `pip install bugsink==BUGSINK_VERSION` into the venv unless it already has that version. Returns the version. */
export function installBugsink({ log = () => {} } = {}) {
  const installed = existsSync(bin("bugsink-show-version")) ? spawnSync(bin("bugsink-show-version"), { encoding: "utf8" }).stdout?.trim() : null;
  if (installed !== BUGSINK_VERSION) {
    log(`installing bugsink==${BUGSINK_VERSION} into ${VENV}`);
    rmSync(VENV, { recursive: true, force: true });
    must(process.env.PYTHON ?? "python3", ["-m", "venv", VENV]);
    must(bin("pip"), ["install", "--quiet", "--disable-pip-version-check", `bugsink==${BUGSINK_VERSION}`], { timeout: 600_000 });
  }
  const version = must(bin("bugsink-show-version"), []).trim();
  if (version !== BUGSINK_VERSION) throw new Error(`bugsink-show-version says ${version}, wanted ${BUGSINK_VERSION}`);
  const python = must(bin("python"), ["--version"]).trim();
  const freeze = must(bin("pip"), ["freeze", "--disable-pip-version-check"]);
  const pinned = (name) => new RegExp(`^${name}==(.+)$`, "im").exec(freeze)?.[1];
  return { bugsink: version, python, django: pinned("django"), gunicorn: pinned("gunicorn") };
}

// Appended to the generated bugsink_conf.py. The template assumes Nginx in front (HTTPS, X-Real-IP); here gunicorn
// is reached directly on 127.0.0.1, which the template's own comment says to adjust for. The quotas are raised as
// Vigil's project limits are in the same benchmark: by default Bugsink answers 429 after 1,000 events in 5 minutes.
// PHONEHOME off: it would try to reach bugsink.com.
const OVERRIDES = `
# --- bench/bugsink/server.mjs: no reverse proxy, no quotas in the way, no phoning home ---
SECURE_PROXY_SSL_HEADER = None
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
USE_X_REAL_IP = False
BUGSINK.update({
    "PHONEHOME": False,
    "MAX_EVENTS_PER_PROJECT_PER_5_MINUTES": 1_000_000_000,
    "MAX_EVENTS_PER_PROJECT_PER_HOUR": 1_000_000_000,
    "MAX_EVENTS_PER_PROJECT_PER_MONTH": 1_000_000_000,
    "MAX_EVENTS_PER_5_MINUTES": 1_000_000_000,
    "MAX_EVENTS_PER_HOUR": 1_000_000_000,
    "MAX_EVENTS_PER_MONTH": 1_000_000_000,
})
`;

const CREATE_PROJECT = `
import json
from teams.models import Team
from projects.models import Project
team = Team.objects.create(name="bench")
project = Project.objects.create(team=team, name="bench-errors", slug="bench-errors")
print("PROJECT " + json.dumps({"id": project.id, "key": project.sentry_key.hex, "dsn": project.dsn}))
`;

// Counts straight from Bugsink's SQLite file (WAL: readers do not block its writers): events digested (stored,
// grouped into an issue) and issues, for one project; and digest tasks still queued for snappea.
const COUNT = `
import json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}/db.sqlite3?mode=ro", uri=True, timeout=5)
queue = sqlite3.connect(f"file:{sys.argv[1]}/snappea.sqlite3?mode=ro", uri=True, timeout=5)
pid = int(sys.argv[2])
print(json.dumps({
  "events": db.execute("SELECT COUNT(*) FROM events_event WHERE project_id = ?", (pid,)).fetchone()[0],
  "issues": db.execute("SELECT COUNT(*) FROM issues_issue WHERE project_id = ?", (pid,)).fetchone()[0],
  "queued": queue.execute("SELECT COUNT(*) FROM snappea_task").fetchone()[0],
}))
`;

const running = new Set();
process.on("exit", () => {
  for (const stop of running) stop();
});

/**
 * A fresh Bugsink: configuration from `bugsink-create-conf --template=singleserver`, both databases migrated, a
 * superuser (`prestart` with CREATE_SUPERUSER, as Bugsink's Docker image does), a team and a project (Django ORM
 * through `bugsink-manage shell -c`); then gunicorn with the configuration file Bugsink ships
 * (bugsink/gunicorn.docker.conf.py: min(CPUs, 4) sync workers) and `bugsink-runsnappea` (the singleserver template
 * sets TASK_ALWAYS_EAGER False and 4 snappea workers: the HTTP request stores the envelope on disk and queues a
 * digest task; snappea parses, groups and writes the event). Resolves once /health/ready answers.
 */
export async function startBugsink({ log = () => {} } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "bugsink-bench-"));
  const port = await freePort();
  const env = { ...process.env, DJANGO_SETTINGS_MODULE: "bugsink_conf", PYTHONUNBUFFERED: "1" };
  const manage = (args, extra = {}) => must(bin("bugsink-manage"), args, { cwd: dir, env: { ...env, ...extra } });
  const setup = [
    `bugsink-create-conf --template=singleserver --host=127.0.0.1 --base-dir=${dir}`,
    "bugsink-manage migrate snappea --database=snappea",
    "bugsink-manage migrate",
    "CREATE_SUPERUSER=admin@example.com:… bugsink-manage prestart",
    "bugsink-manage shell -c '<Team and Project through the ORM>'",
  ];
  must(bin("bugsink-create-conf"), ["--template=singleserver", "--host=127.0.0.1", `--base-dir=${dir}`], { cwd: dir });
  appendFileSync(path.join(dir, "bugsink_conf.py"), OVERRIDES);
  manage(["migrate", "snappea", "--database=snappea", "-v", "0"]);
  manage(["migrate", "-v", "0"]);
  manage(["prestart"], { CREATE_SUPERUSER: "admin@example.com:correct-horse-battery-staple" });
  const project = JSON.parse(/^PROJECT (.*)$/m.exec(manage(["shell", "-c", CREATE_PROJECT]))[1]);
  const site = must(bin("python"), ["-c", "import bugsink, os; print(os.path.dirname(bugsink.__file__))"]).trim();
  const gunicornArgs = ["--config", path.join(site, "gunicorn.docker.conf.py"), `--bind=127.0.0.1:${port}`, "bugsink.wsgi"];
  log(`bugsink: ${dir}, gunicorn on 127.0.0.1:${port}`);

  // Each in a process group of its own, so stop() ends gunicorn's workers and snappea's too.
  const gunicorn = spawn(bin("gunicorn"), gunicornArgs, { cwd: dir, env, stdio: "ignore", detached: true });
  const snappea = spawn(bin("bugsink-runsnappea"), [], { cwd: dir, env, stdio: "ignore", detached: true });
  const stop = () => {
    if (!running.delete(stop)) return;
    for (const child of [gunicorn, snappea]) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  running.add(stop);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline || gunicorn.exitCode !== null || snappea.exitCode !== null) {
      stop();
      throw new Error(`Bugsink did not answer /health/ready within 60 s (gunicorn exit ${gunicorn.exitCode}, snappea exit ${snappea.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }

  const run = promisify(execFile);
  return {
    base,
    dir,
    project,
    setup: [...setup, `gunicorn ${gunicornArgs.join(" ").replace(site, "<site-packages>/bugsink")}`, "bugsink-runsnappea"],
    /** The processes to measure: gunicorn's master (its workers are its children) and snappea. */
    roots: () => [gunicorn.pid, snappea.pid],
    async counts() {
      const { stdout } = await run(bin("python"), ["-c", COUNT, dir, String(project.id)]);
      return JSON.parse(stdout);
    },
    async stop() {
      stop();
      // Give both a moment to exit before their files go.
      for (let i = 0; i < 20 && (gunicorn.exitCode === null || snappea.exitCode === null); i++) await new Promise((r) => setTimeout(r, 250));
      for (const child of [gunicorn, snappea]) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // exited
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
