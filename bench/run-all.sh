#!/usr/bin/env bash
# Every benchmark in sequence, one after another (each starts and stops its own stack under .state/bench),
# with the machine's load recorded before each. Output: markdown fragments for docs/benchmarks.md.
#   bench/run-all.sh            env: BIN, BIN_<name>, LOG_LEVEL, ORDERS_ENV, USERS_ENV (see bench/lib.sh)
# Takes about 4 minutes: start-up 5 runs x 4 services, products cache 3 x 8 s, orders 15 s + pgbench 15 s,
# event latency 20 s at 200/s, login 3 x (8 s + 8 s).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
failed=()
run() {
  echo
  echo "## $* (start: $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg))"
  "$@" || failed+=("$*")
}
run bench/startup.sh 5
run bench/products_cache.sh 3 8
run bench/orders.sh 15 32
run bench/event_latency.sh 200 20
run bench/login.sh 3 8 8
echo
if ((${#failed[@]})); then echo "failed: ${failed[*]}"; exit 1; fi
echo "all benchmarks ran"
