import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Worker tests run inside workerd with real D1, R2, Queues and Durable Objects.
// Migrations come from the same migrations/ folder wrangler applies, and are applied in worker/test/setup.ts.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        // Alert tests send to a real receiver on 127.0.0.1 (worker/test/receiver.ts), so loopback is allowed here;
        // FAULTS turns on the storage layer's fault-injection seam (worker/lib/faults.ts).
        miniflare: { bindings: { TEST_MIGRATIONS: migrations, ALERTS_ALLOW_PRIVATE_URLS: "true", FAULTS: "on" } },
      }),
    ],
    test: {
      include: ["worker/**/*.test.ts"],
      setupFiles: ["./worker/test/setup.ts"],
      globalSetup: ["./worker/test/global-setup.ts"],
      testTimeout: 20_000,
    },
  };
});
