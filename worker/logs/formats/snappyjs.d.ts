/** snappyjs 0.7 (pure JavaScript snappy, block format) ships no types. */
declare module "snappyjs" {
  /** Throws when the data is not valid snappy or declares more than `maxLength` bytes. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(uncompressed: Uint8Array): Uint8Array;
}
