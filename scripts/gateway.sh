#!/usr/bin/env bash
# The nginx gateway of the local run: renders deploy/nginx/nginx.conf.template and runs Debian's nginx with it.
#   scripts/gateway.sh render   write $COMANDA_STATE_DIR/gateway/nginx.conf (prints its path)
#   scripts/gateway.sh start    render, check it (nginx -t), start nginx, wait until GET /health answers
#   scripts/gateway.sh stop     graceful stop (SIGQUIT: in-flight requests finish), SIGKILL after 10 s
#   scripts/gateway.sh status   "gateway up <url>" or "gateway down"; exits 0
#
# Environment [defaults]:
#   COMANDA_STATE_DIR [<repo>/.state/local]: gateway/ (config, pid, temp folders); the log is logs/gateway.log
#     (one JSON line per request on stdout, nginx's own messages on stderr)
#   GATEWAY_PORT [8080]; GATEWAY_LISTEN [127.0.0.1:$GATEWAY_PORT] (nginx `listen` syntax)
#   USERS_URL, PRODUCTS_URL, ORDERS_URL, NOTIFICATIONS_URL: the services' base URLs (http://host:port);
#     unset ones are http://127.0.0.1:$COMANDA_PORT_BASE+1..4 (COMANDA_PORT_BASE [3000]). Several replicas:
#     comma-separated URLs; nginx balances over them with passive health checks (scripts/cluster.sh)
#   GATEWAY_TEMPLATE [deploy/nginx/nginx.conf.template]: the configuration template (cluster mode also runs
#     deploy/nginx/internal.conf.template, the services' internal balancer, with this script)
#   GATEWAY_MAX_FAILS [1], GATEWAY_FAIL_TIMEOUT [5s]: a replica that failed that often is skipped for that long
#   COMANDA_WEB_ROOT [<repo>/web, or deploy/nginx/placeholder while web/index.html does not exist]: served at /
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${COMANDA_STATE_DIR:-$REPO/.state/local}")
RUN=$STATE/gateway
LOG=$STATE/logs/gateway.log
CONF=$RUN/nginx.conf
PIDFILE=$RUN/nginx.pid
PORT=${GATEWAY_PORT:-8080}
BASE=${COMANDA_PORT_BASE:-3000}
NGINX=${NGINX:-/usr/sbin/nginx}

log() { echo "gateway: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || die "invalid GATEWAY_PORT: $PORT"
[[ $BASE =~ ^[0-9]+$ ]] && ((BASE > 0 && BASE + 4 < 65536)) || die "invalid COMANDA_PORT_BASE: $BASE"
LISTEN=${GATEWAY_LISTEN:-127.0.0.1:$PORT}

# upstream URLS DEFAULT_PORT: host:port of a base URL (http://host:port[/]). A comma-separated list of URLs (replicas)
# becomes the servers of the template's `server ${X_UPSTREAM};` line, each with passive health-check parameters.
upstream() {
  local urls=${1:-http://127.0.0.1:$2} url out="" params=""
  [[ $urls == *,* ]] && params=" max_fails=${GATEWAY_MAX_FAILS:-1} fail_timeout=${GATEWAY_FAIL_TIMEOUT:-5s}"
  IFS=, read -ra list <<<"$urls"
  for url in "${list[@]}"; do
    [[ $url =~ ^http://([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):([0-9]+)/?$ ]] || die "not an http://host:port URL: $url"
    out+="${out:+; server }${BASH_REMATCH[1]}:${BASH_REMATCH[2]}$params"
  done
  echo "$out"
}

pid_alive() {   # the pid in the pid file runs nginx
  local pid; pid=$(head -n1 "$PIDFILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *nginx* ]]
}
pid_gone() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; st=${st##*) }; [[ ${st:0:1} == Z ]]; }
wait_until() { local end=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < end)) || return 1; sleep 0.1; done; }
answers() { curl -fsS -o /dev/null --max-time 2 "http://$(connect_host)/health" 2>/dev/null; }
connect_host() {   # where to reach the listen address from here
  case $LISTEN in
    *:*) local host=${LISTEN%:*}; [[ $host == 0.0.0.0 || $host == '*' ]] && host=127.0.0.1; echo "$host:${LISTEN##*:}" ;;
    *) echo "127.0.0.1:$LISTEN" ;;
  esac
}

# The web root the workers read. Started as root, nginx's workers run as `nobody`: when that user cannot read
# the web root (a clone under /root), serve a readable copy instead (taken at every start).
web_root() {
  local web=${COMANDA_WEB_ROOT:-$REPO/web}
  # Until the web UI lands, a placeholder page.
  [[ -n ${COMANDA_WEB_ROOT:-} || -e $web/index.html ]] || web=$REPO/deploy/nginx/placeholder
  web=$(realpath -m "$web")
  [[ -d $web ]] || die "web root $web does not exist (set COMANDA_WEB_ROOT)"
  if [[ $(id -u) == 0 ]] && ! runuser -u nobody -- test -r "$web/." -a -x "$web" 2>/dev/null; then
    local copy; copy=/var/tmp/comanda-web-$(printf '%s' "$web" | md5sum | cut -c1-12)
    # Copied over (not removed first): another gateway may be serving the same copy right now.
    mkdir -p "$copy" && cp -R "$web/." "$copy/" && chmod -R a+rX "$copy"
    chmod a+x "$copy"
    log "serving a copy of $web from $copy (user nobody cannot read the original)"
    web=$copy
  fi
  echo "$web"
}

render() {
  mkdir -p "$RUN" "$(dirname "$LOG")"
  # shellcheck disable=SC2016 # the variable names are for envsubst, not for the shell
  GATEWAY_LISTEN=$LISTEN WEB_ROOT=$(web_root) NGINX_RUN_DIR=$RUN \
    USERS_UPSTREAM=$(upstream "${USERS_URL:-}" $((BASE + 1))) \
    PRODUCTS_UPSTREAM=$(upstream "${PRODUCTS_URL:-}" $((BASE + 2))) \
    ORDERS_UPSTREAM=$(upstream "${ORDERS_URL:-}" $((BASE + 3))) \
    NOTIFICATIONS_UPSTREAM=$(upstream "${NOTIFICATIONS_URL:-}" $((BASE + 4))) \
    envsubst '${GATEWAY_LISTEN} ${USERS_UPSTREAM} ${PRODUCTS_UPSTREAM} ${ORDERS_UPSTREAM} ${NOTIFICATIONS_UPSTREAM} ${WEB_ROOT} ${NGINX_RUN_DIR}' \
    <"${GATEWAY_TEMPLATE:-$REPO/deploy/nginx/nginx.conf.template}" >"$CONF.tmp"
  mv "$CONF.tmp" "$CONF"
}

nginx_cmd() { "$NGINX" -e stderr -p "$RUN" -c "$CONF" "$@"; }

start() {
  if pid_alive; then
    answers || die "nginx (pid $(head -n1 "$PIDFILE")) runs but does not answer on $LISTEN; run stop first"
    echo "gateway up    http://$(connect_host) (already running)"
    return 0
  fi
  [[ -x $NGINX ]] || die "$NGINX not found: run scripts/install-deps.sh"
  render
  nginx_cmd -t -q 2>>"$LOG" || { tail -n 5 "$LOG" >&2; die "nginx -t rejected $CONF"; }
  rm -f "$PIDFILE"
  # In the foreground of its own session (so that its log is a plain file and Ctrl-C of a caller does not reach it).
  setsid nohup "$NGINX" -e stderr -p "$RUN" -c "$CONF" -g 'daemon off;' >>"$LOG" 2>&1 </dev/null &
  local launcher=$!
  local end=$((SECONDS + 10))
  until pid_alive && answers; do
    if pid_gone "$launcher"; then tail -n 5 "$LOG" >&2; die "nginx exited while starting (log: $LOG)"; fi
    ((SECONDS < end)) || { tail -n 5 "$LOG" >&2; die "nginx does not answer on $LISTEN (log: $LOG)"; }
    sleep 0.1
  done
  echo "gateway up    http://$(connect_host) (started; log: $LOG)"
}

stop() {
  if pid_alive; then
    local pid; pid=$(head -n1 "$PIDFILE")
    kill -QUIT "$pid" 2>/dev/null || true
    if ! wait_until 10 pid_gone "$pid"; then
      log "nginx (pid $pid) did not finish in 10 s; SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true   # its group: the workers too
      wait_until 5 pid_gone "$pid" || die "nginx (pid $pid) does not stop"
    fi
  fi
  rm -f "$PIDFILE"
  echo "gateway down"
}

case ${1:-} in
  render) render; echo "$CONF" ;;
  start) start ;;
  stop) stop ;;
  status) if pid_alive && answers; then echo "gateway up    http://$(connect_host)"; else echo "gateway down"; fi ;;
  *) echo "usage: $0 render|start|stop|status" >&2; exit 2 ;;
esac
