import { ApiError } from "../lib/errors";
import { decodeUtf8, parseJson } from "./body";

/** Items accepted in one envelope; the Python SDK sends a handful, log batches up to a few hundred. */
export const MAX_ITEMS = 1000;

export interface EnvelopeItem {
  type: string;
  headers: Record<string, unknown>;
  payload: Uint8Array;
}

export interface Envelope {
  headers: Record<string, unknown>;
  items: EnvelopeItem[];
}

const NEWLINE = 0x0a;

function jsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  const value = parseJson(decodeUtf8(bytes, what), what);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ApiError("malformed_body", `${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}

/** Parse a JSON object payload (an event, a transaction …) or answer 400 naming the item. */
export function itemJson(item: EnvelopeItem, index: number): Record<string, unknown> {
  return jsonObject(item.payload, `Item ${index + 1} (${item.type}) payload`);
}

/**
 * Parse Sentry's envelope framing: a header line, then per item a header line and a payload that is either
 * exactly `length` bytes or runs to the next newline (or the end).
 */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  let pos = 0;
  const line = (): Uint8Array => {
    const end = bytes.indexOf(NEWLINE, pos);
    const stop = end === -1 ? bytes.length : end;
    const out = bytes.subarray(pos, stop);
    pos = end === -1 ? bytes.length : end + 1;
    return out;
  };
  const headers = jsonObject(line(), "The envelope header");
  const items: EnvelopeItem[] = [];
  while (pos < bytes.length) {
    const headerLine = line();
    if (headerLine.length === 0 || (headerLine.length === 1 && headerLine[0] === 0x0d)) continue; // blank line between items
    const index = items.length;
    if (index >= MAX_ITEMS) throw new ApiError("malformed_body", `An envelope may hold at most ${MAX_ITEMS} items.`);
    const itemHeaders = jsonObject(headerLine, `Item ${index + 1} header`);
    const type = typeof itemHeaders.type === "string" ? itemHeaders.type : "";
    if (!type) throw new ApiError("malformed_body", `Item ${index + 1} header has no "type".`);
    let payload: Uint8Array;
    const length = itemHeaders.length;
    if (length !== undefined && length !== null) {
      if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
        throw new ApiError("malformed_body", `Item ${index + 1} header has an invalid "length".`);
      }
      if (pos + length > bytes.length) {
        throw new ApiError(
          "malformed_body",
          `Item ${index + 1} (${type}) claims ${length} bytes but only ${bytes.length - pos} remain: the envelope is truncated.`,
        );
      }
      payload = bytes.subarray(pos, pos + length);
      pos += length;
      if (bytes[pos] === NEWLINE) pos += 1;
    } else {
      payload = line();
    }
    items.push({ type, headers: itemHeaders, payload });
  }
  return { headers, items };
}
