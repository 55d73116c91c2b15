#!/usr/bin/env bash
# Browser tests of the web storefront (tests/browser): playwright-core, pinned in tests/browser/package-lock.json,
# drives Debian's chromium headless against the whole system behind the nginx gateway.
#   scripts/browser-test.sh                         install what is missing, start the system detached (its own
#                                                   state folder and ports), run the tests, stop everything
#   scripts/browser-test.sh --test-name-pattern=logout   extra arguments go to `node --test`
#
# Environment [defaults]:
#   COMANDA_WEB_URL: test a gateway that is already running there; nothing is started or stopped
#   COMANDA_BIN_DIR: the service binaries [none: scripts/run.sh builds the release preset]
#   COMANDA_STATE_DIR [<repo>/.state/browser]  COMANDA_PG_PORT [26432]  COMANDA_REDIS_PORT [26379]
#   COMANDA_AMQP_PORT [10672]: the infrastructure of this run (scripts/stack.sh)
#   COMANDA_PORT_BASE, GATEWAY_PORT: services on base+1..+4 and the gateway [the first free block from 26000]
#   (all below Linux's ephemeral range, 32768 and up, so that no outgoing connection holds one of them)
#   SCREENSHOT_DIR [<repo>/docs/screenshots]: where the menu and confirmation screenshots are written
#   CHROMIUM_PATH [/usr/bin/chromium]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

bash scripts/install-deps.sh
bash scripts/install-deps.sh --browser
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  echo "browser-test: installing nodejs and npm"
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || { echo "browser-test: playwright-core needs Node.js 20 or newer, this is $(node --version)" >&2; exit 1; }
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

port_free() { ! ss -Htan "sport = :$1" 2>/dev/null | grep -q .; }   # no socket at all uses it

if [[ -z ${COMANDA_WEB_URL:-} ]]; then
  export COMANDA_STATE_DIR=${COMANDA_STATE_DIR:-$ROOT/.state/browser}
  export COMANDA_PG_PORT=${COMANDA_PG_PORT:-26432} COMANDA_REDIS_PORT=${COMANDA_REDIS_PORT:-26379}
  # 10672, so that RabbitMQ's derived ports (distribution 30672, epmd 22672, management 20672/20673:
  # scripts/stack.sh) stay below the kernel's ephemeral range, as the functional stack's do (docs/decisions.md,
  # "Test ports"): with 26672 epmd was on 38672, and once in CI it could not start there.
  export COMANDA_AMQP_PORT=${COMANDA_AMQP_PORT:-10672}
  if [[ -z ${COMANDA_PORT_BASE:-} ]]; then
    # The first block of 100 from 26000 whose service ports (base+1..+4) and gateway port (base+80) are free.
    for base in $(seq 26000 100 31900); do
      free=1
      for port in $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)) $((base + 80)); do
        port_free "$port" || { free=0; break; }
      done
      ((free)) && break
    done
    ((free)) || { echo "browser-test: no free block of ports in 26000-31999" >&2; exit 1; }
    export COMANDA_PORT_BASE=$base
  fi
  export GATEWAY_PORT=${GATEWAY_PORT:-$((COMANDA_PORT_BASE + 80))}
  # By absolute path, whatever the working folder is when the script exits.
  trap 'echo "browser-test: stopping the system"; bash "$ROOT/scripts/run.sh" stop || true' EXIT
  bash scripts/run.sh start
  export COMANDA_WEB_URL=http://127.0.0.1:$GATEWAY_PORT
fi

echo "browser-test: testing $COMANDA_WEB_URL with $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null)"
rc=0
(cd tests/browser && node --test --test-concurrency=1 --test-timeout=180000 "$@" tests/) || rc=$?
if ((rc != 0)) && [[ -d ${COMANDA_STATE_DIR:-}/logs ]]; then
  for log in "$COMANDA_STATE_DIR"/logs/*-service.log "$COMANDA_STATE_DIR"/logs/gateway.log; do
    [[ -f $log ]] || continue
    printf '\n--- last lines of %s\n' "$log"
    tail -n 15 "$log"
  done
fi
exit "$rc"
