import type { NormalizedEvent } from "./normalize";

export const FILTERED = "[Filtered]";

/** Keys whose values are always replaced, wherever they appear (headers, form data, locals, extra …). */
const SENSITIVE_KEY =
  /pass(word|wd|phrase)?|secret|token|api[-_]?key|apikey|auth|credential|cookie|session|csrf|xsrf|private[-_]?key|signature|card[-_]?number|cc[-_]?num|cvv|cvc|ssn|iban/i;
/** Keys that look sensitive but are safe and useful. */
const SAFE_KEY = /^(auth_type|author|authors|session_engine|token_type)$/i;

/** 13–19 digits, optionally separated by spaces or dashes, passing the Luhn check: a card number. */
const CARD_CANDIDATE = /\b(?:\d[ -]?){12,18}\d\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `key=value` pairs inside any text (a URL in a repr, a log line): the value goes when the key is sensitive. */
const PAIR = /(^|[?&;\s,(])([\w.-]{1,64})=([^&\s'"<>,)]+)/g;
/** Credentials after an auth scheme, wherever they appear in text. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * Whether a digit string has the prefix and length of a payment card network (Visa, Mastercard, Amex,
 * Discover, JCB, Diners) — so a 13-digit millisecond timestamp or an order id that happens to pass the
 * Luhn check is not taken for a card.
 */
function cardShaped(d: string): boolean {
  const n = d.length;
  if (d.startsWith("4")) return n === 13 || n === 16 || n === 19;
  if (/^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/.test(d)) return n === 16;
  if (/^3[47]/.test(d)) return n === 15;
  if (/^(6011|65|64[4-9]|35(2[89]|[3-8]\d))/.test(d)) return n >= 16 && n <= 19;
  if (/^3(0[0-5]|[689])/.test(d)) return n >= 14 && n <= 19;
  return false;
}

function scrubString(value: string, sensitive: (key: string) => boolean): string {
  return value
    .replace(CARD_CANDIDATE, (m) => {
      const digits = m.replace(/[ -]/g, "");
      return cardShaped(digits) && luhn(digits) ? FILTERED : m;
    })
    .replace(PAIR, (m, pre: string, key: string) => (sensitive(key) ? `${pre}${key}=${FILTERED}` : m))
    .replace(AUTH_SCHEME, (_, scheme: string) => `${scheme} ${FILTERED}`);
}

export interface ScrubOptions {
  extraFields: string[];
  storeIp: boolean;
  clientIp: string | null;
}

/**
 * Remove secrets and personal data before anything is stored: values under sensitive keys, card numbers in
 * any string, cookies and auth headers, query-string secrets, and the IP address unless the project keeps it.
 * Returns the paths it filtered, so the dashboard can mark them.
 */
export function scrubEvent(event: NormalizedEvent, options: ScrubOptions): string[] {
  const extra = options.extraFields.map((f) => f.toLowerCase()).filter(Boolean);
  const sensitive = (key: string) => !SAFE_KEY.test(key) && (SENSITIVE_KEY.test(key) || extra.some((f) => key.toLowerCase().includes(f)));
  const filtered: string[] = [];

  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === "string") {
      const out = scrubString(value, sensitive);
      if (out !== value) filtered.push(path);
      return out;
    }
    if (Array.isArray(value)) {
      return value.map((v, i) => {
        // Header lists and tag pairs: [["Authorization", "Bearer …"], …]
        if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && sensitive(v[0]) && v[1] !== null && v[1] !== FILTERED) {
          filtered.push(`${path}.${v[0]}`);
          return [v[0], FILTERED];
        }
        return walk(v, `${path}.${i}`);
      });
    }
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const p = path ? `${path}.${k}` : k;
        if (sensitive(k) && v !== null && v !== undefined && v !== "" && v !== FILTERED && typeof v !== "object") {
          out[k] = FILTERED;
          filtered.push(p);
        } else if (sensitive(k) && v && typeof v === "object") {
          out[k] = FILTERED;
          filtered.push(p);
        } else {
          out[k] = walk(v, p);
        }
      }
      return out;
    }
    return value;
  };

  for (const field of ["request", "extra", "contexts", "breadcrumbs", "exception", "user", "tags", "message"] as const) {
    if (event[field] !== undefined) (event as Record<string, unknown>)[field] = walk(event[field], field);
  }

  const request = event.request;
  if (request && typeof request.query_string === "string") {
    const before = request.query_string;
    request.query_string = before.replace(/([^&=?]+)=([^&]*)/g, (m, k: string) => (sensitive(decodeURIComponent(k)) ? `${k}=${FILTERED}` : m));
    if (request.query_string !== before) filtered.push("request.query_string");
  }
  if (request && typeof request.cookies === "string" && request.cookies) {
    request.cookies = FILTERED;
    filtered.push("request.cookies");
  }

  const user = event.user;
  if (user) {
    if (user.ip_address === "{{auto}}") user.ip_address = options.storeIp ? options.clientIp : undefined;
    if (!options.storeIp && user.ip_address) {
      delete user.ip_address;
      filtered.push("user.ip_address");
    }
    if (!options.storeIp) delete user.ip_address;
  }
  if (request?.env && typeof request.env === "object" && !options.storeIp) {
    delete (request.env as Record<string, unknown>).REMOTE_ADDR;
  }
  return [...new Set(filtered)];
}
