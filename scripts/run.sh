#!/usr/bin/env bash
# Brings the system up locally: installs what is missing, builds the Release binaries, starts
# PostgreSQL, Redis and RabbitMQ (scripts/stack.sh, state under .state/local) and the services,
# waits until each /ready answers, prints the URLs, and stops everything on Ctrl-C.
#   scripts/run.sh          start and stay in the foreground (Ctrl-C stops everything)
#   scripts/run.sh stop     stop what a previous run left (services, then the infrastructure)
# Data lives in .state/local and survives a restart.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export COMANDA_STATE_DIR=${COMANDA_STATE_DIR:-$ROOT/.state/local}
RUN_DIR=$COMANDA_STATE_DIR/run
BIN=$ROOT/build/release/bin

# name:port of every service this run starts (the gateway and the other services join here).
SERVICES=(users-service:3001 products-service:3002 notifications-service:3004 orders-service:3003)

stop_services() {
  for entry in "${SERVICES[@]}"; do
    local name=${entry%%:*} pidfile=$RUN_DIR/${entry%%:*}.pid
    [[ -f $pidfile ]] || continue
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "stopped $name"
    fi
    rm -f "$pidfile"
  done
}

stop_all() {
  stop_services
  bash scripts/stack.sh down
}

if [[ ${1:-} == stop ]]; then
  stop_all
  exit 0
fi

bash scripts/install-deps.sh
cmake --preset release > /dev/null
cmake --build --preset release
bash scripts/stack.sh up
eval "$(bash scripts/stack.sh env)"
mkdir -p "$RUN_DIR"
stop_services   # a previous run that was killed may have left some

service_env() {
  case $1 in
    users-service)
      echo "DATABASE_URL=$USERS_DATABASE_URL JWT_PRIVATE_KEY_FILE=$COMANDA_STATE_DIR/jwt-private-key.pem" \
           "ADMIN_EMAIL=${ADMIN_EMAIL:-admin@comanda.local} ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin-password}" ;;
    products-service)
      echo "DATABASE_URL=$PRODUCTS_DATABASE_URL REDIS_URL=$REDIS_URL" \
           "JWKS_URL=http://127.0.0.1:3001/.well-known/jwks.json" ;;
    notifications-service)
      echo "DATABASE_URL=$NOTIFICATIONS_DATABASE_URL AMQP_URL=$AMQP_URL" \
           "JWKS_URL=http://127.0.0.1:3001/.well-known/jwks.json" ;;
    orders-service)
      echo "DATABASE_URL=$ORDERS_DATABASE_URL AMQP_URL=$AMQP_URL USERS_URL=http://127.0.0.1:3001" \
           "PRODUCTS_URL=http://127.0.0.1:3002 JWKS_URL=http://127.0.0.1:3001/.well-known/jwks.json" ;;
  esac
}

for entry in "${SERVICES[@]}"; do
  name=${entry%%:*} port=${entry##*:}
  # shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs is intended
  env PORT="$port" $(service_env "$name") "$BIN/$name" >> "$COMANDA_STATE_DIR/logs/$name.log" 2>&1 &
  echo $! > "$RUN_DIR/$name.pid"
done
trap 'echo; stop_all; exit 0' INT TERM

for entry in "${SERVICES[@]}"; do
  name=${entry%%:*} port=${entry##*:}
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/ready" > /dev/null && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$port/ready" > /dev/null || { echo "$name is not ready; see $COMANDA_STATE_DIR/logs/$name.log"; stop_all; exit 1; }
  echo "$name ready on http://localhost:$port (log: $COMANDA_STATE_DIR/logs/$name.log)"
done

cat <<EOT

Comanda is up: users-service http://localhost:3001, products-service http://localhost:3002,
orders-service http://localhost:3003, notifications-service http://localhost:3004
Try it:
  curl -si localhost:3002/products?category=pizzas      # run it twice: X-Cache MISS, then HIT
  curl -s -X POST localhost:3001/register -H 'Content-Type: application/json' \\
       -d '{"email":"ana@example.com","password":"correct-horse","name":"Ana"}'
  TOKEN=\$(curl -s -X POST localhost:3001/login -H 'Content-Type: application/json' \\
       -d '{"email":"ana@example.com","password":"correct-horse"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
  curl -s localhost:3001/profile -H "Authorization: Bearer \$TOKEN"
  curl -s -X POST localhost:3003/orders -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
       -d '{"items":[{"productId":"0b6c5d2e-1a4f-4c51-9d3e-7f1a2b3c4d05","quantity":2}],"deliveryAddress":"Calle Mayor 1, Madrid"}'
  curl -s localhost:3004/notifications -H "Authorization: Bearer \$TOKEN"   # the order's notification

Ctrl-C stops everything (or: scripts/run.sh stop from another shell).
EOT
wait
