#!/usr/bin/env bash
# The main job: the example, three candidates through the bundled CLI (dist/, no install needed).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/with-node24.sh node scripts/example.mjs "$@"
