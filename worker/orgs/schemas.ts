import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

export const RoleSchema = z.enum(["owner", "admin", "member"]).openapi("Role");

export const OrganizationSchema = z
  .object({
    id: z.string(),
    slug: z.string().openapi({ example: "acme" }),
    name: z.string().openapi({ example: "Acme" }),
    role: RoleSchema.openapi({ description: "Your role in this organization" }),
    createdAt: isoDate,
  })
  .openapi("Organization");

const orgName = z.string().trim().min(1, "Give the organization a name.").max(100, "Name must be at most 100 characters.");

export const NewOrgBody = z
  .strictObject({
    name: orgName,
    slug: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, "Use lowercase letters, digits and dashes (at most 40).")
      .optional(),
  })
  .openapi("NewOrganizationRequest");

export const UpdateOrgBody = z.strictObject({ name: orgName }).openapi("UpdateOrganizationRequest");

export const OrgSlugParam = z.object({
  orgSlug: z.string().max(100).openapi({ param: { name: "orgSlug", in: "path" }, example: "acme" }),
});

export const MemberSchema = z
  .object({ userId: z.string(), email: z.string(), name: z.string(), role: RoleSchema, joinedAt: isoDate })
  .openapi("Member");

export const MemberParams = OrgSlugParam.extend({
  userId: z.string().max(64).openapi({ param: { name: "userId", in: "path" } }),
});

export const RoleBody = z.strictObject({ role: RoleSchema }).openapi("ChangeRoleRequest");

export const InviteSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    role: RoleSchema,
    createdAt: isoDate,
    expiresAt: isoDate,
    invitedBy: z.string(),
  })
  .openapi("Invite");

export const NewInviteSchema = InviteSchema.extend({
  token: z.string(),
  url: z.string().openapi({ description: "The invite link to share. Shown only in this answer." }),
}).openapi("NewInvite");

export const NewInviteBody = z
  .strictObject({
    role: RoleSchema.default("member"),
    email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.")).optional(),
  })
  .openapi("NewInviteRequest");

export const InviteIdParams = OrgSlugParam.extend({
  inviteId: z.string().max(64).openapi({ param: { name: "inviteId", in: "path" } }),
});

export const InviteTokenParam = z.object({
  token: z.string().max(100).openapi({ param: { name: "token", in: "path" } }),
});

export const InvitePreviewSchema = z
  .object({
    organization: z.object({ slug: z.string(), name: z.string() }),
    role: RoleSchema,
    email: z.string().nullable(),
    expiresAt: isoDate,
  })
  .openapi("InvitePreview");
