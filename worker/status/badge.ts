import { html } from "hono/html";
import { percent } from "./format";
import type { PublicBadge } from "./service";

/** Shields.io's "flat" badge, drawn here so a README can embed a monitor's state without a third party. */

const COLORS = { green: "#3fa33f", yellow: "#c99a06", red: "#e05d44", blue: "#007ec6", grey: "#9f9f9f" } as const;

const WINDOW_WORDS = { "24h": "24 hours", "7d": "7 days", "30d": "30 days", "90d": "90 days" } as const;

// Advance widths of Verdana at 11 px (the badge font), for ASCII; anything else counts as a wide letter.
const WIDE = 9;
const WIDTHS: Record<string, number> = {
  " ": 3.9, "!": 4.3, '"': 5, "#": 9, $: 7, "%": 11.8, "&": 8, "'": 3, "(": 5, ")": 5, "*": 7, "+": 9, ",": 4, "-": 5, ".": 4, "/": 5,
  ":": 5, ";": 5, "<": 9, "=": 9, ">": 9, "?": 6, "@": 11, "[": 5, "\\": 5, "]": 5, "^": 9, _: 7, "`": 7, "{": 7, "|": 5, "}": 7, "~": 9,
  A: 7.5, B: 7.5, C: 7.7, D: 8.5, E: 7, F: 6.3, G: 8.5, H: 8.3, I: 4.6, J: 5, K: 7.6, L: 6.1, M: 9.3, N: 8.2, O: 8.7, P: 6.6, Q: 8.7,
  R: 7.7, S: 7.5, T: 6.8, U: 8.1, V: 7.5, W: 10.9, X: 7.5, Y: 6.8, Z: 7.5,
  a: 6.6, b: 6.9, c: 5.7, d: 6.9, e: 6.6, f: 3.9, g: 6.9, h: 7, i: 3, j: 3.8, k: 6.5, l: 3, m: 10.7, n: 7, o: 6.7, p: 6.9, q: 6.9,
  r: 4.7, s: 5.7, t: 4.3, u: 7, v: 6.5, w: 9, x: 6.5, y: 6.5, z: 5.8,
};
const textWidth = (s: string) => [...s].reduce((n, ch) => n + (/\d/.test(ch) ? 7 : (WIDTHS[ch] ?? WIDE)), 0);

export interface BadgeText {
  label: string;
  message: string;
  color: string;
  /** The tooltip and accessible name. */
  title: string;
}

/** The words and color of a monitor's badge; `null` (not public, or no such monitor) is "unknown". */
export function badgeText(b: PublicBadge | null, label: string): BadgeText {
  if (!b) return { label, message: "unknown", color: COLORS.grey, title: `${label}: unknown` };
  const uptime = b.uptime === null ? "" : ` ${percent(b.uptime)}`;
  const [message, color] =
    b.state === "up"
      ? [`up${uptime}`, COLORS.green]
      : b.state === "degraded"
        ? [`degraded${uptime}`, COLORS.yellow]
        : b.state === "down"
          ? ["down", COLORS.red]
          : b.state === "maintenance"
            ? ["maintenance", COLORS.blue]
            : [b.state === "paused" ? "paused" : "pending", COLORS.grey];
  const over = b.uptime === null ? "" : ` (${percent(b.uptime)} over ${WINDOW_WORDS[b.window]})`;
  return { label, message, color, title: `${b.name}: ${message.split(" ")[0]}${over}` };
}

export function badgeSvg(t: BadgeText) {
  const lw = Math.round(textWidth(t.label)) + 10;
  const mw = Math.round(textWidth(t.message)) + 10;
  const w = lw + mw;
  // Text is drawn at 10× and scaled down, as shields does, for crisp sub-pixel positions.
  const text = (s: string, x: number, width: number) =>
    html`<text aria-hidden="true" x="${x * 10}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${(width - 10) * 10}">${s}</text><text x="${x * 10}" y="140" transform="scale(.1)" fill="#fff" textLength="${(width - 10) * 10}">${s}</text>`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${`${t.label}: ${t.message}`}"><title>${t.title}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${t.color}"/><rect width="${w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">${text(t.label, lw / 2, lw)}${text(t.message, lw + mw / 2, mw)}</g></svg>`;
}
