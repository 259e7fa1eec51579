#!/usr/bin/env bash
# `npm test`: every test. Type checks, Worker tests inside workerd (real D1, R2, Queues, Durable Objects),
# then end-to-end tests against Vigil started with wrangler, driven by curl, the real sentry-sdk and
# headless Chromium. Ends with one line: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_node_modules
bash scripts/setup-system.sh

results=$(mktemp -d)
status=0
echo "› Type checks"
npm run --silent check || status=1
echo "› Worker tests (workerd)"
vitest run --config vitest.config.ts --reporter=default --reporter=json --outputFile.json="$results/worker.json" || status=1
echo "› Building the dashboard for the end-to-end tests"
npm run --silent build:dashboard >/dev/null || status=1
echo "› End-to-end tests (wrangler dev, curl, sentry-sdk, Chromium)"
vitest run --config e2e/vitest.config.ts --reporter=default --reporter=json --outputFile.json="$results/e2e.json" || status=1
node scripts/summary.mjs "$results"/*.json
exit $status
