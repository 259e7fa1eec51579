import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { newId } from "../lib/encoding";
import { ApiError, notFound } from "../lib/errors";
import { forgetKey } from "../ingest/auth";
import { dsnFor } from "./dsn";
import { projectKeys } from "./schema";
import { newPublicKey, type ProjectService } from "./service";

export interface ProjectKeyView {
  id: string;
  label: string;
  publicKey: string;
  dsn: string;
  status: "active" | "revoked";
  createdAt: Date;
  revokedAt: Date | null;
}

type KeyRow = typeof projectKeys.$inferSelect;

/** DSN keys of a project: everyone in the organization can read them; admins create, rotate and revoke. */
export class KeyService {
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
    private readonly origin: string,
  ) {}

  private present(k: KeyRow): ProjectKeyView {
    return {
      id: k.id,
      label: k.label,
      publicKey: k.publicKey,
      dsn: dsnFor(this.origin, k.publicKey, k.projectId),
      status: k.revokedAt ? "revoked" : "active",
      createdAt: k.createdAt,
      revokedAt: k.revokedAt,
    };
  }

  async list(projectId: number, userId: string): Promise<ProjectKeyView[]> {
    await this.projects.access(projectId, userId);
    const rows = await this.db.select().from(projectKeys).where(eq(projectKeys.projectId, projectId)).orderBy(asc(projectKeys.createdAt)).all();
    return rows.map((k) => this.present(k));
  }

  async create(projectId: number, userId: string, label: string): Promise<ProjectKeyView> {
    await this.projects.access(projectId, userId, "admin");
    const row: KeyRow = { id: newId(), projectId, publicKey: newPublicKey(), label, createdAt: new Date(), revokedAt: null };
    await this.db.insert(projectKeys).values(row);
    return this.present(row);
  }

  private async find(projectId: number, keyId: string): Promise<KeyRow> {
    const key = await this.db
      .select()
      .from(projectKeys)
      .where(and(eq(projectKeys.id, keyId), eq(projectKeys.projectId, projectId)))
      .get();
    if (!key) throw notFound("Key");
    return key;
  }

  /** Revoke a key: it stops authenticating at once. The row stays so the key is never reissued. */
  async revoke(projectId: number, userId: string, keyId: string): Promise<ProjectKeyView> {
    await this.projects.access(projectId, userId, "admin");
    const key = await this.find(projectId, keyId);
    if (key.revokedAt) return this.present(key);
    const revokedAt = new Date();
    await this.db.update(projectKeys).set({ revokedAt }).where(eq(projectKeys.id, keyId));
    forgetKey(key.publicKey);
    return this.present({ ...key, revokedAt });
  }

  /** Replace a key by a new one with the same label; the old one is revoked in the same transaction. */
  async rotate(projectId: number, userId: string, keyId: string): Promise<ProjectKeyView> {
    await this.projects.access(projectId, userId, "admin");
    const old = await this.find(projectId, keyId);
    if (old.revokedAt) throw new ApiError("conflict", "This key is already revoked; create a new key instead.");
    const now = new Date();
    const fresh: KeyRow = { id: newId(), projectId, publicKey: newPublicKey(), label: old.label, createdAt: now, revokedAt: null };
    await this.db.batch([
      this.db.insert(projectKeys).values(fresh),
      this.db.update(projectKeys).set({ revokedAt: now }).where(eq(projectKeys.id, old.id)),
    ]);
    forgetKey(old.publicKey);
    return this.present(fresh);
  }
}
