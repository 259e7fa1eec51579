// Migrations are forward-only: each file only adds to what the ones before it made, and drizzle-kit's journal
// (which `drizzle-kit generate` diffs against) lists exactly the files wrangler applies, in the same order.
// That each one applies on top of the previous ones is what worker/test/setup.ts does before every test file;
// e2e/upgrade.e2e.ts applies them to an empty database and to the previous release's schema with data.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import journal from "../../migrations/meta/_journal.json";

const migrations = env.TEST_MIGRATIONS;
// One statement per entry (wrangler splits the files), joined back with the semicolons it took out.
const sqlOf = (name: string) => migrations.find((m) => m.name === name)!.queries.join(";\n");

describe("migrations", () => {
  it("match the journal one for one, in order", () => {
    expect(migrations.map((m) => m.name)).toEqual(journal.entries.map((e) => `${e.tag}.sql`));
    expect(journal.entries.map((e) => e.idx)).toEqual(journal.entries.map((_, i) => i));
    for (const [i, e] of journal.entries.entries()) {
      expect(e.tag.startsWith(String(i).padStart(4, "0") + "_"), e.tag).toBe(true);
      if (i > 0) expect(e.when, e.tag).toBeGreaterThan(journal.entries[i - 1]!.when);
    }
  });

  it("drop no table they do not rebuild in the same file, and no column", () => {
    for (const { name } of migrations) {
      const sql = sqlOf(name);
      for (const [, table] of sql.matchAll(/DROP TABLE\s+(?:IF EXISTS\s+)?`?(\w+)`?/gi)) {
        // drizzle-kit rebuilds a table as `__new_<table>`, copies the rows, drops the old one and renames the new.
        const rebuilt = new RegExp(`ALTER TABLE\\s+\`?__new_${table}\`?\\s+RENAME TO\\s+\`?${table}\`?`, "i").test(sql);
        const copied = new RegExp(`INSERT INTO\\s+\`?__new_${table}\`?[^;]*SELECT[^;]*FROM\\s+\`?${table}\`?`, "i").test(sql);
        expect(rebuilt && copied, `${name} drops ${table} without rebuilding it with its rows`).toBe(true);
      }
      expect(sql, `${name} drops a column`).not.toMatch(/DROP COLUMN/i);
      // A rename breaks the Worker still running the old code until the deploy finishes; only a rebuild renames.
      expect(sql, `${name} renames a column`).not.toMatch(/RENAME COLUMN/i);
      for (const [, from, to] of sql.matchAll(/ALTER TABLE\s+`?(\w+)`?\s+RENAME TO\s+`?(\w+)`?/gi)) {
        expect(from, `${name} renames ${from} to ${to}`).toBe(`__new_${to}`);
      }
    }
  });

  it("add NOT NULL columns only with a default, so rows written before them stay valid", () => {
    for (const { name, queries } of migrations) {
      for (const statement of queries.filter((q) => /ALTER TABLE[\s\S]*\bADD\b/i.test(q))) {
        if (/NOT NULL/i.test(statement)) expect(statement, name).toMatch(/DEFAULT/i);
      }
    }
  });
});
