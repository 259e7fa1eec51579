import type { AlertType } from "./schema";

/** Everything a message needs, whatever the channel. */
export interface AlertContent {
  type: AlertType | "test";
  project: { id: number; name: string; slug: string } | null;
  organization: string;
  summary: string;
  excerpt?: string;
  environment?: string;
  level?: string;
  /** Absolute link into the dashboard. */
  url: string;
  data: Record<string, unknown>;
  /** Repeats held back since the last message, for "and 37 more in the last 5 min". */
  collapsed?: { count: number; minutes: number };
}

const TITLES: Record<AlertContent["type"], string> = {
  "issue.new": "New issue",
  "issue.regressed": "Issue regressed",
  "issue.frequency": "Issue is frequent",
  "monitor.down": "Monitor down",
  "monitor.up": "Monitor up",
  "cron.missed": "Cron missed",
  "cron.failed": "Cron failed",
  "cron.timeout": "Cron timed out",
  "cron.recovered": "Cron recovered",
  "logs.threshold": "Log threshold crossed",
  "performance.issue": "Performance issue",
  test: "Test alert",
};

export const titleOf = (c: AlertContent) => TITLES[c.type];

function headline(c: AlertContent): string {
  const more = c.collapsed ? ` (and ${c.collapsed.count} more in the last ${c.collapsed.minutes} min)` : "";
  return `${titleOf(c)}: ${c.summary}${more}`;
}

/** Slack's mrkdwn treats &, < and > specially: escape them so user text stays text. */
const slackText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackBody(c: AlertContent) {
  const fields = [
    c.project ? `*Project*\n${slackText(c.project.name)}` : `*Organization*\n${slackText(c.organization)}`,
    c.environment ? `*Environment*\n${slackText(c.environment)}` : undefined,
    c.level ? `*Level*\n${slackText(c.level)}` : undefined,
  ].filter((f): f is string => Boolean(f));
  return {
    text: headline(c),
    blocks: [
      { type: "header", text: { type: "plain_text", text: titleOf(c).slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: `*${slackText(c.summary.slice(0, 2900))}*` } },
      ...(fields.length ? [{ type: "section", fields: fields.map((text) => ({ type: "mrkdwn", text })) }] : []),
      ...(c.excerpt ? [{ type: "context", elements: [{ type: "mrkdwn", text: slackText(c.excerpt.slice(0, 2900)) }] }] : []),
      ...(c.collapsed ? [{ type: "context", elements: [{ type: "mrkdwn", text: `and ${c.collapsed.count} more in the last ${c.collapsed.minutes} min` }] }] : []),
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in Vigil" }, url: c.url }] },
    ],
  };
}

export function webhookBody(c: AlertContent) {
  return {
    type: c.type,
    project: c.project ? { id: c.project.id, name: c.project.name, slug: c.project.slug } : null,
    summary: headline(c),
    url: c.url,
    data: { ...c.data, ...(c.environment ? { environment: c.environment } : {}), ...(c.collapsed ? { collapsed: c.collapsed } : {}) },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return (btoa(bin).match(/.{1,76}/g) ?? []).join("\r\n");
}

/** RFC 2047 for a header that may hold non-ASCII text. */
const encodedWord = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${btoa(String.fromCharCode(...new TextEncoder().encode(s)))}?=`);

/** A small multipart (text + HTML) MIME message for the send_email binding. */
export function emailMessage(c: AlertContent, from: string, to: string, messageId: string): string {
  const subject = `[Vigil] ${headline(c)}`.replace(/[\r\n]+/g, " ").slice(0, 200);
  const text = [headline(c), "", c.project ? `Project: ${c.project.name}` : `Organization: ${c.organization}`, c.environment ? `Environment: ${c.environment}` : "", c.excerpt ?? "", "", `Open in Vigil: ${c.url}`]
    .filter((l, i, all) => l !== "" || all[i - 1] !== "")
    .join("\n");
  const html = `<p><strong>${escapeHtml(headline(c))}</strong></p>${c.excerpt ? `<pre>${escapeHtml(c.excerpt)}</pre>` : ""}<p><a href="${escapeHtml(c.url)}">Open in Vigil</a></p>`;
  const boundary = `vigil-${messageId}`;
  return [
    `From: Vigil <${from}>`,
    `To: ${to}`,
    `Subject: ${encodedWord(subject)}`,
    `Message-ID: <${messageId}@vigil>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Utf8(text),
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Utf8(html),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
