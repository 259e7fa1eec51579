import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limiter } from "./limiter";

describe("RateLimiter Durable Object", () => {
  it("counts hits in a window and tells how long to wait", async () => {
    const stub = limiter(env, "test:window");
    expect(await stub.check(2, 60)).toMatchObject({ allowed: true, retryAfter: 0 });
    expect((await stub.hit(2, 60)).allowed).toBe(true);
    expect((await stub.hit(2, 60)).allowed).toBe(true);
    const third = await stub.hit(2, 60);
    expect(third.allowed).toBe(false);
    expect(third.retryAfter).toBeGreaterThan(0);
    expect(third.retryAfter).toBeLessThanOrEqual(60);
    expect((await stub.check(2, 60)).allowed).toBe(false);
  });

  it("keeps separate counts per name", async () => {
    await limiter(env, "test:a").hit(1, 60);
    expect((await limiter(env, "test:a").check(1, 60)).allowed).toBe(false);
    expect((await limiter(env, "test:b").check(1, 60)).allowed).toBe(true);
  });

  it("forgets the window when its alarm fires, and survives a restart in between", async () => {
    const stub = limiter(env, "test:alarm");
    await stub.hit(1, 60);
    const stored = await runInDurableObject(stub, (_, state) => state.storage.get<{ count: number }>("window"));
    expect(stored?.count).toBe(1);
    await evictDurableObject(stub);
    expect((await stub.check(1, 60)).allowed).toBe(false); // the count came back from storage
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.check(1, 60)).allowed).toBe(true);
  });

  it("reset clears the count", async () => {
    const stub = limiter(env, "test:reset");
    await stub.hit(1, 60);
    await stub.reset();
    expect((await stub.check(1, 60)).allowed).toBe(true);
  });
});
