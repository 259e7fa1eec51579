import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { chunks } from "../lib/chunks";
import { defaultRule, firstChannelId } from "../alerts/rules.service";
import { alertRules } from "../alerts/schema";
import type { Db } from "../db/client";
import { newId, randomBytes, toHex } from "../lib/encoding";
import { ApiError, forbidden, notFound } from "../lib/errors";
import { slugify, uniqueSlug } from "../lib/slug";
import { atLeast, ROLE_WORDS } from "../orgs/access";
import { memberships, organizations, type Role } from "../orgs/schema";
import type { OrgService } from "../orgs/service";
import { deleteProjects } from "../retention/deletion";
import { dsnFor } from "./dsn";
import { exportPieces, streamOf } from "./export";
import { projectKeys, projects } from "./schema";

export interface ProjectView {
  id: number;
  slug: string;
  name: string;
  platform: "django";
  organization: { slug: string; name: string };
  dsn: string;
  settings: ProjectSettings;
  createdAt: Date;
}

export interface ProjectSettings {
  rateLimitPerMinute: number;
  monthlyQuota: number;
  storeIp: boolean;
  scrubFields: string[];
  apdexThresholdMs: number;
  logsHotDays: number;
  logsRetentionDays: number;
  eventsRetentionDays: number;
  checksRetentionDays: number;
  transactionsRetentionDays: number;
}

export interface ProjectAccess {
  project: typeof projects.$inferSelect;
  org: { id: string; slug: string; name: string };
  role: Role;
}

export const newPublicKey = () => toHex(randomBytes(16));

export class ProjectService {
  constructor(
    private readonly db: Db,
    private readonly orgs: OrgService,
    /** Public base URL, for DSNs. */
    private readonly origin: string,
    private readonly env: Env,
  ) {}

  /**
   * A project as seen by `userId`. Projects of organizations the user is not in answer 404, exactly like
   * ids that do not exist; a member with too low a role gets 403.
   */
  async access(projectId: number, userId: string, needed: Role = "member"): Promise<ProjectAccess> {
    const row = await this.db
      .select({ project: projects, org: { id: organizations.id, slug: organizations.slug, name: organizations.name }, role: memberships.role })
      .from(projects)
      .innerJoin(organizations, eq(organizations.id, projects.orgId))
      .innerJoin(memberships, and(eq(memberships.orgId, projects.orgId), eq(memberships.userId, userId)))
      .where(eq(projects.id, projectId))
      .get();
    if (!row) throw notFound("Project");
    if (!atLeast(row.role, needed)) throw forbidden(`Only ${ROLE_WORDS[needed]} of ${row.org.name} can do this.`);
    return row;
  }

  private async firstDsns(projectIds: number[]): Promise<Map<number, string>> {
    if (projectIds.length === 0) return new Map();
    const dsns = new Map<number, string>();
    // D1 binds at most 100 parameters per statement.
    for (const ids of chunks(projectIds, 90)) {
      const keys = await this.db
        .select({ projectId: projectKeys.projectId, publicKey: projectKeys.publicKey })
        .from(projectKeys)
        .where(and(isNull(projectKeys.revokedAt), inArray(projectKeys.projectId, ids)))
        .orderBy(asc(projectKeys.createdAt))
        .all();
      for (const k of keys) {
        if (!dsns.has(k.projectId)) dsns.set(k.projectId, dsnFor(this.origin, k.publicKey, k.projectId));
      }
    }
    return dsns;
  }

  private async present(rows: { project: typeof projects.$inferSelect; org: { slug: string; name: string } }[]): Promise<ProjectView[]> {
    const dsns = await this.firstDsns(rows.map((r) => r.project.id));
    return rows.map(({ project, org }) => ({
      id: project.id,
      slug: project.slug,
      name: project.name,
      platform: project.platform,
      organization: { slug: org.slug, name: org.name },
      dsn: dsns.get(project.id) ?? "",
      settings: {
        rateLimitPerMinute: project.rateLimitPerMinute,
        monthlyQuota: project.monthlyQuota,
        storeIp: project.storeIp,
        scrubFields: project.scrubFields,
        apdexThresholdMs: project.apdexThresholdMs,
        logsHotDays: project.logsHotDays,
        logsRetentionDays: project.logsRetentionDays,
        eventsRetentionDays: project.eventsRetentionDays,
        checksRetentionDays: project.checksRetentionDays,
        transactionsRetentionDays: project.transactionsRetentionDays,
      },
      createdAt: project.createdAt,
    }));
  }

  async get(projectId: number, userId: string): Promise<ProjectView> {
    const access = await this.access(projectId, userId);
    const [view] = await this.present([access]);
    return view!;
  }

  async list(orgSlug: string, userId: string): Promise<ProjectView[]> {
    const org = await this.orgs.access(orgSlug, userId);
    const rows = await this.db.select().from(projects).where(eq(projects.orgId, org.id)).orderBy(asc(projects.name)).all();
    return this.present(rows.map((project) => ({ project, org })));
  }

  async create(orgSlug: string, userId: string, name: string, platform: "django"): Promise<ProjectView> {
    const org = await this.orgs.access(orgSlug, userId, "admin");
    const slug = await uniqueSlug(slugify(name), async (s) =>
      Boolean(
        await this.db
          .select({ id: projects.id })
          .from(projects)
          .where(and(eq(projects.orgId, org.id), eq(projects.slug, s)))
          .get(),
      ),
    );
    const now = new Date();
    // One batch = one transaction: the project and its first DSN key exist together or not at all.
    await this.db.batch([
      this.db.insert(projects).values({ orgId: org.id, slug, name, platform, createdAt: now }),
      this.db.insert(projectKeys).values({
        id: newId(),
        projectId: sql`(select id from projects where org_id = ${org.id} and slug = ${slug})`,
        publicKey: newPublicKey(),
        label: "Default",
        createdAt: now,
      }),
    ]);
    const project = await this.db
      .select()
      .from(projects)
      .where(and(eq(projects.orgId, org.id), eq(projects.slug, slug)))
      .get();
    if (!project) throw new ApiError("internal_error", "The project was not saved.");
    // A project created after its organization has a channel alerts that channel by default.
    const channelId = await firstChannelId(this.db, org.id);
    if (channelId) await this.db.insert(alertRules).values(defaultRule(project.id, channelId));
    const [view] = await this.present([{ project, org }]);
    return view!;
  }

  /** Rename, or change ingest settings. Limits reach the accept path within a minute (its key cache). */
  async update(projectId: number, userId: string, changes: Partial<ProjectSettings> & { name?: string }): Promise<ProjectView> {
    const access = await this.access(projectId, userId, "admin");
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length) await this.db.update(projects).set(set).where(eq(projects.id, projectId));
    const [view] = await this.present([{ ...access, project: { ...access.project, ...set } }]);
    return view!;
  }

  /**
   * The project's issues and events as a JSON document, streamed (worker/projects/export.ts). Admins only: it
   * holds every stored event in full. `head` is what leads the document (the project as the API presents it).
   */
  async export(projectId: number, userId: string, after: string | undefined, head: (p: ProjectView) => Record<string, unknown>, nextUrl: (after: string) => string) {
    const access = await this.access(projectId, userId, "admin");
    const [view] = await this.present([access]);
    return { project: view!, stream: streamOf(exportPieces(this.db, this.env, projectId, head(view!), after, nextUrl)) };
  }

  /** Some key of the project (for events Vigil makes itself, like the sample error). */
  async anyKeyId(projectId: number): Promise<string> {
    const key = await this.db.select({ id: projectKeys.id }).from(projectKeys).where(eq(projectKeys.projectId, projectId)).get();
    return key?.id ?? "";
  }

  /**
   * Deleting a project deletes its rows (cascade), its R2 objects (events, attachments, traces, logs, dead letters)
   * and its Durable Object storage (log store, ingest gate, cron monitors): worker/retention/deletion.ts.
   */
  async delete(projectId: number, userId: string): Promise<void> {
    await this.access(projectId, userId, "admin");
    await deleteProjects(this.env, [projectId], this.env.DB.prepare(`DELETE FROM projects WHERE id = ?`).bind(projectId));
  }
}
