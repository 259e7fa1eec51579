import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { HonoEnv } from "../env";
import { SESSION_COOKIE } from "./sessions";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Secure everywhere but plain-HTTP local development. */
function secure(c: Context<HonoEnv>): boolean {
  const url = new URL(c.req.url);
  return url.protocol === "https:" || !LOCAL_HOSTS.has(url.hostname);
}

export function setSessionCookie(c: Context<HonoEnv>, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(c),
    path: "/",
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context<HonoEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: secure(c), httpOnly: true, sameSite: "Lax" });
}
