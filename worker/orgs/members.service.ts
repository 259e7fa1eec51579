import { and, asc, eq } from "drizzle-orm";
import { users } from "../accounts/schema";
import type { Db } from "../db/client";
import { ApiError, forbidden, notFound } from "../lib/errors";
import type { OrgService, OrgView } from "./service";
import { memberships, type Role } from "./schema";

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

const memberColumns = {
  userId: users.id,
  email: users.email,
  name: users.name,
  role: memberships.role,
  joinedAt: memberships.createdAt,
};

/** Who belongs to an organization, with which role. Owners can do everything; admins manage members and projects. */
export class MemberService {
  constructor(
    private readonly db: Db,
    private readonly orgs: OrgService,
  ) {}

  async list(slug: string, userId: string): Promise<MemberView[]> {
    const org = await this.orgs.access(slug, userId);
    return this.db
      .select(memberColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, org.id))
      .orderBy(asc(memberships.createdAt))
      .all();
  }

  private async member(orgId: string, userId: string): Promise<MemberView> {
    const m = await this.db
      .select(memberColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .get();
    if (!m) throw notFound("Member");
    return m;
  }

  private async ownerCount(orgId: string): Promise<number> {
    const owners = await this.db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner")))
      .all();
    return owners.length;
  }

  async changeRole(slug: string, actorId: string, targetId: string, role: Role): Promise<MemberView> {
    const org = await this.orgs.access(slug, actorId, "admin");
    const target = await this.member(org.id, targetId);
    if ((role === "owner" || target.role === "owner") && org.role !== "owner") {
      throw forbidden("Only an owner can grant or take away the owner role.");
    }
    if (target.role === "owner" && role !== "owner" && (await this.ownerCount(org.id)) <= 1) {
      throw new ApiError("conflict", `${org.name} needs at least one owner; make someone else an owner first.`);
    }
    await this.db
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, targetId)));
    return { ...target, role };
  }

  /** Remove a member, or leave when `targetId` is the actor. */
  async remove(slug: string, actorId: string, targetId: string): Promise<void> {
    const org: OrgView = await this.orgs.access(slug, actorId, actorId === targetId ? "member" : "admin");
    const target = await this.member(org.id, targetId);
    if (target.role === "owner" && actorId !== targetId && org.role !== "owner") {
      throw forbidden("Only an owner can remove another owner.");
    }
    if (target.role === "owner" && (await this.ownerCount(org.id)) <= 1) {
      throw new ApiError("conflict", `${org.name} needs at least one owner; make someone else an owner first.`);
    }
    await this.db.delete(memberships).where(and(eq(memberships.orgId, org.id), eq(memberships.userId, targetId)));
  }
}
