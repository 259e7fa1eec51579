import { and, asc, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { newId } from "../lib/encoding";
import { ApiError, notFound } from "../lib/errors";
import type { OrgService } from "../orgs/service";
import { projects } from "../projects/schema";
import { deduperFor } from "./deduper-stub";
import type { AlertContent } from "./messages";
import { addDefaultRules } from "./rules.service";
import { alertRules, channels, type ChannelType } from "./schema";
import { newWebhookSecret } from "./signing";
import { maskUrl, outgoingUrlProblem } from "./urls";

type ChannelRow = typeof channels.$inferSelect;

export const EMAIL_MISSING = "Email alerts need the send_email binding: see docs/deploy.md#email";

export interface ChannelView {
  id: string;
  type: ChannelType;
  name: string;
  /** Slack and webhook: the URL with its secret part masked. */
  target: string;
  createdAt: Date;
}

export const presentChannel = (c: ChannelRow): ChannelView => ({
  id: c.id,
  type: c.type,
  name: c.name,
  target: c.type === "email" ? c.email! : maskUrl(c.url ?? ""),
  createdAt: c.createdAt,
});

export interface NewChannel {
  type: ChannelType;
  name: string;
  url?: string;
  email?: string;
}

/** Alert channels of an organization. Admins create and delete them; anyone in the organization can send a test. */
export class ChannelService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly orgs: OrgService,
    private readonly origin: string,
  ) {}

  async list(orgSlug: string, userId: string): Promise<ChannelView[]> {
    const org = await this.orgs.access(orgSlug, userId);
    const rows = await this.db.select().from(channels).where(eq(channels.orgId, org.id)).orderBy(asc(channels.createdAt)).all();
    return rows.map(presentChannel);
  }

  async create(orgSlug: string, userId: string, input: NewChannel): Promise<ChannelView & { secret?: string }> {
    const org = await this.orgs.access(orgSlug, userId, "admin");
    if (input.type === "email") {
      if (!input.email) throw new ApiError("validation_failed", "An email channel needs an email address.", [{ path: "email", message: "Required for email channels." }]);
      // A deploy without the send_email binding (`npm run deploy -- --no-email`, or an account without Email
      // Routing) would accept the channel and then fail every delivery: say so now, next to the Type field.
      if (!this.env.EMAIL) throw new ApiError("validation_failed", EMAIL_MISSING, [{ path: "type", message: EMAIL_MISSING }]);
    } else {
      if (!input.url) throw new ApiError("validation_failed", `A ${input.type} channel needs a URL.`, [{ path: "url", message: "Required." }]);
      const problem = outgoingUrlProblem(input.url, String(this.env.ALERTS_ALLOW_PRIVATE_URLS) === "true");
      if (problem) throw new ApiError("validation_failed", problem, [{ path: "url", message: problem }]);
    }
    const row: ChannelRow = {
      id: newId(),
      orgId: org.id,
      type: input.type,
      name: input.name,
      url: input.type === "email" ? null : input.url!,
      email: input.type === "email" ? input.email! : null,
      secret: input.type === "webhook" ? newWebhookSecret() : null,
      createdAt: new Date(),
    };
    const first = !(await this.db.select({ id: channels.id }).from(channels).where(eq(channels.orgId, org.id)).get());
    await this.db.insert(channels).values(row);
    // The first channel of an organization starts receiving the default alerts of its projects.
    if (first) await addDefaultRules(this.db, org.id, row.id);
    return { ...presentChannel(row), ...(row.secret ? { secret: row.secret } : {}) };
  }

  private async find(channelId: string, userId: string, role: "member" | "admin") {
    const row = await this.db.select().from(channels).where(eq(channels.id, channelId)).get();
    if (!row) throw notFound("Channel");
    // Another organization's channel is indistinguishable from a missing one; a member's too-low role is a 403.
    const org = await this.orgs.accessById(row.orgId, userId, role).catch((err: ApiError) => {
      throw err.code === "forbidden" ? err : notFound("Channel");
    });
    return { row, org };
  }

  /** Delete a channel; rules stop naming it, and its delivery history stays (marked as a deleted channel). */
  async delete(channelId: string, userId: string): Promise<void> {
    const { row } = await this.find(channelId, userId, "admin");
    const rules = await this.db
      .select({ id: alertRules.id, channelIds: alertRules.channelIds })
      .from(alertRules)
      .innerJoin(projects, eq(projects.id, alertRules.projectId))
      .where(eq(projects.orgId, row.orgId))
      .all();
    const writes: BatchItem<"sqlite">[] = rules
      .filter((r) => r.channelIds.includes(row.id))
      .map((r) => this.db.update(alertRules).set({ channelIds: r.channelIds.filter((id) => id !== row.id) }).where(eq(alertRules.id, r.id)));
    writes.push(this.db.delete(channels).where(eq(channels.id, row.id)));
    await this.db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  }

  /** Send a test alert now and report what the receiver said. */
  async test(channelId: string, userId: string, projectId?: number) {
    const { row, org } = await this.find(channelId, userId, "member");
    const project = projectId
      ? await this.db.select().from(projects).where(and(eq(projects.orgId, org.id), eq(projects.id, projectId))).get()
      : undefined;
    const content: AlertContent = {
      type: "test",
      project: null,
      organization: org.name,
      summary: `Test alert for "${row.name}" — if you can read this, alerts reach you.`,
      excerpt: "Sent from Vigil's channel settings.",
      url: `${this.origin}/orgs/${org.slug}/${project ? `projects/${project.id}/alerts` : "settings"}`,
      data: { channel: row.name },
    };
    return deduperFor(this.env, `org:${org.id}`, `test:${row.id}`).sendTest(org.id, row.id, content);
  }
}
