#!/usr/bin/env bash
# The failure drill (docs/reliability.md): two instances on one PostgreSQL database behind
# HAProxy, under load, while PostgreSQL restarts, one instance is killed and the other
# stopped; then the books are checked and a report written under target/drill/.
#
#   scripts/drill.sh                 # about two minutes (the short mode CI runs)
#   scripts/drill.sh --minutes 5     # longer
#   scripts/drill.sh --soak --minutes 10   # no faults: memory must stay flat
#
# Needs a Debian PostgreSQL cluster it may restart (pg_ctlcluster) and installs HAProxy if
# missing. DRILL_DATABASE_URL names a database the drill may create its own from
# (default postgres://postgres@127.0.0.1:5432/postgres). DRILL_PROFILE=debug uses the
# debug build instead of the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v haproxy >/dev/null 2>&1; then
  echo "==> installing haproxy"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq haproxy >/dev/null
fi
if ! ls /etc/postgresql >/dev/null 2>&1; then
  echo "the drill restarts a Debian PostgreSQL cluster: install postgresql first" >&2
  exit 1
fi

profile="${DRILL_PROFILE:-release}"
if [ "$profile" = release ]; then
  cargo build --release -p partner-gateway -p drill
else
  cargo build -p partner-gateway -p drill
fi
exec "target/$profile/drill" --bin "target/$profile/partner-gateway" "$@"
