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
