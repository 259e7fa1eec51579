import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { OrganizationSchema } from "../orgs/schemas";
import { PASSWORD_MAX_LENGTH } from "./passwords";

export const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), createdAt: isoDate })
  .openapi("User");

const email = z.string().trim().max(254, "Email is too long.").pipe(z.email("Enter a valid email address."));
// The length cap is checked here, before any hashing, so a 1 MB password costs nothing.
const password = z.string().max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);

export const SignupBody = z
  .strictObject({
    email,
    password,
    name: z.string().trim().max(100, "Name must be at most 100 characters.").optional(),
  })
  .openapi("SignupRequest");

export const LoginBody = z.strictObject({ email, password }).openapi("LoginRequest");

export const SignupResponse = z.object({ user: UserSchema, organization: OrganizationSchema }).openapi("SignupResponse");
export const LoginResponse = z.object({ user: UserSchema }).openapi("LoginResponse");
export const MeResponse = z.object({ user: UserSchema, organizations: z.array(OrganizationSchema) }).openapi("Me");

export const TokenScopeSchema = z.enum(["read", "write"]).openapi("TokenScope", {
  description: "`read`: GET and HEAD requests only. `write`: every other method too. A token always has `read`.",
});

export const ApiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ example: "vgl_Xa91bQ" }),
    scopes: z.array(TokenScopeSchema).openapi({ example: ["read"] }),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
  })
  .openapi("ApiToken");

export const NewApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({ description: "The secret token. Shown only in this answer." }),
}).openapi("NewApiToken");

export const TokenBody = z
  .strictObject({
    name: z.string().trim().min(1, "Give the token a name.").max(100),
    scopes: z
      .array(TokenScopeSchema)
      .min(1)
      .max(10)
      .refine((s) => s.includes("read"), 'A token always reads: give ["read"] or ["read", "write"].')
      // One spelling per meaning, whatever order or repeats were sent.
      .transform((s): ("read" | "write")[] => (s.includes("write") ? ["read", "write"] : ["read"]))
      .default(["read", "write"])
      .openapi({ description: 'What the token may do: `["read"]` makes a read-only token.' }),
  })
  .openapi("NewApiTokenRequest");
