import { inject } from "vitest";
import type { TargetBehaviour } from "./targets";

const base = () => inject("targetsUrl");

export interface Target {
  id: string;
  /** `http://127.0.0.1:port` */
  url: string;
  /** `127.0.0.1:port` */
  tcp: string;
  configure(b: Partial<TargetBehaviour>): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  log(): Promise<{ at: number; region: string | null; method: string; path: string }[]>;
}

/** A fresh HTTP + TCP target in the test's Node process (worker/test/targets.ts). */
export async function newTarget(behaviour: Partial<TargetBehaviour> = {}): Promise<Target> {
  const t = (await (await fetch(`${base()}/targets`, { method: "POST" })).json()) as { id: string; url: string; tcp: string };
  const call = async (what: string, body?: unknown) => {
    const res = await fetch(`${base()}/targets/${t.id}/${what}`, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`target ${what}: ${res.status}`);
    return res.json();
  };
  const target: Target = {
    ...t,
    configure: async (b) => void (await call("config", b)),
    stop: async () => void (await call("stop")),
    start: async () => void (await call("start")),
    log: async () => (await fetch(`${base()}/targets/${t.id}/log`)).json() as never,
  };
  if (Object.keys(behaviour).length) await target.configure(behaviour);
  return target;
}
