#!/usr/bin/env bash
# Makes a fresh clone runnable: npm packages when missing or stale, then the pinned binaries (a no-op when cached).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
bash hack/install-binaries.sh
