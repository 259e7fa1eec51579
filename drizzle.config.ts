import { defineConfig } from "drizzle-kit";

// The schema is the one source of truth; `npm run db:generate` writes SQL into migrations/,
// which wrangler applies (locally and in production) and the tests apply too.
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations",
});
