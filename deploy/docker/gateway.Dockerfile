# The gateway: nginx serving web/ and routing /api/* to the services. The configuration is
# deploy/nginx/nginx.conf.template (the same one the native run uses), rendered at start from the
# environment by gateway-entrypoint.sh. Runs as a non-root user; listens on 8080.
# Context: the repository root (see .dockerignore).
FROM debian:bookworm
COPY scripts/install-deps.sh /usr/local/sbin/install-deps.sh
RUN bash /usr/local/sbin/install-deps.sh --gateway && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/comanda --shell /usr/sbin/nologin comanda \
 && install -d -o comanda -g comanda -m 700 /var/lib/comanda /var/lib/comanda/nginx
COPY deploy/nginx/nginx.conf.template /etc/comanda/nginx.conf.template
COPY deploy/docker/gateway-entrypoint.sh /usr/local/bin/gateway-entrypoint.sh
COPY web /srv/comanda/web
ENV GATEWAY_LISTEN=8080 WEB_ROOT=/srv/comanda/web NGINX_RUN_DIR=/var/lib/comanda/nginx \
    USERS_UPSTREAM=users-service:3001 PRODUCTS_UPSTREAM=products-service:3002 \
    ORDERS_UPSTREAM=orders-service:3003 NOTIFICATIONS_UPSTREAM=notifications-service:3004
USER comanda
EXPOSE 8080
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=5s --timeout=3s --retries=12 CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["/usr/local/bin/gateway-entrypoint.sh"]
