import { and, desc, eq, gt, lt } from "drizzle-orm";
import { users } from "../accounts/schema";
import type { Db } from "../db/client";
import { newId, newSecret, sha256Hex } from "../lib/encoding";
import { forbidden, notFound } from "../lib/errors";
import type { OrgService, OrgView } from "./service";
import { invites, memberships, organizations, type Role } from "./schema";

/** Invite links are valid for a week and can be used once. */
export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface InviteView {
  id: string;
  email: string | null;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  invitedBy: string;
}

const inviteColumns = {
  id: invites.id,
  email: invites.email,
  role: invites.role,
  createdAt: invites.createdAt,
  expiresAt: invites.expiresAt,
  invitedBy: users.name,
};

export class InviteService {
  constructor(
    private readonly db: Db,
    private readonly orgs: OrgService,
  ) {}

  async list(slug: string, userId: string, now = new Date()): Promise<InviteView[]> {
    const org = await this.orgs.access(slug, userId, "admin");
    return this.db
      .select(inviteColumns)
      .from(invites)
      .innerJoin(users, eq(users.id, invites.invitedBy))
      .where(and(eq(invites.orgId, org.id), gt(invites.expiresAt, now)))
      .orderBy(desc(invites.createdAt))
      .all();
  }

  async create(slug: string, userId: string, role: Role, email: string | null): Promise<InviteView & { token: string }> {
    const org = await this.orgs.access(slug, userId, "admin");
    if (role === "owner" && org.role !== "owner") throw forbidden("Only an owner can invite another owner.");
    const token = newSecret();
    const now = new Date();
    const row = {
      id: newId(),
      orgId: org.id,
      tokenHash: await sha256Hex(token),
      email,
      role,
      invitedBy: userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITE_TTL_MS),
    };
    await this.db.insert(invites).values(row);
    const inviter = await this.db.select({ name: users.name }).from(users).where(eq(users.id, userId)).get();
    return { id: row.id, email, role, createdAt: now, expiresAt: row.expiresAt, invitedBy: inviter?.name ?? "", token };
  }

  async revoke(slug: string, userId: string, id: string): Promise<void> {
    const org = await this.orgs.access(slug, userId, "admin");
    const gone = await this.db
      .delete(invites)
      .where(and(eq(invites.id, id), eq(invites.orgId, org.id)))
      .returning({ id: invites.id });
    if (gone.length === 0) throw notFound("Invite");
  }

  private async find(token: string, now: Date) {
    const row = await this.db
      .select({ invite: invites, org: organizations })
      .from(invites)
      .innerJoin(organizations, eq(organizations.id, invites.orgId))
      .where(and(eq(invites.tokenHash, await sha256Hex(token)), gt(invites.expiresAt, now)))
      .get();
    if (!row) throw notFound("Invite (it may have expired or been used)");
    return row;
  }

  /** What an invite link leads to; readable without signing in. */
  async preview(token: string, now = new Date()) {
    const { invite, org } = await this.find(token, now);
    return { organization: { slug: org.slug, name: org.name }, role: invite.role, email: invite.email, expiresAt: invite.expiresAt };
  }

  async accept(token: string, user: { userId: string; email: string }, now = new Date()): Promise<OrgView> {
    const { invite, org } = await this.find(token, now);
    if (invite.email && invite.email !== user.email) {
      throw forbidden(`This invite is for ${invite.email}; sign in with that address to accept it.`);
    }
    const existing = await this.db
      .select({ role: memberships.role, createdAt: memberships.createdAt })
      .from(memberships)
      .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, user.userId)))
      .get();
    const consume = this.db.delete(invites).where(eq(invites.id, invite.id));
    if (existing) {
      await consume;
      return { ...org, role: existing.role };
    }
    await this.db.batch([
      this.db.insert(memberships).values({ orgId: org.id, userId: user.userId, role: invite.role, createdAt: now }),
      consume,
    ]);
    return { ...org, role: invite.role };
  }

  async deleteExpired(now = new Date()): Promise<number> {
    const gone = await this.db.delete(invites).where(lt(invites.expiresAt, now)).returning({ id: invites.id });
    return gone.length;
  }
}
