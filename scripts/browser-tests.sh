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

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

echo "==> npm ci (web/)"
(cd web && npm ci --no-audit --no-fund --loglevel=error)

echo "==> web/dist is what web/src builds"
(cd web && node build.mjs --check)

if [ -z "${GATEWAY_BIN:-}" ]; then
  echo "==> cargo build ($profile)"
  if [ "$profile" = release ]; then
    cargo build --release -p partner-gateway
  else
    cargo build -p partner-gateway
  fi
  export GATEWAY_BIN="$PWD/target/$profile/partner-gateway"
fi

echo "==> browser tests"
cd web
npm test
