import { DurableObject } from "cloudflare:workers";
import { eq, inArray } from "drizzle-orm";
import { createDb } from "../db/client";
import { newId } from "../lib/encoding";
import { attemptDelivery, type AttemptResult } from "./deliver";
import type { AlertContent } from "./messages";
import { alerts, channels, type DeliveryAttempt } from "./schema";

/** When a failed delivery is tried again: 30 s, 2 min, 10 min, 1 h after the previous attempt; then it fails. */
export const RETRY_SCHEDULE_MS = [30_000, 120_000, 600_000, 3_600_000];
/** Repeats of the same alert within this window are collapsed into one follow-up message. */
export const DEFAULT_COOLDOWN_MINUTES = 5;
/** Down/up changes within this window count toward flapping. */
export const FLAP_WINDOW_MS = 15 * 60_000;
/** This many changes within the window (down, up, down) make a check flapping. */
export const FLAP_CHANGES = 3;

const DOWN = new Set<string>(["monitor.down", "cron.missed", "cron.failed", "cron.timeout"]);
const UP = new Set<string>(["monitor.up", "cron.recovered"]);

export interface Target {
  ruleId: string | null;
  channelId: string;
}

export interface TriggerInput {
  orgId: string;
  projectId: number | null;
  key: string;
  content: AlertContent;
  targets: Target[];
  cooldownMinutes?: number;
}

export interface TriggerResult {
  decision: "sent" | "suppressed" | "ignored" | "flapping";
  deliveryIds: string[];
  reason?: string;
}

interface State {
  lastSentAt: number | null;
  lastType: string | null;
  lastDeliveryIds: string[];
  suppressed: number;
  lastInput: TriggerInput | null;
  phase: "down" | "up" | null;
  transitions: number[];
  flapping: boolean;
}

interface Pending {
  deliveryId: string;
  channelId: string;
  /** What the delivery log row needs, so the alarm can write it if the first write failed. */
  row: { orgId: string; projectId: number | null; ruleId: string | null; key: string };
  content: AlertContent;
  attempt: number;
  dueAt: number;
  /** Creation order, so messages about one key arrive in the order they were decided. */
  seq: number;
}

const initial = (): State => ({
  lastSentAt: null,
  lastType: null,
  lastDeliveryIds: [],
  suppressed: 0,
  lastInput: null,
  phase: null,
  transitions: [],
  flapping: false,
});

/**
 * One per (project, alert key): the only writer that decides whether an alert is sent. It suppresses repeats
 * within a cooldown and sends one follow-up with their count, ignores "up" without a prior "down", holds back
 * flapping, and delivers with retries driven by its alarm. Because a Durable Object handles one call at a
 * time, concurrent triggers for the same key cannot both send.
 */
export class AlertDeduper extends DurableObject<Env> {
  private state: State | undefined;
  private seq = Date.now();

  private async load(): Promise<State> {
    this.state ??= (await this.ctx.storage.get<State>("state")) ?? initial();
    return this.state;
  }

  private async save(): Promise<void> {
    await this.ctx.storage.put("state", this.state!);
  }

  private get db() {
    return createDb(this.env.DB);
  }

  async trigger(input: TriggerInput, now = Date.now()): Promise<TriggerResult> {
    const state = await this.load();
    const type = input.content.type;
    const cooldown = (input.cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES) * 60_000;
    if (DOWN.has(type) || UP.has(type)) {
      const phase = DOWN.has(type) ? "down" : "up";
      if (phase === "up" && state.phase !== "down") return { decision: "ignored", deliveryIds: [], reason: "up without a prior down" };
      if (state.phase !== phase) {
        state.phase = phase;
        state.transitions = [...state.transitions.filter((t) => now - t < FLAP_WINDOW_MS), now];
        if (state.transitions.length >= FLAP_CHANGES) {
          if (state.flapping) {
            state.suppressed += 1;
            await this.save();
            await this.countSuppressed(state.lastDeliveryIds);
            return { decision: "suppressed", deliveryIds: [], reason: "flapping" };
          }
          state.flapping = true;
          const content = { ...input.content, summary: `${input.content.summary} is flapping (${state.transitions.length} changes in ${FLAP_WINDOW_MS / 60_000} min)` };
          const ids = await this.send({ ...input, content }, now);
          await this.scheduleAlarm(now + FLAP_WINDOW_MS);
          return { decision: "flapping", deliveryIds: ids };
        }
        return { decision: "sent", deliveryIds: await this.send(input, now) };
      }
    }
    if (state.lastSentAt !== null && now - state.lastSentAt < cooldown && state.lastType === type) {
      state.suppressed += 1;
      state.lastInput = input;
      await this.save();
      await this.countSuppressed(state.lastDeliveryIds);
      await this.scheduleAlarm(state.lastSentAt + cooldown);
      return { decision: "suppressed", deliveryIds: [], reason: "repeat within the cooldown" };
    }
    return { decision: "sent", deliveryIds: await this.send(input, now) };
  }

  /** Sliding-window counter for `issue.frequency`: true when more than `threshold` events fell within the window. */
  async countEvent(windowMs: number, threshold: number, now = Date.now()): Promise<boolean> {
    const times = ((await this.ctx.storage.get<number[]>("events")) ?? []).filter((t) => now - t < windowMs);
    times.push(now);
    const kept = times.slice(-(threshold + 1));
    await this.ctx.storage.put("events", kept);
    return kept.length > threshold;
  }

  /** Send a test alert to one channel now, once, and say what happened. */
  async sendTest(orgId: string, channelId: string, content: AlertContent): Promise<AttemptResult & { deliveryId: string }> {
    const deliveryId = newId();
    await this.createRows({ orgId, projectId: null, key: `test:${channelId}`, content, targets: [{ ruleId: null, channelId }] }, [deliveryId], Date.now());
    const result = await this.deliver(
      { deliveryId, channelId, row: { orgId, projectId: null, ruleId: null, key: `test:${channelId}` }, content, attempt: 1, dueAt: Date.now(), seq: ++this.seq },
      true,
    );
    return { ...result, deliveryId };
  }

  /** Write the held-back count to the last alert's rows (absolute, so it is right whichever write lands last). */
  private async countSuppressed(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.update(alerts).set({ suppressed: this.state!.suppressed }).where(inArray(alerts.id, ids));
  }

  private async createRows(input: TriggerInput, ids: string[], now: number): Promise<void> {
    const found = await this.db
      .select({ id: channels.id, name: channels.name, type: channels.type })
      .from(channels)
      .where(inArray(channels.id, input.targets.map((t) => t.channelId)))
      .all();
    const byId = new Map(found.map((c) => [c.id, c]));
    const rows = input.targets.map((t, i) => ({
      id: ids[i]!,
      orgId: input.orgId,
      projectId: input.projectId,
      ruleId: t.ruleId,
      channelId: byId.has(t.channelId) ? t.channelId : null,
      channelName: byId.get(t.channelId)?.name ?? "(deleted channel)",
      channelType: byId.get(t.channelId)?.type ?? ("webhook" as const),
      type: input.content.type,
      alertKey: input.key,
      summary: input.content.collapsed
        ? `${input.content.summary} (and ${input.content.collapsed.count} more in the last ${input.content.collapsed.minutes} min)`
        : input.content.summary,
      url: input.content.url,
      status: "pending" as const,
      attempts: [] as DeliveryAttempt[],
      suppressed: 0,
      createdAt: new Date(now),
      updatedAt: new Date(now),
    }));
    for (const row of rows) await this.db.insert(alerts).values(row);
  }

  /** Record the delivery rows and hand them to the alarm, which sends at once. */
  private async send(input: TriggerInput, now: number): Promise<string[]> {
    const state = await this.load();
    const ids = input.targets.map(() => newId());
    // Decide first, before any I/O: a concurrent trigger that runs while this one waits on D1 sees it as sent.
    Object.assign(state, { lastSentAt: now, lastType: input.content.type, lastDeliveryIds: ids, suppressed: 0, lastInput: input });
    await this.save();
    for (const [i, t] of input.targets.entries()) {
      const pending: Pending = {
        deliveryId: ids[i]!,
        channelId: t.channelId,
        row: { orgId: input.orgId, projectId: input.projectId, ruleId: t.ruleId, key: input.key },
        content: input.content,
        attempt: 1,
        dueAt: now,
        seq: ++this.seq,
      };
      await this.ctx.storage.put(`pending:${pending.deliveryId}`, pending);
    }
    // The decision and the deliveries are in this object's storage, with the alarm set, before D1 is touched:
    // if writing the log rows fails now, the alarm writes them and still delivers.
    await this.scheduleAlarm(now);
    try {
      await this.createRows(input, ids, now);
      // Repeats counted while the rows were being written could not reach them yet.
      if (state.lastDeliveryIds === ids && state.suppressed > 0) await this.countSuppressed(ids);
    } catch (err) {
      console.error(`alert log rows for ${input.key} not written yet (the alarm will):`, err);
    }
    return ids;
  }

  private async scheduleAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  /** One attempt; records it; schedules the next one or closes the delivery. */
  private async deliver(p: Pending, once = false): Promise<AttemptResult> {
    if (p.row && (await this.ownerGone(p.row))) {
      // Its project or organization was deleted, alert log included, while the delivery waited: drop it.
      await this.ctx.storage.delete(`pending:${p.deliveryId}`);
      return { ok: false, status: null, latencyMs: 0, error: "The project was deleted.", permanent: true };
    }
    const channel = await this.db.select().from(channels).where(eq(channels.id, p.channelId)).get();
    const result: AttemptResult = channel
      ? await attemptDelivery(this.env, channel, p.content, p.deliveryId)
      : { ok: false, status: null, latencyMs: 0, error: "The channel was deleted.", permanent: true };
    let row = await this.db.select({ attempts: alerts.attempts }).from(alerts).where(eq(alerts.id, p.deliveryId)).get();
    if (!row && p.row) {
      await this.createRows({ ...p.row, content: p.content, targets: [{ ruleId: p.row.ruleId, channelId: p.channelId }] }, [p.deliveryId], p.dueAt);
      row = { attempts: [] };
    }
    const attempt: DeliveryAttempt = { at: new Date().toISOString(), status: result.status, latencyMs: result.latencyMs, ...(result.error ? { error: result.error } : {}) };
    const retry = !result.ok && !result.permanent && !once && p.attempt <= RETRY_SCHEDULE_MS.length;
    const status = result.ok ? "sent" : retry ? "pending" : "failed";
    await this.db
      .update(alerts)
      .set({ attempts: [...(row?.attempts ?? []), attempt], status, updatedAt: new Date() })
      .where(eq(alerts.id, p.deliveryId));
    if (retry) {
      const wait = result.retryAfter ? result.retryAfter * 1000 : RETRY_SCHEDULE_MS[p.attempt - 1]!;
      await this.ctx.storage.put(`pending:${p.deliveryId}`, { ...p, attempt: p.attempt + 1, dueAt: Date.now() + wait });
    } else {
      await this.ctx.storage.delete(`pending:${p.deliveryId}`);
    }
    return result;
  }

  private async ownerGone(row: NonNullable<Pending["row"]>): Promise<boolean> {
    const found = await this.env.DB.prepare(`SELECT (SELECT count(*) FROM organizations WHERE id = ?1) + (?2 IS NULL OR EXISTS (SELECT 1 FROM projects WHERE id = ?2)) AS n`)
      .bind(row.orgId, row.projectId)
      .first<{ n: number }>();
    return (found?.n ?? 0) < 2;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const state = await this.load();
    const pending = [...(await this.ctx.storage.list<Pending>({ prefix: "pending:" })).values()];
    const due = pending.filter((p) => p.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
    for (const p of due) await this.deliver(p);

    const cooldown = (state.lastInput?.cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES) * 60_000;
    if (state.suppressed > 0 && !state.flapping && state.lastInput && state.lastSentAt !== null && now >= state.lastSentAt + cooldown) {
      const minutes = Math.max(1, Math.round(cooldown / 60_000));
      const content: AlertContent = { ...state.lastInput.content, collapsed: { count: state.suppressed, minutes } };
      await this.send({ ...state.lastInput, content }, now);
    }
    if (state.flapping && state.transitions.every((t) => now - t >= FLAP_WINDOW_MS)) {
      Object.assign(state, { flapping: false, transitions: [], suppressed: 0 });
      await this.save();
    }

    const next = [...(await this.ctx.storage.list<Pending>({ prefix: "pending:" })).values()].map((p) => p.dueAt);
    if (state.suppressed > 0 && state.lastSentAt !== null && !state.flapping) next.push(state.lastSentAt + cooldown);
    if (state.flapping) next.push(Math.max(...state.transitions) + FLAP_WINDOW_MS);
    if (next.length) await this.ctx.storage.setAlarm(Math.max(now + 100, Math.min(...next)));
  }
}
