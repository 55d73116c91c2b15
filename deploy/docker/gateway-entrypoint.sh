#!/bin/sh
# Renders the gateway's nginx.conf from the environment, checks it, and runs nginx in the foreground.
set -eu
vars='${GATEWAY_LISTEN} ${USERS_UPSTREAM} ${PRODUCTS_UPSTREAM} ${ORDERS_UPSTREAM} ${NOTIFICATIONS_UPSTREAM} ${WEB_ROOT} ${NGINX_RUN_DIR}'
for v in GATEWAY_LISTEN USERS_UPSTREAM PRODUCTS_UPSTREAM ORDERS_UPSTREAM NOTIFICATIONS_UPSTREAM WEB_ROOT NGINX_RUN_DIR; do
  eval "val=\${$v:-}"
  [ -n "$val" ] || { echo "gateway: $v must be set" >&2; exit 2; }
done
mkdir -p "$NGINX_RUN_DIR"
envsubst "$vars" </etc/comanda/nginx.conf.template >"$NGINX_RUN_DIR/nginx.conf"
exec nginx -e stderr -c "$NGINX_RUN_DIR/nginx.conf" -g 'daemon off;' "$@"
