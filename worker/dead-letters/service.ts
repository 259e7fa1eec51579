import type { ProjectService } from "../projects/service";
import { listDeadLetters, replayDeadLetters } from "./store";

/** What failed processing for good, per project, and sending it through again (admins). */
export class DeadLetterService {
  constructor(
    private readonly env: Env,
    private readonly projects: ProjectService,
  ) {}

  async list(projectId: number, userId: string, limit: number, cursor?: string) {
    await this.projects.access(projectId, userId, "admin");
    return listDeadLetters(this.env, projectId, limit, cursor);
  }

  /** Replay the given letters, or (without keys) up to `limit` of the oldest. */
  async replay(projectId: number, userId: string, keys: string[] | undefined, limit = 100) {
    await this.projects.access(projectId, userId, "admin");
    const chosen = keys ?? (await listDeadLetters(this.env, projectId, limit)).letters.map((l) => l.key);
    return replayDeadLetters(this.env, projectId, chosen);
  }
}
