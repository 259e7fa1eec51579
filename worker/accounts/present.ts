import { iso, isoOrNull } from "../lib/openapi";
import type { OrgView } from "../orgs/service";
import type { ApiTokenView } from "./tokens.service";

export const presentUser = (u: { id: string; email: string; name: string; createdAt: Date }) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  createdAt: iso(u.createdAt),
});

export const presentOrg = (o: OrgView) => ({ id: o.id, slug: o.slug, name: o.name, role: o.role, createdAt: iso(o.createdAt) });

export const presentToken = (t: ApiTokenView) => ({ ...t, createdAt: iso(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt) });
