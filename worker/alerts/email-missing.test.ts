// A deploy without the send_email binding (`npm run deploy -- --no-email`, docs/deploy.md#email): email channels
// are refused with a message that says what is missing, and an existing email channel's deliveries fail
// permanently with the same pointer instead of throwing. The tests run with wrangler.toml's bindings; the
// missing binding is the real Worker called with its env minus EMAIL.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../index";
import { ORIGIN, signUp } from "../test/client";
import { EMAIL_MISSING } from "./channels.service";
import { attemptDelivery, type Channel } from "./deliver";

const { EMAIL: _email, ...withoutEmail } = env;
// Env (generated from wrangler.toml) types EMAIL as always bound; a deploy without it is the case under test.
const envWithoutEmail = withoutEmail as unknown as Env;

/** POST to the Worker as the signed-in user, with the env of a deploy that has no send_email binding. */
async function postWithoutEmail(cookie: string, path: string, body: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(
    new Request(`${ORIGIN}/api/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, cookie: `vigil_session=${cookie}` },
      body: JSON.stringify(body),
    }) as Request<unknown, IncomingRequestCfProperties>,
    envWithoutEmail,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

describe("email alerts without the send_email binding", () => {
  it("refuses an email channel with 400 and names the missing binding on the Type field", async () => {
    const user = await signUp("noemail");
    const res = await postWithoutEmail(user.client.cookie!, `/orgs/${user.orgSlug}/channels`, { type: "email", name: "On call", email: "oncall@example.com" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.message).toBe(EMAIL_MISSING);
    expect(res.body.error.details).toEqual([{ path: "type", message: EMAIL_MISSING }]);
    // Nothing was stored.
    expect((await user.client.get(`/orgs/${user.orgSlug}/channels`)).body.data).toEqual([]);
  });

  it("still creates Slack and webhook channels", async () => {
    const user = await signUp("noemail");
    const res = await postWithoutEmail(user.client.cookie!, `/orgs/${user.orgSlug}/channels`, { type: "webhook", name: "Ops", url: "https://example.com/hook" });
    expect(res.status).toBe(201);
  });

  it("a delivery to an email channel made before the binding went away fails for good, without throwing", async () => {
    const channel: Channel = { id: "c1", orgId: "o1", type: "email", name: "On call", url: null, email: "oncall@example.com", secret: null, createdAt: new Date() };
    const content = { type: "test" as const, project: null, organization: "Org", summary: "Test", url: `${ORIGIN}/`, data: {} };
    const result = await attemptDelivery(envWithoutEmail, channel, content, "d1");
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(result.error).toContain("docs/deploy.md#email");
  });
});
