#!/usr/bin/env bash
# Comanda in cluster mode on one machine, every tier replicated on a real clustering engine (docs/scaling.md):
#   etcd (one member, v2 API for Patroni), Patroni managing two PostgreSQL 15 nodes (a primary and a synchronous
#   standby, automatic failover), three RabbitMQ nodes joined into one cluster (quorum queues on all three),
#   Redis (a cache, as today), two replicas of each service, the internal balancer through which the services
#   reach users- and products-service, and the nginx gateway balancing /api/* over the replicas.
# Runs as the current user (root too: Patroni and PostgreSQL then run as `postgres`); never touches system instances.
#
#   scripts/cluster.sh up                 start what is not running, wait until every part answers (idempotent)
#   scripts/cluster.sh down               stop everything (gateway and services first); data survives
#   scripts/cluster.sh status             one line per member, up or down (and the PostgreSQL/RabbitMQ roles)
#   scripts/cluster.sh env                `export` lines: ports, the services' multi-node URLs, the gateway URL
#   scripts/cluster.sh start|stop MEMBER  one member: etcd pg1 pg2 rabbit1..3 redis users1 users2 products1
#                                         products2 orders1 orders2 notifications1 notifications2 balancer gateway
#   scripts/cluster.sh pids MEMBER        the member's process ids, main process first (the fault test kills them);
#                                         pg-primary: the PostgreSQL node that is the primary now
#   scripts/cluster.sh destroy            down + delete the state folder
#
# Environment [defaults] (every port below the ephemeral range 32768-60999, so a killed member can always restart):
#   COMANDA_CLUSTER_DIR [<repo>/.state/cluster]: data, pid files, logs/ of every member
#   COMANDA_BIN_DIR [<repo>/build/release/bin]: the service binaries (scripts/run.sh --cluster builds them)
#   COMANDA_CLUSTER_PORT_BASE [20000] = B; each port below can also be set alone:
#     COMANDA_CLUSTER_ETCD_PORT [B+379] (peer: B+380)        COMANDA_CLUSTER_PG_PORTS ["B+432 B+433"]
#     COMANDA_CLUSTER_PATRONI_PORTS ["B+8 B+9"] (REST API)   COMANDA_CLUSTER_REDIS_PORT [B+637]
#     COMANDA_CLUSTER_AMQP_PORTS ["B+672 B+673 B+674"]       COMANDA_CLUSTER_DIST_PORTS ["B+772 B+773 B+774"]
#     COMANDA_CLUSTER_EPMD_PORT [B+769] (one private epmd for the three RabbitMQ nodes)
#     COMANDA_CLUSTER_AMQP_HTTP_PORTS ["B+682 B+683 B+684"]  (each node's management API: scripts/dlq.sh)
#     COMANDA_CLUSTER_AMQP_METRICS_PORTS ["B+692 B+693 B+694"] (each node's Prometheus endpoint)
#     COMANDA_CLUSTER_SERVICE_PORTS ["B+101 B+102 B+201 B+202 B+301 B+302 B+401 B+402"]: users, products, orders,
#       notifications, two replicas each
#     COMANDA_CLUSTER_BALANCER_PORT [B+90]                   COMANDA_CLUSTER_GATEWAY_PORT [B+80]
#   COMANDA_CLUSTER_SYNC [true]: Patroni's synchronous_mode (false only to show what it prevents; docs/scaling.md)
#   COMANDA_CLUSTER_PG_TTL [8]: Patroni's ttl, seconds a lost primary keeps its leader key (Patroni's default: 30)
#     (both are read when the cluster is first bootstrapped: destroy to change them)
#   COMANDA_CLUSTER_TIMEOUT [300]: seconds to wait for any one member
#   ADMIN_EMAIL, ADMIN_PASSWORD [admin@comanda.local, admin-password]: the bootstrap admin
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${COMANDA_CLUSTER_DIR:-$REPO/.state/cluster}")
BIN=$(realpath -m "${COMANDA_BIN_DIR:-$REPO/build/release/bin}")
B=${COMANDA_CLUSTER_PORT_BASE:-20000}
[[ $B =~ ^[0-9]+$ ]] && ((B >= 1024 && B + 800 < 32768)) || { echo "cluster: invalid COMANDA_CLUSTER_PORT_BASE" >&2; exit 2; }
ETCD_PORT=${COMANDA_CLUSTER_ETCD_PORT:-$((B + 379))}
ETCD_PEER_PORT=$((ETCD_PORT + 1))
read -ra PG_PORTS <<<"${COMANDA_CLUSTER_PG_PORTS:-$((B + 432)) $((B + 433))}"
read -ra PATRONI_PORTS <<<"${COMANDA_CLUSTER_PATRONI_PORTS:-$((B + 8)) $((B + 9))}"
REDIS_PORT=${COMANDA_CLUSTER_REDIS_PORT:-$((B + 637))}
read -ra AMQP_PORTS <<<"${COMANDA_CLUSTER_AMQP_PORTS:-$((B + 672)) $((B + 673)) $((B + 674))}"
read -ra DIST_PORTS <<<"${COMANDA_CLUSTER_DIST_PORTS:-$((B + 772)) $((B + 773)) $((B + 774))}"
EPMD_PORT=${COMANDA_CLUSTER_EPMD_PORT:-$((B + 769))}
# Set per node: stack.sh's defaults (AMQP + 10000, + 10001) collide between nodes whose AMQP ports are adjacent.
read -ra AMQP_HTTP_PORTS <<<"${COMANDA_CLUSTER_AMQP_HTTP_PORTS:-$((B + 682)) $((B + 683)) $((B + 684))}"
read -ra AMQP_METRICS_PORTS <<<"${COMANDA_CLUSTER_AMQP_METRICS_PORTS:-$((B + 692)) $((B + 693)) $((B + 694))}"
read -ra SERVICE_PORTS <<<"${COMANDA_CLUSTER_SERVICE_PORTS:-$((B + 101)) $((B + 102)) $((B + 201)) $((B + 202)) \
$((B + 301)) $((B + 302)) $((B + 401)) $((B + 402))}"
BALANCER_PORT=${COMANDA_CLUSTER_BALANCER_PORT:-$((B + 90))}
GATEWAY_PORT=${COMANDA_CLUSTER_GATEWAY_PORT:-$((B + 80))}
SYNC=${COMANDA_CLUSTER_SYNC:-true}
PG_TTL=${COMANDA_CLUSTER_PG_TTL:-8}
TIMEOUT=${COMANDA_CLUSTER_TIMEOUT:-300}
SERVICES=(users products notifications orders)   # start order: orders-service calls the first two
LOGS=$STATE/logs
RUN=$STATE/run
PG_BIN=/usr/lib/postgresql/15/bin
RMQ_BIN=/usr/lib/rabbitmq/bin
IS_ROOT=0; [[ $(id -u) == 0 ]] && IS_ROOT=1

log() { echo "cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }
tail_log() { log "last lines of $1:"; tail -n 25 "$1" >&2 2>/dev/null || true; }

((${#PG_PORTS[@]} == 2 && ${#PATRONI_PORTS[@]} == 2)) || die "two PostgreSQL and two Patroni ports are needed"
((${#AMQP_PORTS[@]} == 3 && ${#DIST_PORTS[@]} == 3)) || die "three AMQP and three distribution ports are needed"
((${#AMQP_HTTP_PORTS[@]} == 3 && ${#AMQP_METRICS_PORTS[@]} == 3)) || die "three management and three metrics ports are needed"
((${#SERVICE_PORTS[@]} == 8)) || die "eight service ports are needed"
[[ $SYNC == true || $SYNC == false ]] || die "COMANDA_CLUSTER_SYNC must be true or false"
[[ $PG_TTL =~ ^[0-9]+$ ]] && ((PG_TTL >= 8)) || die "COMANDA_CLUSTER_PG_TTL must be a number of seconds >= 8"
for p in "$ETCD_PORT" "${PG_PORTS[@]}" "${PATRONI_PORTS[@]}" "$REDIS_PORT" "${AMQP_PORTS[@]}" "${DIST_PORTS[@]}" \
  "${AMQP_HTTP_PORTS[@]}" "${AMQP_METRICS_PORTS[@]}" "$EPMD_PORT" "${SERVICE_PORTS[@]}" "$BALANCER_PORT" "$GATEWAY_PORT"; do
  [[ $p =~ ^[0-9]+$ ]] && ((p >= 1024 && p < 65536)) || die "invalid port: $p"
  [[ " ${SEEN_PORTS-} " != *" $p "* ]] || die "port $p is given twice"; SEEN_PORTS+=" $p"; done

wait_until() { local end=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < end)) || return 1; sleep 0.2; done; }
pid_of() { local pid; pid=$(head -n1 "$1" 2>/dev/null) || return 1; [[ $pid =~ ^[0-9]+$ ]] && echo "$pid"; }
# alive FILE PATTERN: the pid in FILE runs and its command line contains PATTERN (guards against pid reuse).
alive() { local pid; pid=$(pid_of "$1") && [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *"$2"* ]]; }
pid_gone() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; st=${st##*) }; [[ ${st:0:1} == Z ]]; }
kill_pid() {   # SIGTERM, SIGKILL after 15 s; returns when the process is gone
  kill -TERM "$1" 2>/dev/null || true
  wait_until 15 pid_gone "$1" && return 0
  log "pid $1 ignores SIGTERM; sending SIGKILL"; kill -KILL "$1" 2>/dev/null || true
  wait_until 5 pid_gone "$1"
}
port_busy() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }
join_by() { local IFS=$1; shift; echo "$*"; }
secret() {   # secret NAME: a random password kept in the state folder
  local f=$STATE/secrets/$1
  [[ -s $f ]] || { mkdir -p "$STATE/secrets"; chmod 700 "$STATE/secrets"; od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$f"; }
  cat "$f"
}

# ---------------------------------------------------------------- etcd (Patroni's DCS)
ETCD_PID=$RUN/etcd.pid
etcd_up() {
  if ! alive "$ETCD_PID" etcd; then
    port_busy "$ETCD_PORT" && die "port $ETCD_PORT is taken; set COMANDA_CLUSTER_ETCD_PORT"
    mkdir -p "$STATE/etcd"
    # v2 API on: Patroni's `etcd:` section speaks it. One member: the DCS is not what this cluster tests.
    setsid etcd --name comanda --data-dir "$STATE/etcd" --enable-v2=true \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "comanda=http://127.0.0.1:$ETCD_PEER_PORT" >>"$LOGS/etcd.log" 2>&1 </dev/null &
    echo $! >"$ETCD_PID"
  fi
  wait_until "$TIMEOUT" http_ok "http://127.0.0.1:$ETCD_PORT/health" || { tail_log "$LOGS/etcd.log"; die "etcd does not answer"; }
  echo "etcd      up    http://127.0.0.1:$ETCD_PORT"
}
etcd_down() { if alive "$ETCD_PID" etcd; then kill_pid "$(pid_of "$ETCD_PID")"; fi; rm -f "$ETCD_PID"; echo "etcd      down"; }

# ---------------------------------------------------------------- PostgreSQL under Patroni
# pg_dir N: the node's folder. Under the state folder when the postgres user can reach it, else /var/tmp.
pg_dir() {
  local loc=$STATE/pg.location base=$STATE
  if [[ -s $loc ]]; then base=$(<"$loc"); else
    if ((IS_ROOT)) && ! runuser -u postgres -- test -x "$STATE"; then
      base=/var/tmp/comanda-cluster-$(printf '%s' "$STATE" | md5sum | cut -c1-12)
    fi
    mkdir -p "$STATE"; echo "$base" >"$loc"
  fi
  echo "$base/pg$1"
}
patroni_conf() {   # patroni_conf N: writes the node's patroni.yml
  local n=$1 dir; dir=$(pg_dir "$1")
  local port=${PG_PORTS[n - 1]} rest=${PATRONI_PORTS[n - 1]}
  cat >"$dir/patroni.yml" <<YAML
scope: comanda
namespace: /comanda/
name: pg$n
log: {level: INFO}
restapi: {listen: "127.0.0.1:$rest", connect_address: "127.0.0.1:$rest"}
etcd: {host: "127.0.0.1:$ETCD_PORT"}
watchdog: {mode: "off"}
bootstrap:
  dcs:
    # The primary's leader key lives ttl seconds: a lost primary is replaced within about ttl + loop_wait.
    ttl: $PG_TTL
    loop_wait: 1
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    synchronous_mode: $SYNC
    postgresql:
      use_pg_rewind: true
      use_slots: true
      # lc_messages C: the services recognise the "canceling wait for synchronous replication" warning.
      parameters: {max_connections: 200, shared_buffers: 64MB, wal_log_hints: "on", wal_keep_size: 128MB,
                   lc_messages: C}
  initdb: [{encoding: UTF8}, {locale: C.UTF-8}, {auth-local: trust}, {auth-host: scram-sha-256}]
  pg_hba:
  - local all all trust
  - host replication replicator 127.0.0.1/32 scram-sha-256
  - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: "127.0.0.1:$port"
  connect_address: "127.0.0.1:$port"
  data_dir: "$dir/data"
  bin_dir: $PG_BIN
  pgpass: "$dir/pgpass"
  remove_data_directory_on_rewind_failure: true
  remove_data_directory_on_diverged_timelines: true
  authentication:
    superuser: {username: postgres, password: "$(secret postgres)"}
    replication: {username: replicator, password: "$(secret replicator)"}
    rewind: {username: rewinder, password: "$(secret rewinder)"}
  parameters: {unix_socket_directories: "$dir/run"}
YAML
}
pg_member_up() {   # pg_member_up N: launch Patroni (it starts PostgreSQL, as primary or standby)
  local n=$1 dir; dir=$(pg_dir "$1")
  local pidf=$RUN/pg$n.pid rest=${PATRONI_PORTS[n - 1]}
  alive "$pidf" patroni && return 0
  port_busy "$rest" && die "port $rest is taken; set COMANDA_CLUSTER_PATRONI_PORTS"
  port_busy "${PG_PORTS[n - 1]}" && die "port ${PG_PORTS[n - 1]} is taken; set COMANDA_CLUSTER_PG_PORTS"
  mkdir -p "$dir/run"; chmod 755 "$(dirname "$dir")" 2>/dev/null || true
  patroni_conf "$n"
  ((IS_ROOT)) && chown -R postgres: "$dir"
  (cd / && HOME=$dir exec setsid "${AS_PG[@]}" /usr/bin/patroni "$dir/patroni.yml") >>"$LOGS/patroni-$n.log" 2>&1 </dev/null &
  echo $! >"$pidf"
}
pg_role() { curl -fsS --max-time 2 "http://127.0.0.1:${PATRONI_PORTS[$1 - 1]}/patroni" 2>/dev/null |
  /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("role","?"), d.get("state","?"))' 2>/dev/null; }
pg_leader() { local n; for n in 1 2; do http_ok "http://127.0.0.1:${PATRONI_PORTS[n - 1]}/primary" && { echo "$n"; return 0; }; done; return 1; }
pg_streaming() {   # the leader sees a streaming standby (a synchronous one in synchronous mode)
  local n; n=$(pg_leader) || return 1
  local want=streaming; [[ $SYNC == true ]] && want=sync
  local dir; dir=$(pg_dir "$n")
  [[ $("$PG_BIN/psql" -X -At -h "$dir/run" -p "${PG_PORTS[n - 1]}" -U postgres -d postgres \
    -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND ('$want' = 'streaming' OR sync_state = 'sync')" \
    2>/dev/null) -ge 1 ]]
}
pg_up() {
  local n; for n in 1 2; do pg_member_up "$n"; done
  wait_until "$TIMEOUT" pg_leader >/dev/null || { tail_log "$LOGS/patroni-1.log"; die "no PostgreSQL primary elected"; }
  n=$(pg_leader)
  local dir; dir=$(pg_dir "$n")
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "${PG_PORTS[n - 1]}" -U postgres -d postgres >/dev/null <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', s, s) FROM unnest('{$(join_by , "${SERVICES[@]}")}'::text[]) s
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = s) \gexec
SELECT format('CREATE DATABASE %I OWNER %I', s, s) FROM unnest('{$(join_by , "${SERVICES[@]}")}'::text[]) s
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = s) \gexec
SQL
  wait_until "$TIMEOUT" pg_streaming || { tail_log "$LOGS/patroni-2.log"; die "the standby does not stream"; }
  echo "postgres  up    primary pg$n on ${PG_PORTS[n - 1]}, standby streaming (synchronous_mode: $SYNC)"
}
pg_member_down() {
  local n=$1 pidf=$RUN/pg$1.pid
  # SIGTERM: Patroni stops PostgreSQL (fast shutdown) and releases the leader key, then exits.
  if alive "$pidf" patroni; then kill -TERM "$(pid_of "$pidf")"; wait_until 60 pid_gone "$(pid_of "$pidf")" ||
    kill_pid "$(pid_of "$pidf")"; fi
  local pm; pm=$(pid_of "$(pg_dir "$n")/data/postmaster.pid") && ! pid_gone "$pm" && kill_pid "$pm"
  rm -f "$pidf"; echo "pg$n       down"
}

# ---------------------------------------------------------------- RabbitMQ: three nodes, one cluster
# Each node is a scripts/stack.sh RabbitMQ of its own state folder and ports, with one shared Erlang cookie and the
# cluster's one epmd.
rmq_env() {   # rmq_env N: the environment stack.sh gets for node N
  echo "COMANDA_STATE_DIR=$STATE/rabbit$1 COMANDA_AMQP_PORT=${AMQP_PORTS[$1 - 1]}" \
    "COMANDA_AMQP_DIST_PORT=${DIST_PORTS[$1 - 1]} COMANDA_EPMD_PORT=$EPMD_PORT COMANDA_PG_PORT=1 COMANDA_REDIS_PORT=1" \
    "COMANDA_AMQP_HTTP_PORT=${AMQP_HTTP_PORTS[$1 - 1]} COMANDA_AMQP_METRICS_PORT=${AMQP_METRICS_PORTS[$1 - 1]}" \
    "COMANDA_STACK_TIMEOUT=$TIMEOUT"
}
rmq_node() { echo "comanda-${AMQP_PORTS[$1 - 1]}@localhost"; }
rmqctl() {   # rmqctl N ARGS...: rabbitmqctl against node N
  local n=$1 home=$STATE/rabbit$1/rabbitmq/home; shift
  timeout 60 env HOME="$home" ERL_EPMD_PORT="$EPMD_PORT" RABBITMQ_CTL_ERL_ARGS="-start_epmd false" \
    RABBITMQ_CONF_ENV_FILE="$STATE/rabbit$n/rabbitmq/rabbitmq-env.conf" "$RMQ_BIN/${RMQ_TOOL:-rabbitmqctl}" \
    -n "$(rmq_node "$n")" "$@"
}
epmd_up() {
  if ! alive "$RUN/epmd.pid" "epmd -port" && ! epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; then
    port_busy "$EPMD_PORT" && die "epmd port $EPMD_PORT is taken; set COMANDA_CLUSTER_EPMD_PORT"
    setsid epmd -port "$EPMD_PORT" -address 127.0.0.1 >>"$LOGS/epmd.log" 2>&1 </dev/null &
    echo $! >"$RUN/epmd.pid"
    wait_until 5 epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 || die "epmd does not start on port $EPMD_PORT"
  fi
}
erlang_cookie() {   # one cookie for the three nodes and the CLI: only they can talk to each other
  secret erlang-cookie-seed >/dev/null
  tr a-f A-F <"$STATE/secrets/erlang-cookie-seed" >"$STATE/secrets/erlang.cookie"
}
rmq_member_up() {   # rmq_member_up N: start (or restart) node N; it rejoins the cluster it belonged to
  local n=$1 cookie=$STATE/secrets/erlang.cookie home=$STATE/rabbit$1/rabbitmq/home
  epmd_up
  [[ -s $cookie ]] || erlang_cookie
  mkdir -p "$home"; install -m 400 "$cookie" "$home/.erlang.cookie.new" && mv -f "$home/.erlang.cookie.new" "$home/.erlang.cookie"
  # shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs is intended
  env $(rmq_env "$n") bash "$REPO/scripts/stack.sh" up rabbitmq | sed "s/^rabbitmq /rabbit$n  /"
}
# rmq_knows N KEY NODE: node N's cluster_status lists NODE under KEY (disk_nodes: a member, joined once;
# running_nodes: up now). A node that was never joined knows only itself.
rmq_knows() { rmqctl "$1" cluster_status --formatter json 2>/dev/null | /usr/bin/python3 -c \
  'import json,sys; d=json.load(sys.stdin); sys.exit(0 if sys.argv[2] in d.get(sys.argv[1],[]) else 1)' "$2" "$3"; }
rmq_all_running() { local n; for n in 2 3; do rmq_knows 1 running_nodes "$(rmq_node "$n")" || return 1; done; }
rmq_up() {
  local n pids=()
  epmd_up
  [[ -s $STATE/secrets/erlang.cookie ]] || erlang_cookie
  for n in 1 2 3; do rmq_member_up "$n" & pids+=($!); done   # each boots in a few seconds: together
  for n in 0 1 2; do wait "${pids[n]}" || die "rabbit$((n + 1)) did not start"; done
  for n in 2 3; do
    rmq_knows "$n" disk_nodes "$(rmq_node 1)" && continue   # joined before: it rejoined by itself
    log "joining $(rmq_node "$n") to $(rmq_node 1)"
    { rmqctl "$n" stop_app && rmqctl "$n" reset && rmqctl "$n" join_cluster "$(rmq_node 1)" && rmqctl "$n" start_app; } \
      >>"$LOGS/rabbitmq-cluster.log" 2>&1 || { tail_log "$LOGS/rabbitmq-cluster.log"; die "join_cluster failed"; }
  done
  wait_until "$TIMEOUT" rmq_all_running || die "the RabbitMQ nodes do not form one cluster"
  # The retry queue is a classic queue (its per-message TTL): mirrored on every node, so that losing its node loses
  # neither the queue nor the messages waiting in it. The quorum queues need no policy: declared once the three
  # nodes are joined, they get a member on each (RabbitMQ's default initial group size is the cluster size).
  rmqctl 1 set_policy --apply-to queues --priority 1 comanda-retry-mirrored '\.retry$' \
    '{"ha-mode":"all","ha-sync-mode":"automatic"}' >/dev/null
  echo "rabbitmq  up    3 nodes clustered: $(join_by , "${AMQP_PORTS[@]}")"
}
rmq_member_down() {
  # shellcheck disable=SC2046
  env $(rmq_env "$1") bash "$REPO/scripts/stack.sh" down rabbitmq | sed "s/^rabbitmq /rabbit$1  /"
}
rmq_down() {   # all three at once: `up` starts them together too, so none waits for a node still down
  local n jobs=(); for n in 3 2 1; do rmq_member_down "$n" & jobs+=($!); done
  for n in "${jobs[@]}"; do wait "$n" || true; done
  if alive "$RUN/epmd.pid" "epmd -port"; then kill_pid "$(pid_of "$RUN/epmd.pid")"; fi
  rm -f "$RUN/epmd.pid"
}

# ---------------------------------------------------------------- Redis
redis_env() { echo "COMANDA_STATE_DIR=$STATE/redis COMANDA_REDIS_PORT=$REDIS_PORT COMANDA_PG_PORT=1 COMANDA_AMQP_PORT=1024"; }
# shellcheck disable=SC2046
redis_up() { env $(redis_env) bash "$REPO/scripts/stack.sh" up redis; }
# shellcheck disable=SC2046
redis_down() { env $(redis_env) bash "$REPO/scripts/stack.sh" down redis; }

# ---------------------------------------------------------------- services (two replicas each)
svc_port() {   # svc_port NAME N
  local i; case $1 in users) i=0 ;; products) i=1 ;; orders) i=2 ;; notifications) i=3 ;; esac
  echo "${SERVICE_PORTS[i * 2 + $2 - 1]}"
}
svc_urls() { echo "http://127.0.0.1:$(svc_port "$1" 1),http://127.0.0.1:$(svc_port "$1" 2)"; }
db_url() {
  local hosts; hosts="127.0.0.1:${PG_PORTS[0]},127.0.0.1:${PG_PORTS[1]}"
  echo "postgresql://$1:$1@$hosts/$1?target_session_attrs=read-write"
}
amqp_urls() { local p out=""; for p in "${AMQP_PORTS[@]}"; do out+="${out:+,}amqp://guest:guest@127.0.0.1:$p/%2f"; done; echo "$out"; }
svc_env() {   # the variables of one replica (the same for both)
  local internal=http://127.0.0.1:$BALANCER_PORT
  local jwks=$internal/.well-known/jwks.json
  case $1 in
    users) echo "DATABASE_URL=$(db_url users) JWT_PRIVATE_KEY_FILE=$STATE/secrets/jwt-private-key.pem" \
      "JWT_GENERATE_KEY=false ADMIN_EMAIL=${ADMIN_EMAIL:-admin@comanda.local} ADMIN_PASSWORD=${ADMIN_PASSWORD:-admin-password}" ;;
    products) echo "DATABASE_URL=$(db_url products) REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0 JWKS_URL=$jwks" ;;
    notifications) echo "DATABASE_URL=$(db_url notifications) AMQP_URL=$(amqp_urls) JWKS_URL=$jwks" ;;
    orders) echo "DATABASE_URL=$(db_url orders) AMQP_URL=$(amqp_urls) USERS_URL=$internal PRODUCTS_URL=$internal" \
      "JWKS_URL=$jwks" ;;
  esac
}
svc_ready() { http_ok "http://127.0.0.1:$(svc_port "$1" "$2")/ready"; }
svc_up() {   # svc_up NAME N: start replica N (if not running) and wait until /ready
  local name=$1 n=$2 pidf=$RUN/$1$2.pid bin=$BIN/$1-service port; port=$(svc_port "$1" "$2")
  if ! alive "$pidf" "$name-service"; then
    [[ -x $bin ]] || die "$bin not found: build it (scripts/run.sh --cluster does) or set COMANDA_BIN_DIR"
    port_busy "$port" && die "port $port is taken; set COMANDA_CLUSTER_SERVICE_PORTS"
    # shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs is intended
    env PORT="$port" $(svc_env "$name") setsid "$bin" >>"$LOGS/$name$n.log" 2>&1 </dev/null &
    echo $! >"$pidf"
  fi
  local end=$((SECONDS + TIMEOUT))
  until svc_ready "$name" "$n"; do
    alive "$pidf" "$name-service" || { tail_log "$LOGS/$name$n.log"; die "$name$n exited"; }
    ((SECONDS < end)) || { tail_log "$LOGS/$name$n.log"; die "$name$n is not ready"; }
    sleep 0.1
  done
  echo "$name$n $(printf '%*s' $((14 - ${#name})) '')up    http://127.0.0.1:$port"
}
svc_down() {
  local pidf=$RUN/$1$2.pid
  if alive "$pidf" "$1-service"; then kill_pid "$(pid_of "$pidf")"; fi
  rm -f "$pidf"; echo "$1$2 down"
}
jwt_key() {   # one key for every users-service replica (they never generate their own: JWT_GENERATE_KEY=false)
  local key=$STATE/secrets/jwt-private-key.pem
  [[ -s $key ]] && return 0
  mkdir -p "$STATE/secrets"
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key.tmp" 2>/dev/null) &&
    mv "$key.tmp" "$key" || die "cannot generate the JWT key"
}

# ---------------------------------------------------------------- the internal balancer and the gateway (nginx)
balancer() {   # balancer start|stop
  COMANDA_STATE_DIR=$STATE/balancer GATEWAY_PORT=$BALANCER_PORT GATEWAY_TEMPLATE=$REPO/deploy/nginx/internal.conf.template \
    USERS_URL=$(svc_urls users) PRODUCTS_URL=$(svc_urls products) ORDERS_URL=http://127.0.0.1:1 \
    NOTIFICATIONS_URL=http://127.0.0.1:1 bash "$REPO/scripts/gateway.sh" "$1" | sed 's/^gateway/balancer/'
}
gateway() {   # gateway start|stop
  COMANDA_STATE_DIR=$STATE GATEWAY_PORT=$GATEWAY_PORT USERS_URL=$(svc_urls users) PRODUCTS_URL=$(svc_urls products) \
    ORDERS_URL=$(svc_urls orders) NOTIFICATIONS_URL=$(svc_urls notifications) bash "$REPO/scripts/gateway.sh" "$1"
}

# ---------------------------------------------------------------- commands
member_start() {
  case $1 in
    etcd) etcd_up ;;
    pg[12]) pg_member_up "${1#pg}"; wait_until "$TIMEOUT" pg_leader >/dev/null || die "no primary"; echo "pg${1#pg}       started" ;;
    rabbit[123]) rmq_member_up "${1#rabbit}" ;;
    redis) redis_up ;;
    users[12] | products[12] | orders[12] | notifications[12]) svc_up "${1%?}" "${1: -1}" ;;
    balancer) balancer start ;;
    gateway) gateway start ;;
    *) die "unknown member '$1'" ;;
  esac
}
member_stop() {
  case $1 in
    etcd) etcd_down ;;
    pg[12]) pg_member_down "${1#pg}" ;;
    rabbit[123]) rmq_member_down "${1#rabbit}" ;;
    redis) redis_down ;;
    users[12] | products[12] | orders[12] | notifications[12]) svc_down "${1%?}" "${1: -1}" ;;
    balancer) balancer stop ;;
    gateway) gateway stop ;;
    *) die "unknown member '$1'" ;;
  esac
}
member_pids() {   # main process first; a PostgreSQL node: Patroni, then the postmaster
  case $1 in
    pg-primary) local n; n=$(pg_leader) || die "no primary now"; member_pids "pg$n" ;;
    pg[12]) pid_of "$RUN/$1.pid"; pid_of "$(pg_dir "${1#pg}")/data/postmaster.pid" || true ;;
    rabbit[123]) pid_of "$STATE/$1/rabbitmq/rabbitmq.pid" ;;
    users[12] | products[12] | orders[12] | notifications[12] | etcd) pid_of "$RUN/$1.pid" ;;
    *) die "no pids for '$1'" ;;
  esac
}

cmd_up() {
  bash "$REPO/scripts/install-deps.sh" --cluster >&2
  mkdir -p "$LOGS" "$RUN"
  jwt_key
  etcd_up
  pg_up
  redis_up
  rmq_up
  balancer start
  local s n
  # Replica 1 of each first (it migrates), then replica 2: replicas never migrate at the same moment.
  for n in 1 2; do for s in "${SERVICES[@]}"; do svc_up "$s" "$n"; done; done
  gateway start
}
cmd_down() {   # the gateway first (no new requests), then the services, then the rest, each tier in parallel
  gateway stop || true
  local s n jobs=()
  for n in 2 1; do for s in orders notifications products users; do svc_down "$s" "$n" & jobs+=($!); done; done
  for n in "${jobs[@]}"; do wait "$n" || true; done
  balancer stop || true
  jobs=()
  rmq_down & jobs+=($!)
  redis_down & jobs+=($!)
  { pg_member_down 2; pg_member_down 1; } & jobs+=($!)
  for n in "${jobs[@]}"; do wait "$n" || true; done
  etcd_down
}
cmd_status() {
  local n s r
  if http_ok "http://127.0.0.1:$ETCD_PORT/health"; then echo "etcd      up"; else echo "etcd      down"; fi
  for n in 1 2; do r=$(pg_role "$n") || r=""; echo "pg$n       ${r:+up    }${r:-down}"; done
  for n in 1 2 3; do
    # shellcheck disable=SC2046
    env $(rmq_env "$n") bash "$REPO/scripts/stack.sh" status | grep '^rabbitmq' | sed "s/^rabbitmq /rabbit$n  /"
  done
  # shellcheck disable=SC2046
  env $(redis_env) bash "$REPO/scripts/stack.sh" status | grep '^redis'
  for s in "${SERVICES[@]}"; do for n in 1 2; do
    if svc_ready "$s" "$n"; then echo "$s$n up"; else echo "$s$n down"; fi; done; done
  balancer status; gateway status
}
cmd_env() {
  local s
  echo "export COMANDA_CLUSTER_DIR=$STATE COMANDA_CLUSTER_GATEWAY=http://127.0.0.1:$GATEWAY_PORT"
  echo "export COMANDA_CLUSTER_ETCD_PORT=$ETCD_PORT COMANDA_CLUSTER_REDIS_PORT=$REDIS_PORT COMANDA_CLUSTER_EPMD_PORT=$EPMD_PORT"
  echo "export COMANDA_CLUSTER_PG_PORTS='${PG_PORTS[*]}' COMANDA_CLUSTER_PATRONI_PORTS='${PATRONI_PORTS[*]}'"
  echo "export COMANDA_CLUSTER_AMQP_PORTS='${AMQP_PORTS[*]}' COMANDA_CLUSTER_DIST_PORTS='${DIST_PORTS[*]}'"
  echo "export COMANDA_CLUSTER_AMQP_HTTP_PORTS='${AMQP_HTTP_PORTS[*]}' COMANDA_CLUSTER_AMQP_METRICS_PORTS='${AMQP_METRICS_PORTS[*]}'"
  echo "export COMANDA_CLUSTER_SERVICE_PORTS='${SERVICE_PORTS[*]}' COMANDA_CLUSTER_BALANCER_PORT=$BALANCER_PORT"
  for s in "${SERVICES[@]}"; do echo "export ${s^^}_DATABASE_URL='$(db_url "$s")'"; done
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0 AMQP_URL=$(amqp_urls)"
}
cmd_destroy() {
  [[ $STATE != / && $STATE != "$REPO" && $STATE != "$HOME" ]] || die "refusing to delete $STATE"
  cmd_down
  local base; base=$(dirname "$(pg_dir 1)")
  [[ $base != /var/tmp/comanda-cluster-* ]] || rm -rf "$base"
  rm -rf "$STATE"; echo "destroyed $STATE"
}

usage() { sed -n '9,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

AS_PG=(); ((IS_ROOT)) && AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups)
cmd=${1:-}; (($#)) && shift
case $cmd in
  up | down | start | stop | destroy)
    # Serialized per state folder; flock -o: the members started below do not inherit the lock.
    if [[ ${COMANDA_CLUSTER_LOCKED:-} != "$STATE" ]]; then
      mkdir -p "$STATE"; rc=0
      COMANDA_CLUSTER_LOCKED=$STATE flock -o -E 75 -w $((4 * TIMEOUT)) "$STATE/.lock" \
        bash "${BASH_SOURCE[0]}" "$cmd" "$@" || rc=$?
      ((rc != 75)) || die "timed out waiting for another cluster.sh on $STATE"
      exit "$rc"
    fi
    unset COMANDA_CLUSTER_LOCKED; mkdir -p "$LOGS" "$RUN" ;;
esac
case $cmd in
  up) cmd_up ;;
  down) cmd_down ;;
  start) (($# == 1)) || usage; member_start "$1" ;;
  stop) (($# == 1)) || usage; member_stop "$1" ;;
  pids) (($# == 1)) || usage; member_pids "$1" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  destroy) cmd_destroy ;;
  *) usage ;;
esac
