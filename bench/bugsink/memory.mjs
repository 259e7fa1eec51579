// Memory of a server's whole process tree, read from /proc (Linux): the roots and every descendant, summed per
// sample. RSS counts pages shared between processes once per process (gunicorn's forked workers share much of
// their parent's memory), so PSS — each shared page divided among the processes that map it — is summed too.
import { readdirSync, readFileSync } from "node:fs";

function read(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null; // the process has exited since the directory was listed
  }
}

/** Every process on the machine: pid → { ppid, name, cmdline }. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after its last ")".
    const close = stat.lastIndexOf(")");
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    const name = stat.slice(stat.indexOf("(") + 1, close);
    table.set(Number(entry), { ppid, name, cmdline: (read(`/proc/${entry}/cmdline`) ?? "").replaceAll("\0", " ") });
  }
  return table;
}

/** Pids of processes whose command line contains `needle`. */
export function pidsByCommandLine(needle) {
  return [...processTable()].filter(([pid, p]) => pid !== process.pid && p.cmdline.includes(needle)).map(([pid]) => pid);
}

/** The roots and all their descendants. */
function tree(roots, table) {
  const children = new Map();
  for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const seen = new Set();
  const stack = roots.filter((pid) => table.has(pid));
  while (stack.length) {
    const pid = stack.pop();
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

const kib = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text ?? "")?.[1] ?? 0);

/** One sample: RSS and PSS (KiB) summed over the tree, and per process name. */
export function sampleTree(roots) {
  const table = processTable();
  const byName = {};
  let rss = 0;
  let pss = 0;
  for (const pid of tree(roots, table)) {
    const r = kib(read(`/proc/${pid}/status`), "VmRSS");
    const p = kib(read(`/proc/${pid}/smaps_rollup`), "Pss");
    rss += r;
    pss += p;
    const name = table.get(pid).name;
    const entry = (byName[name] ??= { processes: 0, rss: 0, pss: 0 });
    entry.processes += 1;
    entry.rss += r;
    entry.pss += p;
  }
  return { rss, pss, byName };
}

/**
 * Sample the tree every `everyMs` until stop(); `roots()` is asked again each time (a server may start processes
 * on the way). stop() returns the peak sample (by RSS), the peak PSS, and how many samples were taken.
 */
export function watchTree(roots, everyMs = 250) {
  let peak = { rss: 0, pss: 0, byName: {} };
  let peakPss = 0;
  let samples = 0;
  const take = () => {
    const s = sampleTree(roots());
    samples += 1;
    if (s.rss > peak.rss) peak = s;
    peakPss = Math.max(peakPss, s.pss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakRssKiB: peak.rss, peakPssKiB: peakPss, atPeak: peak.byName, samples };
    },
  };
}

/** The tree's memory at rest: the median of `n` samples `everyMs` apart. */
export async function idleMemory(roots, { n = 8, everyMs = 250 } = {}) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    samples.push(sampleTree(roots()));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  samples.sort((a, b) => a.rss - b.rss);
  const mid = samples[Math.floor(samples.length / 2)];
  return { rssKiB: mid.rss, pssKiB: mid.pss, byName: mid.byName };
}
