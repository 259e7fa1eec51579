/**
 * Deterministic mutations of real inputs for the hostile-input fuzz (worker/trust/fuzz.test.ts). Everything
 * draws from one seeded PRNG, so a failing case is replayed by running the file again with the same seed.
 */

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
export type Rng = ReturnType<typeof prng>;

const utf8 = new TextEncoder();
export const bytesOf = (text: string) => utf8.encode(text);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** Byte sequences no strict UTF-8 decoder accepts: a stray continuation, an overlong '/', a lone surrogate, 0xFF. */
const INVALID_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];

/** Blind byte-level mutations: the framing and the decoders see bytes their authors never wrote. */
export const byteMutations: Record<string, (rng: Rng, input: Uint8Array) => Uint8Array> = {
  truncate: (rng, b) => b.slice(0, rng.int(b.byteLength)),
  bitflip: (rng, b) => {
    const out = b.slice();
    for (let i = 1 + rng.int(8); i > 0 && out.byteLength; i--) out[rng.int(out.byteLength)]! ^= 1 << rng.int(8);
    return out;
  },
  insert: (rng, b) => {
    const at = rng.int(b.byteLength + 1);
    const junk = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
    return concat(b.subarray(0, at), junk, b.subarray(at));
  },
  delete: (rng, b) => {
    const at = rng.int(b.byteLength + 1);
    return concat(b.subarray(0, at), b.subarray(Math.min(b.byteLength, at + 1 + rng.int(32))));
  },
  invalidUtf8: (rng, b) => {
    const at = rng.int(b.byteLength + 1);
    return concat(b.subarray(0, at), Uint8Array.from(rng.pick(INVALID_UTF8)), b.subarray(at));
  },
  nul: (rng, b) => {
    const at = rng.int(b.byteLength + 1);
    return concat(b.subarray(0, at), new Uint8Array(1 + rng.int(4)), b.subarray(at));
  },
  /** A varint that never ends and a length prefix claiming 2 GB: what protobuf readers trip on. */
  varint: (rng, b) => {
    const at = rng.int(b.byteLength + 1);
    const junk = rng.chance(0.5) ? new Uint8Array(11).fill(0xff) : Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07]);
    return concat(b.subarray(0, at), junk, b.subarray(at));
  },
};

const HUGE = 10_000;
/** Values that break assumptions: absurd numbers, numbers as strings, absurd times, SQL, HTML, NUL, lone surrogates. */
export const HOSTILE_VALUES: unknown[] = [
  1e308,
  -1e308,
  -1,
  -0,
  0,
  2 ** 53 + 2,
  1.5,
  "1e308",
  "-1",
  "NaN",
  "Infinity",
  "0x10",
  "",
  null,
  true,
  [],
  {},
  [[[[[]]]]],
  "9999-99-99T99:99:99Z",
  "0000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.001Z",
  253402300800000,
  -62135596800,
  1e20,
  "'; DROP TABLE events; --",
  "1 OR 1=1",
  "\" OR \"\"=\"",
  "%' UNION SELECT * FROM users --",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "a\u0000b",
  "\ud800",
  "\u202e\u0000\uffff",
  "__proto__",
  JSON.parse('{"__proto__":{"polluted":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  "x".repeat(HUGE),
  Array.from({ length: 1000 }, (_, i) => i),
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a JSON document (the root included), so one can be replaced. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 5000) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

/** Nested arrays (or objects) `depth` levels deep, as text: JSON.stringify itself would not survive building it. */
export const deepJson = (depth: number, rng: Rng) =>
  rng.chance(0.5) ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

const DEEP_MARK = "\u0001deep\u0001";

/**
 * Replace (or add) one value somewhere in a JSON document with a hostile one, or with a 10k-level nesting.
 * Returns the new text; a document that does not parse is returned as is.
 */
export function mutateJson(rng: Rng, text: string, forceDeep = false): string {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return text;
  }
  const all = paths(doc);
  // A deep value goes inside the document (not at its root), where the decoders walk it.
  const path = forceDeep && all.length > 1 ? rng.pick(all.slice(1)) : rng.pick(all);
  const deep = forceDeep || rng.chance(0.1);
  // Through JSON text, so "__proto__" stays an own key as JSON.parse makes it in the Worker.
  const replacement = (deep ? DEEP_MARK : JSON.parse(JSON.stringify(rng.pick(HOSTILE_VALUES)))) as Json;
  if (path.length === 0) doc = replacement;
  else {
    let parent = doc as Record<string | number, Json>;
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
    const last = path[path.length - 1]!;
    const key = rng.chance(0.2) && !Array.isArray(parent) ? rng.pick(["__proto__", "constructor", "", "\u0000", "a".repeat(300)]) : last;
    Object.defineProperty(parent, key, { value: replacement, enumerable: true, writable: true, configurable: true });
  }
  const out = JSON.stringify(doc);
  return deep ? out.replace(JSON.stringify(DEEP_MARK), deepJson(10_000, rng)) : out;
}

/** JSON lines (NDJSON, JSONL): one line mutated. */
export function mutateLines(rng: Rng, text: string, forceDeep = false): string {
  const lines = text.split("\n");
  const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim());
  const [line, i] = rng.pick(candidates);
  lines[i] = mutateJson(rng, line, forceDeep);
  return lines.join("\n");
}

/**
 * A Sentry envelope with one of its JSON lines (envelope header, item header or payload) mutated; the item's
 * `length` is kept right (so the framing holds and the payload reaches its decoder), dropped, or left stale.
 */
export function mutateEnvelope(rng: Rng, text: string, forceDeep = false): string {
  const lines = text.split("\n");
  // Deep nesting goes in a payload (the item headers are read whole, the payloads by each item's decoder).
  const payloads = lines.map((_, i) => i).filter((i) => i >= 2 && i % 2 === 0 && lines[i]!.trim());
  const i = forceDeep && payloads.length ? rng.pick(payloads) : rng.int(lines.length);
  if (!lines[i]!.trim()) return text;
  lines[i] = mutateJson(rng, lines[i]!, forceDeep);
  const isPayload = i >= 2 && i % 2 === 0;
  if (isPayload && !rng.chance(0.2)) {
    try {
      const header = JSON.parse(lines[i - 1]!) as Record<string, unknown>;
      if (rng.chance(0.5)) header.length = utf8.encode(lines[i]!).byteLength;
      else delete header.length;
      lines[i - 1] = JSON.stringify(header);
    } catch {
      // the item header itself was mutated into something else: leave it
    }
  }
  return lines.join("\n");
}

/** A form-encoded body (Python's logging.HTTPHandler) with one field given a hostile value. */
export function mutateForm(rng: Rng, text: string, forceDeep = false): string {
  const form = new URLSearchParams(text);
  const keys = [...form.keys()];
  const value = forceDeep ? deepJson(10_000, rng) : rng.pick(HOSTILE_VALUES);
  form.set(rng.chance(0.8) ? rng.pick(keys) : rng.pick(["__proto__", "", "created", "levelno"]), typeof value === "string" ? value : JSON.stringify(value));
  return form.toString();
}
