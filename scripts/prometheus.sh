#!/usr/bin/env bash
# Prometheus and Alertmanager (Debian's packages) watching a native run: renders deploy/prometheus/prometheus.yml
# into <state>/prometheus/ with this run's targets and intervals, starts both on 127.0.0.1 and waits until ready.
#
#   scripts/prometheus.sh start    start what is not running; prints the URLs
#   scripts/prometheus.sh stop     stop both (by their pid files); the data stays
#   scripts/prometheus.sh status   one line each, up or down
#   scripts/prometheus.sh render   only (re)write the configuration and target files (a running Prometheus
#                                  re-reads target files by itself)
#
# Environment [defaults]:
#   COMANDA_STATE_DIR [<repo>/.state/local]: prometheus/ (config, targets, data), alertmanager/, logs/
#   COMANDA_PROMETHEUS_PORT [9090]  COMANDA_ALERTMANAGER_PORT [9093]
#   COMANDA_SCRAPE_INTERVAL [15s]  COMANDA_EVAL_INTERVAL [15s]  (the tests use 1s)
#   COMANDA_PORT_BASE [3000]: the services on base+1 .. base+4 (as scripts/run.sh)
#   COMANDA_USERS_TARGETS, COMANDA_PRODUCTS_TARGETS, COMANDA_ORDERS_TARGETS, COMANDA_NOTIFICATIONS_TARGETS:
#     host:port list (spaces or commas) replacing that default, e.g. two replicas in cluster mode:
#     COMANDA_ORDERS_TARGETS="127.0.0.1:3003 127.0.0.1:3013"
#   COMANDA_RABBITMQ_TARGETS [127.0.0.1:<COMANDA_AMQP_METRICS_PORT>]: RabbitMQ's exporter (see scripts/stack.sh)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${COMANDA_STATE_DIR:-$REPO/.state/local}")
PROM_PORT=${COMANDA_PROMETHEUS_PORT:-9090}
AM_PORT=${COMANDA_ALERTMANAGER_PORT:-9093}
SCRAPE=${COMANDA_SCRAPE_INTERVAL:-15s}
EVAL=${COMANDA_EVAL_INTERVAL:-15s}
BASE=${COMANDA_PORT_BASE:-3000}
AMQP_PORT=${COMANDA_AMQP_PORT:-5672}
wrap() { echo $((1024 + ($1 - 1024) % 64512)); }   # as scripts/stack.sh derives RabbitMQ's ports
AMQP_METRICS_PORT=${COMANDA_AMQP_METRICS_PORT:-$(wrap $((AMQP_PORT + 10001)))}
PROM=$STATE/prometheus
AM=$STATE/alertmanager
LOGS=$STATE/logs

log() { echo "prometheus.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

for p in "$PROM_PORT" "$AM_PORT" "$BASE" "$AMQP_METRICS_PORT"; do
  [[ $p =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || die "invalid port: $p"; done
[[ $SCRAPE =~ ^[0-9]+(ms|s|m)$ && $EVAL =~ ^[0-9]+(ms|s|m)$ ]] || die "invalid interval: $SCRAPE / $EVAL"

wait_until() { local end=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < end)) || return 1; sleep 0.1; done; }
pid_alive() {
  local pid; pid=$(head -n1 "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *"$2"* ]]
}
ready() { curl -fs --max-time 2 -o /dev/null "$1"; }

# targets_json "a:1 b:2" -> [{"targets":["a:1","b:2"]}]
targets_json() {
  local list=${1//,/ } out="" t
  for t in $list; do
    [[ $t =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] || die "invalid target: $t"
    out+="${out:+,}\"$t\""
  done
  echo "[{\"targets\":[$out]}]"
}

render() {
  mkdir -p "$PROM/targets" "$PROM/data" "$AM/data" "$LOGS"
  sed -e "s/^  scrape_interval: .*/  scrape_interval: $SCRAPE/" -e "s/^  evaluation_interval: .*/  evaluation_interval: $EVAL/" \
    "$REPO/deploy/prometheus/prometheus.yml" >"$PROM/prometheus.yml"
  ln -sfn "$REPO/deploy/prometheus/rules" "$PROM/rules"
  cp "$REPO/deploy/alertmanager/alertmanager.yml" "$AM/alertmanager.yml"
  # Written beside and renamed: Prometheus watches these files and must never read half of one.
  local name default var
  for entry in users:1 products:2 orders:3 notifications:4; do
    name=${entry%%:*} default=127.0.0.1:$((BASE + ${entry##*:})) var=COMANDA_${name^^}_TARGETS
    targets_json "${!var:-$default}" >"$PROM/targets/.tmp" && mv "$PROM/targets/.tmp" "$PROM/targets/$name-service.json"
  done
  targets_json "${COMANDA_RABBITMQ_TARGETS:-127.0.0.1:$AMQP_METRICS_PORT}" >"$PROM/targets/.tmp"
  mv "$PROM/targets/.tmp" "$PROM/targets/rabbitmq.json"
  targets_json "127.0.0.1:$PROM_PORT" >"$PROM/targets/prometheus.json"
  targets_json "127.0.0.1:$AM_PORT" >"$PROM/targets/alertmanager.json"
  promtool check config "$PROM/prometheus.yml" >/dev/null || die "the rendered configuration is invalid"
}

start() {
  render
  if ! pid_alive "$AM/alertmanager.pid" prometheus-alertmanager; then
    # --cluster.listen-address= : a single Alertmanager, no gossip port.
    setsid prometheus-alertmanager --config.file="$AM/alertmanager.yml" --storage.path="$AM/data" \
      --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= \
      >>"$LOGS/alertmanager.log" 2>&1 </dev/null &
    echo $! >"$AM/alertmanager.pid"
  fi
  if ! pid_alive "$PROM/prometheus.pid" prometheus; then
    setsid prometheus --config.file="$PROM/prometheus.yml" --storage.tsdb.path="$PROM/data" \
      --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle \
      >>"$LOGS/prometheus.log" 2>&1 </dev/null &
    echo $! >"$PROM/prometheus.pid"
  fi
  wait_until 30 ready "http://127.0.0.1:$AM_PORT/-/ready" ||
    { tail -n 20 "$LOGS/alertmanager.log" >&2; stop; die "alertmanager does not answer on port $AM_PORT"; }
  wait_until 30 ready "http://127.0.0.1:$PROM_PORT/-/ready" ||
    { tail -n 20 "$LOGS/prometheus.log" >&2; stop; die "prometheus does not answer on port $PROM_PORT"; }
  echo "prometheus    up    http://127.0.0.1:$PROM_PORT (alerts: http://127.0.0.1:$PROM_PORT/alerts)"
  echo "alertmanager  up    http://127.0.0.1:$AM_PORT"
}

stop_one() {   # pidfile pattern name
  if pid_alive "$1" "$2"; then
    local pid; pid=$(head -n1 "$1")
    kill -TERM "$pid" 2>/dev/null || true
    wait_until 15 bash -c "! kill -0 $pid 2>/dev/null" || { log "$3 ignores SIGTERM; SIGKILL"; kill -KILL "$pid" || true; }
  fi
  rm -f "$1"
  echo "$3 down"
}

stop() {
  stop_one "$PROM/prometheus.pid" prometheus prometheus
  stop_one "$AM/alertmanager.pid" prometheus-alertmanager alertmanager
}

status() {
  if ready "http://127.0.0.1:$PROM_PORT/-/ready"; then echo "prometheus    up    http://127.0.0.1:$PROM_PORT"; else echo "prometheus    down"; fi
  if ready "http://127.0.0.1:$AM_PORT/-/ready"; then echo "alertmanager  up    http://127.0.0.1:$AM_PORT"; else echo "alertmanager  down"; fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  render) render; echo "rendered $PROM/prometheus.yml" ;;
  *) sed -n '5,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
