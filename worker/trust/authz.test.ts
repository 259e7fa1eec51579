import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN } from "../test/client";
import { expected, rows } from "./matrix";
import { env } from "cloudflare:test";
import { ACTORS, buildWorld, call, must, type Reply, type World } from "./world";

/**
 * The authorization matrix: every route of the OpenAPI document, called by five actors — nobody signed in,
 * a signed-in member of another organization, and a member, an admin and an owner of the organization that
 * owns the resource. Each row says the least role the route needs; the expected answer per actor follows
 * from it (anonymous 401, outsider 404, below the role 403, at or above it the route's normal answer).
 * security.test.ts covers foreign and mixed ids in depth; this file covers the roles inside one organization.
 */

/** Tables a refused write could touch (background jobs do not write these, so a diff means the refusal leaked). */
const GUARDED = ["organizations", "memberships", "invites", "projects", "project_keys", "api_tokens", "channels", "alert_rules", "monitors", "cron_monitors", "saved_searches"];
async function snapshot(): Promise<string> {
  // A token's own last-used time is bookkeeping of the call itself, not a change the call made.
  const columns = (t: string) => (t === "api_tokens" ? "id, user_id, name, token_hash, prefix, scopes" : "*");
  const tables = await Promise.all(GUARDED.map((t) => env.DB.prepare(`select ${columns(t)} from ${t} order by rowid`).all()));
  return JSON.stringify(tables.map((t) => t.results));
}

const missing = (route: string) => `${route} is in the authorization table but not in the OpenAPI document: the route is missing (or renamed)`;

let world: World;
let documented: Set<string>;

beforeAll(async () => {
  world = await buildWorld();
  const doc = (await (await SELF.fetch(`${ORIGIN}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
  // The document does not list itself.
  documented.add("GET /openapi.json");
}, 120_000);

describe("authorization matrix", () => {
  it("has a row for every route of the OpenAPI document", () => {
    const table = new Set(rows.map((r) => r.route));
    expect([...documented].filter((r) => !table.has(r)), "routes in the OpenAPI document without a row in this table").toEqual([]);
    expect(rows.length, "one row per route").toBe(table.size);
  });

  const cases = rows.flatMap((row) => ACTORS.map((actor) => [`${row.route} as ${actor} → ${expected(row, actor)}`, row, actor] as const));

  it.each(cases)("%s", async (_, row, actorName) => {
    expect(documented.has(row.route), missing(row.route)).toBe(true);
    const actor = world.actors[actorName];
    const fresh = row.fresh ? await row.fresh(world, actor) : {};
    const caller = { cookie: fresh.cookie ?? actor.cookie };
    const method = row.route.split(" ")[0]!;
    const want = expected(row, actorName);
    const refusedWrite = method !== "GET" && (want === 403 || want === 404 || want === 401);
    const before = refusedWrite ? await snapshot() : "";
    const res: Reply = await call(caller, method, row.path(world, fresh), row.body?.(world, fresh, actor), row.headers);
    const seen = `${res.status} ${res.text.slice(0, 200)}`;
    if (want === "2xx") expect(res.status >= 200 && res.status < 300, `${row.route} as ${actorName}: expected 2xx, got ${seen}`).toBe(true);
    else expect(res.status, `${row.route} as ${actorName}: got ${seen}`).toBe(want);
    if (want === 401) expect(res.body.error.code).toBe("unauthenticated");
    if (want === 403) expect(res.body.error.code).toBe("forbidden");
    if (want === 404) expect(res.body.error.code).toBe("not_found");
    if (refusedWrite) expect(await snapshot(), `${row.route} as ${actorName} was refused but changed data`).toBe(before);
  });
});

describe("the owner's read-only API token", () => {
  let reader: string;
  beforeAll(async () => {
    reader = must(await call(world.actors.owner, "POST", "/tokens", { name: "matrix reader", scopes: ["read"] }), 201, "read-only token").body.token;
  });

  // GET routes answer as they do for the owner; every other method is refused before the route runs.
  it.each(rows.map((row) => [`${row.route} → ${row.route.startsWith("GET ") ? expected(row, "owner") : "403 insufficient_scope"}`, row] as const))("%s", async (_, row) => {
    expect(documented.has(row.route), missing(row.route)).toBe(true);
    const owner = world.actors.owner;
    const method = row.route.split(" ")[0]!;
    const fresh = row.fresh ? await row.fresh(world, owner) : {};
    const before = method === "GET" ? "" : await snapshot();
    const res = await call({ bearer: reader }, method, row.path(world, fresh), row.body?.(world, fresh, owner), row.headers);
    if (method !== "GET") {
      expect(res.status, `${row.route}: ${res.text.slice(0, 200)}`).toBe(403);
      expect(res.body.error.code).toBe("insufficient_scope");
      expect(await snapshot(), `${row.route} was refused but changed data`).toBe(before);
      return;
    }
    const want = expected(row, "owner");
    if (want === "2xx") expect(res.status >= 200 && res.status < 300, `${row.route}: ${res.status} ${res.text.slice(0, 200)}`).toBe(true);
    else expect(res.status).toBe(want);
  });
});
