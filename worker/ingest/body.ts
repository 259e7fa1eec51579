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
