import { html, raw } from "hono/html";
import type { DayBar } from "../uptime/availability";
import { barTone, duration, percent, STATE_TEXT, STATUS_TEXT, utcTime } from "./format";
import { BAR_DAYS, MAX_PAST_INCIDENTS, PAST_INCIDENT_DAYS, type OverallStatus, type PublicIncident, type PublicMonitor, type StatusPage } from "./service";
import { CSS } from "./style";

/**
 * The public status page as HTML. Every value goes through hono/html's `html` template, which
 * escapes it; `raw` is used only for the constant stylesheet.
 */

type Html = ReturnType<typeof html>;

const BANNER_TONE: Record<OverallStatus, { tone: string; icon: string; color: string }> = {
  operational: { tone: "ok", icon: "✓", color: "#2f9e5b" },
  partial_outage: { tone: "warn", icon: "!", color: "#e0a020" },
  major_outage: { tone: "down", icon: "✕", color: "#d64545" },
  maintenance: { tone: "info", icon: "i", color: "#4f46e5" },
};

/** A dot in the status color as the tab icon (a data: URL: no request, nothing external). */
const favicon = (color: string) =>
  `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${color}"/></svg>`)}`;

function layout(title: string, iconColor: string, body: Html, head: Html | string = ""): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="${favicon(iconColor)}">
${head}
<style>${raw(CSS)}</style>
</head>
<body>
${body}
</body>
</html>`;
}

const time = (d: Date) => html`<time datetime="${d.toISOString()}">${utcTime(d)}</time>`;

function barTitle(b: DayBar): string {
  if (b.uptime === null) return `${b.date}: no data`;
  if (b.downMs === 0) return `${b.date}: ${percent(b.uptime)} uptime, no downtime`;
  const count = b.incidents === 1 ? "1 incident" : `${b.incidents} incidents`;
  return `${b.date}: ${percent(b.uptime)} uptime, down ${duration(b.downMs)} (${count})`;
}

function monitorRow(m: PublicMonitor): Html {
  const state = STATE_TEXT[m.state];
  const uptime = m.uptime90d === null ? "No data" : `${percent(m.uptime90d)} uptime`;
  return html`<li class="monitor" id="monitor-${m.id}">
<div class="head"><h3 class="name">${m.name}</h3><span class="state tone-${state.tone}">${state.text}</span></div>
<ol class="bars" role="img" aria-label="${`Daily uptime, last ${BAR_DAYS} days: ${uptime}`}">${m.days.map(
    (b) => html`<li class="tone-${barTone(b.uptime, b.downMs)}" title="${barTitle(b)}"></li>`,
  )}</ol>
<div class="axis"><span class="long">${BAR_DAYS} days ago</span><span class="short">30 days ago</span><span class="uptime">${uptime} <span class="long">(${BAR_DAYS} days)</span><span class="short">(${BAR_DAYS} d)</span></span><span>Today</span></div>
</li>`;
}

function incidentRow(i: PublicIncident): Html {
  const when = i.endedAt
    ? html`From ${time(i.startedAt)} to ${time(i.endedAt)} · ${duration(i.durationMs)}`
    : html`Since ${time(i.startedAt)} · ${duration(i.durationMs)} so far`;
  const tag = i.endedAt ? html`<span class="tag tone-ok">Resolved</span>` : html`<span class="tag tone-down">Ongoing</span>`;
  return html`<li class="incident">
<div class="head"><h3 class="name">${i.monitorName} ${i.endedAt ? "was down" : "is down"}</h3>${tag}</div>
<p class="when">${when}</p>
</li>`;
}

export function statusPageHtml(p: StatusPage): Html {
  const banner = BANNER_TONE[p.status];
  const jsonPath = `/status/${p.organization.slug}.json`;
  const body = html`<main class="wrap">
<header class="top"><h1>${p.organization.name}</h1><p>Service status</p></header>
<section class="banner tone-${banner.tone}" aria-label="Overall status">
<span class="icon" aria-hidden="true">${banner.icon}</span>
<div><p class="title">${STATUS_TEXT[p.status]}</p><p class="meta">Updated ${time(p.generatedAt)}</p></div>
</section>
${
  p.ongoing.length
    ? html`<section aria-labelledby="current"><h2 id="current">Current incidents</h2>
<ul class="list card">${p.ongoing.map(incidentRow)}</ul></section>`
    : ""
}
<section aria-labelledby="monitors"><h2 id="monitors">Monitors</h2>
<ul class="list card">${p.monitors.map(monitorRow)}</ul></section>
<section aria-labelledby="past"><h2 id="past">Past incidents <span class="note">· last ${PAST_INCIDENT_DAYS} days${p.morePast ? ` · the ${MAX_PAST_INCIDENTS} most recent` : ""}</span></h2>
<div class="card">${
    p.past.length ? html`<ul class="list">${p.past.map(incidentRow)}</ul>` : html`<p class="empty">No incidents in the last ${PAST_INCIDENT_DAYS} days.</p>`
  }</div></section>
<footer><span>Times are in UTC.</span><span><a href="${jsonPath}">JSON</a> · Powered by Vigil</span></footer>
</main>`;
  return layout(`${p.organization.name} status`, banner.color, body, html`<link rel="alternate" type="application/json" href="${jsonPath}">`);
}

/** The same page for an unknown organization and one without public monitors: it reveals neither. */
export function notFoundHtml(): Html {
  return layout(
    "Status page not found",
    "#9f9f9f",
    html`<main class="wrap notfound">
<h1>Status page not found</h1>
<p>There is no public status page at this address. Check the link you followed.</p>
<p>Run this service with Vigil? Mark a monitor as public in its settings and its status appears here.</p>
</main>`,
  );
}
