import { fromBase64, randomBytes, toBase64 } from "../lib/encoding";

/** A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export const newWebhookSecret = () => `whsec_${toBase64(randomBytes(24))}`;

/**
 * The Standard Webhooks signature: `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")), where the
 * key is the base64-decoded part of the secret after `whsec_`.
 */
export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", fromBase64(secret.replace(/^whsec_/, "")), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}
