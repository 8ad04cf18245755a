#!/usr/bin/env bash
# `make start`: build the frontend, then run the portal on http://localhost:7007 (backend serving the built app,
# guest sign-in, SQLite files in .shipyard/portal-<port>/database) with the embedded simulated fleet behind it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
echo "==> building the frontend"
yarn workspace app build
echo "==> starting the portal on http://localhost:${SHIPYARD_PORT:-7007}"
exec node scripts/portal.js
