import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations } from "../orgs/schema";
import { projects } from "../projects/schema";
import type { Target } from "./deduper";
import { deduperFor } from "./deduper-stub";
import type { AlertContent } from "./messages";
import { alertRules, type AlertType } from "./schema";

/** What a capability says when something happened that someone may want to hear about. */
export interface AlertEvent {
  projectId: number;
  type: AlertType;
  /** What identifies "the same thing" for deduplication, e.g. `issue:42`, `monitor:7`. */
  key: string;
  summary: string;
  excerpt?: string;
  /** Dashboard path below the project, e.g. `issues/42`. */
  path: string;
  environment?: string;
  level?: string;
  data: Record<string, unknown>;
  cooldownMinutes?: number;
}

const LEVEL_RANK: Record<string, number> = { debug: 1, info: 2, warning: 3, error: 4, fatal: 5 };

type Rule = typeof alertRules.$inferSelect;
interface ProjectInfo {
  project: { id: number; name: string; slug: string };
  org: { id: string; slug: string; name: string };
  rules: Rule[];
}

/** Rules and project names, loaded once per queue batch. */
export class AlertContext {
  private cache = new Map<number, Promise<ProjectInfo | null>>();

  constructor(
    private readonly db: Db,
    private readonly env: Env,
  ) {}

  info(projectId: number): Promise<ProjectInfo | null> {
    let hit = this.cache.get(projectId);
    if (!hit) {
      hit = (async () => {
        const row = await this.db
          .select({ project: { id: projects.id, name: projects.name, slug: projects.slug }, org: { id: organizations.id, slug: organizations.slug, name: organizations.name } })
          .from(projects)
          .innerJoin(organizations, eq(organizations.id, projects.orgId))
          .where(eq(projects.id, projectId))
          .get();
        if (!row) return null;
        const rules = await this.db.select().from(alertRules).where(eq(alertRules.projectId, projectId)).all();
        return { ...row, rules };
      })();
      this.cache.set(projectId, hit);
    }
    return hit;
  }

  private origin(): string {
    return (this.env.PUBLIC_URL || "http://localhost:8787").replace(/\/+$/, "");
  }

  /** The rules of the project that want this alert type, after the environment and level filters. */
  private matching(info: ProjectInfo, e: AlertEvent): Rule[] {
    return info.rules.filter(
      (r) =>
        r.events.includes(e.type) &&
        (!r.environment || r.environment === e.environment) &&
        (!r.minLevel || !e.level || (LEVEL_RANK[e.level] ?? 0) >= (LEVEL_RANK[r.minLevel] ?? 0)),
    );
  }

  /** Hand an alert to the deduper of its key, with every channel a matching rule names. */
  async raise(e: AlertEvent, only?: Rule[]): Promise<void> {
    const info = await this.info(e.projectId);
    if (!info) return;
    const rules = only ?? this.matching(info, e);
    const targets: Target[] = [];
    const seen = new Set<string>();
    for (const r of rules) {
      for (const channelId of r.channelIds) {
        if (!seen.has(channelId)) targets.push({ ruleId: r.id, channelId });
        seen.add(channelId);
      }
    }
    if (targets.length === 0) return;
    const content: AlertContent = {
      type: e.type,
      project: info.project,
      organization: info.org.name,
      summary: e.summary,
      ...(e.excerpt ? { excerpt: e.excerpt } : {}),
      ...(e.environment ? { environment: e.environment } : {}),
      ...(e.level ? { level: e.level } : {}),
      url: `${this.origin()}/orgs/${info.org.slug}/projects/${info.project.id}/${e.path}`,
      data: e.data,
    };
    await deduperFor(this.env, `project:${e.projectId}`, e.key).trigger({
      orgId: info.org.id,
      projectId: e.projectId,
      key: e.key,
      content,
      targets,
      ...(e.cooldownMinutes ? { cooldownMinutes: e.cooldownMinutes } : {}),
    });
  }

  /**
   * Count one more event of an issue for the project's `issue.frequency` rules (more than N events in M
   * minutes, on a sliding window) and raise the alert when a rule's threshold is crossed.
   */
  async countForFrequency(e: Omit<AlertEvent, "type" | "key" | "cooldownMinutes">, issueId: number): Promise<void> {
    const info = await this.info(e.projectId);
    if (!info) return;
    const rules = this.matching(info, { ...e, type: "issue.frequency", key: "" }).filter((r) => r.frequencyCount && r.frequencyMinutes);
    for (const r of rules) {
      const crossed = await deduperFor(this.env, `project:${e.projectId}`, `frequency:${issueId}:${r.id}`).countEvent(
        r.frequencyMinutes! * 60_000,
        r.frequencyCount!,
      );
      if (crossed) {
        await this.raise(
          {
            ...e,
            type: "issue.frequency",
            key: `issue.frequency:${issueId}:${r.id}`,
            summary: `${e.summary} — more than ${r.frequencyCount} events in ${r.frequencyMinutes} min`,
            cooldownMinutes: r.frequencyMinutes!,
          },
          [r],
        );
      }
    }
  }
}
