import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { productListTemplate } from "./transaction.mjs";

// Transaction processing alone, inside workerd with real D1 and R2, like the Worker tests. The transaction is the
// one bench/performance.mjs sends over HTTP (the shop's /products/, 40 spans), handed over as a binding.
export default defineConfig(async () => {
  const root = path.join(import.meta.dirname, "../..");
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: { bindings: { TEST_MIGRATIONS: migrations, BENCH_TRANSACTION: JSON.stringify(productListTemplate().tx) } },
      }),
    ],
    test: {
      include: ["bench/performance/*.measure.ts"],
      setupFiles: ["./worker/test/setup.ts"],
    },
  };
});
