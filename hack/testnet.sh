#!/usr/bin/env bash
# Starts (up [N]) or stops (down) a local CometBFT testnet of N validators (default 4) with Uranus sidecars.
# State lives in $URANUS_TESTNET_DIR (default: $TMPDIR/uranus-testnet); `down` stops exactly the recorded pids.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${URANUS_TESTNET_DIR:-${TMPDIR:-/tmp}/uranus-testnet}"
case "${1:-}" in
  up) exec node cli/uranus.js testnet --detach --validators "${2:-4}" --dir "$dir" ;;
  down) exec node cli/uranus.js testnet down --dir "$dir" ;;
  *)
    echo "usage: hack/testnet.sh up [N] | down" >&2
    exit 2
    ;;
esac
