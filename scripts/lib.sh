# Shared by start.sh, test.sh and reset.sh. Sourced, not run.
# Works from a fresh clone: installs npm packages when node_modules is missing or older than the lockfile.

export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export VIGIL_STATE_DIR="${VIGIL_STATE_DIR:-.wrangler/state}"

ensure_node_modules() {
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "› Installing npm packages from package-lock.json…"
    # `npm install`, not `npm ci`: the lockfile pins every version, but some registries serve workerd's
    # macOS/Windows builds later than its Linux one, and `npm ci` refuses a lockfile without them.
    npm install --no-audit --no-fund --loglevel=error
  fi
  # Node 22 comes from the `node` devDependency; put it (and wrangler, vite, vitest) first on PATH.
  export PATH="$PWD/node_modules/.bin:$PATH"
}

apply_migrations() {
  echo "› Applying D1 migrations to local state in $VIGIL_STATE_DIR"
  CI=true wrangler d1 migrations apply DB --local --persist-to "$VIGIL_STATE_DIR" >/dev/null
}
