# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced, not run): the benchmark stack under .state/bench, the four
# services on loopback ports 25001-25004, customers with tokens, and cleanup.
#   BIN [build/release/bin]   the Release binaries to measure
#   BIN_<name> [$BIN]         one service's binaries elsewhere, e.g. BIN_products=build/release/bin
#   BENCH_PG_PORT, BENCH_REDIS_PORT, BENCH_AMQP_PORT [25432, 26379, 25672]  the stack's ports
#   LOG_LEVEL [warn]          the services' log level (request logs cost CPU on two shared cores)
# Every function bounds its waits; bench_cleanup (set as the EXIT trap by bench_begin) stops what was started.
set -eEuo pipefail
trap 'echo "bench: failed at ${BASH_SOURCE[0]}:$LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export COMANDA_STATE_DIR=$PWD/.state/bench COMANDA_PG_PORT=${BENCH_PG_PORT:-25432} COMANDA_REDIS_PORT=${BENCH_REDIS_PORT:-26379} \
  COMANDA_AMQP_PORT=${BENCH_AMQP_PORT:-25672}
BIN=${BIN:-$PWD/build/release/bin}
BENCH_LOG_LEVEL=${LOG_LEVEL:-warn}
declare -A PORT_OF=([users]=25001 [products]=25002 [orders]=25003 [notifications]=25004)
declare -A PID_OF=()
WORK=$(mktemp -d /tmp/comanda-bench.XXXXXX)
STACK_COMPONENTS=()

bench_log() { echo "bench: $*" >&2; }
bench_die() { bench_log "error: $*"; exit 1; }

# The machine is shared: record its load with every run.
bench_machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
    "$(. /etc/os-release && echo "$PRETTY_NAME"), $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_cleanup() {
  local name
  for name in "${!PID_OF[@]}"; do kill -TERM "${PID_OF[$name]}" 2>/dev/null || true; done
  for name in "${!PID_OF[@]}"; do wait "${PID_OF[$name]}" 2>/dev/null || true; done
  if ((${#STACK_COMPONENTS[@]})); then bash scripts/stack.sh down "${STACK_COMPONENTS[@]}" > /dev/null || true; fi
  if [[ -n ${KEEP_WORK:-} ]]; then bench_log "logs kept in $WORK"; else rm -rf "$WORK"; fi
}

# bench_begin COMPONENT...: refuses to run beside another benchmark on .state/bench, starts the components.
bench_begin() {
  local port
  local name
  for name in "${!PORT_OF[@]}"; do
    [[ -x $(bin_of "$name")/$name-service ]] ||
      bench_die "no $name-service in $(bin_of "$name") (cmake --preset release && cmake --build --preset release)"
  done
  if bash scripts/stack.sh status | grep -q ' up'; then
    bench_die "something already runs on .state/bench (another benchmark?): $(bash scripts/stack.sh status | tr '\n' ' ')"
  fi
  for port in "${PORT_OF[@]}"; do
    ! timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$port" 2>/dev/null || bench_die "port $port is taken"
  done
  trap bench_cleanup EXIT
  STACK_COMPONENTS=("$@")
  bash scripts/stack.sh up "$@" > /dev/null
  eval "$(bash scripts/stack.sh env)"
  PG_SOCK=$(cat "$COMANDA_STATE_DIR/postgres.location")/run
}

# psql_as DB [psql args...]: psql as the database's own role over TCP (the services' own credentials).
psql_as() { local db=$1; shift; PGPASSWORD=$db psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$COMANDA_PG_PORT" -U "$db" -d "$db" "$@"; }
psql_super() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$COMANDA_PG_PORT" -U postgres "$@"; }

service_env() {  # the environment of one service, KEY=VALUE words
  local jwks=http://127.0.0.1:${PORT_OF[users]}/.well-known/jwks.json
  case $1 in
    users) echo "DATABASE_URL=$USERS_DATABASE_URL JWT_PRIVATE_KEY_FILE=$COMANDA_STATE_DIR/jwt-private-key.pem" ;;
    products) echo "DATABASE_URL=$PRODUCTS_DATABASE_URL REDIS_URL=$REDIS_URL JWKS_URL=$jwks" ;;
    notifications) echo "DATABASE_URL=$NOTIFICATIONS_DATABASE_URL AMQP_URL=$AMQP_URL JWKS_URL=$jwks" ;;
    orders) echo "DATABASE_URL=$ORDERS_DATABASE_URL AMQP_URL=$AMQP_URL JWKS_URL=$jwks" \
      "USERS_URL=http://127.0.0.1:${PORT_OF[users]} PRODUCTS_URL=http://127.0.0.1:${PORT_OF[products]}" ;;
  esac
}

bin_of() { local var=BIN_$1; echo "${!var:-$BIN}"; }

wait_ready() {  # name: up to 30 s
  local url=http://127.0.0.1:${PORT_OF[$1]}/ready
  for _ in $(seq 1 300); do curl -fs -o /dev/null "$url" && return 0; sleep 0.1; done
  bench_die "$1-service is not ready after 30 s (log: $WORK/$1.log)"
}

# start_service NAME [KEY=VALUE...]: the extra words override the environment (e.g. WORKER_THREADS=8).
start_service() {
  local name=$1; shift
  # shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs is intended
  env PORT="${PORT_OF[$name]}" LOG_LEVEL="$BENCH_LOG_LEVEL" $(service_env "$name") "$@" \
    "$(bin_of "$name")/$name-service" >> "$WORK/$name.log" 2>&1 &
  PID_OF[$name]=$!
}

# start_system: the four services (orders with the extra words of ORDERS_ENV), ready.
start_system() {
  start_service users
  start_service products
  start_service notifications
  # shellcheck disable=SC2086 # ORDERS_ENV holds KEY=VALUE words
  start_service orders ${ORDERS_ENV:-}
  local name
  for name in users products notifications orders; do wait_ready "$name"; done
}

stop_service() {
  local name=$1
  [[ -n ${PID_OF[$name]:-} ]] || return 0
  kill -TERM "${PID_OF[$name]}" 2>/dev/null || true
  wait "${PID_OF[$name]}" 2>/dev/null || true
  unset "PID_OF[$name]"
}

# make_customers N [USERS_PORT]: registers N customers (bench-<n>-<random>@example.com) and logs each in;
# writes "email token" lines to $WORK/customers.
make_customers() {
  local n=$1 port=${2:-${PORT_OF[users]}} tag i email
  tag=$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')
  : > "$WORK/customers"
  for i in $(seq 1 "$n"); do
    email=bench-$i-$tag@example.com
    curl -fs -o /dev/null -X POST "http://127.0.0.1:$port/register" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$email\",\"password\":\"bench-password-$i\",\"name\":\"Bench Customer $i\"}" ||
      bench_die "register failed"
    echo "$email $(curl -fs -X POST "http://127.0.0.1:$port/login" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$email\",\"password\":\"bench-password-$i\"}" | jq -r .accessToken)" >> "$WORK/customers"
  done
}

# product_ids [PRODUCTS_PORT]: the ids of the available products, one a line.
product_ids() {
  curl -fs "http://127.0.0.1:${1:-${PORT_OF[products]}}/products" |
    jq -r '(.items // .)[] | select(.available != false) | .id'
}

# paced_data [PRODUCTS_PORT]: bench/paced_orders.py's --data file ($WORK/data.json) from $WORK/customers.
paced_data() {
  jq -n --arg run "$(date +%s)" --rawfile customers "$WORK/customers" --argjson products "$(product_ids "$@" | jq -R . | jq -s .)" \
    '{run: $run, products: $products, tokens: ($customers | split("\n") | map(select(length > 0) | split(" ")[1]))}' \
    > "$WORK/data.json"
}

# event_latencies SINCE ORDERS_SQL NOTIFICATIONS_SQL: waits (10 s at most) until every order whose outbox row was
# written since SINCE has its notification, then writes the order-to-notification latencies in ms, sorted, to
# $WORK/event-ms and prints the number of orders. ORDERS_SQL and NOTIFICATIONS_SQL are commands that run one
# statement in that database and print its rows unaligned, space-separated.
# The latency is notifications.created_at (clock_timestamp() at the insert) minus outbox.created_at (now() of the
# order's transaction, i.e. its start: an upper bound of commit-to-stored by the transaction's own few ms); both
# clocks are the same PostgreSQL server's.
event_latencies() {
  local since=$1 orders_sql=$2 notifications_sql=$3 expected stored
  expected=$($orders_sql "SELECT count(*) FROM outbox WHERE created_at >= '$since'")
  for _ in $(seq 1 200); do
    stored=$($notifications_sql "SELECT count(*) FROM notifications WHERE created_at >= '$since'")
    ((stored >= expected)) && break
    sleep 0.05
  done
  $orders_sql "SELECT aggregate_id, extract(epoch FROM created_at) FROM outbox WHERE created_at >= '$since'" |
    sort > "$WORK/committed"
  $notifications_sql "SELECT order_id, extract(epoch FROM created_at) FROM notifications WHERE created_at >= '$since'" |
    sort > "$WORK/stored"
  join "$WORK/committed" "$WORK/stored" | awk '{printf "%.3f\n", ($3 - $2) * 1000}' | sort -n > "$WORK/event-ms"
  echo "$expected"
}

# percentile P FILE: the P-th percentile of a sorted column of numbers ("-" when there is none).
percentile() {
  awk -v p="$1" '{a[NR]=$1} END {if (NR == 0) {print "-"; exit} i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; print a[i]}' "$2"
}

# queue_depth QUEUE: messages ready in a queue of the bench broker (rabbitmqctl, a few seconds of Erlang start-up).
queue_depth() {
  env HOME="$COMANDA_STATE_DIR/rabbitmq/home" RABBITMQ_NODENAME="comanda-$COMANDA_AMQP_PORT@localhost" \
    ERL_EPMD_PORT=$((1024 + (COMANDA_AMQP_PORT + 12000 - 1024) % 64512)) RABBITMQ_CTL_ERL_ARGS="-start_epmd false" \
    timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -q list_queues name messages 2> "$WORK/rabbitmqctl.err" |
    awk -v q="$1" '$1 == q {print $2}' || echo "? (rabbitmqctl failed: $(head -c 200 "$WORK/rabbitmqctl.err" | tr '\n' ' '))"
}

# cpu_ticks PID...: user + system clock ticks (1/100 s) the processes used so far.
cpu_ticks() { local pid t=0; for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done; echo $t; }
# infra_pids postgres|rabbitmq: the server's processes (PostgreSQL: the postmaster and its children).
infra_pids() {
  local pid
  case $1 in
    postgres) pid=$(head -n1 "$(dirname "$PG_SOCK")/data/postmaster.pid"); echo "$pid $( (pgrep -P "$pid" || true) | tr '\n' ' ')" ;;
    rabbitmq) head -n1 "$COMANDA_STATE_DIR/rabbitmq/rabbitmq.pid" 2> /dev/null || true ;;
  esac
}
# cpu_snapshot: "name=ticks ..." for the four services, PostgreSQL and RabbitMQ.
cpu_snapshot() {
  local name
  for name in users products orders notifications; do echo -n "$name=$(cpu_ticks "${PID_OF[$name]}") "; done
  # shellcheck disable=SC2046
  echo "postgres=$(cpu_ticks $(infra_pids postgres)) rabbitmq=$(cpu_ticks $(infra_pids rabbitmq))"
}
# cpu_per_op BEFORE AFTER COUNT: "name ms/op" for each, from two cpu_snapshot lines.
cpu_per_op() {
  awk -v before="$1" -v after="$2" -v n="$3" 'BEGIN {
    split(before, b, " "); split(after, a, " ")
    for (i in b) { split(b[i], kv, "="); start[kv[1]] = kv[2] }
    for (i in a) { split(a[i], kv, "="); end[kv[1]] = kv[2] }
    split("users products orders notifications postgres rabbitmq", names, " ")
    for (j = 1; j <= 6; j++) { k = names[j]; d = (end[k] - start[k]) * 10 / n; total += d; printf "%s %.2f / ", k, d }
    printf "total %.2f", total }'
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# wrk_summary FILE: "req/s p50 p99 errors" from a wrk --latency output.
wrk_summary() {
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       /Non-2xx/ {err+=$NF} /Socket errors/ {err+=1}
       END {print rps, p50, p99, err + 0}' "$1"
}
