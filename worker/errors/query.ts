import type { IssueStatus, Level } from "./schema";

/**
 * A parsed issue search: `is:unresolved level:error release:1.2 environment:prod user.email:a@b.com free text`;
 * `kind:performance` (or `is:performance`, `kind:error`) picks one kind of issue.
 */
export interface IssueQuery {
  status?: IssueStatus;
  kind?: "error" | "performance";
  regressed?: boolean;
  level?: Level;
  release?: string;
  environment?: string;
  userEmail?: string;
  text: string[];
}

const STATUSES = new Set(["unresolved", "resolved", "ignored"]);
const LEVELS = new Set(["fatal", "error", "warning", "info", "debug"]);

/** Split on spaces, keeping "quoted phrases" (and key:"quoted values") together. */
function tokens(q: string): string[] {
  return [...q.matchAll(/(\S+:"[^"]*"|"[^"]*"|\S+)/g)].map((m) => m[1]!.replace(/"/g, ""));
}

export function parseIssueQuery(q: string): IssueQuery {
  const out: IssueQuery = { text: [] };
  for (const token of tokens(q.slice(0, 500))) {
    const colon = token.indexOf(":");
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : "";
    const value = colon > 0 ? token.slice(colon + 1) : token;
    if (key === "is" && STATUSES.has(value)) out.status = value as IssueStatus;
    else if (key === "is" && value === "regressed") out.regressed = true;
    else if ((key === "kind" || key === "is") && (value === "performance" || value === "error")) out.kind = value;
    else if (key === "level" && LEVELS.has(value)) out.level = value as Level;
    else if (key === "release" && value) out.release = value;
    else if ((key === "environment" || key === "env") && value) out.environment = value;
    else if (key === "user.email" && value) out.userEmail = value;
    else if (token) out.text.push(token);
  }
  return out;
}
