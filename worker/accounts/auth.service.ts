import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { newId } from "../lib/encoding";
import { ApiError } from "../lib/errors";
import type { OrgService, OrgView } from "../orgs/service";
import { decoy, hashPassword, passwordProblem, verifyPassword } from "./passwords";
import { users } from "./schema";
import { limiter } from "./limiter";

/** Failed logins allowed per window, per email and per client IP. */
export const LOGIN_LIMITS = {
  email: { limit: 10, windowSeconds: 15 * 60 },
  ip: { limit: 50, windowSeconds: 15 * 60 },
} as const;

export type UserRow = typeof users.$inferSelect;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly env: Env,
    private readonly orgs: OrgService,
  ) {}

  /** Create a user and their personal organization (as owner) in one transaction. */
  async signup(input: { email: string; password: string; name?: string }): Promise<{ user: UserRow; organization: OrgView }> {
    const email = normalizeEmail(input.email);
    const problem = passwordProblem(input.password, email);
    if (problem) throw new ApiError("validation_failed", problem, [{ path: "password", message: problem }]);
    const existing = await this.db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
    if (existing) {
      throw new ApiError("conflict", "An account with this email already exists. Log in instead.", [
        { path: "email", message: "An account with this email already exists." },
      ]);
    }
    const now = new Date();
    const name = input.name?.trim() || email.split("@")[0]!;
    const user: UserRow = { id: newId(), email, name, passwordHash: await hashPassword(input.password), createdAt: now };
    const orgName = `${name}'s organization`;
    const org = { id: newId(), slug: await this.orgs.freeSlug(name), name: orgName };
    try {
      await this.db.batch([this.db.insert(users).values(user), ...this.orgs.creation(org, user.id, now)]);
    } catch (err) {
      // Two signups with the same email at once: the unique index decides.
      if (String(err).includes("UNIQUE")) throw new ApiError("conflict", "An account with this email already exists. Log in instead.");
      throw err;
    }
    return { user, organization: { ...org, role: "owner", createdAt: now } };
  }

  /**
   * Check a password. Failures count against the email and the client IP; past the limit the answer is 429
   * with Retry-After, whether or not the password is right, so guessing cannot continue.
   */
  async login(input: { email: string; password: string }, ip: string): Promise<UserRow> {
    const email = normalizeEmail(input.email);
    const byEmail = limiter(this.env, `login:email:${email}`);
    const byIp = limiter(this.env, `login:ip:${ip}`);
    const [e, i] = await Promise.all([
      byEmail.check(LOGIN_LIMITS.email.limit, LOGIN_LIMITS.email.windowSeconds),
      byIp.check(LOGIN_LIMITS.ip.limit, LOGIN_LIMITS.ip.windowSeconds),
    ]);
    if (!e.allowed || !i.allowed) {
      const retryAfter = Math.max(e.retryAfter, i.retryAfter);
      throw new ApiError(
        "too_many_requests",
        `Too many failed logins. Try again in ${Math.ceil(retryAfter / 60)} minute(s).`,
        undefined,
        { "Retry-After": String(retryAfter) },
      );
    }
    const user = await this.db.select().from(users).where(eq(users.email, email)).get();
    const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoy()));
    if (!user || !ok) {
      await Promise.all([
        byEmail.hit(LOGIN_LIMITS.email.limit, LOGIN_LIMITS.email.windowSeconds),
        byIp.hit(LOGIN_LIMITS.ip.limit, LOGIN_LIMITS.ip.windowSeconds),
      ]);
      throw new ApiError("invalid_credentials", "Email or password is incorrect.");
    }
    await byEmail.reset();
    return user;
  }
}
