import { DurableObject } from "cloudflare:workers";

import type { ThrottleState } from "./limiter";

interface Window {
  start: number;
  count: number;
}

/**
 * A fixed-window counter per name (e.g. `login:email:ann@example.com`, `login:ip:1.2.3.4`).
 * One object per name is the single writer, so concurrent requests cannot race past the limit.
 * Used for login throttling now and for ingest rate limits later.
 */
export class RateLimiter extends DurableObject<Env> {
  private window: Window | undefined;

  private async load(): Promise<Window | undefined> {
    this.window ??= await this.ctx.storage.get<Window>("window");
    return this.window;
  }

  /** Look without counting. */
  async check(limit: number, windowSeconds: number): Promise<ThrottleState> {
    return this.state(await this.current(windowSeconds), limit, windowSeconds);
  }

  /** Count one hit and answer whether it was within the limit. */
  async hit(limit: number, windowSeconds: number): Promise<ThrottleState> {
    const w = await this.current(windowSeconds);
    w.count += 1;
    this.window = w;
    await this.ctx.storage.put("window", w);
    await this.ctx.storage.setAlarm(w.start + windowSeconds * 1000);
    return this.state({ ...w, count: w.count - 1 }, limit, windowSeconds);
  }

  async reset(): Promise<void> {
    this.window = undefined;
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    await this.reset();
  }

  private async current(windowSeconds: number): Promise<Window> {
    const now = Date.now();
    const w = await this.load();
    if (!w || now >= w.start + windowSeconds * 1000) return { start: now, count: 0 };
    return { ...w };
  }

  private state(w: Window, limit: number, windowSeconds: number): ThrottleState {
    const allowed = w.count < limit;
    const retryAfter = allowed ? 0 : Math.max(1, Math.ceil((w.start + windowSeconds * 1000 - Date.now()) / 1000));
    return { allowed, retryAfter, remaining: Math.max(0, limit - w.count - (allowed ? 1 : 0)) };
  }
}
