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
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rate=${1:-50}
duration=${2:-20}
rounds=${3:-1}
((rate > 0 && rate <= 500 && duration > 0 && duration <= 120 && rounds > 0 && rounds <= 5)) ||
  { echo "bench: rate 1..500/s, duration 1..120 s, rounds 1..5" >&2; exit 2; }
BIN=$(realpath "${BIN:-build/release/bin}")
export LOG_LEVEL=${LOG_LEVEL:-warn}
export COMANDA_BIN_DIR=$BIN COMANDA_CLUSTER_DIR=$PWD/.state/bench-cluster
export COMANDA_CLUSTER_PORT_BASE=${COMANDA_CLUSTER_PORT_BASE:-21000}
WORK=$(mktemp -d /tmp/comanda-bench-cluster.XXXXXX)
cleanup() { bash scripts/cluster.sh destroy >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

pct() {   # pct P FILE: the P-th percentile of a sorted column of numbers
  awk -v p="$1" '{a[NR]=$1} END {if (NR == 0) {print "-"; exit} i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; print a[i]}' "$2"
}

# One round against the cluster: prints one table row.
cluster_round() {
  bash scripts/cluster.sh destroy >/dev/null
  bash scripts/cluster.sh up >"$WORK/cluster-up.log" 2>&1 || { tail -n 30 "$WORK/cluster-up.log" >&2; exit 1; }
  eval "$(bash scripts/cluster.sh env)"
  local ports users products orders tag i email token since expected stored
  read -ra ports <<<"$COMANDA_CLUSTER_SERVICE_PORTS"
  users=${ports[0]} products=${ports[2]} orders="${ports[4]},${ports[5]}"
  tag=$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')
  : >"$WORK/tokens"
  for i in $(seq 1 "${CUSTOMERS:-8}"); do
    email=bench-$i-$tag@example.com
    curl -fs -o /dev/null -X POST "http://127.0.0.1:$users/register" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$email\",\"password\":\"bench-password-$i\",\"name\":\"Bench Customer $i\"}"
    token=$(curl -fs -X POST "http://127.0.0.1:$users/login" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$email\",\"password\":\"bench-password-$i\"}" | jq -r .accessToken)
    echo "$token" >>"$WORK/tokens"
  done
  curl -fs "http://127.0.0.1:$products/products" | jq -r '(.items // .)[] | select(.available != false) | .id' \
    >"$WORK/products"
  jq -n --arg run "$tag" --rawfile t "$WORK/tokens" --rawfile p "$WORK/products" \
    '{run: $run, tokens: ($t | split("\n") | map(select(length > 0))), products: ($p | split("\n") | map(select(length > 0)))}' \
    >"$WORK/data.json"
  psql_orders() { psql -X -q -At "$ORDERS_DATABASE_URL" "$@"; }
  psql_notifications() { psql -X -q -At "$NOTIFICATIONS_DATABASE_URL" "$@"; }
  since=$(psql_orders -c "SELECT now()")
  /usr/bin/python3 bench/paced_orders.py --port "$orders" --rate "$rate" --duration "$duration" \
    --data "$WORK/data.json" >"$WORK/paced.json"
  expected=$(psql_orders -c "SELECT count(*) FROM outbox WHERE created_at >= '$since'")
  for _ in $(seq 1 200); do   # 10 s at most for the last notifications
    stored=$(psql_notifications -c "SELECT count(*) FROM notifications WHERE created_at >= '$since'")
    ((stored >= expected)) && break
    sleep 0.05
  done
  psql_orders -F ' ' -c "SELECT aggregate_id, extract(epoch FROM created_at) FROM outbox WHERE created_at >= '$since'" |
    sort >"$WORK/committed"
  psql_notifications -F ' ' -c "SELECT order_id, extract(epoch FROM created_at) FROM notifications
    WHERE created_at >= '$since'" | sort >"$WORK/stored"
  join "$WORK/committed" "$WORK/stored" | awk '{printf "%.3f\n", ($3 - $2) * 1000}' | sort -n >"$WORK/event-ms"
  echo "cluster load: $(cat "$WORK/paced.json")" >&2
  echo "| cluster | $expected | $(wc -l <"$WORK/event-ms") | $(jq .latency_ms.p50 "$WORK/paced.json") |" \
    "$(jq .latency_ms.p99 "$WORK/paced.json") | $(pct 50 "$WORK/event-ms") | $(pct 99 "$WORK/event-ms") |" \
    "$(jq -c .statuses "$WORK/paced.json") |"
  bash scripts/cluster.sh destroy >/dev/null
}

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
