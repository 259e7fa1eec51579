declare module "*.envelope?raw" {
  const text: string;
  export default text;
}
