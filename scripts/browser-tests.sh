#!/usr/bin/env bash
# The cabinet's browser tests (docs/cabinet.md): Debian's Chromium driven by playwright-core
# against `serve --demo` on a fresh SQLite file. Installs Chromium when it is missing, installs
# the pinned npm packages, and checks that web/dist is exactly what web/src builds.
#
#   bash scripts/browser-tests.sh            # with the release binary (built if needed)
#   bash scripts/browser-tests.sh --debug    # with the debug binary (quicker to build)
#
# Screenshots go to SCREENSHOTS (default web/test-results/screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
[ "${1:-}" = "--debug" ] && profile=debug

# Node.js 20 or newer (playwright-core's floor, and node's test runner with
# --test-concurrency). Debian's own nodejs is older; this project's machines carry 20.
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "browser tests need Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"

echo "==> npm ci (web/)"
if ! (cd web && npm ci --no-audit --no-fund --loglevel=error); then
  echo "npm ci failed: the npm registry must be reachable (npm config get registry: $(npm config get registry))" >&2
  exit 1
fi
echo "node $(node --version), $("$CHROMIUM" --version 2>/dev/null), playwright-core $(node -p 'require("./web/node_modules/playwright-core/package.json").version')"

echo "==> web/dist is what web/src builds"
(cd web && node build.mjs --check)

# The binary always matches the checkout: cargo rebuilds only what changed (web/dist is
# embedded in release builds, so a stale binary would test a stale cabinet).
echo "==> cargo build ($profile)"
if [ "$profile" = release ]; then
  cargo build --release -p partner-gateway
else
  cargo build -p partner-gateway
fi
export GATEWAY_BIN="${CARGO_TARGET_DIR:-$PWD/target}/$profile/partner-gateway"

echo "==> browser tests"
cd web
npm test
