declare module "*.envelope?raw" {
  const text: string;
  export default text;
}
declare module "*.b64?raw" {
  const text: string;
  export default text;
}
declare module "*.json?raw" {
  const text: string;
  export default text;
}
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
