#!/usr/bin/env bash
# System packages the tests need: Debian's Chromium (browser tests) and a Python venv with the
# packages of examples/django (sentry-sdk, Django, OpenTelemetry). Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${CHROMIUM_PATH:-}" && ! -x /usr/bin/chromium ]]; then
  echo "› Installing Debian's chromium for the browser tests"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

if [[ -f examples/django/setup.sh ]]; then
  bash examples/django/setup.sh
fi
