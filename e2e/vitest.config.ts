// End-to-end tests: a real Vigil (wrangler dev) driven from Node by headless Chromium,
// the real Python sentry-sdk and the real curl binary. Run with `npm run test:e2e`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    // Each file starts its own Vigil; one at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    globalSetup: ['e2e/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 150_000,
    teardownTimeout: 30_000,
  },
});
