#!/usr/bin/env bash
# Live updates (issue 16): commit of an order's transition -> the event on an open SSE stream, with 1,000 streams
# open on one notifications-service, and that service's RSS.
#   bench/sse.sh [rate=100] [duration_s=20] [streams=1000]
#   env: BIN (Release binaries), CUSTOMERS [20], STAFF_STREAMS [10], LOG_LEVEL [warn], PORT_BASE [25001]
# Staff move orders by PATCH at `rate` transitions/s (open loop, bench/sse_streams.py); each event goes to the
# staff streams and the order owner's streams. Own stack under .state/bench, loopback only, every wait bounded.
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rate=${1:-100}
duration=${2:-20}
streams=${3:-1000}
((rate > 0 && rate <= 500 && duration > 0 && duration <= 120 && streams > 0 && streams <= 5000)) ||
  bench_die "rate 1..500/s, duration 1..120 s, streams 1..5000"
base=${PORT_BASE:-25001}
PORT_OF=([users]=$base [products]=$((base + 1)) [orders]=$((base + 2)) [notifications]=$((base + 3)))

bench_machine
bench_begin postgres redis rabbitmq
start_service users ADMIN_EMAIL=bench-admin@comanda.local ADMIN_PASSWORD=bench-admin-password
start_service products
# Room for the streams: file descriptors, and a stream limit above the bench's.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
start_service notifications SSE_MAX_STREAMS=$((streams + 100))
start_service orders
for name in users products notifications orders; do wait_ready "$name"; done
make_customers "${CUSTOMERS:-20}"
staff=$(curl -fs -X POST "http://127.0.0.1:${PORT_OF[users]}/login" -H 'Content-Type: application/json' \
  -d '{"email":"bench-admin@comanda.local","password":"bench-admin-password"}' | jq -r .accessToken)
jq -n --arg staff "$staff" --rawfile customers "$WORK/customers" --argjson products "$(product_ids | jq -R . | jq -s .)" \
  '{staff: $staff, products: $products, customers: ($customers | split("\n") | map(select(length > 0) | split(" ")[1]))}' \
  > "$WORK/data.json"
timeout $((duration + 240)) /usr/bin/python3 bench/sse_streams.py --notifications-port "${PORT_OF[notifications]}" \
  --orders-port "${PORT_OF[orders]}" --data "$WORK/data.json" --pid "${PID_OF[notifications]}" \
  --orders-db "$ORDERS_DATABASE_URL" --notifications-db "$NOTIFICATIONS_DATABASE_URL" --streams "$streams" --staff-streams "${STAFF_STREAMS:-10}" \
  --rate "$rate" --duration "$duration" > "$WORK/sse.json"
cat "$WORK/sse.json"
echo "| streams (staff) | customers | transitions/s achieved | deliveries / expected | commit -> event p50 ms | p99 ms | max ms | target p99 | of which commit -> stored p50 / p99 ms | notifications RSS MiB before / streams open / after load (target < 64) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
jq -r --arg customers "${CUSTOMERS:-20}" '"| \(.streams) (\(.staff_streams)) | \($customers) | \(.achieved_rate) | \(.deliveries) / \(.deliveries_expected) | \(.latency_ms.p50) | \(.latency_ms.p99) | \(.latency_ms.max) | < 100 | \(.commit_to_stored_ms.p50) / \(.commit_to_stored_ms.p99) | \(.rss_mib.before_streams) / \(.rss_mib.streams_open) / \(.rss_mib.after_load) |"' "$WORK/sse.json"
