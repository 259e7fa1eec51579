import { createDb } from "../db/client";
import { ApiError } from "../lib/errors";
import type { CheckinMessage } from "../ingest/queue";
import { cronSlug, durationMsFromSeconds, monitorConfigFromSentry, recordCheckin } from "./checkin";

const hex32 = (v: unknown) => (typeof v === "string" && /^[0-9a-f]{32}$/.test(v.replaceAll("-", "").toLowerCase()) ? v.replaceAll("-", "").toLowerCase() : null);

/**
 * The queue handler for Sentry `check_in` items (`sentry_sdk.crons.monitor`, the Celery beat integration):
 * each becomes a check-in of the monitor of its slug, created or updated from its `monitor_config`.
 * A check-in that cannot mean anything (no slug, a bad status or config, an unknown slug without config)
 * is dropped with a log line: retrying would not change it.
 */
export async function processCheckinBatch(messages: Message<CheckinMessage>[], env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of messages) {
    const { projectId, receivedAt, payload: p } = message.body;
    try {
      const slug = typeof p.monitor_slug === "string" ? cronSlug(p.monitor_slug) : null;
      const status = p.status;
      if (!slug || (status !== "in_progress" && status !== "ok" && status !== "error")) {
        console.warn(`check-in of project ${projectId} dropped: needs monitor_slug and status in_progress, ok or error`);
        message.ack();
        continue;
      }
      const runId = hex32(p.check_in_id);
      const duration = durationMsFromSeconds(p.duration);
      const outcome = await recordCheckin(env, db, {
        projectId,
        slug,
        input: {
          status,
          runId,
          ...(runId ? { checkinId: runId } : {}),
          at: receivedAt,
          durationMs: duration,
          exitCode: null,
          log: null,
          source: "sentry",
          environment: typeof p.environment === "string" ? p.environment.slice(0, 64) : null,
        },
        config: monitorConfigFromSentry(p.monitor_config),
      });
      if (outcome.kind === "unknown_monitor") console.warn(`check-in for unknown monitor "${slug}" of project ${projectId} dropped (no monitor_config)`);
      message.ack();
    } catch (err) {
      if (err instanceof ApiError) {
        console.warn(`check-in of project ${projectId} dropped: ${err.message}`);
        message.ack();
      } else message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
