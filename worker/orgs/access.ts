import type { Role } from "./schema";

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/** Whether `role` is at least `needed` (owner > admin > member). */
export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export const ROLE_WORDS: Record<Role, string> = {
  owner: "an owner",
  admin: "an admin or owner",
  member: "a member",
};
