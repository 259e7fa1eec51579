import { sha256Hex } from "../lib/encoding";
import type { NormalizedEvent, SentryException, SentryFrame } from "./normalize";

export const GROUPING_VERSION = "v1";

export interface Grouping {
  hash: string;
  algorithm: string;
  title: string;
  culprit: string;
  type: string;
  value: string;
}

/**
 * Replace what varies between occurrences of the same message: UUIDs, hex ids, emails, IPs, URLs' ids and
 * numbers. "Timeout for job 1234 (a@b.com)" and "Timeout for job 99 (c@d.org)" group together.
 */
export function normalizeMessage(message: string): string {
  return message
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, "<email>")
    .replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, "<ip>")
    // A long hex id is one thing whatever its digits: "ref 4f3c2a1b" and "ref 39184270" (all digits by chance) group.
    .replace(/\b(?:0x)?[0-9a-f]{8,}\b/gi, (m) => (/\d/.test(m) ? "<hex>" : m))
    .replace(/\d+(\.\d+)?/g, "<num>")
    .replace(/\s+/g, " ")
    .trim();
}

const framesOf = (e: SentryException): SentryFrame[] => e.stacktrace?.frames ?? [];

/** The frames that identify an exception: in-app ones, or all when none is marked in-app. */
function groupingFrames(e: SentryException): SentryFrame[] {
  const frames = framesOf(e);
  const inApp = frames.filter((f) => f.in_app === true);
  return inApp.length ? inApp : frames;
}

function frameComponent(f: SentryFrame): string {
  const where = f.module ?? f.filename?.replace(/^.*[\\/]/, "") ?? "?";
  const line = (f.context_line ?? "").replace(/\s+/g, " ").trim();
  return `${where}|${f.function ?? "?"}|${line}`;
}

/** Components of the default grouping, with the rule that produced them. */
function defaultComponents(event: NormalizedEvent): { algorithm: string; parts: string[] } {
  const chain = event.exception?.values ?? [];
  if (chain.length) {
    const parts: string[] = [];
    for (const e of chain) {
      const frames = groupingFrames(e);
      parts.push(`type:${e.type ?? "Error"}`);
      if (frames.length) parts.push(...frames.map(frameComponent));
      else parts.push(`value:${normalizeMessage(e.value ?? "")}`);
    }
    return { algorithm: "exception", parts };
  }
  const template = event.logentry?.message;
  return { algorithm: "message", parts: [`message:${normalizeMessage(template ?? event.message ?? "")}`, `logger:${event.logger ?? ""}`] };
}

const firstLine = (s: string, max = 200) => {
  const line = s.split("\n", 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** Where it happened: the transaction (e.g. "/checkout/"), else the crashing in-app frame. */
function culpritOf(event: NormalizedEvent, main: SentryException | undefined): string {
  if (event.transaction) return event.transaction;
  const frames = main ? groupingFrames(main) : [];
  const last = frames[frames.length - 1];
  if (last) return `${last.module ?? last.filename ?? "?"} in ${last.function ?? "?"}`;
  return event.logger ?? "";
}

/**
 * Decide which issue an event belongs to (Sentry's rules, implemented from their description): the
 * fingerprint when given (`{{ default }}` expands to the default components); else every exception of the
 * chain, each with its type and in-app frames (module, function, whitespace-normalized source line — never
 * line numbers); else the message with varying parts normalized.
 */
export async function groupEvent(event: NormalizedEvent): Promise<Grouping> {
  const chain = event.exception?.values ?? [];
  const main = chain[chain.length - 1];
  const def = defaultComponents(event);
  let algorithm = def.algorithm;
  let parts = def.parts;
  if (event.fingerprint?.length) {
    algorithm = "fingerprint";
    parts = event.fingerprint.flatMap((f) => (/^\{\{\s*default\s*\}\}$/.test(f) ? def.parts : [`fp:${f}`]));
  }
  const hash = (await sha256Hex(parts.join("\n"))).slice(0, 32);
  const type = main?.type ?? (event.message ? "Message" : "Error");
  const value = main ? (main.value ?? "") : (event.message ?? "");
  const title = main ? firstLine(value ? `${type}: ${value}` : type) : firstLine(event.message || "<no message>");
  return { hash, algorithm: `${GROUPING_VERSION}:${algorithm}`, title, culprit: firstLine(culpritOf(event, main)), type, value: firstLine(value, 1000) };
}
