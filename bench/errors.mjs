// The errors part of `npm run bench` on its own (`node bench/errors.mjs`): the accept rows against the do-nothing
// Worker, end to end, and processing alone, as npm run bench measures them. Results go to stdout and
// bench/results/<date>-errors.json.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { benchIngest, measureErrorProcessingAlone, printErrorProcessingAlone, printIngest } from "./ingest.mjs";
import { startWorker } from "./lib.mjs";

const baseline = await startWorker({ config: "bench/baseline/wrangler.toml" });
const vigil = await startWorker({ config: "wrangler.toml", probePath: "/api/v1/openapi.json", migrate: true });
let ingest;
try {
  const { base } = vigil;
  const headers = { origin: base, "content-type": "application/json" };
  const signup = await fetch(`${base}/api/v1/auth/signup`, { method: "POST", headers, body: JSON.stringify({ email: `bench.${Date.now()}@example.com`, password: "correct horse battery staple" }) });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const cookie = signup.headers.get("set-cookie").split(";")[0];
  const org = (await signup.json()).organization.slug;
  ingest = await benchIngest({ baseline, vigil, cookie, org });
} finally {
  baseline.stop();
  vigil.stop();
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
console.log(`Machine: ${machine}\nDate: ${date}`);
printIngest(ingest);
const processingAlone = measureErrorProcessingAlone();
printErrorProcessingAlone(processingAlone);
mkdirSync("bench/results", { recursive: true });
writeFileSync(`bench/results/${date}-errors.json`, JSON.stringify({ machine, date, ingest, processingAlone }, null, 2));
// Vigil's local state is not needed any more (stopped a minute ago, while processing alone ran).
rmSync(vigil.state, { recursive: true, force: true });
