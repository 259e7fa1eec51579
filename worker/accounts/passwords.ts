import { fromBase64, randomBytes, timingSafeEqual, toBase64 } from "../lib/encoding";

/**
 * Password hashing with PBKDF2-SHA256 through WebCrypto.
 * Cloudflare's production runtime refuses more than 100,000 iterations (local workerd accepts more),
 * so this is the ceiling, and the count is stored in the hash so it can change later.
 * Format: `pbkdf2_sha256$<iterations>$<salt base64>$<hash base64>` — the same as Django's.
 */
export const PBKDF2_MAX_ITERATIONS = 100_000;
export const PBKDF2_ITERATIONS = PBKDF2_MAX_ITERATIONS;
const SALT_BYTES = 16;
const HASH_BITS = 256;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  if (iterations > PBKDF2_MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations above ${PBKDF2_MAX_ITERATIONS} are refused by Cloudflare Workers.`);
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, iterations);
  return `pbkdf2_sha256$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algorithm, iterText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterText);
  if (algorithm !== "pbkdf2_sha256" || !saltText || !hashText) return false;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return false;
  const expected = fromBase64(hashText);
  const actual = await derive(password, fromBase64(saltText), iterations);
  return timingSafeEqual(actual, expected);
}

/** A hash of a random password, used to spend the same time when the email is unknown. */
let decoyHash: Promise<string> | undefined;
export function decoy(): Promise<string> {
  decoyHash ??= hashPassword(crypto.randomUUID());
  return decoyHash;
}

const COMMON = new Set([
  "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwerty123", "qwertyuiop",
  "11111111", "iloveyou", "sunshine1", "letmein1", "welcome1", "admin123", "abc12345", "django123", "changeme",
  "passw0rd", "00000000", "87654321", "football", "baseball", "superman", "trustno1",
]);

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return "This password is too common; choose one that is harder to guess.";
  if (new Set(password).size < 4) return "This password repeats too few characters; choose one that is harder to guess.";
  const local = email.split("@")[0]?.toLowerCase();
  if (lower === email.toLowerCase() || (local && local.length >= 4 && lower.includes(local))) {
    return "Password must not contain your email address.";
  }
  return undefined;
}
