#!/usr/bin/env bash
# POST /orders end to end (token check, users-service /profile, products lookups, the transaction with the
# outbox) under wrk, beside pgbench running the order's plain inserts (order, items, outbox row; no idempotency
# row, no trigger: bench/orders_pgbench.sql) on the same PostgreSQL, in one run; then checks
# that notifications keep up (backlog back to zero within 2 s of the end of the load, issue 19) and that every order got
# exactly one notification.
#   bench/orders.sh [duration_s=15] [connections=32]
#   env: BIN (Release binaries, default build/release/bin), LOG_LEVEL [warn], ORDERS_ENV (extra KEY=VALUE words
#        for orders-service, e.g. "WORKER_THREADS=16"), CUSTOMERS [8]
# Needs wrk, pgbench, jq. Own stack under .state/bench, services on 25001-25004, loopback only.
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration=${1:-15}
connections=${2:-32}
customers=${CUSTOMERS:-8}
((duration > 0 && duration <= 120 && connections > 0 && connections <= 256)) || bench_die "duration 1..120 s, connections 1..256"

bench_machine
bench_begin postgres redis rabbitmq
start_system
make_customers "$customers"
mapfile -t products < <(product_ids)
((${#products[@]} >= 7)) || bench_die "need at least 7 available products, got ${#products[@]}"
run_tag=$(date +%s)
{
  echo "bench_run = '$run_tag'"
  echo "bench_tokens = {$(awk '{printf "\"%s\",", $2}' "$WORK/customers")}"
  echo "bench_products = {$(printf '"%s",' "${products[@]}")}"
} > "$WORK/bench-data.lua"

# ---- pgbench reference: a copy of the orders schema in its own database on the same server, so that its
# outbox rows are never relayed. Same transaction shape, same client count.
psql_super -d postgres -c "DROP DATABASE IF EXISTS orders_pgbench" -c "CREATE DATABASE orders_pgbench OWNER orders" > /dev/null
for migration in services/orders/migrations/*.sql; do
  PGPASSWORD=orders psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$COMANDA_PG_PORT" -U orders -d orders_pgbench -f "$migration" > /dev/null
done
threads=2
((connections < threads)) && threads=$connections
PGPASSWORD=orders pgbench -n -M prepared -c "$connections" -j "$threads" -T "$duration" -r \
  -h 127.0.0.1 -p "$COMANDA_PG_PORT" -U orders -f bench/orders_pgbench.sql orders_pgbench > "$WORK/pgbench.out" 2>&1 ||
  { cat "$WORK/pgbench.out" >&2; bench_die "pgbench failed"; }
pg_tps=$(awk '/^tps = / {print $3}' "$WORK/pgbench.out")
pg_lat=$(awk '/^latency average/ {print $4}' "$WORK/pgbench.out")
psql_super -d postgres -c "DROP DATABASE orders_pgbench" > /dev/null

# ---- the service
orders_before=$(psql_as orders -Atc "SELECT count(*) FROM orders")
sleep 1   # let the machine settle after pgbench
cpu_before=$(cpu_snapshot)
if [[ -n ${PERF:-} ]]; then   # PERF=1: call graphs of orders- and users-service during the load
  perf record -q -F 499 -g -o "$WORK/perf-orders.data" -p "${PID_OF[orders]}" -- sleep "$duration" 2> /dev/null &
  perf_pids=($!)
  perf record -q -F 499 -g -o "$WORK/perf-users.data" -p "${PID_OF[users]}" -- sleep "$duration" 2> /dev/null &
  perf_pids+=($!)
fi
wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/lua/orders.lua "http://127.0.0.1:${PORT_OF[orders]}" \
  -- "$WORK/bench-data.lua" > "$WORK/wrk.out"
load_end=$(date +%s%N)
cpu_after_load=$(cpu_snapshot)
[[ -z ${PERF:-} ]] || wait "${perf_pids[@]}"
read -r rps p50 p99 errors < <(wrk_summary "$WORK/wrk.out")
orders_after=$(psql_as orders -Atc "SELECT count(*) FROM orders")
unsent_at_end=$(psql_as orders -Atc "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
missing_at_end=$((orders_after - $(psql_as notifications -Atc "SELECT count(*) FROM notifications")))
new_orders=$((orders_after - orders_before))

# ---- notifications keep up: the outbox is sent and every order has its notification (polled every 50 ms, 10 s at most)
caught_up_ms=-1
for _ in $(seq 1 200); do
  unsent=$(psql_as orders -Atc "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
  stored=$(psql_as notifications -Atc "SELECT count(*) FROM notifications")
  if ((unsent == 0 && stored >= orders_after)); then caught_up_ms=$((($(date +%s%N) - load_end) / 1000000)); break; fi
  sleep 0.05
done
queue_depth=$(queue_depth notifications.order-created)

# ---- exactly one notification per order: the two id lists (two databases) compared in full
psql_as orders -Atc "SELECT id FROM orders ORDER BY 1" > "$WORK/order-ids"
psql_as notifications -Atc "SELECT order_id FROM notifications ORDER BY 1" > "$WORK/notified-ids"
missing=$(comm -23 "$WORK/order-ids" <(sort -u "$WORK/notified-ids") | wc -l)
duplicates=$(uniq -d "$WORK/notified-ids" | wc -l)
strays=$(comm -13 "$WORK/order-ids" <(sort -u "$WORK/notified-ids") | wc -l)

ratio=$(awk -v a="$rps" -v b="$pg_tps" 'BEGIN {printf "%.2f", a / b}')
echo "POST /orders, wrk -t2 -c$connections -d${duration}s, $customers customers, 1-3 items, a new Idempotency-Key each"
echo "| orders req/s | p50 | p99 | errors | orders stored | pgbench TPS (-c$connections, plain inserts) | pgbench avg latency ms | ratio (target >= 0.30) | backlog zero after (ms, target <= 2000) | queue depth | orders without / with 2+ / stray notifications |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
echo "| $rps | $p50 | $p99 | $errors | $new_orders | $pg_tps | $pg_lat | $ratio | $caught_up_ms | ${queue_depth:-?} | $missing / $duplicates / $strays |"
echo "when the load stopped: $unsent_at_end outbox rows unsent, $missing_at_end orders without their notification yet"
echo "CPU ms per order during the load (user + system; the relay and the consumer partly run after it): $(cpu_per_op "$cpu_before" "$cpu_after_load" "$new_orders")"
echo "CPU ms per order including the catch-up: $(cpu_per_op "$cpu_before" "$(cpu_snapshot)" "$new_orders")"
if [[ -n ${PERF:-} ]]; then
  for name in orders users; do
    echo "perf, $name-service, self time:"
    perf report -q -i "$WORK/perf-$name.data" --no-children -g none --sort dso,symbol --percent-limit 1 2> /dev/null |
      sed 's/ *$//' | grep -v '^$' | head -30 || true
  done
fi
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
