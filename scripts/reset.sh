#!/usr/bin/env bash
# `npm run reset`: wipe local state (D1, R2, Queues, Durable Objects) so the next `npm start` begins empty.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
rm -rf "$VIGIL_STATE_DIR"
echo "Local state in $VIGIL_STATE_DIR removed. Run npm start to begin again."
