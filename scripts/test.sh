#!/usr/bin/env bash
# The test command: Node 24 (installed from the npm registry if needed), dependencies, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/with-node24.sh bash -c 'npm ci --no-audit --no-fund --loglevel=error && npm test'
