#!/usr/bin/env bash
# Event latency at a steady, open-loop order rate: from the order's transaction to the stored notification,
# plus each service's RSS sampled during the load.
#   bench/event_latency.sh [rate=200] [duration_s=20]
#   env: BIN, LOG_LEVEL [warn], ORDERS_ENV (extra KEY=VALUE words for orders-service), CUSTOMERS [8]
# The load is bench/paced_orders.py (paced, latency from each request's due time). The event latency is
# notifications.created_at (clock_timestamp() at the insert) minus outbox.created_at (now() of the order's
# transaction, i.e. its start: an upper bound of commit-to-stored by the transaction's own few ms); both
# clocks are the same PostgreSQL server's. Own stack under .state/bench, loopback only.
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rate=${1:-200}
duration=${2:-20}
((rate > 0 && rate <= 1000 && duration > 0 && duration <= 120)) || bench_die "rate 1..1000/s, duration 1..120 s"

bench_machine
bench_begin postgres redis rabbitmq
start_system
make_customers "${CUSTOMERS:-8}"
run_tag=$(date +%s)
jq -n --arg run "$run_tag" --rawfile customers "$WORK/customers" --argjson products "$(product_ids | jq -R . | jq -s .)" \
  '{run: $run, products: $products, tokens: ($customers | split("\n") | map(select(length > 0) | split(" ")[1]))}' \
  > "$WORK/data.json"
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

# Wait (10 s at most) until every order of the run has its notification.
expected=$(psql_as orders -Atc "SELECT count(*) FROM outbox WHERE created_at >= '$since'")
for _ in $(seq 1 200); do
  stored=$(psql_as notifications -Atc "SELECT count(*) FROM notifications WHERE created_at >= '$since'")
  ((stored >= expected)) && break
  sleep 0.05
done
psql_as orders -Atc "SELECT aggregate_id, extract(epoch FROM created_at) FROM outbox WHERE created_at >= '$since'" \
  -F ' ' | sort > "$WORK/committed"
psql_as notifications -Atc "SELECT order_id, extract(epoch FROM created_at) FROM notifications WHERE created_at >= '$since'" \
  -F ' ' | sort > "$WORK/stored"
join "$WORK/committed" "$WORK/stored" | awk '{printf "%.3f\n", ($3 - $2) * 1000}' | sort -n > "$WORK/event-ms"
events=$(wc -l < "$WORK/event-ms")
pct() { awk -v p="$1" '{a[NR]=$1} END {if (NR == 0) {print "-"; exit} i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; print a[i]}' "$WORK/event-ms"; }

echo "open-loop POST /orders at $rate/s for ${duration}s (bench/paced_orders.py): $(cat "$WORK/paced.json")"
echo "| orders | with notification | event p50 ms | p99 ms | max ms | target p99 | request p50 ms | request p99 ms | max RSS MiB users / products / orders / notifications (target < 30) |"
echo "|---|---|---|---|---|---|---|---|---|"
max_rss() { tr ' ' '\n' < "$WORK/rss" | awk -F= -v n="$1" '$1 == n && $2 > m {m = $2} END {printf "%.1f", m / 1024}'; }
echo "| $expected | $events | $(pct 50) | $(pct 99) | $(pct 100) | < 100 | $(jq .latency_ms.p50 "$WORK/paced.json") |" \
  "$(jq .latency_ms.p99 "$WORK/paced.json") | $(max_rss users) / $(max_rss products) / $(max_rss orders) / $(max_rss notifications) |"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
