#!/usr/bin/env bash
# The price of cluster mode: one paced, open-loop order load run against the single-node system
# (bench/event_latency.sh: one PostgreSQL, one RabbitMQ node, one replica of each service) and then against the
# clustered one (scripts/cluster.sh: Patroni with a synchronous standby, quorum queues on three RabbitMQ nodes, two
# replicas of each service, the load split over both orders replicas). Same binaries, same rate, same customers'
# count; reports the orders stored, request p50/p99 and event (order's transaction -> stored notification) p50/p99.
#   bench/cluster.sh [rate=50] [duration_s=20] [rounds=1]
#   env: BIN [build/release/bin], CUSTOMERS [8], LOG_LEVEL [warn],
#        COMANDA_CLUSTER_PORT_BASE [21000] (the cluster test uses 20000), the cluster's state in .state/bench-cluster
#        (destroyed before and after each round)
# Loopback only; the load is bounded by rate x duration.
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # the helpers only: this script starts no stack of its own
rate=${1:-50}
duration=${2:-20}
rounds=${3:-1}
((rate > 0 && rate <= 500 && duration > 0 && duration <= 120 && rounds > 0 && rounds <= 5)) ||
  bench_die "rate 1..500/s, duration 1..120 s, rounds 1..5"
BIN=$(realpath "$BIN")
export LOG_LEVEL=${LOG_LEVEL:-warn}
export COMANDA_BIN_DIR=$BIN COMANDA_CLUSTER_DIR=$PWD/.state/bench-cluster
export COMANDA_CLUSTER_PORT_BASE=${COMANDA_CLUSTER_PORT_BASE:-21000}
cleanup() { bash scripts/cluster.sh destroy >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

# One round against the cluster: prints one table row. A subshell: the cluster's environment stays in it.
cluster_round() (
  bash scripts/cluster.sh destroy >/dev/null
  bash scripts/cluster.sh up >"$WORK/cluster-up.log" 2>&1 || { tail -n 30 "$WORK/cluster-up.log" >&2; exit 1; }
  eval "$(bash scripts/cluster.sh env)"
  local ports since expected
  read -ra ports <<<"$COMANDA_CLUSTER_SERVICE_PORTS"
  make_customers "${CUSTOMERS:-8}" "${ports[0]}"
  paced_data "${ports[2]}"
  orders_sql() { psql -X -q -At -F ' ' "$ORDERS_DATABASE_URL" -c "$1"; }
  notifications_sql() { psql -X -q -At -F ' ' "$NOTIFICATIONS_DATABASE_URL" -c "$1"; }
  since=$(orders_sql "SELECT now()")
  /usr/bin/python3 bench/paced_orders.py --port "${ports[4]},${ports[5]}" --rate "$rate" --duration "$duration" \
    --data "$WORK/data.json" >"$WORK/paced.json"
  expected=$(event_latencies "$since" orders_sql notifications_sql)
  echo "cluster load: $(cat "$WORK/paced.json")" >&2
  echo "| cluster | $expected | $(wc -l <"$WORK/event-ms") | $(jq .latency_ms.p50 "$WORK/paced.json") |" \
    "$(jq .latency_ms.p99 "$WORK/paced.json") | $(percentile 50 "$WORK/event-ms") | $(percentile 99 "$WORK/event-ms") |" \
    "$(jq -c .statuses "$WORK/paced.json") |"
  bash scripts/cluster.sh destroy >/dev/null
)

# One round against the single-node system: bench/event_latency.sh's own row, reshaped.
single_round() {
  local out row
  out=$(bash bench/event_latency.sh "$rate" "$duration")
  echo "$out" | grep '^open-loop' | sed 's/^/single-node load: /' >&2
  row=$(echo "$out" | grep -E '^\| [0-9]' | head -n1)
  # event_latency's columns: orders | with notification | event p50 | p99 | max | target | request p50 | p99 | RSS
  echo "$row" | awk -F'|' -v s="$(echo "$out" | grep '^open-loop' | sed 's/.*"statuses": \({[^}]*}\).*/\1/' | tr -d ' ')" \
    '{gsub(/ /, "", $0); printf "| single node | %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $8, $9, $4, $5, s}'
}

echo "machine: $(nproc) cores, $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg); $rate orders/s for ${duration}s, $rounds round(s)"
echo "| system | orders stored | with notification | request p50 ms | request p99 ms | event p50 ms | event p99 ms | statuses |"
echo "|---|---|---|---|---|---|---|---|"
for _ in $(seq 1 "$rounds"); do   # interleaved: a slow minute of the machine hits both
  single_round
  cluster_round
done
