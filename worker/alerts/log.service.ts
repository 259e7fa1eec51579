import { and, desc, eq, isNull, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import type { ProjectService } from "../projects/service";
import { alerts, type DeliveryStatus } from "./schema";

export interface AlertLogFilter {
  status?: DeliveryStatus;
  type?: string;
  limit: number;
  cursor?: string;
}

/** The delivery log of a project: its alerts, plus its organization's test alerts. */
export class AlertLogService {
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
  ) {}

  async list(projectId: number, userId: string, f: AlertLogFilter) {
    const { org } = await this.projects.access(projectId, userId);
    const where: SQL[] = [or(eq(alerts.projectId, projectId), and(isNull(alerts.projectId), eq(alerts.orgId, org.id)))!];
    if (f.status) where.push(eq(alerts.status, f.status));
    if (f.type) where.push(eq(alerts.type, f.type as never));
    const offset = decodeCursor(f.cursor);
    const rows = await this.db
      .select({ alert: alerts })
      .from(alerts)
      .where(and(...where))
      .orderBy(desc(alerts.createdAt), desc(alerts.id))
      .limit(f.limit + 1)
      .offset(offset)
      .all();
    return { rows: rows.slice(0, f.limit), ...(rows.length > f.limit ? { nextCursor: encodeCursor(offset + f.limit) } : {}) };
  }
}
