import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Client, errorCode, PASSWORD, signUp, uniqueEmail } from "../test/client";

/** An owner's org with a second user joined through an invite of the given role. */
async function orgWithMember(role: "admin" | "member") {
  const owner = await signUp("owner");
  const invite = await owner.client.post(`/orgs/${owner.orgSlug}/invites`, { role });
  expect(invite.status).toBe(201);
  const member = await signUp(role);
  const accepted = await member.client.post(`/invites/${invite.body.token}/accept`);
  expect(accepted.status).toBe(200);
  return { owner, member, orgSlug: owner.orgSlug };
}

describe("organizations", () => {
  it("creates an organization with the creator as owner and a slug from the name", async () => {
    const { client } = await signUp();
    const res = await client.post("/orgs", { name: "Acme Shop!" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Acme Shop!", role: "owner" });
    expect(res.body.slug).toMatch(/^acme-shop(-\d+)?$/);
    const again = await client.post("/orgs", { name: "Acme Shop!" });
    expect(again.body.slug).not.toBe(res.body.slug);
    const list = await client.get("/orgs");
    expect(list.body.data.map((o: { slug: string }) => o.slug)).toEqual(expect.arrayContaining([res.body.slug, again.body.slug]));
  });

  it("refuses a taken or badly formed explicit slug", async () => {
    const { client, orgSlug } = await signUp();
    const taken = await client.post("/orgs", { name: "Dup", slug: orgSlug });
    expect(taken.status).toBe(409);
    const bad = await client.post("/orgs", { name: "Bad", slug: "Has Spaces" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/lowercase/);
  });

  it("lets admins rename, not members", async () => {
    const { member, owner, orgSlug } = await orgWithMember("member");
    const denied = await member.client.patch(`/orgs/${orgSlug}`, { name: "Mine now" });
    expect(denied.status).toBe(403);
    expect(errorCode(denied)).toBe("forbidden");
    const ok = await owner.client.patch(`/orgs/${orgSlug}`, { name: "Renamed" });
    expect(ok.status).toBe(200);
    expect((await member.client.get(`/orgs/${orgSlug}`)).body.name).toBe("Renamed");
  });
});

describe("invites", () => {
  it("an invite link shows what it is for without signing in, and works once", async () => {
    const owner = await signUp("owner");
    const invite = await owner.client.post(`/orgs/${owner.orgSlug}/invites`, { role: "admin" });
    expect(invite.status).toBe(201);
    expect(invite.body.url).toBe(`http://localhost:8787/invite/${invite.body.token}`);
    const preview = await new Client().get(`/invites/${invite.body.token}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ role: "admin", organization: { slug: owner.orgSlug } });

    const listed = await owner.client.get(`/orgs/${owner.orgSlug}/invites`);
    expect(listed.body.data).toEqual([expect.objectContaining({ id: invite.body.id, role: "admin" })]);
    expect(JSON.stringify(listed.body)).not.toContain(invite.body.token);

    const anonymous = await new Client().post(`/invites/${invite.body.token}/accept`);
    expect(anonymous.status).toBe(401);

    const joiner = await signUp("joiner");
    const accepted = await joiner.client.post(`/invites/${invite.body.token}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ slug: owner.orgSlug, role: "admin" });
    const members = await owner.client.get(`/orgs/${owner.orgSlug}/members`);
    expect(members.body.data.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [owner.email, "owner"],
      [joiner.email, "admin"],
    ]);

    const reused = await (await signUp("late")).client.post(`/invites/${invite.body.token}/accept`);
    expect(reused.status).toBe(404);
  });

  it("an invite for an email can only be accepted by that email", async () => {
    const owner = await signUp("owner");
    const email = uniqueEmail("bob");
    const invite = await owner.client.post(`/orgs/${owner.orgSlug}/invites`, { role: "member", email: email.toUpperCase() });
    expect(invite.body.email).toBe(email);
    const other = await signUp("mallory");
    const denied = await other.client.post(`/invites/${invite.body.token}/accept`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain(email);
    const bob = new Client();
    await bob.post("/auth/signup", { email, password: PASSWORD });
    expect((await bob.post(`/invites/${invite.body.token}/accept`)).status).toBe(200);
  });

  it("expired and revoked invites are 404", async () => {
    const owner = await signUp("owner");
    const expired = await owner.client.post(`/orgs/${owner.orgSlug}/invites`, {});
    await env.DB.prepare("update invites set expires_at = ? where id = ?").bind(Date.now() - 1, expired.body.id).run();
    expect((await new Client().get(`/invites/${expired.body.token}`)).status).toBe(404);
    const revoked = await owner.client.post(`/orgs/${owner.orgSlug}/invites`, {});
    expect((await owner.client.delete(`/orgs/${owner.orgSlug}/invites/${revoked.body.id}`)).status).toBe(204);
    expect((await new Client().get(`/invites/${revoked.body.token}`)).status).toBe(404);
    expect((await new Client().get(`/invites/not-a-token`)).status).toBe(404);
  });

  it("members cannot invite; admins cannot invite owners", async () => {
    const asMember = await orgWithMember("member");
    expect((await asMember.member.client.post(`/orgs/${asMember.orgSlug}/invites`, {})).status).toBe(403);
    expect((await asMember.member.client.get(`/orgs/${asMember.orgSlug}/invites`)).status).toBe(403);
    const asAdmin = await orgWithMember("admin");
    expect((await asAdmin.member.client.post(`/orgs/${asAdmin.orgSlug}/invites`, { role: "owner" })).status).toBe(403);
    expect((await asAdmin.member.client.post(`/orgs/${asAdmin.orgSlug}/invites`, { role: "member" })).status).toBe(201);
  });
});

describe("roles", () => {
  it("members can read projects but not create them; admins can", async () => {
    const { member, orgSlug } = await orgWithMember("member");
    const denied = await member.client.post(`/orgs/${orgSlug}/projects`, { name: "Nope" });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/admin or owner/);
    expect((await member.client.get(`/orgs/${orgSlug}/projects`)).status).toBe(200);
    const admin = await orgWithMember("admin");
    expect((await admin.member.client.post(`/orgs/${admin.orgSlug}/projects`, { name: "Yes" })).status).toBe(201);
  });

  it("only owners grant or take away the owner role", async () => {
    const { owner, member: admin, orgSlug } = await orgWithMember("admin");
    const selfPromote = await admin.client.patch(`/orgs/${orgSlug}/members/${admin.userId}`, { role: "owner" });
    expect(selfPromote.status).toBe(403);
    const demoteOwner = await admin.client.patch(`/orgs/${orgSlug}/members/${owner.userId}`, { role: "member" });
    expect(demoteOwner.status).toBe(403);
    const promote = await owner.client.patch(`/orgs/${orgSlug}/members/${admin.userId}`, { role: "owner" });
    expect(promote.status).toBe(200);
    expect(promote.body.role).toBe("owner");
  });

  it("an organization always keeps one owner", async () => {
    const { owner, member, orgSlug } = await orgWithMember("member");
    const demote = await owner.client.patch(`/orgs/${orgSlug}/members/${owner.userId}`, { role: "admin" });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/at least one owner/);
    const leave = await owner.client.delete(`/orgs/${orgSlug}/members/${owner.userId}`);
    expect(leave.status).toBe(409);
    // a member can leave on their own
    expect((await member.client.delete(`/orgs/${orgSlug}/members/${member.userId}`)).status).toBe(204);
    expect((await member.client.get(`/orgs/${orgSlug}`)).status).toBe(404);
  });

  it("admins remove members; members remove nobody else", async () => {
    const { owner, member, orgSlug } = await orgWithMember("member");
    expect((await member.client.delete(`/orgs/${orgSlug}/members/${owner.userId}`)).status).toBe(403);
    expect((await owner.client.delete(`/orgs/${orgSlug}/members/${member.userId}`)).status).toBe(204);
    expect((await owner.client.delete(`/orgs/${orgSlug}/members/${member.userId}`)).status).toBe(404);
  });

  it("an invalid role is a 400", async () => {
    const { owner, member, orgSlug } = await orgWithMember("member");
    const res = await owner.client.patch(`/orgs/${orgSlug}/members/${member.userId}`, { role: "superuser" });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe("validation_failed");
  });
});
