#!/usr/bin/env bash
# `npm start`: install what is missing, build the dashboard, apply D1 migrations to local state,
# then run Vigil (dashboard + API + ingest + the every-minute cron) at http://127.0.0.1:${PORT:-8787}.
# No Cloudflare account and no internet needed. State persists in .wrangler/state (`npm run reset` wipes it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_node_modules
echo "› Building the dashboard"
npm run --silent build:dashboard >/dev/null
apply_migrations
exec node scripts/dev.mjs
