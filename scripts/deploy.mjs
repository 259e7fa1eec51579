// `npm run deploy`: Vigil on your Cloudflare account in one command (docs/deploy.md).
//
// Creates what is missing (D1 database, R2 bucket, the two Queues), writes wrangler.deploy.toml from the
// committed wrangler.toml with the real database id and public URL (wrangler.toml itself is never written),
// applies the D1 migrations, builds the dashboard and deploys. Every step finds what an earlier run made,
// so running it again after `git pull` is the upgrade.
//
//   --dry-run      everything offline, no account: generate the config with placeholder ids, build, bundle
//   --pages        dashboard on Cloudflare Pages; a Pages Function forwards the Worker's routes to it
//   --url URL      the address users open (PUBLIC_URL); otherwise the previous run's, or asked for
//   --email-from A  sender address of email alerts (ALERTS_EMAIL_FROM); without one, no email alerts
//   --no-email     deploy without the send_email binding (email channels then say so)
//   --no-build     use the dashboard already in dashboard/build
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { parseArgs, stripVTControlCharacters } from "node:util";
import { deployConfig, pagesConfig, resourcesOf, tomlValue } from "./deploy-config.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "node_modules", ".bin");
const WRANGLER = path.join(BIN, "wrangler");
const SOURCE_CONFIG = path.join(ROOT, "wrangler.toml");
const DEPLOY_CONFIG = path.join(ROOT, "wrangler.deploy.toml");
/** Dry runs write here (.wrangler/ is git-ignored) so they never touch a real wrangler.deploy.toml. */
const DRY_RUN_DIR = path.join(ROOT, ".wrangler", "deploy-dry-run");
/** The Pages project is assembled here: the committed functions plus a generated Pages config. */
const PAGES_STAGING_DIR = path.join(ROOT, ".wrangler", "deploy-pages");
const PAGES_SOURCE = path.join(ROOT, "deploy", "pages");
const DASHBOARD_BUILD = path.join(ROOT, "dashboard", "build");
const PLACEHOLDER_DATABASE_ID = "00000000-0000-0000-0000-000000000000";
const PLACEHOLDER_URL = "https://vigil.example.workers.dev";

// Wrangler with Node 22 from node_modules first on PATH (the `node` devDependency), and no telemetry.
const childEnv = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH}`, WRANGLER_SEND_METRICS: "false" };

// ─── Options ────────────────────────────────────────────────────────────────────────────────────

function readOptions() {
  const { values } = parseArgs({
    options: {
      "dry-run": { type: "boolean", default: false },
      pages: { type: "boolean", default: false },
      url: { type: "string" },
      "email-from": { type: "string" },
      "no-email": { type: "boolean", default: false },
      "no-build": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    // The comment at the top of this file is the help.
    const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
    console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith("//"))).map((l) => l.slice(3)).join("\n"));
    process.exit(0);
  }
  if (values.url && !/^https?:\/\/[^/\s]+\/?$/.test(values.url)) fail(`--url must be an origin such as https://vigil.example.com (got "${values.url}").`);
  return {
    dryRun: values["dry-run"],
    pages: values.pages,
    url: values.url?.replace(/\/$/, ""),
    emailFrom: values["email-from"],
    noEmail: values["no-email"],
    build: !values["no-build"],
  };
}

/** What the previous deploy chose (URL, sender, email on or off), so a re-run asks nothing. */
function previousChoices() {
  if (!existsSync(DEPLOY_CONFIG)) return {};
  const toml = readFileSync(DEPLOY_CONFIG, "utf8");
  return {
    publicUrl: tomlValue(toml, "PUBLIC_URL") || undefined,
    emailFrom: tomlValue(toml, "ALERTS_EMAIL_FROM"),
    email: /^\[\[send_email\]\]/m.test(toml),
  };
}

// ─── Running things ─────────────────────────────────────────────────────────────────────────────

function fail(message) {
  console.error(`\n✘ ${message}`);
  process.exit(1);
}

const show = (command, args) => `${command} ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(" ")}`;

/** Run a command; `capture` collects its output, colours removed (and still shows it unless `quiet`). */
function run(command, args, { cwd = ROOT, capture = false, quiet = false, env = {} } = {}) {
  if (!quiet) console.log(`  $ ${show(command === WRANGLER ? "wrangler" : command, args)}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...childEnv, ...env }, stdio: ["inherit", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"] });
    const captured = { stdout: "", stderr: "" };
    if (capture) {
      for (const name of ["stdout", "stderr"]) {
        child[name].setEncoding("utf8").on("data", (chunk) => {
          captured[name] += chunk;
          if (!quiet) process[name].write(chunk);
        });
      }
    }
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, out: stripVTControlCharacters(captured.stdout + captured.stderr), stdout: stripVTControlCharacters(captured.stdout) }),
    );
  });
}

const wrangler = (args, options) => run(WRANGLER, args, options);

async function wranglerOk(args, options) {
  const result = await wrangler(args, options);
  if (result.code !== 0) fail(`wrangler ${args.join(" ")} failed (exit ${result.code}).${options?.quiet ? `\n${result.out}` : ""}`);
  return result.out;
}

/** The JSON array a `--json` listing prints on stdout (anything wrangler logs around it is skipped). */
async function wranglerList(args) {
  const result = await wrangler(args, { capture: true, quiet: true });
  if (result.code !== 0) fail(`wrangler ${args.join(" ")} failed (exit ${result.code}).\n${result.out}`);
  const json = result.stdout.slice(result.stdout.indexOf("["), result.stdout.lastIndexOf("]") + 1);
  try {
    return JSON.parse(json);
  } catch {
    fail(`Could not read the output of wrangler ${args.join(" ")}:\n${result.out}`);
  }
}

async function ask(question, fallback = "") {
  if (!process.stdin.isTTY) return fallback;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = (await rl.question(`? ${question} `)).trim();
  rl.close();
  return answer || fallback;
}

// ─── Steps ──────────────────────────────────────────────────────────────────────────────────────

function printPlan(r, o) {
  const where = o.pages ? `Worker "${r.worker}" (API, ingest, cron) + Pages project "${r.worker}-dashboard" (dashboard)` : `Worker "${r.worker}" with the dashboard as static assets`;
  console.log(`\nVigil deploy${o.dryRun ? " — DRY RUN (offline, nothing is created)" : ""}\n`);
  console.log(`  Target:     ${where}`);
  console.log(`  D1:         ${r.database} (binding DB; migrations from migrations/)`);
  console.log(`  R2:         ${r.bucket}`);
  console.log(`  Queues:     ${r.queues.join(", ")}`);
  console.log(`  Config:     ${o.dryRun ? path.relative(ROOT, path.join(DRY_RUN_DIR, "wrangler.deploy.toml")) : "wrangler.deploy.toml"} (generated; wrangler.toml is not modified)`);
  console.log(`  Secrets:    none — sessions are random tokens kept hashed in D1, webhook secrets are per channel`);
  console.log(`\n  Steps: sign-in check → create or find resources → write config → D1 migrations → build dashboard → deploy${o.pages ? " Worker → deploy Pages" : ""}\n`);
}

/** The commands a real run would run, printed by --dry-run (resources are created only if missing). */
function printRealCommands(r, o) {
  const lines = [
    "wrangler whoami",
    "wrangler d1 list --json",
    `wrangler d1 create ${r.database} --update-config=false   # only if missing`,
    "wrangler r2 bucket list",
    `wrangler r2 bucket create ${r.bucket} --update-config=false   # only if missing`,
    "wrangler queues list",
    ...r.queues.map((q) => `wrangler queues create ${q}   # only if missing`),
    ...(o.pages ? ["wrangler pages project list --json", `wrangler pages project create ${r.worker}-dashboard --production-branch main   # only if missing`] : []),
    "wrangler d1 migrations apply DB --remote --config wrangler.deploy.toml",
    "npm run build:dashboard",
    "wrangler deploy --config wrangler.deploy.toml",
    ...(o.pages ? [`wrangler pages deploy --project-name ${r.worker}-dashboard --branch main   # in .wrangler/deploy-pages`] : []),
  ];
  console.log("\nA real run (without --dry-run) would run:\n");
  for (const line of lines) console.log(`  $ ${line}`);
  console.log("");
}

async function checkLogin() {
  console.log("\n› Checking that wrangler is signed in");
  const { code } = await wrangler(["whoami", "--json"], { capture: true, quiet: true });
  if (code !== 0) fail("wrangler is not signed in to Cloudflare. Run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then `npm run deploy` again.");
  console.log("  signed in");
}

async function ensureDatabase(name) {
  console.log(`\n› D1 database "${name}"`);
  const find = async () => (await wranglerList(["d1", "list", "--json"])).find((db) => db.name === name);
  let db = await find();
  if (db) console.log(`  found (${db.uuid})`);
  else {
    // --update-config=false: wrangler would otherwise offer to write the binding into wrangler.toml.
    await wranglerOk(["d1", "create", name, "--update-config=false"]);
    db = await find();
    if (!db) fail(`D1 database "${name}" was created but does not show in \`wrangler d1 list\`.`);
  }
  return db.uuid;
}

async function ensureBucket(name) {
  console.log(`\n› R2 bucket "${name}"`);
  const out = await wranglerOk(["r2", "bucket", "list"], { capture: true, quiet: true });
  const names = [...out.matchAll(/^name:\s+(\S+)/gm)].map((m) => m[1]);
  if (names.includes(name)) console.log("  found");
  else await wranglerOk(["r2", "bucket", "create", name, "--update-config=false"]);
}

async function ensureQueues(queues) {
  console.log(`\n› Queues ${queues.join(", ")}`);
  const out = await wranglerOk(["queues", "list"], { capture: true, quiet: true });
  // A table: one queue per row, the name in a cell of its own.
  const listed = (q) => new RegExp(`(^|[\\s│|])${q.replace(/[-.]/g, "\\$&")}([\\s│|]|$)`, "m").test(out);
  for (const queue of queues) {
    if (listed(queue)) console.log(`  found ${queue}`);
    else await wranglerOk(["queues", "create", queue]);
  }
}

/** The Pages project of the dashboard; returns its production address (https://<subdomain>.pages.dev). */
async function ensurePagesProject(project) {
  console.log(`\n› Pages project "${project}"`);
  const entry = async () => (await wranglerList(["pages", "project", "list", "--json"])).find((p) => p["Project Name"] === project);
  let found = await entry();
  if (found) console.log("  found");
  else {
    await wranglerOk(["pages", "project", "create", project, "--production-branch", "main"]);
    found = await entry();
  }
  const domain = JSON.stringify(found ?? {}).match(/[a-z0-9-]+\.pages\.dev/)?.[0] ?? `${project}.pages.dev`;
  return `https://${domain}`;
}

/**
 * PUBLIC_URL: --url, else the previous run's (unless it is the default address of the other target, after a
 * switch to or from --pages), else the Pages address, else asked; "" means "learn it from the first deploy".
 */
async function choosePublicUrl(o, previous, pagesUrl) {
  if (o.url) return o.url;
  const otherDefault = o.pages ? /\.workers\.dev$/ : /\.pages\.dev$/;
  if (previous.publicUrl && !otherDefault.test(previous.publicUrl)) return previous.publicUrl;
  if (pagesUrl) return pagesUrl;
  return (await ask("Address users will open (e.g. https://vigil.example.com; Enter: the workers.dev address):", "")).replace(/\/$/, "");
}

/**
 * Email alerts: on with a sender, or off (no send_email binding; creating an email channel then answers
 * with a pointer to docs/deploy.md#email). Asked once, then kept. Without a sender there is no address
 * Cloudflare would send from, so no sender means off.
 */
async function chooseEmail(o, previous) {
  if (o.noEmail) return { email: false, emailFrom: previous.emailFrom };
  if (o.emailFrom !== undefined) return { email: true, emailFrom: o.emailFrom };
  if (previous.email !== undefined) return { email: previous.email, emailFrom: previous.emailFrom };
  console.log("\n  Email alerts send through Cloudflare Email Routing: the sender must be on a zone with Email Routing on,");
  console.log("  and recipients verified there (docs/deploy.md#email).");
  const from = await ask("Sender address for email alerts (Enter: no email alerts for now):", "");
  return { email: Boolean(from), emailFrom: from };
}

async function buildDashboard(o) {
  if (!o.build) {
    if (!existsSync(path.join(DASHBOARD_BUILD, "index.html"))) fail("--no-build, but dashboard/build has no index.html: run `npm run build:dashboard` first.");
    console.log("\n› Dashboard: using the existing dashboard/build (--no-build)");
    return;
  }
  console.log("\n› Building the dashboard");
  const { code } = await run("npm", ["run", "--silent", "build:dashboard"]);
  if (code !== 0) fail("The dashboard build failed (output above).");
}

const migrate = () => {
  console.log("\n› Applying D1 migrations (forward-only; already applied ones are skipped)");
  return wranglerOk(["d1", "migrations", "apply", "DB", "--remote", "--config", DEPLOY_CONFIG]);
};

async function deployWorker() {
  console.log("\n› Deploying the Worker");
  const out = await wranglerOk(["deploy", "--config", DEPLOY_CONFIG], { capture: true });
  return out.match(/https:\/\/[a-z0-9.-]+\.workers\.dev/)?.[0];
}

/** Copy the committed Pages Function next to a generated Pages config, in an ignored folder. */
function stagePages(dir, r) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(PAGES_SOURCE, dir, { recursive: true });
  const outputDir = path.relative(dir, DASHBOARD_BUILD);
  writeFileSync(path.join(dir, "wrangler.toml"), pagesConfig({ project: `${r.worker}-dashboard`, worker: r.worker, compatibilityDate: r.compatibilityDate, outputDir }));
  return dir;
}

async function deployPages(r) {
  console.log("\n› Deploying the dashboard to Pages");
  const dir = stagePages(PAGES_STAGING_DIR, r);
  await wranglerOk(["pages", "deploy", "--project-name", `${r.worker}-dashboard`, "--branch", "main", "--commit-dirty=true"], { cwd: dir });
}

// ─── The two runs ───────────────────────────────────────────────────────────────────────────────

async function dryRun(source, r, o) {
  rmSync(DRY_RUN_DIR, { recursive: true, force: true });
  mkdirSync(DRY_RUN_DIR, { recursive: true });
  const configPath = path.join(DRY_RUN_DIR, "wrangler.deploy.toml");
  const email = !o.noEmail;
  writeFileSync(configPath, deployConfig(source, { root: ROOT, configDir: DRY_RUN_DIR, databaseId: PLACEHOLDER_DATABASE_ID, publicUrl: o.url ?? (o.pages ? `https://${r.worker}-dashboard.pages.dev` : PLACEHOLDER_URL), emailFrom: o.emailFrom, assets: !o.pages, email }));
  console.log(`› Wrote ${path.relative(ROOT, configPath)} (placeholder database id)`);

  await buildDashboard(o);

  console.log("\n› Bundling the Worker (wrangler deploy --dry-run)");
  const workerOut = path.join(DRY_RUN_DIR, "worker");
  await wranglerOk(["deploy", "--dry-run", "--outdir", workerOut, "--config", configPath], { capture: true });
  const bundle = path.join(workerOut, "index.js");
  if (!existsSync(bundle) || statSync(bundle).size === 0) fail(`wrangler did not write the Worker bundle ${bundle}.`);
  console.log(`  Worker bundle: ${path.relative(ROOT, bundle)} (${Math.round(statSync(bundle).size / 1024)} KiB)`);

  if (o.pages) {
    console.log("\n› Bundling the Pages Function (wrangler pages functions build)");
    const dir = stagePages(path.join(DRY_RUN_DIR, "pages"), r);
    const out = path.join(DRY_RUN_DIR, "pages-functions");
    mkdirSync(out, { recursive: true });
    await wranglerOk(["pages", "functions", "build", "functions", "--outdir", out, "--output-routes-path", path.join(out, "_routes.json"), "--compatibility-date", r.compatibilityDate], { cwd: dir, capture: true });
    const fn = path.join(out, "index.js");
    if (!existsSync(fn)) fail(`wrangler did not write the Pages Function bundle ${fn}.`);
    const routes = JSON.parse(readFileSync(path.join(out, "_routes.json"), "utf8")).include;
    console.log(`  Pages Function bundle: ${path.relative(ROOT, fn)}; it runs for ${routes.join(", ")} (everything else is static)`);
    // `wrangler pages functions build` does not read the Pages config; `wrangler types` does, and names its bindings.
    const types = path.join(out, "pages-env.d.ts");
    await wranglerOk(["types", types, "--include-runtime=false"], { cwd: dir, capture: true, quiet: true });
    if (!/\bVIGIL: Fetcher\b/.test(readFileSync(types, "utf8"))) fail(`wrangler did not read the VIGIL service binding from ${path.relative(ROOT, path.join(dir, "wrangler.toml"))}.`);
    console.log(`  Pages config: ${path.relative(ROOT, path.join(dir, "wrangler.toml"))}, service binding VIGIL → Worker "${r.worker}" (read back with wrangler types)`);
  }
  printRealCommands(r, o);
  console.log(`✓ Dry run passed: config generated, dashboard ${o.build ? "built" : "reused"}, bundle${o.pages ? "s" : ""} written. Nothing was created on Cloudflare.`);
}

async function realRun(source, r, o) {
  await checkLogin();
  const databaseId = await ensureDatabase(r.database);
  await ensureBucket(r.bucket);
  await ensureQueues(r.queues);
  const pagesUrl = o.pages ? await ensurePagesProject(`${r.worker}-dashboard`) : undefined;

  const previous = previousChoices();
  let publicUrl = await choosePublicUrl(o, previous, pagesUrl);
  const { email, emailFrom } = await chooseEmail(o, previous);
  const write = () => {
    writeFileSync(DEPLOY_CONFIG, deployConfig(source, { root: ROOT, configDir: ROOT, databaseId, publicUrl, emailFrom, assets: !o.pages, email }));
    console.log(`\n› Wrote wrangler.deploy.toml (PUBLIC_URL ${publicUrl || "not set yet"}, email alerts ${email ? "on" : "off"})`);
  };
  write();

  await migrate();
  await buildDashboard(o);
  const workerUrl = await deployWorker();
  // First deploy without an address: the workers.dev one is known now; deploy again so alerts link to it.
  if (!publicUrl && workerUrl) {
    publicUrl = workerUrl;
    write();
    await deployWorker();
  }
  if (o.pages) await deployPages(r);

  console.log(`\n✓ Vigil is deployed: ${publicUrl || workerUrl || "(see the wrangler output above)"}`);
  console.log("  Open it and sign up; the first account gets its own organization. Run `npm run deploy` again after `git pull` to upgrade.");
}

async function main() {
  const o = readOptions();
  const source = readFileSync(SOURCE_CONFIG, "utf8");
  const r = resourcesOf(source);
  printPlan(r, o);
  if (o.dryRun) await dryRun(source, r, o);
  else await realRun(source, r, o);
}

main().catch((err) => fail(err.stack ?? String(err)));
