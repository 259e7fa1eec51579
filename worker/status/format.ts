import type { MonitorState } from "../uptime/schema";
import type { OverallStatus } from "./service";

/** `2026-11-23 14:02:05 UTC`: exact, and the same for every reader. */
export function utcTime(d: Date): string {
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)} UTC`;
}

/** `45 s`, `12 min 5 s`, `1 h 3 min`, `2 d 4 h`: the two largest units, rounded down. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const units: [number, string][] = [
    [86_400, "d"],
    [3600, "h"],
    [60, "min"],
    [1, "s"],
  ];
  const i = units.findIndex(([size]) => total >= size);
  if (i === -1) return "0 s";
  const [size, name] = units[i]!;
  const first = `${Math.floor(total / size)} ${name}`;
  const next = units[i + 1];
  if (!next) return first;
  const rest = Math.floor((total % size) / next[0]);
  return rest ? `${first} ${rest} ${next[1]}` : first;
}

/** `100%` only when nothing was down; otherwise rounded down to two decimals (`99.99%`, never a rounded-up `100.00%`). */
export function percent(uptime: number): string {
  if (uptime >= 1) return "100%";
  return `${(Math.floor(uptime * 10_000) / 100).toFixed(2)}%`;
}

/** The banner's words. */
export const STATUS_TEXT: Record<OverallStatus, string> = {
  operational: "All systems operational",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
  maintenance: "Under maintenance",
};

/** A monitor's state in words, and the color family it is shown in (always with the word). */
export const STATE_TEXT: Record<MonitorState, { text: string; tone: "ok" | "warn" | "down" | "info" | "none" }> = {
  up: { text: "Operational", tone: "ok" },
  degraded: { text: "Degraded performance", tone: "warn" },
  down: { text: "Down", tone: "down" },
  maintenance: { text: "Under maintenance", tone: "info" },
  paused: { text: "Not monitored", tone: "none" },
  pending: { text: "No data yet", tone: "none" },
};

/** A day's bar: green without downtime, amber up to ~14 minutes down (≥ 99 %), red beyond, grey without data. */
export function barTone(uptime: number | null, downMs: number): "ok" | "warn" | "down" | "none" {
  if (uptime === null) return "none";
  if (downMs === 0) return "ok";
  return uptime >= 0.99 ? "warn" : "down";
}
