import type { Context } from "hono";
import type { HonoEnv } from "../env";
import { ApiError } from "../lib/errors";
import type { TokenScope } from "./schema";

export interface Viewer {
  userId: string;
  email: string;
  name: string;
  createdAt: Date;
  /** How the request proved who it is. Cookie-authenticated writes need the CSRF check. */
  via: "session" | "token";
  /** Set when via = token: what the token may do. */
  scopes?: TokenScope[];
  /** Set when via = session: the stored hash of the cookie, for logout. */
  sessionHash?: string;
}

/** The signed-in user, or a 401. */
export function requireViewer(c: Context<HonoEnv>): Viewer {
  const viewer = c.get("viewer");
  if (!viewer) throw new ApiError("unauthenticated", "Sign in to continue.");
  return viewer;
}
