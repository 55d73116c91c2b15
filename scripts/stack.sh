#!/usr/bin/env bash
# Project-local PostgreSQL 15, Redis and RabbitMQ for the functional tests, the local run and the benchmarks.
# Runs as the current user (root too: PostgreSQL then runs as the `postgres` user), never touches system instances.
#
#   scripts/stack.sh up    [postgres|redis|rabbitmq ...]  start what is not running (default: all), wait until each
#                                                         answers, create roles and databases; one URL line each
#   scripts/stack.sh down  [components...]                fast shutdown; returns when the processes are gone
#   scripts/stack.sh start|stop COMPONENT                 up/down of one component (data survives)
#   scripts/stack.sh status                               one line per component, up or down; exits 0
#   scripts/stack.sh env                                  `export` lines: ports, *_DATABASE_URL, REDIS_URL, AMQP_URL
#   scripts/stack.sh destroy                              down + delete the state folder
#
# Environment [defaults]:
#   COMANDA_STATE_DIR [<repo>/.state/local]: postgres/ redis/ rabbitmq/ (data, sockets, pid files) and logs/
#   COMANDA_PG_PORT [5432]  COMANDA_REDIS_PORT [6379]  COMANDA_AMQP_PORT [5672]  (all bound to 127.0.0.1 only)
#   COMANDA_AMQP_DIST_PORT, COMANDA_EPMD_PORT: RabbitMQ's Erlang distribution port and its private epmd port.
#     Unless set, derived from the AMQP port A so that stacks on different ports never clash:
#       dist = wrap(A + 20000), epmd = wrap(A + 12000), with wrap(p) = 1024 + (p - 1024) mod 64512 (stays in 1024..65535)
#     5672 -> dist 25672 (RabbitMQ's own convention), epmd 17672;  11672 (the tests') -> dist 31672, epmd 23672.
#     A stack that is stopped and restarted (the tests do) belongs below the ephemeral range (32768-60999): a
#     port in it can meanwhile become an outgoing connection's source port and block the restart (TIME_WAIT).
#     Two stacks could only clash if their AMQP ports differ by 8000, 12000 or 20000.
#   COMANDA_AMQP_HTTP_PORT, COMANDA_AMQP_METRICS_PORT: RabbitMQ's management HTTP API (scripts/dlq.sh) and its
#     Prometheus endpoint (rabbitmq_prometheus), on 127.0.0.1. Unless set: http = wrap(A + 10000), metrics =
#     wrap(A + 10001): 5672 -> 15672 (RabbitMQ's own convention) and 15673; 11672 (the tests') -> 21672, 21673.
#   COMANDA_STACK_TIMEOUT [90]: seconds to wait for any one component to start or stop.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${COMANDA_STATE_DIR:-$REPO/.state/local}")
PG_PORT=${COMANDA_PG_PORT:-5432}
REDIS_PORT=${COMANDA_REDIS_PORT:-6379}
AMQP_PORT=${COMANDA_AMQP_PORT:-5672}
TIMEOUT=${COMANDA_STACK_TIMEOUT:-90}
wrap() { echo $((1024 + ($1 - 1024) % 64512)); }
DIST_PORT=${COMANDA_AMQP_DIST_PORT:-$(wrap $((AMQP_PORT + 20000)))}
EPMD_PORT=${COMANDA_EPMD_PORT:-$(wrap $((AMQP_PORT + 12000)))}
AMQP_HTTP_PORT=${COMANDA_AMQP_HTTP_PORT:-$(wrap $((AMQP_PORT + 10000)))}
AMQP_METRICS_PORT=${COMANDA_AMQP_METRICS_PORT:-$(wrap $((AMQP_PORT + 10001)))}

SERVICES=(users products orders notifications)   # one role + one database each, password = name
ALL=(postgres redis rabbitmq)
PG_BIN=/usr/lib/postgresql/15/bin
RMQ_BIN=/usr/lib/rabbitmq/bin
LOGS=$STATE/logs
RMQ=$STATE/rabbitmq
IS_ROOT=0; [[ $(id -u) == 0 ]] && IS_ROOT=1

log() { echo "stack: $*" >&2; }
die() { log "error: $*"; exit 1; }
tail_log() { log "last lines of $1:"; tail -n 25 "$1" >&2 2>/dev/null || true; }

for p in "$PG_PORT" "$REDIS_PORT" "$AMQP_PORT" "$DIST_PORT" "$EPMD_PORT" "$AMQP_HTTP_PORT" "$AMQP_METRICS_PORT"; do
  [[ $p =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || die "invalid port: $p"; done

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds; fails after SECONDS.
wait_until() { local end=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < end)) || return 1; sleep 0.1; done; }
# pid_alive FILE PATTERN: the pid in FILE runs and its command line contains PATTERN (guards against pid reuse).
pid_alive() {
  local pid; pid=$(head -n1 "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *"$2"* ]]
}
# pid_gone PID: no such process, or only a zombie left.
pid_gone() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; st=${st##*) }; [[ ${st:0:1} == Z ]]; }
# kill_pid PID: SIGTERM, then SIGKILL after 10 s; returns when the process is gone.
kill_pid() {
  kill -TERM "$1" 2>/dev/null || true
  wait_until 10 pid_gone "$1" && return 0
  log "pid $1 ignores SIGTERM; sending SIGKILL"; kill -KILL "$1" 2>/dev/null || true
  wait_until 5 pid_gone "$1"
}
# port_busy PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null; }

# ---------------------------------------------------------------- PostgreSQL
# pg_paths [create]: set PG_BASE, PG_DATA (data dir), PG_SOCK (unix socket dir). PG_BASE is $STATE/postgres, unless
# root runs this and the postgres user cannot traverse into $STATE (or the socket path would be too long): then it is
# /var/tmp/comanda-pg-<hash>. Decided once, recorded in $STATE/postgres.location.
pg_paths() {
  local loc=$STATE/postgres.location base=$STATE/postgres
  if [[ -s $loc ]]; then
    base=$(<"$loc")
  elif [[ ${1:-} == create ]]; then
    if { ((IS_ROOT)) && ! runuser -u postgres -- test -x "$STATE"; } || ((${#base} > 80)); then
      base=/var/tmp/comanda-pg-$(printf '%s:%s' "$(id -u)" "$STATE" | md5sum | cut -c1-12)
      log "postgres data goes to $base (the state folder is not usable for it)"
    fi
    echo "$base" >"$loc"
  fi
  PG_BASE=$base PG_DATA=$base/data PG_SOCK=$base/run
}
as_pg() { if ((IS_ROOT)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
pg_running() { pid_alive "$PG_DATA/postmaster.pid" postgres; }
# Called when no postmaster runs. After a kill -9 the dead postmaster stays a zombie until init reaps it (lazily in
# some sandboxes) and PostgreSQL would take it for a running server: wait for that, else drop the stale lock file.
pg_clear_stale_lock() {
  local pid; pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 0
  [[ $pid =~ ^[0-9]+$ && -e /proc/$pid ]] || return 0
  if pid_gone "$pid" && wait_until 10 test ! -e "/proc/$pid"; then return 0; fi
  log "removing stale $PG_DATA/postmaster.pid (pid $pid is not a running postmaster)"
  rm -f "$PG_DATA/postmaster.pid"
}
pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres; }

pg_up() {
  local how="already running" plog=$LOGS/postgres.log names; names=$(IFS=,; echo "${SERVICES[*]}")
  pg_paths create
  if ! pg_running; then
    port_busy "$PG_PORT" && die "port $PG_PORT is already taken by another process; set COMANDA_PG_PORT"
    mkdir -p "$PG_SOCK"
    pg_clear_stale_lock
    ((IS_ROOT)) && chown postgres: "$PG_BASE" "$PG_SOCK"
    if [[ ! -s $PG_DATA/PG_VERSION ]]; then
      as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >>"$plog" 2>&1 || { tail_log "$plog"; die "initdb failed"; }
    fi
    # No -l: the server inherits pg_ctl's stdout, the log file opened here (works even when postgres can't write it).
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t "$TIMEOUT" -o "-p $PG_PORT -k '$PG_SOCK' \
      -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB" start \
      >>"$plog" 2>&1 </dev/null || { tail_log "$plog"; die "postgres did not start"; }
    how=started
  elif [[ $(sed -n 4p "$PG_DATA/postmaster.pid") != "$PG_PORT" ]]; then
    die "the postgres of $PG_DATA runs on another port; run down first"
  fi
  wait_until "$TIMEOUT" pg_ready || { tail_log "$plog"; die "postgres does not answer on port $PG_PORT"; }
  # Idempotent: roles and databases are created only when missing.
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres >/dev/null <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', n, n) FROM unnest('{$names}'::text[]) n
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = n) \gexec
SELECT format('CREATE DATABASE %I OWNER %I', n, n) FROM unnest('{$names}'::text[]) n
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = n) \gexec
SQL
  echo "postgres  up    postgresql://127.0.0.1:$PG_PORT ($how)"
}

pg_down() {
  pg_paths
  if pg_running; then
    local pid; pid=$(head -n1 "$PG_DATA/postmaster.pid")
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$TIMEOUT" stop >>"$LOGS/postgres.log" 2>&1 ||
      log "pg_ctl stop failed; killing pid $pid"
    wait_until 5 pid_gone "$pid" || kill_pid "$pid" || die "postgres (pid $pid) does not stop"
  fi
  echo "postgres  down"
}

# ---------------------------------------------------------------- Redis (a cache: no persistence)
REDIS_PID=$STATE/redis/redis.pid
redis_running() { pid_alive "$REDIS_PID" redis-server; }
# Answers, and it is our process that answers (not another Redis on the same port).
redis_ready() {
  [[ $(timeout 2 redis-cli -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | grep '^process_id:') == \
    "process_id:$(head -n1 "$REDIS_PID" 2>/dev/null)" ]]
}

redis_up() {
  local how="already running"
  if ! redis_running; then
    port_busy "$REDIS_PORT" && die "port $REDIS_PORT is already taken by another process; set COMANDA_REDIS_PORT"
    mkdir -p "$STATE/redis"
    rm -f "$REDIS_PID"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$REDIS_PID" \
      --logfile "$LOGS/redis.log" --dir "$STATE/redis" --save "" --appendonly no >>"$LOGS/redis.log" 2>&1 </dev/null
    how=started
  elif ! pid_alive "$REDIS_PID" ":$REDIS_PORT"; then
    die "the redis of $STATE runs on another port; run down first"
  fi
  wait_until "$TIMEOUT" redis_ready || { tail_log "$LOGS/redis.log"; die "redis does not answer on port $REDIS_PORT"; }
  echo "redis     up    redis://127.0.0.1:$REDIS_PORT/0 ($how)"
}

redis_down() {   # SIGTERM = clean shutdown (nothing to save)
  if redis_running; then kill_pid "$(head -n1 "$REDIS_PID")" || die "redis does not stop"; fi
  rm -f "$REDIS_PID"
  echo "redis     down"
}

# ---------------------------------------------------------------- RabbitMQ
# The same environment for the server and the CLI tools (rabbitmqctl finds the node through it and the cookie in HOME).
RMQ_ENV=(HOME="$RMQ/home" RABBITMQ_NODENAME="comanda-$AMQP_PORT@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$DIST_PORT" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1
  RABBITMQ_MNESIA_BASE="$RMQ/mnesia" RABBITMQ_LOG_BASE="$LOGS" RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ/enabled_plugins"
  RABBITMQ_CONFIG_FILE="$RMQ/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ/advanced.config"
  RABBITMQ_CONF_ENV_FILE="$RMQ/rabbitmq-env.conf" RABBITMQ_PID_FILE="$RMQ/rabbitmq.pid" ERL_CRASH_DUMP="$LOGS/erl_crash.dump"
  # Never let the VM or the CLI start an epmd of their own: ours is started (and stopped) below.
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false" RABBITMQ_CTL_ERL_ARGS="-start_epmd false")
RMQ_LOG=$LOGS/rabbitmq.log
rmq_running() { pid_alive "$RMQ/rabbitmq.pid" beam; }
# The AMQP 0-9-1 protocol header gets a Connection.Start method frame (frame type 1) back from a ready broker.
amqp_answers() {
  [[ $(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf "AMQP\0\0\11\1" >&3 && head -c1 <&3 | od -An -tu1' \
    "$AMQP_PORT" 2>/dev/null | tr -d ' ') == 1 ]]
}
rmq_ready() { rmq_running && amqp_answers; }

# Starts epmd (if ours is not running) and the broker in the background; rmq_wait waits for it.
rmq_launch() {
  RMQ_HOW="already running" RMQ_WRAPPER=""; rmq_running && return 0
  port_busy "$AMQP_PORT" && die "port $AMQP_PORT is already taken by another process; set COMANDA_AMQP_PORT"
  port_busy "$DIST_PORT" && die "distribution port $DIST_PORT is already taken; set COMANDA_AMQP_DIST_PORT"
  port_busy "$AMQP_HTTP_PORT" && die "management port $AMQP_HTTP_PORT is already taken; set COMANDA_AMQP_HTTP_PORT"
  port_busy "$AMQP_METRICS_PORT" && die "metrics port $AMQP_METRICS_PORT is already taken; set COMANDA_AMQP_METRICS_PORT"
  mkdir -p "$RMQ/home" "$RMQ/mnesia"
  [[ -s $RMQ/home/.erlang.cookie ]] ||   # private cookie: only our CLI calls can talk to this node
    od -An -tx1 -N20 /dev/urandom | tr -d ' \n' | tr a-f A-F >"$RMQ/home/.erlang.cookie"
  chmod 400 "$RMQ/home/.erlang.cookie"
  # The management HTTP API (dead letters: scripts/dlq.sh) and the Prometheus endpoint (queue depths for the alerts).
  echo '[rabbitmq_management,rabbitmq_prometheus].' >"$RMQ/enabled_plugins"
  : >"$RMQ/rabbitmq-env.conf"                        # keeps /etc/rabbitmq/rabbitmq-env.conf out
  # guest/guest may connect from loopback only (RabbitMQ's default loopback_users).
  printf '%s\n' 'default_user = guest' 'default_pass = guest' 'distribution.listener.interface = 127.0.0.1' \
    'log.console = false' "management.tcp.ip = 127.0.0.1" "management.tcp.port = $AMQP_HTTP_PORT" \
    "prometheus.tcp.ip = 127.0.0.1" "prometheus.tcp.port = $AMQP_METRICS_PORT" >"$RMQ/rabbitmq.conf"
  # Our own epmd, so that `down` can stop it (it outlives the broker). Reuse one that already serves the port.
  if ! pid_alive "$RMQ/epmd.pid" "epmd -port" && ! epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; then
    port_busy "$EPMD_PORT" && die "epmd port $EPMD_PORT is taken by something else; set COMANDA_EPMD_PORT"
    setsid epmd -port "$EPMD_PORT" -address 127.0.0.1 >>"$LOGS/epmd.log" 2>&1 </dev/null &
    echo $! >"$RMQ/epmd.pid"
    wait_until 5 epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 || die "epmd does not start on port $EPMD_PORT"
  fi
  rm -f "$RMQ/rabbitmq.pid"
  # Not the /usr/sbin wrapper (it switches user). The script stays as parent of the Erlang VM and forwards SIGTERM.
  env "${RMQ_ENV[@]}" setsid nohup "$RMQ_BIN/rabbitmq-server" >>"$RMQ_LOG" 2>&1 </dev/null &
  RMQ_WRAPPER=$! RMQ_HOW=started
}

rmq_wait() {
  local end=$((SECONDS + TIMEOUT))
  until rmq_ready; do
    if [[ -n $RMQ_WRAPPER ]] && pid_gone "$RMQ_WRAPPER"; then tail_log "$RMQ_LOG"; die "rabbitmq exited while starting"; fi
    ((SECONDS < end)) || { tail_log "$RMQ_LOG"; die "rabbitmq does not answer on port $AMQP_PORT"; }
    sleep 0.2
  done
  echo "rabbitmq  up    amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f ($RMQ_HOW)"
}

rmq_down() {
  if rmq_running; then
    local pid; pid=$(head -n1 "$RMQ/rabbitmq.pid")
    timeout "$TIMEOUT" env "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmqctl" stop >>"$RMQ_LOG" 2>&1 ||
      log "rabbitmqctl stop failed; killing pid $pid"
    wait_until "$TIMEOUT" pid_gone "$pid" || kill_pid "$pid" || die "rabbitmq (pid $pid) does not stop"
  fi
  if pid_alive "$RMQ/epmd.pid" "epmd -port"; then kill_pid "$(head -n1 "$RMQ/epmd.pid")" || die "epmd does not stop"; fi
  rm -f "$RMQ/rabbitmq.pid" "$RMQ/epmd.pid"
  echo "rabbitmq  down"
}

# ---------------------------------------------------------------- commands
components() {   # validates the arguments; none means all
  (($#)) || set -- "${ALL[@]}"
  local c; for c in "$@"; do [[ " ${ALL[*]} " == *" $c "* ]] || die "unknown component '$c' (${ALL[*]})"; done
  echo "$*"
}

# A failed `up` stops the broker it launched itself (it boots in the background while the others start), so
# that no RabbitMQ is left running behind an error; one that was already running is left alone.
rmq_abandon() {
  [[ -n ${RMQ_WRAPPER:-} ]] || return 0
  log "stopping the rabbitmq this run launched"
  kill -TERM -- -"$RMQ_WRAPPER" 2>/dev/null || true   # setsid: the wrapper script and the Erlang VM
  wait_until 15 pid_gone "$RMQ_WRAPPER" || kill -KILL -- -"$RMQ_WRAPPER" 2>/dev/null || true
  if pid_alive "$RMQ/epmd.pid" "epmd -port"; then kill_pid "$(head -n1 "$RMQ/epmd.pid")" || true; fi
  rm -f "$RMQ/rabbitmq.pid" "$RMQ/epmd.pid"
}

cmd_up() {
  local want; want=" $(components "$@") "
  # RabbitMQ takes seconds to boot: launch it first and set up the others meanwhile.
  if [[ $want == *" rabbitmq "* ]]; then
    rmq_launch
    trap 'rc=$?; ((rc == 0)) || rmq_abandon; exit "$rc"' EXIT
  fi
  [[ $want == *" postgres "* ]] && pg_up
  [[ $want == *" redis "* ]] && redis_up
  [[ $want == *" rabbitmq "* ]] && rmq_wait
  trap - EXIT
  return 0
}

cmd_down() {
  local want rmq_job=""; want=" $(components "$@") "
  [[ $want == *" rabbitmq "* ]] && { rmq_down & rmq_job=$!; }   # the slowest: in parallel
  [[ $want == *" postgres "* ]] && pg_down
  [[ $want == *" redis "* ]] && redis_down
  [[ -z $rmq_job ]] || wait "$rmq_job"
}

cmd_status() {
  pg_paths
  if pg_running && pg_ready; then echo "postgres  up    postgresql://127.0.0.1:$PG_PORT"; else echo "postgres  down"; fi
  if redis_running && redis_ready; then echo "redis     up    redis://127.0.0.1:$REDIS_PORT/0"; else echo "redis     down"; fi
  if rmq_ready; then echo "rabbitmq  up    amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f"; else echo "rabbitmq  down"; fi
}

cmd_env() {
  local s
  echo "export COMANDA_PG_PORT=$PG_PORT COMANDA_REDIS_PORT=$REDIS_PORT COMANDA_AMQP_PORT=$AMQP_PORT"
  for s in "${SERVICES[@]}"; do echo "export ${s^^}_DATABASE_URL=postgresql://$s:$s@127.0.0.1:$PG_PORT/$s"; done
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "export AMQP_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f"
  echo "export COMANDA_AMQP_HTTP_PORT=$AMQP_HTTP_PORT COMANDA_AMQP_METRICS_PORT=$AMQP_METRICS_PORT"
  echo "export RABBITMQ_API_URL=http://guest:guest@127.0.0.1:$AMQP_HTTP_PORT/api"
}

cmd_destroy() {
  [[ $STATE != / && $STATE != "$REPO" && $STATE != "$HOME" ]] || die "refusing to delete $STATE"
  cmd_down
  pg_paths
  [[ $PG_BASE != /var/tmp/comanda-pg-* ]] || rm -rf "$PG_BASE"
  rm -rf "$STATE"
  echo "destroyed $STATE"
}

usage() { sed -n '5,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cmd=${1:-}; (($#)) && shift
case $cmd in
  up|down|start|stop|destroy)
    # Commands that change state are serialized per state folder. The lock is held by flock(1) itself (-o), so the
    # servers started below do not inherit the lock file descriptor.
    if [[ ${COMANDA_STACK_LOCKED:-} != "$STATE" ]]; then
      mkdir -p "$STATE"; rc=0
      COMANDA_STACK_LOCKED=$STATE flock -o -E 75 -w $((4 * TIMEOUT)) "$STATE/.lock" \
        bash "${BASH_SOURCE[0]}" "$cmd" "$@" || rc=$?
      ((rc != 75)) || die "timed out waiting for another stack.sh on $STATE"
      exit "$rc"
    fi
    unset COMANDA_STACK_LOCKED; mkdir -p "$LOGS" ;;
esac
case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  start|stop) [[ $# == 1 ]] || die "usage: $0 $cmd postgres|redis|rabbitmq"
    if [[ $cmd == start ]]; then cmd_up "$1"; else cmd_down "$1"; fi ;;
  status) cmd_status ;;
  env) cmd_env ;;
  destroy) cmd_destroy ;;
  *) usage ;;
esac
