#!/usr/bin/env bash
# Event latency at a steady, open-loop order rate: from the order's transaction to the stored notification,
# plus each service's RSS sampled during the load.
#   bench/event_latency.sh [rate=200] [duration_s=20]
#   env: BIN, LOG_LEVEL [warn], ORDERS_ENV (extra KEY=VALUE words for orders-service), CUSTOMERS [8]
# The load is bench/paced_orders.py (paced, latency from each request's due time). The event latency is
# notifications.created_at (clock_timestamp() at the insert) minus outbox.created_at (now() of the order's
# transaction: see event_latencies in bench/lib.sh). Own stack under .state/bench, loopback only.
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rate=${1:-200}
duration=${2:-20}
((rate > 0 && rate <= 1000 && duration > 0 && duration <= 120)) || bench_die "rate 1..1000/s, duration 1..120 s"

bench_machine
bench_begin postgres redis rabbitmq
start_system
make_customers "${CUSTOMERS:-8}"
paced_data
since=$(psql_as orders -Atc "SELECT now()")

# RSS of every service every 250 ms while the load runs (bounded by the load's own duration + 30 s).
(
  end=$((SECONDS + duration + 30))
  while ((SECONDS < end)); do
    line=""
    for name in users products orders notifications; do line+="$name=$(rss_kib "${PID_OF[$name]}") "; done
    echo "$line"
    sleep 0.25
  done
) > "$WORK/rss" &
sampler=$!
/usr/bin/python3 bench/paced_orders.py --port "${PORT_OF[orders]}" --rate "$rate" --duration "$duration" \
  --data "$WORK/data.json" > "$WORK/paced.json"
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true

orders_sql() { psql_as orders -At -F ' ' -c "$1"; }
notifications_sql() { psql_as notifications -At -F ' ' -c "$1"; }
expected=$(event_latencies "$since" orders_sql notifications_sql)
events=$(wc -l < "$WORK/event-ms")
pct() { percentile "$1" "$WORK/event-ms"; }

echo "open-loop POST /orders at $rate/s for ${duration}s (bench/paced_orders.py): $(cat "$WORK/paced.json")"
echo "| orders | with notification | event p50 ms | p99 ms | max ms | target p99 | request p50 ms | request p99 ms | max RSS MiB users / products / orders / notifications (target < 30) |"
echo "|---|---|---|---|---|---|---|---|---|"
max_rss() { tr ' ' '\n' < "$WORK/rss" | awk -F= -v n="$1" '$1 == n && $2 > m {m = $2} END {printf "%.1f", m / 1024}'; }
echo "| $expected | $events | $(pct 50) | $(pct 99) | $(pct 100) | < 100 | $(jq .latency_ms.p50 "$WORK/paced.json") |" \
  "$(jq .latency_ms.p99 "$WORK/paced.json") | $(max_rss users) / $(max_rss products) / $(max_rss orders) / $(max_rss notifications) |"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
