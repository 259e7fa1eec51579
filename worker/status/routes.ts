import { Hono, type Context } from "hono";
import type { HonoEnv } from "../env";
import { notFound } from "../lib/errors";
import { WINDOWS } from "../uptime/availability";
import { badgeSvg, badgeText } from "./badge";
import { notFoundHtml, statusPageHtml } from "./page";
import type { BadgeWindow, StatusPage } from "./service";
import { styleHash } from "./style";

/**
 * The public status page (`/status/{org}`, its JSON twin `/status/{org}.json`) and badges
 * (`/badge/{monitor}.svg`). No sign-in and no cookies: they show only monitors marked public.
 * Outside /api/v1, so not part of the OpenAPI document.
 */

const PAGE_CACHE = "public, max-age=30";
const BADGE_CACHE = "public, max-age=60";
/** Organization slugs are lowercase letters, digits and dashes (see lib/slug.ts). */
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DEFAULT_BADGE_WINDOW: BadgeWindow = "30d";

async function htmlHeaders(c: Context<HonoEnv>) {
  c.header("Content-Security-Policy", `default-src 'none'; style-src ${await styleHash()}; img-src data:; base-uri 'none'; form-action 'none'`);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
}

const presentPage = (p: StatusPage) => ({
  organization: p.organization,
  status: p.status,
  updatedAt: p.generatedAt.toISOString(),
  monitors: p.monitors.map((m) => ({
    id: m.id,
    name: m.name,
    state: m.state,
    uptime90d: m.uptime90d,
    days: m.days.map((d) => ({ date: d.date, uptime: d.uptime, downMs: d.downMs })),
  })),
  incidents: [...p.ongoing, ...p.past].map((i) => ({
    monitorId: i.monitorId,
    monitorName: i.monitorName,
    startedAt: i.startedAt.toISOString(),
    endedAt: i.endedAt?.toISOString() ?? null,
    durationSeconds: Math.round(i.durationMs / 1000),
  })),
  // True when more outages ended in the last 30 days than the list holds (it keeps the newest).
  incidentsTruncated: p.morePast,
});

export const statusRoutes = new Hono<HonoEnv>()
  .get("/status/:page", async (c) => {
    const param = c.req.param("page");
    const wantsJson = param.endsWith(".json");
    const slug = wantsJson ? param.slice(0, -".json".length) : param;
    const page = SLUG.test(slug) ? await c.get("services").statusPages.page(slug) : null;
    if (wantsJson) {
      c.header("Access-Control-Allow-Origin", "*");
      if (!page) throw notFound("Status page");
      c.header("Cache-Control", PAGE_CACHE);
      return c.json(presentPage(page), 200);
    }
    await htmlHeaders(c);
    if (!page) {
      c.header("Cache-Control", "no-store");
      return c.html(notFoundHtml(), 404);
    }
    c.header("Cache-Control", PAGE_CACHE);
    return c.html(statusPageHtml(page), 200);
  })
  .get("/badge/:file", async (c) => {
    const id = /^([1-9]\d{0,14})\.svg$/.exec(c.req.param("file"))?.[1];
    const requested = c.req.query("window");
    const window = requested && Object.hasOwn(WINDOWS, requested) ? (requested as BadgeWindow) : DEFAULT_BADGE_WINDOW;
    const label = (c.req.query("label") ?? "").trim().slice(0, 40) || "uptime";
    const badge = id ? await c.get("services").statusPages.badge(Number(id), window) : null;
    const svg = String(await badgeSvg(badgeText(badge, label)));
    return c.body(svg, badge ? 200 : 404, {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Cache-Control": BADGE_CACHE,
      "Content-Security-Policy": "default-src 'none'",
      "X-Content-Type-Options": "nosniff",
      "Access-Control-Allow-Origin": "*",
    });
  });
