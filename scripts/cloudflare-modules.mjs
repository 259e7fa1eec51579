// Lets Node load the Worker's modules to read their route definitions (`npm run docs:api`): the
// runtime-only `cloudflare:` modules resolve to empty stand-ins. Nothing here runs a Worker.
import { register } from "node:module";

const stub = `
export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
export class WorkerEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
export const env = {};
export class EmailMessage {}
export function connect() { throw new Error("cloudflare:sockets is only available inside workerd"); }
`;

register(
  "data:text/javascript," +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("cloudflare:")) return { url: "data:text/javascript," + encodeURIComponent(${JSON.stringify(stub)}), shortCircuit: true };
  return next(specifier, context);
}`),
);
