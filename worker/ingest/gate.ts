import { DurableObject } from "cloudflare:workers";
import type { Admission, Category } from "./categories";

interface Counts {
  [category: string]: number;
}

interface MinuteWindow {
  start: number;
  counts: Counts;
}

interface MonthWindow {
  month: string;
  counts: Counts;
}

const monthOf = (now: number) => new Date(now).toISOString().slice(0, 7);

function secondsToNextMonth(now: number): number {
  const d = new Date(now);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - now) / 1000));
}

/**
 * One per project: the single counter of what the project sent this minute and this month, per category.
 * The accept path asks it once per request; over the per-minute limit or the monthly quota, items of that
 * category are refused with the seconds until the window ends.
 */
export class IngestGate extends DurableObject<Env> {
  private minute: MinuteWindow = { start: 0, counts: {} };
  private month: MonthWindow | undefined;

  async admit(counts: Partial<Record<Category, number>>, perMinute: number, monthlyQuota: number, now = Date.now()): Promise<Admission> {
    if (now - this.minute.start >= 60_000) this.minute = { start: now - (now % 60_000), counts: {} };
    const monthKey = monthOf(now);
    this.month ??= await this.ctx.storage.get<MonthWindow>("month");
    if (!this.month || this.month.month !== monthKey) this.month = { month: monthKey, counts: {} };
    const accepted: Category[] = [];
    const limited: Admission["limited"] = [];
    for (const [category, n] of Object.entries(counts) as [Category, number][]) {
      const inMinute = this.minute.counts[category] ?? 0;
      const inMonth = this.month.counts[category] ?? 0;
      if (inMonth + n > monthlyQuota) {
        limited.push({ category, retryAfter: secondsToNextMonth(now), reason: "quota_exceeded" });
      } else if (inMinute + n > perMinute) {
        limited.push({ category, retryAfter: Math.max(1, Math.ceil((this.minute.start + 60_000 - now) / 1000)), reason: "rate_limited" });
      } else {
        this.minute.counts[category] = inMinute + n;
        this.month.counts[category] = inMonth + n;
        accepted.push(category);
      }
    }
    if (accepted.length) await this.ctx.storage.put("month", this.month);
    return { accepted, limited };
  }

  /** What the project sent this month, per category. */
  async usage(now = Date.now()): Promise<Counts> {
    this.month ??= await this.ctx.storage.get<MonthWindow>("month");
    return this.month?.month === monthOf(now) ? { ...this.month.counts } : {};
  }
}
