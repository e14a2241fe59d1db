#!/usr/bin/env bash
# `npm test`: installs what is missing, then static checks and every suite; ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash hack/ensure-deps.sh
exec node_modules/.bin/tsx test/run.ts "$@"
