#!/usr/bin/env bash
# Starts (up [--real-nodes N]), stops (down) a local control plane on loopback, or adds N kwok nodes (nodes N).
# Real nodes run containerd and a kubelet and need root; without it the control plane has kwok nodes only.
# State lives in $URANUS_STATE_DIR (default: $TMPDIR/uranus-control-plane).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec npx --no-install tsx hack/control-plane-cli.ts "$@"
