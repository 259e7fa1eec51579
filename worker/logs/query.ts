/**
 * The log search language, meant to be guessed rather than learned:
 *
 *   timeout                    lines with the word (any case, accents ignored; in the body or logger/service/host/source)
 *   "connection reset"         the phrase
 *   conn*                      words starting with "conn"
 *   level:error                that level (trace, debug, info, warn|warning, error, fatal|critical); level:warn+ for warn and worse
 *   logger:django.request      logger, service, host, source: exact, or a prefix with a trailing * (logger:django.*)
 *   trace:4bf92f35...          the lines of one trace (span: for one span)
 *   attr.http.status:500       an attribute's value (attr.user.id:42)
 *   -healthcheck  -level:debug a leading - excludes
 *
 * Everything is ANDed. One parse gives one `Query`; the LogStore turns it into SQL over its hot lines
 * (`toSql`) and the same query is checked line by line in JavaScript (`matches`) for archived chunks and the
 * live tail, so both answer alike.
 */
import { ApiError } from "../lib/errors";
import { LEVELS, levelCode, type Level, type LogLine } from "./model";

export type LabelField = "logger" | "service" | "host" | "source";

export type Clause =
  | { kind: "text"; tokens: string[]; prefix: boolean; negate: boolean }
  | { kind: "level"; levels: Level[]; negate: boolean }
  | { kind: "label"; field: LabelField; value: string; prefix: boolean; negate: boolean }
  | { kind: "id"; field: "traceId" | "spanId"; value: string; negate: boolean }
  | { kind: "attr"; key: string; value: string; negate: boolean };

export interface Query {
  clauses: Clause[];
}

const LEVEL_ALIASES: Record<string, Level> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  err: "error",
  fatal: "fatal",
  critical: "fatal",
  crit: "fatal",
};

const FIELDS: Record<string, LabelField | "level" | "traceId" | "spanId"> = {
  level: "level",
  logger: "logger",
  service: "service",
  host: "host",
  source: "source",
  trace: "traceId",
  trace_id: "traceId",
  span: "spanId",
  span_id: "spanId",
};

/** Words as FTS5's unicode61 tokenizer sees them: lowercased, accents removed, split on anything not a letter or digit. */
export function tokenize(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function levelsOf(value: string): Level[] {
  const out = new Set<Level>();
  for (const part of value.toLowerCase().split(",")) {
    const andWorse = part.endsWith("+");
    const level = LEVEL_ALIASES[andWorse ? part.slice(0, -1) : part];
    if (!level) throw new ApiError("validation_failed", `Unknown level "${part}": use trace, debug, info, warn, error or fatal (warn+ for warn and worse).`);
    if (andWorse) for (const l of LEVELS.slice(LEVELS.indexOf(level))) out.add(l);
    else out.add(level);
  }
  return [...out];
}

/** Split a query into words, "quoted phrases" and field:value pairs (a value may be quoted too). */
function pieces(input: string): { negate: boolean; field: string | null; value: string; quoted: boolean }[] {
  const out: { negate: boolean; field: string | null; value: string; quoted: boolean }[] = [];
  const re = /(-?)(?:([A-Za-z_][\w.]*):)?(?:"((?:[^"\\]|\\.)*)"?|(\S+))/g;
  for (const m of input.matchAll(re)) {
    const [, minus, field, quoted, bare] = m;
    const value = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : (bare ?? "");
    if (!value && !field) continue;
    out.push({ negate: minus === "-", field: field ?? null, value, quoted: quoted !== undefined });
  }
  return out;
}

/** Longest accepted query, and most clauses in it. */
export const QUERY_LIMITS = { chars: 1000, clauses: 20 } as const;

export function parseQuery(input: string): Query {
  if (input.length > QUERY_LIMITS.chars) throw new ApiError("validation_failed", `The search is longer than ${QUERY_LIMITS.chars} characters.`);
  const clauses: Clause[] = [];
  for (const p of pieces(input.trim())) {
    const field = p.field?.toLowerCase() ?? null;
    if (field?.startsWith("attr.") && field.length > 5) {
      clauses.push({ kind: "attr", key: p.field!.slice(5), value: p.value, negate: p.negate });
      continue;
    }
    const known = field ? FIELDS[field] : undefined;
    if (field && !known) {
      // Not a field we know ("http://x", "12:30:05"): search it as text.
      pushText(clauses, `${p.field}:${p.value}`, p.quoted, p.negate);
      continue;
    }
    if (known === "level") clauses.push({ kind: "level", levels: levelsOf(p.value), negate: p.negate });
    else if (known === "traceId" || known === "spanId") {
      const value = p.value.replaceAll("-", "").toLowerCase();
      const ok = known === "traceId" ? /^[0-9a-f]{32}$/.test(value) : /^[0-9a-f]{16}$/.test(value);
      if (!ok) throw new ApiError("validation_failed", `${field}: needs a ${known === "traceId" ? 32 : 16}-character hex id.`);
      clauses.push({ kind: "id", field: known, value, negate: p.negate });
    } else if (known) {
      const prefix = !p.quoted && p.value.endsWith("*");
      clauses.push({ kind: "label", field: known, value: prefix ? p.value.slice(0, -1) : p.value, prefix, negate: p.negate });
    } else pushText(clauses, p.value, p.quoted, p.negate);
  }
  if (clauses.length > QUERY_LIMITS.clauses) throw new ApiError("validation_failed", `The search has more than ${QUERY_LIMITS.clauses} terms.`);
  return { clauses };
}

function pushText(clauses: Clause[], value: string, quoted: boolean, negate: boolean) {
  const prefix = !quoted && value.endsWith("*");
  const tokens = tokenize(value);
  if (tokens.length === 0) return;
  // An unquoted "a.b-c" is one thing to the person typing it: search it as the phrase of its words.
  clauses.push({ kind: "text", tokens, prefix, negate });
}

// ---------------------------------------------------------------------------------------------------------------
// SQL over the hot store (see store-schema in log-store.ts: `lines` and the contentless FTS5 table `lines_fts`)

const quoteFts = (token: string) => `"${token.replaceAll('"', '""')}"`;

function ftsOf(c: Extract<Clause, { kind: "text" }>): string {
  const phrase = c.tokens.map(quoteFts).join(" + ");
  return c.prefix ? `${phrase} *` : phrase;
}

export interface SqlParts {
  /** FTS5 MATCH expression for the positive text clauses, or null when there are none. */
  match: string | null;
  /** Conditions, ANDed, with their bound values. */
  where: string[];
  params: (string | number)[];
  /** Whether a condition reads a column of `lines l` (else the id alone answers it: time, level, text). */
  readsLines: boolean;
}

const COLUMN: Record<LabelField, string> = { logger: "l.logger", service: "l.service", host: "l.host", source: "l.source" };

const likePrefix = (value: string) => `${value.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * The query as an FTS5 expression plus conditions. `id` is the expression of the line id in the statement
 * (`f.rowid` when the FTS table drives it, so level and exclusions are checked before a line is read). Negated
 * text runs as NOT IN over the FTS index.
 */
export function toSql(query: Query, id = "l.id"): SqlParts {
  const positive = query.clauses.filter((c): c is Extract<Clause, { kind: "text" }> => c.kind === "text" && !c.negate).map(ftsOf);
  const where: string[] = [];
  const params: (string | number)[] = [];
  for (const c of query.clauses) {
    const not = c.negate ? "NOT " : "";
    switch (c.kind) {
      case "text":
        if (c.negate) {
          where.push(`${id} NOT IN (SELECT rowid FROM lines_fts WHERE lines_fts MATCH ?)`);
          params.push(ftsOf(c));
        }
        break;
      case "level":
        // The level is the id's low bits (see model.ts).
        where.push(`(${id} & 7) ${not}IN (${c.levels.map(() => "?").join(", ")})`);
        params.push(...c.levels.map(levelCode));
        break;
      case "label":
        if (c.prefix) {
          where.push(c.negate ? `coalesce(${COLUMN[c.field]} NOT LIKE ? ESCAPE '\\', 1)` : `${COLUMN[c.field]} LIKE ? ESCAPE '\\'`);
          params.push(likePrefix(c.value));
        } else {
          where.push(c.negate ? `${COLUMN[c.field]} IS NOT ?` : `${COLUMN[c.field]} = ?`);
          params.push(c.value);
        }
        break;
      case "id":
        where.push(c.negate ? `l.${c.field === "traceId" ? "trace_id" : "span_id"} IS NOT ?` : `l.${c.field === "traceId" ? "trace_id" : "span_id"} = ?`);
        params.push(c.value);
        break;
      case "attr":
        // Attributes are compared as text: attr.status:500 finds 500 and "500".
        where.push(`${c.negate ? "NOT " : ""}coalesce(CAST(json_extract(l.attributes, ?) AS TEXT) = ?, 0)`);
        params.push(`$."${c.key.replaceAll('"', "")}"`, c.value);
        break;
    }
  }
  const readsLines = query.clauses.some((c) => c.kind !== "text" && c.kind !== "level");
  return { match: positive.length ? positive.join(" AND ") : null, where, params, readsLines };
}

// ---------------------------------------------------------------------------------------------------------------
// The same query over one line, in JavaScript (archived chunks, live tail)

/** The words FTS indexes for a line: its body, then its logger, service, host and source. */
export function searchableText(line: Pick<LogLine, "body" | "logger" | "service" | "host" | "source">): [string, string] {
  return [line.body, [line.logger, line.service, line.host, line.source].filter(Boolean).join(" ")];
}

function hasSequence(words: string[], tokens: string[], prefix: boolean): boolean {
  outer: for (let i = 0; i + tokens.length <= words.length; i++) {
    for (let j = 0; j < tokens.length; j++) {
      const last = j === tokens.length - 1;
      if (last && prefix ? !words[i + j]!.startsWith(tokens[j]!) : words[i + j] !== tokens[j]) continue outer;
    }
    return true;
  }
  return false;
}

/** A matcher for one query: tokenizes each line once, whatever the number of clauses. */
export function matcher(query: Query): (line: LogLine) => boolean {
  const needsWords = query.clauses.some((c) => c.kind === "text");
  return (line) => {
    const words = needsWords ? searchableText(line).map(tokenize) : [];
    return query.clauses.every((c) => {
      let hit: boolean;
      switch (c.kind) {
        case "text":
          hit = words.some((w) => hasSequence(w, c.tokens, c.prefix));
          break;
        case "level":
          hit = c.levels.includes(line.level);
          break;
        case "label": {
          const v = line[c.field];
          hit = v !== null && (c.prefix ? v.startsWith(c.value) : v === c.value);
          break;
        }
        case "id":
          hit = line[c.field] === c.value;
          break;
        case "attr": {
          const v = line.attributes[c.key];
          hit = v !== undefined && (Array.isArray(v) ? JSON.stringify(v) : String(v)) === c.value;
          break;
        }
      }
      return c.negate ? !hit : hit;
    });
  };
}

/** Labels a query pins (level and exact label values): an archived chunk whose index lacks them all can be skipped. */
export function requiredLabels(query: Query): { levels: Level[] | null; labels: Partial<Record<LabelField, string>> } {
  let levels: Level[] | null = null;
  const labels: Partial<Record<LabelField, string>> = {};
  for (const c of query.clauses) {
    if (c.negate) continue;
    if (c.kind === "level") levels = levels ? levels.filter((l) => c.levels.includes(l)) : c.levels;
    if (c.kind === "label" && !c.prefix) labels[c.field] = c.value;
  }
  return { levels, labels };
}
