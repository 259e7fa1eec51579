import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Benchmarks of Worker code inside workerd with real D1 and R2, like the Worker tests.
export default defineConfig(async () => {
  const root = path.join(import.meta.dirname, "../..");
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { TEST_MIGRATIONS: migrations } } })],
    test: {
      include: ["bench/processing/*.measure.ts"],
      setupFiles: ["./worker/test/setup.ts"],
    },
  };
});
