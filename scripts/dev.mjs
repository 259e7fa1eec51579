// Runs `wrangler dev` and, since wrangler does not fire cron triggers locally, calls the scheduled
// handler once a minute, as Cloudflare's `* * * * *` trigger does in production.
import { spawn } from "node:child_process";

const port = Number(process.env.PORT || 8787);
const host = "127.0.0.1";
const base = `http://${host}:${port}`;
const stateDir = process.env.VIGIL_STATE_DIR || ".wrangler/state";

const wrangler = spawn(
  "wrangler",
  [
    "dev",
    "--ip", host,
    "--port", String(port),
    "--persist-to", stateDir,
    "--show-interactive-dev-session=false",
    "--log-level", "warn",
    // Links in alerts point at this address; alert channels may point at local receivers while developing.
    "--var", `PUBLIC_URL:${process.env.PUBLIC_URL || base}`,
    "--var", `ALERTS_ALLOW_PRIVATE_URLS:${process.env.ALERTS_ALLOW_PRIVATE_URLS || "true"}`,
  ],
  { stdio: ["ignore", "inherit", "inherit"], env: process.env },
);

async function ready() {
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`${base}/api/v1/openapi.json`);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function tick() {
  try {
    await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`);
  } catch (err) {
    console.warn(`cron tick failed: ${err.message}`);
  }
}

let timer;
ready().then((ok) => {
  if (!ok) {
    console.error("Vigil did not start within 60 s; see the wrangler output above.");
    return;
  }
  console.log(`\n  Vigil is running at ${base}\n  Dashboard: ${base}/   API: ${base}/api/v1/openapi.json\n  Local data: ${stateDir} (npm run reset wipes it)\n  Cron: this script fires the every-minute trigger itself, so the warning above does not apply.\n  Stop with Ctrl+C.\n`);
  tick();
  timer = setInterval(tick, 60_000);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    clearInterval(timer);
    wrangler.kill(signal);
  });
}
wrangler.on("exit", (code) => {
  clearInterval(timer);
  process.exit(code ?? 0);
});
