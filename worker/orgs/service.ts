import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { newId } from "../lib/encoding";
import { ApiError, forbidden, notFound } from "../lib/errors";
import { slugify, uniqueSlug } from "../lib/slug";
import { projects } from "../projects/schema";
import { deleteProjects } from "../retention/deletion";
import { atLeast, ROLE_WORDS } from "./access";
import { memberships, organizations, type Role } from "./schema";

export interface OrgView {
  id: string;
  slug: string;
  name: string;
  role: Role;
  createdAt: Date;
}

const orgColumns = {
  id: organizations.id,
  slug: organizations.slug,
  name: organizations.name,
  createdAt: organizations.createdAt,
  role: memberships.role,
};

export class OrgService {
  constructor(
    private readonly db: Db,
    private readonly env?: Env,
  ) {}

  async listForUser(userId: string): Promise<OrgView[]> {
    return this.db
      .select(orgColumns)
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(organizations.createdAt))
      .all();
  }

  /**
   * The organization as seen by `userId`. Not a member → 404 (another organization's slug is
   * indistinguishable from a missing one); member with too low a role → 403.
   */
  async access(slug: string, userId: string, needed: Role = "member"): Promise<OrgView> {
    const org = await this.db
      .select(orgColumns)
      .from(organizations)
      .innerJoin(memberships, and(eq(memberships.orgId, organizations.id), eq(memberships.userId, userId)))
      .where(eq(organizations.slug, slug))
      .get();
    if (!org) throw notFound("Organization");
    if (!atLeast(org.role, needed)) throw forbidden(`Only ${ROLE_WORDS[needed]} of ${org.name} can do this.`);
    return org;
  }

  /** Like `access`, by organization id. */
  async accessById(orgId: string, userId: string, needed: Role = "member"): Promise<OrgView> {
    const org = await this.db
      .select(orgColumns)
      .from(organizations)
      .innerJoin(memberships, and(eq(memberships.orgId, organizations.id), eq(memberships.userId, userId)))
      .where(eq(organizations.id, orgId))
      .get();
    if (!org) throw notFound("Organization");
    if (!atLeast(org.role, needed)) throw forbidden(`Only ${ROLE_WORDS[needed]} of ${org.name} can do this.`);
    return org;
  }

  async freeSlug(name: string): Promise<string> {
    return uniqueSlug(slugify(name), async (s) =>
      Boolean(await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, s)).get()),
    );
  }

  /** Statements that create an organization with its first owner, for use inside a `batch()`. */
  creation(org: { id: string; slug: string; name: string }, ownerId: string, now: Date) {
    return [
      this.db.insert(organizations).values({ ...org, createdAt: now }),
      this.db.insert(memberships).values({ orgId: org.id, userId: ownerId, role: "owner", createdAt: now }),
    ] as const;
  }

  async create(userId: string, name: string, slug?: string): Promise<OrgView> {
    if (slug) {
      const taken = await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)).get();
      if (taken) throw new ApiError("conflict", `The slug "${slug}" is taken; choose another.`);
    }
    const org = { id: newId(), slug: slug ?? (await this.freeSlug(name)), name };
    const now = new Date();
    await this.db.batch(this.creation(org, userId, now));
    return { ...org, role: "owner", createdAt: now };
  }

  /**
   * Delete an organization (owner only) with everything in it: each project as `ProjectService.delete` does, then
   * channels, members, invites and the alert log (cascade from the organization row, in the same transaction).
   * Any organization may go, a personal one too, and the last one a user has: the dashboard then offers to create one.
   */
  async delete(slug: string, userId: string): Promise<void> {
    const org = await this.access(slug, userId, "owner");
    if (!this.env) throw new ApiError("internal_error", "Organizations cannot be deleted here.");
    const rows = await this.db.select({ id: projects.id }).from(projects).where(eq(projects.orgId, org.id)).all();
    await deleteProjects(
      this.env,
      rows.map((r) => r.id),
      this.env.DB.prepare(`DELETE FROM organizations WHERE id = ?`).bind(org.id),
    );
  }

  async rename(slug: string, userId: string, name: string): Promise<OrgView> {
    const org = await this.access(slug, userId, "admin");
    await this.db.update(organizations).set({ name }).where(eq(organizations.id, org.id));
    return { ...org, name };
  }
}
