import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { ApiError } from "../lib/errors";

/** Largest request body accepted as sent (compressed or not). */
export const MAX_COMPRESSED_BYTES = 20 * 1024 * 1024;
/** Largest body after decompression; a gzip bomb is stopped as soon as it passes this. */
export const MAX_DECOMPRESSED_BYTES = 40 * 1024 * 1024;

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Read a stream into one buffer, refusing with 413 as soon as it passes `cap` bytes. */
async function readCapped(stream: ReadableStream<Uint8Array>, cap: number, tooLarge: () => ApiError): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

const bomb = () =>
  new ApiError("payload_too_large", `The body decompresses to more than ${mb(MAX_DECOMPRESSED_BYTES)}; send smaller envelopes.`);

type Inflate = (bytes: Uint8Array, options: { maxOutputLength: number }) => Uint8Array;

/**
 * Decompress in one native call (no stream plumbing: ingest bodies are a few KB), stopping as soon as the
 * output passes MAX_DECOMPRESSED_BYTES.
 */
function decompress(bytes: Uint8Array, inflate: Inflate, label: string): Uint8Array {
  try {
    return new Uint8Array(inflate(bytes, { maxOutputLength: MAX_DECOMPRESSED_BYTES }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) throw bomb();
    throw new ApiError("malformed_body", `The body is not valid ${label} (truncated or corrupt).`);
  }
}

/**
 * The request body as bytes, decompressed per Content-Encoding (gzip, deflate, br, identity), with a cap on
 * what is read from the wire and on what decompression may produce.
 */
export async function readBody(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  const tooLarge = () => new ApiError("payload_too_large", `Bodies are limited to ${mb(MAX_COMPRESSED_BYTES)}.`);
  if (declared > MAX_COMPRESSED_BYTES) throw tooLarge();
  const raw = req.body ? await readCapped(req.body, MAX_COMPRESSED_BYTES, tooLarge) : new Uint8Array();
  if (raw.byteLength === 0) throw new ApiError("malformed_body", "The request body is empty.");
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  switch (encoding) {
    case "identity":
    case "":
      return raw;
    case "gzip":
    case "x-gzip":
      return decompress(raw, gunzipSync, "gzip");
    case "deflate":
      // HTTP's deflate is zlib-wrapped, but some clients send raw deflate: accept both.
      try {
        return decompress(raw, inflateSync, "deflate");
      } catch (err) {
        if (err instanceof ApiError && err.code === "payload_too_large") throw err;
        return decompress(raw, inflateRawSync, "deflate");
      }
    case "br":
      return decompress(raw, brotliDecompressSync, "brotli");
    default:
      throw new ApiError("unsupported_media_type", `Content-Encoding "${encoding}" is not supported; use gzip, deflate or br.`);
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decode UTF-8 strictly: invalid bytes are a 400, not silently replaced. */
export function decodeUtf8(bytes: Uint8Array, what = "The body"): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ApiError("malformed_body", `${what} is not valid UTF-8.`);
  }
}

/**
 * JSON nested deeper than this is refused. The SDKs cut their data at about ten levels; far deeper input
 * (ten thousand `[`, 20 KB) parses, but then overflows the stack of whatever walks it (JSON.stringify first).
 */
export const MAX_JSON_DEPTH = 128;

/** How deep `text` nests, counting brackets outside strings; stops counting past `limit`. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** Parse JSON, answering 400 when it is not JSON or nests deeper than MAX_JSON_DEPTH. */
export function parseJson(text: string, what: string): unknown {
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new ApiError("malformed_body", `${what} nests deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("malformed_body", `${what} is not valid JSON.`);
  }
}
