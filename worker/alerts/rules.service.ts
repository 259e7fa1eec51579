import { parseQuery } from "../logs/query";
import { asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { newId } from "../lib/encoding";
import { ApiError, notFound } from "../lib/errors";
import { projects } from "../projects/schema";
import type { ProjectService } from "../projects/service";
import { alertRules, channels, type AlertType } from "./schema";

type RuleRow = typeof alertRules.$inferSelect;

/** What a new project sends to its organization's first channel. */
export const DEFAULT_EVENTS: AlertType[] = ["issue.new", "issue.regressed", "monitor.down", "monitor.up", "cron.missed", "cron.failed", "cron.timeout", "cron.recovered"];
export const DEFAULT_RULE_NAME = "Default: new and regressed issues, outages, cron problems";

export interface RuleInput {
  name: string;
  events: AlertType[];
  channelIds: string[];
  environment?: string | null;
  minLevel?: "fatal" | "error" | "warning" | "info" | "debug" | null;
  frequencyCount?: number | null;
  frequencyMinutes?: number | null;
  logQuery?: string | null;
}

/** Give every project of the organization that has no rule the default rule, sending to `channelId`. */
export async function addDefaultRules(db: Db, orgId: string, channelId: string): Promise<void> {
  const orgProjects = await db.select({ id: projects.id }).from(projects).where(eq(projects.orgId, orgId)).all();
  if (orgProjects.length === 0) return;
  const withRules = new Set(
    (
      await db
        .select({ projectId: alertRules.projectId })
        .from(alertRules)
        .where(inArray(alertRules.projectId, orgProjects.map((p) => p.id).slice(0, 90)))
        .all()
    ).map((r) => r.projectId),
  );
  for (const p of orgProjects.filter((p) => !withRules.has(p.id))) {
    await db.insert(alertRules).values(defaultRule(p.id, channelId));
  }
}

export function defaultRule(projectId: number, channelId: string): RuleRow {
  return {
    id: newId(),
    projectId,
    name: DEFAULT_RULE_NAME,
    events: DEFAULT_EVENTS,
    channelIds: [channelId],
    environment: null,
    minLevel: null,
    frequencyCount: null,
    frequencyMinutes: null,
    logQuery: null,
    createdAt: new Date(),
  };
}

/** The first channel of an organization, for a new project's default rule. */
export async function firstChannelId(db: Db, orgId: string): Promise<string | undefined> {
  const row = await db.select({ id: channels.id }).from(channels).where(eq(channels.orgId, orgId)).orderBy(asc(channels.createdAt)).get();
  return row?.id;
}

export class RuleService {
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
  ) {}

  async list(projectId: number, userId: string): Promise<RuleRow[]> {
    await this.projects.access(projectId, userId);
    return this.db.select().from(alertRules).where(eq(alertRules.projectId, projectId)).orderBy(asc(alertRules.createdAt)).all();
  }

  private async checkChannels(orgId: string, ids: string[]): Promise<void> {
    const found = await this.db.select({ id: channels.id, orgId: channels.orgId }).from(channels).where(inArray(channels.id, ids)).all();
    const mine = new Set(found.filter((c) => c.orgId === orgId).map((c) => c.id));
    const missing = ids.filter((id) => !mine.has(id));
    if (missing.length) throw new ApiError("validation_failed", `Unknown channel: ${missing.join(", ")}.`, [{ path: "channelIds", message: "Not a channel of this organization." }]);
  }

  private checkFrequency(input: RuleInput): void {
    if (input.events.includes("issue.frequency") && !(input.frequencyCount && input.frequencyMinutes)) {
      throw new ApiError("validation_failed", "issue.frequency needs frequencyCount and frequencyMinutes (more than N events in M minutes).", [
        { path: "frequencyCount", message: "Required with issue.frequency." },
      ]);
    }
    if (input.events.includes("logs.threshold")) {
      if (!(input.logQuery && input.frequencyCount && input.frequencyMinutes)) {
        throw new ApiError("validation_failed", "logs.threshold needs logQuery, frequencyCount and frequencyMinutes (more than N matching lines in M minutes).", [
          { path: "logQuery", message: "Required with logs.threshold." },
        ]);
      }
      parseQuery(input.logQuery);
    }
  }

  async create(projectId: number, userId: string, input: RuleInput): Promise<RuleRow> {
    const { org } = await this.projects.access(projectId, userId, "admin");
    await this.checkChannels(org.id, input.channelIds);
    this.checkFrequency(input);
    const row: RuleRow = {
      id: newId(),
      projectId,
      name: input.name,
      events: [...new Set(input.events)],
      channelIds: [...new Set(input.channelIds)],
      environment: input.environment ?? null,
      minLevel: input.minLevel ?? null,
      frequencyCount: input.frequencyCount ?? null,
      frequencyMinutes: input.frequencyMinutes ?? null,
      logQuery: input.logQuery ?? null,
      createdAt: new Date(),
    };
    await this.db.insert(alertRules).values(row);
    return row;
  }

  private async find(ruleId: string, userId: string) {
    const rule = await this.db.select().from(alertRules).where(eq(alertRules.id, ruleId)).get();
    if (!rule) throw notFound("Alert rule");
    const access = await this.projects.access(rule.projectId, userId, "admin").catch((err: ApiError) => {
      throw err.code === "forbidden" ? err : notFound("Alert rule");
    });
    return { rule, org: access.org };
  }

  async update(ruleId: string, userId: string, input: Partial<RuleInput>): Promise<RuleRow> {
    const { rule, org } = await this.find(ruleId, userId);
    if (input.channelIds) await this.checkChannels(org.id, input.channelIds);
    const next = { ...rule, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) } as RuleRow;
    this.checkFrequency(next);
    await this.db.update(alertRules).set(next).where(eq(alertRules.id, ruleId));
    return next;
  }

  async delete(ruleId: string, userId: string): Promise<void> {
    const { rule } = await this.find(ruleId, userId);
    await this.db.delete(alertRules).where(eq(alertRules.id, rule.id));
  }
}
