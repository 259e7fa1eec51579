/**
 * Fault injection: the test seam of the storage layer. Tests arm a fault ("the next D1 write fails", "R2 is
 * down for the next 3 calls") and then drive Vigil through its real doors, queue and alarms, to prove that
 * accepted data is still stored exactly once.
 *
 * Only active when the `FAULTS` binding is "on" — set by the worker tests' configuration, never by
 * wrangler.toml — so in production `withFaults(env)` returns `env` itself and costs one comparison.
 */

export type FaultTarget = "d1.write" | "d1.read" | "r2";

export interface Fault {
  target: FaultTarget;
  /** Calls that pass before the fault fires (0: the next one fails). */
  after?: number;
  /** How many calls fail once it fires; Infinity for "down until cleared". */
  times?: number;
  /** Only calls whose SQL or R2 key contains this. */
  matching?: string;
}

interface Armed extends Required<Omit<Fault, "matching">> {
  matching: string | undefined;
  fired: number;
}

const armed: Armed[] = [];

/** Arm a fault; it fires on matching calls from any request, queue batch or alarm of this isolate. */
export function armFault(fault: Fault): void {
  armed.push({ after: 0, times: 1, ...fault, matching: fault.matching, fired: 0 });
}

export function clearFaults(): void {
  armed.length = 0;
}

/** How many injected failures have fired since the faults were armed (to check a test really hit them). */
export function firedFaults(): number {
  return armed.reduce((n, f) => n + f.fired, 0);
}

export class InjectedFault extends Error {
  constructor(target: FaultTarget, what: string) {
    super(`injected fault: ${target} failed (${what.slice(0, 80)})`);
    this.name = "InjectedFault";
  }
}

function trip(target: FaultTarget, what: string): void {
  for (const f of armed) {
    if (f.target !== target || (f.matching !== undefined && !what.includes(f.matching))) continue;
    if (f.after > 0) {
      f.after--;
      continue;
    }
    if (f.fired < f.times) {
      f.fired++;
      throw new InjectedFault(target, what);
    }
  }
}

const isWrite = (sql: string) => /^\s*(insert|update|delete|replace|with[\s\S]*\b(insert|update|delete)\b)/i.test(sql);

/** The D1 binding with every statement and batch passing `trip` first (a failing batch applies nothing). */
function faultyD1(d1: D1Database): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();
  const check = (sql: string) => trip(isWrite(sql) ? "d1.write" : "d1.read", sql);
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values), sql);
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return async (...args: unknown[]) => {
            check(sql);
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, stmt);
    sqlOf.set(proxy, sql);
    return proxy;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query), query);
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const texts = statements.map((s) => sqlOf.get(s) ?? "");
          const writes = texts.filter(isWrite);
          check(writes.length ? writes.join(";") : texts.join(";"));
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The R2 binding with every call passing `trip` first. */
function faultyR2(r2: R2Bucket): R2Bucket {
  return new Proxy(r2, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const first = args[0];
        trip("r2", `${String(prop)} ${typeof first === "string" ? first : JSON.stringify(first ?? "")}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const wrapped = new WeakMap<Env, Env>();

/** `env` with D1 and R2 behind the fault seam when faults are on; `env` itself otherwise. */
export function withFaults(env: Env): Env {
  if ((env as { FAULTS?: string }).FAULTS !== "on") return env;
  let w = wrapped.get(env);
  if (!w) {
    w = { ...env, DB: faultyD1(env.DB), BLOBS: faultyR2(env.BLOBS) };
    wrapped.set(env, w);
  }
  return w;
}
