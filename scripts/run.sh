#!/usr/bin/env bash
# Brings the system up locally: installs what is missing, builds the Release binaries, starts
# PostgreSQL, Redis and RabbitMQ (scripts/stack.sh, state under .state/local), the four services and the
# nginx gateway (scripts/gateway.sh), waits until each /ready and the gateway answer, prints the URLs.
#   scripts/run.sh          start and stay in the foreground (Ctrl-C stops everything)
#   scripts/run.sh start    start everything in the background and return 0 once all of it answers
#   scripts/run.sh stop     stop what a previous run left (gateway, services, then the infrastructure)
#   scripts/run.sh --cluster [start|stop]   the same in cluster mode (scripts/cluster.sh: Patroni, 3 RabbitMQ
#                           nodes, 2 replicas of each service), state under .state/cluster, the web UI on GATEWAY_PORT
# Data lives in the state folder and survives a restart.
#
# Environment [defaults]:
#   COMANDA_STATE_DIR [<repo>/.state/local]  COMANDA_PG_PORT [5432]  COMANDA_REDIS_PORT [6379]  COMANDA_AMQP_PORT [5672]
#   COMANDA_PORT_BASE [3000]: users, products, orders, notifications on base+1 .. base+4
#   GATEWAY_PORT [8080]
#   COMANDA_BIN_DIR: use the service binaries there and skip the build [build the release preset, use build/release/bin]
#   COMANDA_WEB_ROOT [<repo>/web]: the static UI the gateway serves at /
#   ADMIN_EMAIL, ADMIN_PASSWORD [admin@comanda.local, admin-password]: the bootstrap admin
#   COMANDA_MONITORING [1]: also start Prometheus and Alertmanager (scripts/prometheus.sh; 0: don't) on
#     COMANDA_PROMETHEUS_PORT [9090] and COMANDA_ALERTMANAGER_PORT [9093], scraping every service and RabbitMQ
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export COMANDA_STATE_DIR=${COMANDA_STATE_DIR:-$ROOT/.state/local}
export COMANDA_PORT_BASE=${COMANDA_PORT_BASE:-3000} GATEWAY_PORT=${GATEWAY_PORT:-8080}
MONITORING=${COMANDA_MONITORING:-1}
RUN_DIR=$COMANDA_STATE_DIR/run
BASE=$COMANDA_PORT_BASE
[[ $BASE =~ ^[0-9]+$ ]] && ((BASE > 0 && BASE + 4 < 65536)) || { echo "invalid COMANDA_PORT_BASE: $BASE" >&2; exit 2; }
USERS_PORT=$((BASE + 1)) PRODUCTS_PORT=$((BASE + 2)) ORDERS_PORT=$((BASE + 3)) NOTIFICATIONS_PORT=$((BASE + 4))
export USERS_URL=http://127.0.0.1:$USERS_PORT PRODUCTS_URL=http://127.0.0.1:$PRODUCTS_PORT
export ORDERS_URL=http://127.0.0.1:$ORDERS_PORT NOTIFICATIONS_URL=http://127.0.0.1:$NOTIFICATIONS_PORT
JWKS=$USERS_URL/.well-known/jwks.json
GATEWAY=http://localhost:$GATEWAY_PORT

# name:port of every service this run starts, in start order (orders-service last: it calls the others).
SERVICES=("users-service:$USERS_PORT" "products-service:$PRODUCTS_PORT" "notifications-service:$NOTIFICATIONS_PORT"
  "orders-service:$ORDERS_PORT")

stop_services() {
  for entry in "${SERVICES[@]}"; do
    local name=${entry%%:*} pidfile=$RUN_DIR/${entry%%:*}.pid
    [[ -f $pidfile ]] || continue
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null && [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$name"* ]]; then
      kill -TERM "$pid"
      for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && { echo "$name did not stop in 12 s; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
      echo "stopped $name"
    fi
    rm -f "$pidfile"
  done
}

stop_all() {
  bash scripts/prometheus.sh stop > /dev/null   # whether or not this run started it
  bash scripts/gateway.sh stop
  stop_services
  bash scripts/stack.sh down
}

if [[ ${1:-} == --cluster ]]; then   # cluster mode: scripts/cluster.sh does the starting and stopping
  shift
  cluster() { COMANDA_CLUSTER_GATEWAY_PORT=$GATEWAY_PORT COMANDA_BIN_DIR=$BIN bash scripts/cluster.sh "$@"; }
  BIN=${COMANDA_BIN_DIR:-$ROOT/build/release/bin}
  case ${1:-} in
    stop) cluster down; exit 0 ;;
    start | "") ;;
    *) echo "usage: $0 --cluster [start|stop]" >&2; exit 2 ;;
  esac
  bash scripts/install-deps.sh --cluster
  if [[ -z ${COMANDA_BIN_DIR:-} ]]; then cmake --preset release > /dev/null && cmake --build --preset release; fi
  cluster up || { cluster down; exit 1; }
  echo "Comanda (cluster mode) is up at $GATEWAY; members: scripts/cluster.sh status; logs: .state/cluster/logs/"
  [[ ${1:-} == start ]] && { echo "stop it with: scripts/run.sh --cluster stop"; exit 0; }
  trap 'echo; cluster down; exit 0' INT TERM
  echo "Ctrl-C stops everything. Try killing the PostgreSQL primary while ordering in the web UI:"
  echo "  kill -9 \$(scripts/cluster.sh pids pg-primary)     # Patroni promotes the standby; then:"
  echo "  scripts/cluster.sh start pg1; scripts/cluster.sh start pg2  # the old primary rejoins as a standby"
  sleep infinity & wait $!
fi

case ${1:-} in
  stop) stop_all; exit 0 ;;
  start) DETACH=1 ;;
  "") DETACH=0 ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac

bash scripts/install-deps.sh
[[ $MONITORING == 0 ]] || bash scripts/install-deps.sh --ops
if [[ -n ${COMANDA_BIN_DIR:-} ]]; then
  BIN=$(realpath "$COMANDA_BIN_DIR")
else
  cmake --preset release > /dev/null
  cmake --build --preset release
  BIN=$ROOT/build/release/bin
fi
bash scripts/stack.sh up
eval "$(bash scripts/stack.sh env)"
mkdir -p "$RUN_DIR" "$COMANDA_STATE_DIR/logs"
bash scripts/gateway.sh stop > /dev/null   # a previous run that was killed may have left it,
stop_services                              # and some services

service_env() {
  case $1 in
    users-service)
      echo "DATABASE_URL=$USERS_DATABASE_URL JWT_PRIVATE_KEY_FILE=$COMANDA_STATE_DIR/jwt-private-key.pem" \
           "ADMIN_EMAIL=${ADMIN_EMAIL:-admin@comanda.local} ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin-password}" ;;
    products-service)
      echo "DATABASE_URL=$PRODUCTS_DATABASE_URL REDIS_URL=$REDIS_URL JWKS_URL=$JWKS" ;;
    notifications-service)
      echo "DATABASE_URL=$NOTIFICATIONS_DATABASE_URL AMQP_URL=$AMQP_URL JWKS_URL=$JWKS" ;;
    orders-service)
      echo "DATABASE_URL=$ORDERS_DATABASE_URL AMQP_URL=$AMQP_URL USERS_URL=$USERS_URL" \
           "PRODUCTS_URL=$PRODUCTS_URL JWKS_URL=$JWKS" ;;
  esac
}

# Each in a session of its own: Ctrl-C reaches only this script, which stops them in order.
for entry in "${SERVICES[@]}"; do
  name=${entry%%:*} port=${entry##*:}
  # shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs is intended
  env PORT="$port" BIND_ADDRESS=127.0.0.1 $(service_env "$name") setsid "$BIN/$name" >> "$COMANDA_STATE_DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$name.pid"
done
((DETACH)) || trap 'echo; stop_all; exit 0' INT TERM

for entry in "${SERVICES[@]}"; do
  name=${entry%%:*} port=${entry##*:}
  for _ in $(seq 1 300); do
    curl -fs --max-time 2 "http://127.0.0.1:$port/ready" > /dev/null && break
    kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null || break
    sleep 0.1
  done
  curl -fs --max-time 2 "http://127.0.0.1:$port/ready" > /dev/null || {
    echo "$name is not ready; see $COMANDA_STATE_DIR/logs/$name.log"; tail -n 5 "$COMANDA_STATE_DIR/logs/$name.log"
    stop_all; exit 1; }
  echo "$name ready on http://localhost:$port (log: $COMANDA_STATE_DIR/logs/$name.log)"
done
bash scripts/gateway.sh start || { stop_all; exit 1; }
MONITORING_URLS=""
if [[ $MONITORING != 0 ]]; then
  bash scripts/prometheus.sh start || { stop_all; exit 1; }
  MONITORING_URLS="Prometheus: http://localhost:${COMANDA_PROMETHEUS_PORT:-9090} (alerts: /alerts), Alertmanager: http://localhost:${COMANDA_ALERTMANAGER_PORT:-9093}"
fi

if ((DETACH)); then
  echo "Comanda is up at $GATEWAY (stop it with: scripts/run.sh stop)"
  exit 0
fi

cat <<EOT

Comanda is up: $GATEWAY (the web UI; the API under $GATEWAY/api/)
Services: users $USERS_URL, products $PRODUCTS_URL, orders $ORDERS_URL, notifications $NOTIFICATIONS_URL
${MONITORING_URLS:-Monitoring: off (COMANDA_MONITORING=0)}
Dead letters: scripts/dlq.sh list   (RabbitMQ's management UI: http://localhost:$(bash scripts/stack.sh env | sed -n 's/.*COMANDA_AMQP_HTTP_PORT=\([0-9]*\).*/\1/p'), guest/guest)
Logs: $COMANDA_STATE_DIR/logs/
Try it:
  curl -si $GATEWAY/api/products?category=pizzas      # run it twice: X-Cache MISS, then HIT
  curl -s -X POST $GATEWAY/api/register -H 'Content-Type: application/json' \\
       -d '{"email":"ana@example.com","password":"correct-horse","name":"Ana"}'
  TOKEN=\$(curl -s -X POST $GATEWAY/api/login -H 'Content-Type: application/json' \\
       -d '{"email":"ana@example.com","password":"correct-horse"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
  curl -s $GATEWAY/api/profile -H "Authorization: Bearer \$TOKEN"
  curl -s -X POST $GATEWAY/api/orders -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d '{"items":[{"productId":"0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d05","quantity":2}],"deliveryAddress":"Calle Mayor 1, Madrid"}'
  curl -s $GATEWAY/api/notifications -H "Authorization: Bearer \$TOKEN"   # the order's notification
  grep 'Pedido confirmado' $COMANDA_STATE_DIR/logs/notifications-service.log

Ctrl-C stops everything (or: scripts/run.sh stop from another shell).
EOT
wait
