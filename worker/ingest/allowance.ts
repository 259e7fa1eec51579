import type { Admission, Category } from "./categories";
import type { IngestGate, Slice } from "./gate";

/** Items this isolate may still accept from one budget without asking the gate, until the window ends. */
interface Budget {
  left: number;
  until: number;
}

export interface Limits {
  perMinute: number;
  monthlyQuota: number;
}

/** Take up to `n` items from a budget that has not lapsed; how many were taken. */
function take(budget: Budget, n: number, now: number): number {
  if (budget.until <= now) budget.left = 0;
  const taken = Math.min(budget.left, n);
  budget.left -= taken;
  return taken;
}

/** Add items granted for the window ending at `until`; a later window replaces what is left of an earlier one. */
function add(budget: Budget, n: number, until: number): void {
  if (until > budget.until) Object.assign(budget, { left: n, until });
  else if (until === budget.until) budget.left += n;
}

const MAX_ENTRIES = 10_000;

/**
 * What this isolate holds of each project's per-minute and monthly budgets, leased in blocks from the
 * project's IngestGate (see gate.ts). A request that fits what is held is admitted without a round trip;
 * otherwise the gate is asked for what is missing, rounded up to a block.
 */
export class Allowances {
  private held = new Map<string, { minute: Budget; month: Budget }>();

  private budgets(projectId: number, category: Category) {
    const key = `${projectId}:${category}`;
    let budgets = this.held.get(key);
    if (!budgets) {
      if (this.held.size >= MAX_ENTRIES) this.held.clear();
      budgets = { minute: { left: 0, until: 0 }, month: { left: 0, until: 0 } };
      this.held.set(key, budgets);
    }
    return budgets;
  }

  async admit(
    gates: DurableObjectNamespace<IngestGate>,
    projectId: number,
    counts: Partial<Record<Category, number>>,
    limits: Limits,
    now = Date.now(),
  ): Promise<Admission> {
    const asks: Partial<Record<Category, Slice>> = {};
    const taken = new Map<Category, { minute: number; month: number; minuteUntil: number; monthUntil: number }>();
    for (const [category, n] of Object.entries(counts) as [Category, number][]) {
      const { minute, month } = this.budgets(projectId, category);
      const fromMinute = take(minute, n, now);
      const fromMonth = take(month, n, now);
      taken.set(category, { minute: fromMinute, month: fromMonth, minuteUntil: minute.until, monthUntil: month.until });
      if (fromMinute < n || fromMonth < n) asks[category] = { minute: n - fromMinute, month: n - fromMonth };
    }
    const categories = [...taken.keys()];
    if (Object.keys(asks).length === 0) return { accepted: categories, limited: [] };

    const gate = gates.get(gates.idFromName(String(projectId)));
    const lease = await gate.lease(asks, limits.perMinute, limits.monthlyQuota, now);
    for (const [category, ask] of Object.entries(asks) as [Category, Slice][]) {
      const { minute, month } = this.budgets(projectId, category);
      const granted = lease.granted[category];
      if (granted) {
        // This request spends what it asked for; the rest of the block is held for the next ones.
        if (ask.minute > 0) add(minute, granted.minute - ask.minute, lease.minuteEnds);
        if (ask.month > 0) add(month, granted.month - ask.month, lease.monthEnds);
      } else {
        // Refused: what this request took from the isolate's allowance goes back.
        const t = taken.get(category)!;
        add(minute, t.minute, t.minuteUntil);
        add(month, t.month, t.monthUntil);
      }
    }
    const limited = new Set(lease.limited.map((l) => l.category));
    return { accepted: categories.filter((c) => !limited.has(c)), limited: lease.limited };
  }
}

/** This isolate's allowances: module state lives as long as the isolate. */
export const isolateAllowances = new Allowances();
