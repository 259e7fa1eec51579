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

/** Items of one category, from the minute's budget and from the month's. */
export interface Slice {
  minute: number;
  month: number;
}

export interface Lease {
  /** Per category: at least the items asked for, up to a block, counted as used by the gate. */
  granted: Partial<Record<Category, Slice>>;
  /** Categories whose ask did not fit what is left, with the seconds until it will. */
  limited: Admission["limited"];
  /** When the minute's grants lapse, and the month's (epoch ms). */
  minuteEnds: number;
  monthEnds: number;
}

/** The most items leased at once: what one isolate may hold unspent, per category and budget. */
export const MAX_BLOCK = 100;
/**
 * Items that come in batches count in units of the batch: a log request carries hundreds of lines, so its
 * blocks are a hundred times bigger (else every log request would wait for the gate).
 */
const UNIT: Partial<Record<Category, number>> = { log_item: 100, span: 100 };
const block = (limit: number, divisor: number, category?: Category) => {
  const unit = (category && UNIT[category]) ?? 1;
  return Math.min(MAX_BLOCK * unit, Math.max(1, Math.floor(limit / divisor)));
};
/** A lease of the per-minute budget: 10% of the limit, at most MAX_BLOCK (times the category's batch unit). */
export const minuteBlock = (perMinute: number, category?: Category) => block(perMinute, 10, category);
/** A lease of the monthly quota: 1% of it, at most MAX_BLOCK (an isolate that goes away takes its unspent lease along). */
export const monthBlock = (monthlyQuota: number, category?: Category) => block(monthlyQuota, 100, category);

const monthOf = (now: number) => new Date(now).toISOString().slice(0, 7);

function startOfNextMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

const secondsUntil = (end: number, now: number) => Math.max(1, Math.ceil((end - now) / 1000));

/**
 * One per project: the single counter of what the project may send this minute and this month, per category.
 * Isolates lease blocks of both budgets (worker/ingest/allowance.ts) and spend them without asking again; a
 * lease counts as used here when it is granted. Over the per-minute limit or the monthly quota, the ask is
 * refused with the seconds until the window ends.
 */
export class IngestGate extends DurableObject<Env> {
  private minute: MinuteWindow = { start: 0, counts: {} };
  private month: MonthWindow | undefined;

  /**
   * Grant each category's ask — `minute` and `month` are the items the caller needs beyond what it holds (0:
   * it holds enough) — rounded up to a block when that much is left, or refuse the category whole.
   */
  async lease(asks: Partial<Record<Category, Slice>>, perMinute: number, monthlyQuota: number, now = Date.now()): Promise<Lease> {
    if (now - this.minute.start >= 60_000) this.minute = { start: now - (now % 60_000), counts: {} };
    const monthKey = monthOf(now);
    this.month ??= await this.ctx.storage.get<MonthWindow>("month");
    if (!this.month || this.month.month !== monthKey) this.month = { month: monthKey, counts: {} };
    const minuteEnds = this.minute.start + 60_000;
    const monthEnds = startOfNextMonth(now);
    const granted: Lease["granted"] = {};
    const limited: Lease["limited"] = [];
    for (const [category, ask] of Object.entries(asks) as [Category, Slice][]) {
      const inMinute = this.minute.counts[category] ?? 0;
      const inMonth = this.month.counts[category] ?? 0;
      if (ask.month > 0 && inMonth + ask.month > monthlyQuota) {
        limited.push({ category, retryAfter: secondsUntil(monthEnds, now), reason: "quota_exceeded" });
      } else if (ask.minute > 0 && inMinute + ask.minute > perMinute) {
        limited.push({ category, retryAfter: secondsUntil(minuteEnds, now), reason: "rate_limited" });
      } else {
        const minute = ask.minute && Math.min(Math.max(ask.minute, minuteBlock(perMinute, category)), perMinute - inMinute);
        const month = ask.month && Math.min(Math.max(ask.month, monthBlock(monthlyQuota, category)), monthlyQuota - inMonth);
        this.minute.counts[category] = inMinute + minute;
        this.month.counts[category] = inMonth + month;
        granted[category] = { minute, month };
      }
    }
    if (Object.values(granted).some((g) => g.month > 0)) await this.ctx.storage.put("month", this.month);
    return { granted, limited, minuteEnds, monthEnds };
  }

  /** What was leased this month, per category: what the project sent, plus what isolates hold unspent. */
  async usage(now = Date.now()): Promise<Counts> {
    this.month ??= await this.ctx.storage.get<MonthWindow>("month");
    return this.month?.month === monthOf(now) ? { ...this.month.counts } : {};
  }

  /** The project was deleted: drop its counts (worker/retention/deletion.ts). */
  async forget(): Promise<void> {
    this.minute = { start: 0, counts: {} };
    this.month = undefined;
    await this.ctx.storage.deleteAll();
  }
}
