#!/usr/bin/env bash
# GET /products served from the Redis cache by products-service, against nginx serving the very same
# bytes as a static file, with the same wrk settings, alternating runs in one session.
#   bench/products_cache.sh [runs] [duration]     (defaults: 3 runs of 10 s each)
# Needs the release build (cmake --preset release && cmake --build --preset release; BIN_products, BIN or
# COMANDA_BIN_DIR points elsewhere, as in bench/lib.sh) and wrk. IO_THREADS, WORKER_THREADS, LOG_LEVEL and CONNECTIONS can be set.
# Starts its own PostgreSQL/Redis (scripts/stack.sh, state under .state/bench), products-service and
# nginx on loopback ports, and stops them at the end. Prints a markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}
duration=${2:-10}
connections=${CONNECTIONS:-64}
export COMANDA_STATE_DIR=${COMANDA_STATE_DIR:-$PWD/.state/bench} \
  COMANDA_PG_PORT=${COMANDA_PG_PORT:-${BENCH_PG_PORT:-25432}} COMANDA_REDIS_PORT=${COMANDA_REDIS_PORT:-${BENCH_REDIS_PORT:-26379}} \
  COMANDA_AMQP_PORT=${COMANDA_AMQP_PORT:-${BENCH_AMQP_PORT:-25672}}
bin=${BIN_products:-${BIN:-${COMANDA_BIN_DIR:-build/release/bin}}}
work=$(mktemp -d)
chmod 755 "$work"   # nginx workers run as an unprivileged user
products_port=39202
nginx_port=39280

cleanup() {
  [[ -n ${products_pid:-} ]] && kill -TERM "$products_pid" 2>/dev/null && wait "$products_pid" 2>/dev/null
  [[ -f $work/nginx.pid ]] && kill -QUIT "$(cat "$work/nginx.pid")" 2>/dev/null
  bash scripts/stack.sh down postgres redis > /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

bash scripts/stack.sh up postgres redis > /dev/null
eval "$(bash scripts/stack.sh env)"
PORT=$products_port DATABASE_URL=$PRODUCTS_DATABASE_URL REDIS_URL=$REDIS_URL \
  IO_THREADS=${IO_THREADS:-1} WORKER_THREADS=${WORKER_THREADS:-4} LOG_LEVEL=${LOG_LEVEL:-info} \
  "$bin/products-service" > "$work/products.log" 2>&1 &
products_pid=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$products_port/ready" && break; sleep 0.1; done

mkdir -p "$work/www"
curl -fs "http://127.0.0.1:$products_port/products" -o "$work/www/products"
cache=$(curl -fsi "http://127.0.0.1:$products_port/products" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')
[[ $cache == HIT ]] || { echo "expected a cache HIT before measuring, got '$cache'" >&2; exit 1; }
bytes=$(wc -c < "$work/www/products")

cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx-access.log;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
NGINX
nginx -c "$work/nginx.conf"
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/products" && break; sleep 0.1; done
cmp -s "$work/www/products" <(curl -fs "http://127.0.0.1:$nginx_port/products") || { echo "nginx serves other bytes" >&2; exit 1; }

measure() {  # url -> "requests/s p50 p99"
  wrk -t1 -c"$connections" -d"${duration}s" --latency "$1" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    END {print rps, p50, p99}'
}

echo "products-service GET /products (${bytes} bytes, X-Cache: HIT) vs nginx static file, wrk -t1 -c$connections -d${duration}s"
echo "| run | products-service req/s | p50 | p99 | nginx req/s | p50 | p99 | ratio |"
echo "|---|---|---|---|---|---|---|---|"
ratios=()
for run in $(seq 1 "$runs"); do
  read -r prps pp50 pp99 < <(measure "http://127.0.0.1:$products_port/products")
  read -r nrps np50 np99 < <(measure "http://127.0.0.1:$nginx_port/products")
  ratio=$(awk -v a="$prps" -v b="$nrps" 'BEGIN {printf "%.2f", a / b}')
  ratios+=("$ratio")
  echo "| $run | $prps | $pp50 | $pp99 | $nrps | $np50 | $np99 | $ratio |"
done
hits=$(curl -fs "http://127.0.0.1:$products_port/metrics" | awk '/products_cache_requests_total\{result="hit"\}/ {print $2}')
echo
echo "median ratio: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'); cache hits counted by the service: $hits"
