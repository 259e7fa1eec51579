/**
 * One shape per query: literals and parameter markers become `?`, `IN (...)` lists become `IN (?)`,
 * whitespace collapses — so `WHERE id = 1` and `WHERE id = 2` (or Django's `%s`) are the same query.
 */
export function normalizeSql(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "?")
    .replace(/%s|\$\d+|:\w+|\?/g, "?")
    .replace(/\b-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, "?")
    .replace(/\bIN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/gi, "IN (?)")
    .replace(/\b(VALUES)\s*\(\s*\?(?:\s*,\s*\?)*\s*\)(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*/gi, "$1 (?)")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 2000);
}

/** A short stable id for a normalized query (FNV-1a, 64 bits as 16 hex). */
export function sqlHash(normalized: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < normalized.length; i++) {
    h ^= BigInt(normalized.charCodeAt(i));
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

export const isSelect = (sql: string) => /^\s*(?:\/\*.*?\*\/\s*)?(SELECT|WITH)\b/i.test(sql);
