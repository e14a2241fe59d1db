#!/usr/bin/env bash
# `npm run demo`: installs what is missing, then runs the whole system locally until Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash hack/ensure-deps.sh
exec node cli/uranus.js up "$@"
