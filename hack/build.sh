#!/usr/bin/env bash
# Compiles the TypeScript sources to dist/ (what images and benchmarks run: no compiler in the process) and copies
# the files the code reads at run time next to it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
for asset in crds/*.yaml chain-sidecar/explorer/static local-cluster/kwok.yaml; do
  mkdir -p "dist/$(dirname "$asset")"
  cp -r "$asset" "dist/$asset"
done
cp hack/versions.env dist/process/versions.env
chmod +x dist/cli/uranus-main.js
echo "built dist/ (run: node dist/cli/uranus-main.js)"
