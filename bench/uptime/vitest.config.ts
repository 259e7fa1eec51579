import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The cost of uptime scheduling rounds inside workerd with real D1 and Durable Objects, against local
// HTTP targets started in Node (the same ones the Worker tests use).
export default defineConfig(async () => {
  const root = path.join(import.meta.dirname, "../..");
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { TEST_MIGRATIONS: migrations, ALERTS_ALLOW_PRIVATE_URLS: "true" } } })],
    test: {
      include: ["bench/uptime/*.measure.ts"],
      setupFiles: ["./worker/test/setup.ts"],
      globalSetup: ["./worker/test/global-setup.ts"],
      testTimeout: 600_000,
    },
  };
});
