#!/usr/bin/env bash
# Runs the given command with Node.js 24 first on PATH. Uses the machine's node when it is
# already 24 or newer; otherwise installs the `node@24` package from the npm registry once, into
# ~/.cache/quorum/node24 (no root, no system change), and uses that.
set -euo pipefail
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null && [ "$(major node)" -ge 24 ]; then exec "$@"; fi
dir="${QUORUM_NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quorum/node24}"
bin="$dir/node_modules/node/bin/node"
if [ ! -x "$bin" ] || [ "$(major "$bin")" -lt 24 ]; then
  echo "Installing Node.js 24 from the npm registry into $dir ..." >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error node@24 >&2
  if [ "$(major "$bin")" -lt 24 ]; then
    # The `node` package fetches its binary in a preinstall script; where npm holds install
    # scripts back, take the platform package (which ships the binary itself) directly.
    platform="node-$(uname -s | tr 'A-Z' 'a-z')-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$platform@24" >&2
    bin="$dir/node_modules/$platform/bin/node"
  fi
fi
[ "$(major "$bin")" -ge 24 ] || { echo "could not install Node.js 24" >&2; exit 1; }
export PATH="$(dirname "$bin"):$PATH"
exec "$@"
