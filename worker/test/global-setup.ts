import type { TestProject } from "vitest/node";
import { startReceiver } from "./receiver";
import { startTargets } from "./targets";

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
    targetsUrl: string;
  }
}

/** Runs in Node before the workerd tests: the alert receiver and the uptime targets, on 127.0.0.1. */
export default async function setup(project: TestProject) {
  const { url, server } = await startReceiver();
  const targets = await startTargets();
  project.provide("receiverUrl", url);
  project.provide("targetsUrl", targets.url);
  return async () => {
    await targets.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
