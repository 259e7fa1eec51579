import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ORIGIN } from "../test/client";
import { expected, rows } from "./matrix";
import { ACTORS, buildWorld, call, type Reply, type World } from "./world";

/**
 * The authorization matrix: every route of the OpenAPI document, called by five actors — nobody signed in,
 * a signed-in member of another organization, and a member, an admin and an owner of the organization that
 * owns the resource. Each row says the least role the route needs; the expected answer per actor follows
 * from it (anonymous 401, outsider 404, below the role 403, at or above it the route's normal answer).
 * security.test.ts covers foreign and mixed ids in depth; this file covers the roles inside one organization.
 */

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
    expect(documented.has(row.route), `${row.route} is in the authorization table but not in the OpenAPI document: the route is missing (or renamed)`).toBe(true);
    const actor = world.actors[actorName];
    const fresh = row.fresh ? await row.fresh(world, actor) : {};
    const caller = { cookie: fresh.cookie ?? actor.cookie };
    const res: Reply = await call(caller, row.route.split(" ")[0]!, row.path(world, fresh), row.body?.(world, fresh, actor), row.headers);
    const want = expected(row, actorName);
    const seen = `${res.status} ${res.text.slice(0, 200)}`;
    if (want === "2xx") expect(res.status >= 200 && res.status < 300, `${row.route} as ${actorName}: expected 2xx, got ${seen}`).toBe(true);
    else expect(res.status, `${row.route} as ${actorName}: got ${seen}`).toBe(want);
    if (want === 401) expect(res.body.error.code).toBe("unauthenticated");
    if (want === 403) expect(res.body.error.code).toBe("forbidden");
    if (want === 404) expect(res.body.error.code).toBe("not_found");
  });
});
