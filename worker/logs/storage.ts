/** The Worker's side of the LogStore: which object holds a project's logs, and calls that fail cleanly. */
import { ApiError } from "../lib/errors";
import { LIMITS, packLines, type DecodedLogs, type LogLine } from "./model";

export const logStore = (env: Env, projectId: number) => env.LOG_STORE.get(env.LOG_STORE.idFromName(`project:${projectId}`));

/**
 * Store accepted lines; returns how many are stored, counting lines already stored by an earlier send of the
 * same batch (kept once). A store that cannot be reached answers 503 so agents (Vector, OTel, Loki clients) retry.
 */
export async function storeLines(env: Env, projectId: number, lines: LogLine[]): Promise<number> {
  if (lines.length === 0) return 0;
  try {
    const { stored, duplicates } = await logStore(env, projectId).append(projectId, packLines(lines));
    return stored + duplicates;
  } catch (e) {
    console.error(`log store of project ${projectId} failed:`, e);
    throw new ApiError("unavailable", "Vigil could not store these log lines just now; send them again shortly.", undefined, { "Retry-After": "5" });
  }
}

/** A deleted project's logs: its archive in R2 and its store. */
export async function forgetLogs(env: Env, projectId: number): Promise<void> {
  await logStore(env, projectId).destroy();
}

/** Lines beyond the per-request cap are refused, not stored: one push cannot stall a project's store. */
export function capLines(decoded: DecodedLogs): DecodedLogs {
  if (decoded.lines.length <= LIMITS.linesPerRequest) return decoded;
  const over = decoded.lines.length - LIMITS.linesPerRequest;
  return {
    lines: decoded.lines.slice(0, LIMITS.linesPerRequest),
    rejected: decoded.rejected + over,
    errors: [...decoded.errors, `Refused ${over} lines beyond the first ${LIMITS.linesPerRequest} of the request; send smaller batches.`],
  };
}
