#!/bin/bash
# Renders the gateway's nginx.conf from the environment and runs nginx in the foreground.
#
# nginx resolves the upstream names only when it loads its configuration, so a service container re-created
# with a new address (docker compose up after a new image, say) would stay unreachable until a restart. So this
# script resolves the names again every RESOLVE_INTERVAL_S [5] seconds and, when an address changed, has nginx
# reload: a graceful reload, in-flight requests finish on the old workers.
set -euo pipefail
vars='${GATEWAY_LISTEN} ${USERS_UPSTREAM} ${PRODUCTS_UPSTREAM} ${ORDERS_UPSTREAM} ${NOTIFICATIONS_UPSTREAM} ${WEB_ROOT} ${NGINX_RUN_DIR}'
for v in GATEWAY_LISTEN USERS_UPSTREAM PRODUCTS_UPSTREAM ORDERS_UPSTREAM NOTIFICATIONS_UPSTREAM WEB_ROOT NGINX_RUN_DIR; do
  [[ -n ${!v:-} ]] || { echo "gateway: $v must be set" >&2; exit 2; }
done
interval=${RESOLVE_INTERVAL_S:-5}
[[ $interval =~ ^[1-9][0-9]*$ ]] || { echo "gateway: RESOLVE_INTERVAL_S must be a positive integer" >&2; exit 2; }
mkdir -p "$NGINX_RUN_DIR"
conf=$NGINX_RUN_DIR/nginx.conf
envsubst "$vars" </etc/comanda/nginx.conf.template >"$conf"

log() { printf '{"ts":"%s","level":"%s","service":"gateway","msg":"%s"%s}\n' "$(date -u +%FT%T+00:00)" "$@" >&2; }

# The upstream hosts' IPv4 addresses as one line; fails while one of them does not resolve (a container that
# is being re-created): nginx would refuse that configuration, so there is nothing to reload yet.
addresses() {
  local upstream host found line=""
  for upstream in "$USERS_UPSTREAM" "$PRODUCTS_UPSTREAM" "$ORDERS_UPSTREAM" "$NOTIFICATIONS_UPSTREAM"; do
    host=${upstream%:*}
    found=$(getent ahostsv4 "$host" | awk '{print $1}' | sort -u | paste -sd, -) || return 1
    [[ -n $found ]] || return 1
    line+="$host=$found "
  done
  echo "${line% }"
}

# Runs beside nginx, which takes this shell's process (PID 1: it gets the container's signals, its exit status is
# the container's). `nginx -s reload` reads nginx's pid file; a failed reload is tried again the next time.
watch_addresses() {
  local known=$1 now
  while sleep "$interval"; do
    now=$(addresses) || continue
    [[ $now != "$known" ]] || continue
    log info 'upstream addresses changed: reloading' ",\"addresses\":\"$now\""
    if nginx -e stderr -c "$conf" -s reload; then known=$now; else log warn 'reload failed; trying again' ""; fi
  done
}
watch_addresses "$(addresses || true)" </dev/null &
exec nginx -e stderr -c "$conf" -g 'daemon off;' "$@"
