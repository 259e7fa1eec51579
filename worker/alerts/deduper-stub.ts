import type { AlertDeduper } from "./deduper";

/** The deduper of one (scope, alert key); scope is `project:{id}` or `org:{id}`. Type-only import keeps the class out of the app. */
export function deduperFor(env: Env, scope: string, key: string): DurableObjectStub<AlertDeduper> {
  return env.ALERT_DEDUPER.get(env.ALERT_DEDUPER.idFromName(`${scope}|${key}`));
}
