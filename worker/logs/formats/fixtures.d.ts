// Log fixtures imported as text by formats.test.ts (worker/test/fixtures.d.ts declares .json, .b64 and .envelope).
declare module "*.ndjson?raw" {
  const text: string;
  export default text;
}
declare module "*.jsonl?raw" {
  const text: string;
  export default text;
}
declare module "*.form?raw" {
  const text: string;
  export default text;
}
