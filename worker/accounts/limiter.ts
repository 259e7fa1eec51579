import type { RateLimiter } from "./throttle";

export interface ThrottleState {
  allowed: boolean;
  /** Seconds until the next attempt is allowed (0 when allowed). */
  retryAfter: number;
  remaining: number;
}

/** The RateLimiter Durable Object for one name, e.g. `login:email:ann@example.com`. */
export function limiter(env: Env, name: string): DurableObjectStub<RateLimiter> {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name));
}
