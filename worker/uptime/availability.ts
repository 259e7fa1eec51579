/** Uptime from outage windows: exact, not a ratio of sampled checks. Gaps (time Vigil did not check) count as neither. */
export interface Span {
  from: number;
  to: number;
}

export interface OutageLike {
  startedAt: number;
  endedAt: number | null;
}

const DAY = 86_400_000;

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));
}

export interface Availability {
  /** 0..1, or null when the monitor did not exist (or was never checked) in the window. */
  uptime: number | null;
  downMs: number;
  incidents: number;
}

/** What a window's outages and gaps add up to once clipped to it. */
export interface Totals {
  downMs: number;
  /** Time Vigil did not check the monitor. */
  unknownMs: number;
  /** Outages that overlap the window. */
  incidents: number;
}

/** The part of a window the monitor existed in, up to now. */
const clip = (window: Span, createdAt: number, now: number): Span => ({ from: Math.max(window.from, createdAt), to: Math.min(window.to, now) });

/**
 * Uptime of one window from totals already clipped to it (`clip`): the one formula, whether the totals
 * were summed here from the outages or in SQL (the public status page, which must not load every outage).
 */
export function availabilityOf(window: Span, createdAt: number, now: number, totals: Totals): Availability {
  const w = clip(window, createdAt, now);
  if (w.to <= w.from) return { uptime: null, downMs: 0, incidents: 0 };
  const known = w.to - w.from - totals.unknownMs;
  return { uptime: known <= 0 ? null : Math.max(0, 1 - totals.downMs / known), downMs: totals.downMs, incidents: totals.incidents };
}

/** The outages' and gaps' totals within `window` once clipped (`clip`). */
function totals(window: Span, createdAt: number, now: number, outages: OutageLike[], gaps: Span[]): Totals {
  const w = clip(window, createdAt, now);
  const spans = outages.map((o) => ({ from: o.startedAt, to: o.endedAt ?? now }));
  return {
    downMs: spans.reduce((n, s) => n + overlap(s, w), 0),
    unknownMs: gaps.reduce((n, g) => n + overlap(g, w), 0),
    incidents: spans.filter((s) => overlap(s, w) > 0).length,
  };
}

/** Uptime of one window, counted from the monitor's creation and up to now. */
export function availability(window: Span, createdAt: number, now: number, outages: OutageLike[], gaps: Span[]): Availability {
  return availabilityOf(window, createdAt, now, totals(window, createdAt, now, outages, gaps));
}

export interface DayBar extends Availability {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
}

/** One bar per UTC day for the last `days` days, oldest first (today last), from each day's totals (`totalsOf(dayStart)`). */
export function dailyBarsOf(days: number, createdAt: number, now: number, totalsOf: (dayStart: number) => Totals): DayBar[] {
  const today = Math.floor(now / DAY) * DAY;
  return Array.from({ length: days }, (_, i) => {
    const from = today - (days - 1 - i) * DAY;
    return { date: new Date(from).toISOString().slice(0, 10), ...availabilityOf({ from, to: from + DAY }, createdAt, now, totalsOf(from)) };
  });
}

/** One bar per UTC day for the last `days` days, oldest first (today last). */
export function dailyBars(days: number, createdAt: number, now: number, outages: OutageLike[], gaps: Span[]): DayBar[] {
  return dailyBarsOf(days, createdAt, now, (from) => totals({ from, to: from + DAY }, createdAt, now, outages, gaps));
}

export const WINDOWS = { "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "90d": 90 * DAY } as const;

export function uptimeWindows(createdAt: number, now: number, outages: OutageLike[], gaps: Span[]): Record<keyof typeof WINDOWS, number | null> {
  const out = {} as Record<keyof typeof WINDOWS, number | null>;
  for (const [k, ms] of Object.entries(WINDOWS) as [keyof typeof WINDOWS, number][]) out[k] = availability({ from: now - ms, to: now }, createdAt, now, outages, gaps).uptime;
  return out;
}
