#!/usr/bin/env bash
# Runs the Postman collection (docs/postman/comanda.postman_collection.json) with newman against a running
# gateway: the seed flow, with a test in every request. Exits non-zero when any test fails.
#   scripts/postman.sh [baseUrl] [newman options...]     baseUrl [http://localhost:8080]
# newman comes from npm, pinned in tests/postman/package-lock.json and installed there on first use
# (needs node >= 16 and npm: Debian's nodejs and npm packages are installed when missing).
# Examples:
#   scripts/postman.sh                                        against scripts/run.sh or docker compose
#   scripts/postman.sh http://localhost:18080 --env-var expectColdCache=true --export-environment out.json
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BASE_URL=${1:-http://localhost:8080}
(($#)) && shift
NPM_DIR=tests/postman
NEWMAN=$NPM_DIR/node_modules/.bin/newman

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  echo "postman: installing nodejs and npm" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# (Re)install when missing or when the lock file changed since the last install.
if [[ ! -x $NEWMAN || $NPM_DIR/package-lock.json -nt $NPM_DIR/node_modules/.package-lock.json ]]; then
  echo "postman: npm ci in $NPM_DIR" >&2
  npm ci --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error >&2
fi

exec "$NEWMAN" run docs/postman/comanda.postman_collection.json \
  --environment docs/postman/comanda.postman_environment.json \
  --env-var "baseUrl=$BASE_URL" --bail failure --color off "$@"
