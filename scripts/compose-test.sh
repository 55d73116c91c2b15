#!/usr/bin/env bash
# The compose end-to-end test, runnable on a machine with no registry and no running Docker engine
# (CI does exactly this; ../shared/containers.md in the project notes explains why each step is needed):
#   1. installs docker.io, docker-compose and debootstrap (Debian packages) when missing;
#   2. starts a private dockerd (state under $COMANDA_DOCKER_DIR, its own socket and bridge addresses);
#   3. builds a debian:bookworm base image with debootstrap (cached as a tarball);
#   4. builds stand-ins for postgres:15, redis:7 and rabbitmq:3 from tests/compose/standins/ (tests only: the
#      compose file names the official images, which a machine with a registry pulls);
#   5. docker-compose build + up with two replicas of orders-service and notifications-service, waits until
#      every container is healthy, checks the networks (only the gateway on the front network and published;
#      everything else on the internal back network), runs the Postman collection (scripts/postman.sh)
#      against the published gateway port and checks the notifications-service log, places orders through
#      the scaled stack and checks each was placed and notified exactly once (tests/compose/scaled_orders.py),
#      then re-creates products-service and checks that the gateway follows its new address, and last runs a
#      copy of each image as deploy/k8s runs it (read-only root filesystem, non-root, no capabilities);
#   6. always (trap EXIT): docker-compose down -v and stops the dockerd it started.
#
#   scripts/compose-test.sh           the whole sequence
#   scripts/compose-test.sh --keep    leave the stack and dockerd running afterwards (development)
#   scripts/compose-test.sh --down    stop what --keep or --prepare left running
#   scripts/compose-test.sh --install    only install docker.io, docker-compose and debootstrap
#   scripts/compose-test.sh --prepare    only steps 1-4 and the image builds, leaving dockerd running: scripts/test.sh
#                                        runs it in the background at nice 19 while the other tests run, and the
#                                        test itself then finds the images in the layer cache
# Environment [defaults]:
#   COMANDA_DOCKER_DIR [<repo>/.state/docker]  engine state, socket, cached base rootfs
#   COMANDA_COMPOSE_PROJECT [comanda-e2e]      docker-compose project name
#   COMANDA_GATEWAY_PORT [18080]               gateway port published on 127.0.0.1 (below the ephemeral range)
#   COMANDA_REBUILD_BASE=1                     rebuild the base image and the stand-ins even if cached
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
W=$(realpath -m "${COMANDA_DOCKER_DIR:-$ROOT/.state/docker}")
PROJECT=${COMANDA_COMPOSE_PROJECT:-comanda-e2e}
export COMANDA_GATEWAY_PORT=${COMANDA_GATEWAY_PORT:-18080}
export DOCKER_HOST=unix://$W/docker.sock
DOCKER=/usr/bin/docker   # Debian's CLI, matching Debian's engine (another docker may come first on PATH)
KEEP=0
ADDRESS_TAKER=$PROJECT-address-taker   # see check_recreated_upstream
RESTRICTED=$PROJECT-restricted         # see check_restricted

log() { printf '%s compose-test: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
compose() { docker-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"; }

# ---------------------------------------------------------------- engine
dockerd_pid() { local p; p=$(cat "$W/dockerd.pid" 2>/dev/null) && [[ -e /proc/$p ]] && echo "$p"; }

install_packages() {
  local pkgs=() p
  for p in docker.io docker-compose debootstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || pkgs+=("$p")
  done
  if ((${#pkgs[@]})); then
    log "installing ${pkgs[*]}"
    local sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
}

start_engine() {
  install_packages
  [[ $(id -u) == 0 ]] || die "dockerd needs root"
  mkdir -p "$W"
  if dockerd_pid >/dev/null && $DOCKER version >/dev/null 2>&1; then
    log "dockerd already running (pid $(dockerd_pid))"
    return 0
  fi
  cat >"$W/daemon.json" <<JSON
{ "data-root": "$W/data", "exec-root": "$W/exec", "pidfile": "$W/dockerd.pid",
  "hosts": ["unix://$W/docker.sock"], "storage-driver": "overlay2",
  "bip": "10.213.0.1/24", "default-address-pools": [{"base": "10.214.0.0/16", "size": 24}] }
JSON
  log "starting dockerd (log: $W/dockerd.log)"
  setsid dockerd --config-file "$W/daemon.json" >>"$W/dockerd.log" 2>&1 </dev/null &
  local i
  for i in $(seq 1 300); do
    curl -fs --unix-socket "$W/docker.sock" http://localhost/_ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail -n 20 "$W/dockerd.log" >&2
  die "dockerd did not answer within 30 s"
}

# Docker (the cgroupfs driver on cgroup v1, as here) runs every container, build steps included, in the cpu cgroup
# "docker", beside the host's processes: nice does not reach them. --prepare builds the images while the other
# tests run, so it sets that cgroup's cpu.idle (SCHED_IDLE: only CPU nothing else wants); the test itself sets it
# back. Where the file does not exist, nothing is changed.
containers_cpu_idle() {   # 1 | 0
  local group=/sys/fs/cgroup/cpu/docker
  [[ -d ${group%/docker} ]] && mkdir -p "$group" 2>/dev/null || return 0
  if [[ -w $group/cpu.idle ]]; then echo "$1" >"$group/cpu.idle"; log "containers' cpu.idle: $1"; fi
}

stop_engine() {
  local pid; pid=$(dockerd_pid) || return 0
  log "stopping dockerd (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do [[ -e /proc/$pid ]] || return 0; sleep 0.1; done
  log "dockerd ignores SIGTERM; sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- images without a registry
# debian:bookworm from debootstrap; the rootfs tarball is cached so a new engine state imports it in seconds.
base_image() {
  if [[ ${COMANDA_REBUILD_BASE:-0} != 1 ]] && $DOCKER image inspect debian:bookworm >/dev/null 2>&1; then
    log "debian:bookworm present"; return 0
  fi
  local tarball=$W/base/bookworm-rootfs.tar
  if [[ ${COMANDA_REBUILD_BASE:-0} == 1 || ! -s $tarball ]]; then
    local rootfs=$W/base/rootfs
    rm -rf "$rootfs" "$tarball"; mkdir -p "$rootfs"
    log "debootstrap bookworm (about a minute)"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$W/base/debootstrap.log" 2>&1 ||
      { tail -n 20 "$W/base/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
APT
    printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"; chmod 755 "$rootfs/usr/sbin/policy-rc.d"
    tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  log "importing debian:bookworm"
  $DOCKER import -c 'CMD ["bash"]' "$tarball" debian:bookworm >/dev/null
}

# Stand-ins tagged with the official names. docker build's layer cache makes a rerun take seconds.
standin_images() {
  local name tag
  for name in postgres:15 redis:7 rabbitmq:3; do
    tag=${name%%:*}
    log "building stand-in $name"
    $DOCKER build -q -t "$name" "$ROOT/tests/compose/standins/$tag" >/dev/null
  done
}

# ---------------------------------------------------------------- the stack and the test
SERVICES=(postgres redis rabbitmq users-service products-service orders-service notifications-service gateway)
declare -A REPLICAS=([orders-service]=2 [notifications-service]=2)   # docker-compose up --scale
SCALE=()
for s in "${!REPLICAS[@]}"; do SCALE+=(--scale "$s=${REPLICAS[$s]}"); done
SCALED_ORDERS=20
T0=$SECONDS
phase() { log "$1 ($((SECONDS - T0)) s so far)"; }

diagnose() {
  log "container states:"; compose ps >&2 || true
  local s
  for s in "${SERVICES[@]}"; do
    echo "----- last log lines of $s" >&2
    compose logs --no-color --tail 25 "$s" >&2 2>/dev/null || true
  done
}

# wait_healthy SECONDS: every container of the project reports healthy (REPLICAS of the scaled services).
wait_healthy() {
  local end=$((SECONDS + $1)) s id ids state bad
  while :; do
    bad=""
    for s in "${SERVICES[@]}"; do
      mapfile -t ids < <(compose ps -q "$s" 2>/dev/null)
      ((${#ids[@]} == ${REPLICAS[$s]:-1})) || { bad+=" $s:${#ids[@]}-of-${REPLICAS[$s]:-1}-containers"; continue; }
      for id in "${ids[@]}"; do
        state=$($DOCKER inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null)
        [[ $state == healthy ]] || bad+=" $s:${state:-missing}"
      done
    done
    [[ -z $bad ]] && return 0
    ((SECONDS < end)) || { log "not healthy after $1 s:$bad"; return 1; }
    sleep 1
  done
}

# What the images promise: no process of ours runs as root, and only the gateway is published (on loopback).
# The networks: the gateway on front and back; every other container on back only, which is internal.
check_containers() {
  local s uid ports id networks want
  for s in users-service products-service orders-service notifications-service gateway; do
    uid=$(compose exec -T "$s" id -u | tr -d '\r')
    [[ $uid =~ ^[0-9]+$ && $uid != 0 ]] || die "$s runs as uid '${uid}', not as a non-root user"
  done
  for s in "${SERVICES[@]}"; do
    want="${PROJECT}_back"; [[ $s == gateway ]] && want="${PROJECT}_back ${PROJECT}_front"
    for id in $(compose ps -q "$s"); do
      networks=$($DOCKER inspect -f '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' "$id")
      [[ $(tr ' ' '\n' <<<"$networks" | grep . | sort | paste -sd' ') == "$want" ]] ||
        die "$s is on the networks '$networks', not '$want'"
    done
  done
  [[ $($DOCKER network inspect -f '{{.Internal}}' "${PROJECT}_back") == true ]] || die "${PROJECT}_back is not internal"
  [[ $($DOCKER network inspect -f '{{.Internal}}' "${PROJECT}_front") == false ]] || die "${PROJECT}_front is internal"
  ports=$($DOCKER ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Ports}}' | grep -- '->' || true)
  [[ $ports == *gateway*" 127.0.0.1:$COMANDA_GATEWAY_PORT->8080/tcp" && $(grep -c . <<<"$ports") == 1 ]] ||
    die "only the gateway should be published, on 127.0.0.1:$COMANDA_GATEWAY_PORT; published: ${ports:-nothing}"
  log "every service runs as a non-root user; only the gateway is published ($ports); only it is on the front network"
}

# The scaled services: orders placed through the gateway land on both orders-service replicas, and each is
# placed once and notified once (by one of the two notifications-service replicas).
check_scaled() {
  local ids=$W/scaled-order-ids.txt dir=$W/scaled-logs s id files=()
  /usr/bin/python3 tests/compose/scaled_orders.py place "http://127.0.0.1:$COMANDA_GATEWAY_PORT" "$SCALED_ORDERS" "$ids" ||
    { diagnose; die "the scaled stack did not place and notify every order exactly once"; }
  rm -rf "$dir"; mkdir -p "$dir"
  for s in orders-service -- notifications-service; do
    [[ $s == -- ]] && { files+=(--); continue; }
    for id in $(compose ps -q "$s"); do
      $DOCKER logs "$id" >"$dir/$s-$id.log" 2>&1
      files+=("$dir/$s-$id.log")
    done
  done
  /usr/bin/python3 tests/compose/scaled_orders.py logs "$ids" "${files[@]}" || die "the replicas' logs disagree"
}

container_address() { $DOCKER inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(compose ps -q "$1")"; }

# A service container re-created with a new address (an image update, say) is reached through the gateway again
# within seconds, without restarting the gateway: its entrypoint resolves the names again and reloads nginx.
# Docker gives a new container the lowest free address, often the old one again; a container started in between
# takes it (as when several are re-created at once), so the check starts one, holding the address meanwhile.
check_recreated_upstream() {
  local service=products-service path=/api/products network before after started code="" t
  network=$($DOCKER inspect -f '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}' "$(compose ps -q "$service")")
  started=$($DOCKER inspect -f '{{.State.StartedAt}}' "$(compose ps -q gateway)")
  before=$(container_address "$service")
  { compose rm -sf "$service" && $DOCKER run -d --rm --name "$ADDRESS_TAKER" --network "$network" debian:bookworm sleep 600 &&
    compose up -d --no-deps "$service"; } >"$W/recreate.log" 2>&1 ||
    { cat "$W/recreate.log" >&2; die "re-creating $service failed"; }
  after=$(container_address "$service")
  [[ -n $after && $after != "$before" ]] || die "re-created $service kept the address '$before': nothing to check"
  wait_healthy 60 || { diagnose; die "the stack is not healthy after $service was re-created"; }
  t=$SECONDS
  until [[ $code == 200 ]]; do
    ((SECONDS - t < 30)) || { diagnose; die "GET $path through the gateway still answers $code 30 s after $service moved from $before to $after"; }
    sleep 0.5
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$COMANDA_GATEWAY_PORT$path" || true)
  done
  [[ $($DOCKER inspect -f '{{.State.StartedAt}}' "$(compose ps -q gateway)") == "$started" ]] ||
    die "the gateway container was restarted; the check is that it follows the new address by itself"
  # Into a file, not `| grep -q`: grep's early exit would kill `compose logs` with SIGPIPE and, under pipefail,
  # fail the check exactly when the line is there (the gateway's log is longer than a pipe's buffer).
  compose logs --no-color gateway >"$W/gateway.log" 2>&1 || die "docker-compose logs gateway failed"
  grep -q 'upstream addresses changed: reloading' "$W/gateway.log" ||
    { tail -n 20 "$W/gateway.log" >&2; die "the gateway answered 200 but never logged its reload"; }
  $DOCKER rm -f "$ADDRESS_TAKER" >/dev/null
  log "$service re-created ($before -> $after): GET $path through the same gateway answers 200 within $((SECONDS - t)) s"
}

# The images as deploy/k8s runs them: read-only root filesystem, the image's user (10001), every capability
# dropped, no privilege escalation; writable only /tmp (and the gateway's run folder, as the emptyDirs are), the
# users-service key mounted read-only (as the Secret is). A copy of each, with the running container's
# environment, must become ready (the gateway: serve /api/products) and exit 0 on its stop signal.
check_restricted() {
  local s id ids env extra names=() name port path code t
  for s in users-service products-service orders-service notifications-service gateway; do
    mapfile -t ids < <(compose ps -q "$s")   # not `| head`: its early exit would fail the pipeline (SIGPIPE)
    id=${ids[0]}
    mapfile -t env < <($DOCKER inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$id" | grep . | sed 's/^/--env=/')
    extra=()
    [[ $s == users-service ]] && extra=(-v "${PROJECT}_users-keys:/var/lib/comanda/keys:ro")
    [[ $s == gateway ]] && extra=(--tmpfs "/var/lib/comanda/nginx:uid=10001,gid=10001")
    name=$RESTRICTED-$s
    $DOCKER run -d --name "$name" --network "${PROJECT}_back" --read-only --tmpfs /tmp --user 10001:10001 \
      --cap-drop ALL --security-opt no-new-privileges "${env[@]}" "${extra[@]}" \
      "$($DOCKER inspect -f '{{.Config.Image}}' "$id")" >/dev/null || die "could not start a restricted $s"
    names+=("$name")
  done
  for name in "${names[@]}"; do
    s=${name#"$RESTRICTED-"}
    port=$($DOCKER inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$name" | sed -n 's/^\(PORT\|GATEWAY_LISTEN\)=//p')
    path=/ready; [[ $s == gateway ]] && path=/api/products
    t=$SECONDS code=""
    until [[ $code == 200 ]]; do
      ((SECONDS - t < 60)) || { $DOCKER logs --tail 30 "$name" >&2; die "$s with a read-only root filesystem: GET $path still $code after 60 s"; }
      sleep 0.5
      code=$($DOCKER exec "$name" curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$port$path" || true)
    done
  done
  for name in "${names[@]}"; do
    $DOCKER stop -t 20 "$name" >/dev/null
    code=$($DOCKER inspect -f '{{.State.ExitCode}}' "$name")
    [[ $code == 0 ]] || { $DOCKER logs --tail 30 "$name" >&2; die "${name#"$RESTRICTED-"} exited $code on its stop signal"; }
    $DOCKER rm "$name" >/dev/null
  done
  log "each image runs read-only, as user 10001, without capabilities: ready, and exits 0 when stopped"
}

cleanup() {
  local rc=$? s
  if ((KEEP)) && ((rc == 0)); then
    log "stack left running: http://127.0.0.1:$COMANDA_GATEWAY_PORT (stop it with: $0 --down)"
    return
  fi
  if [[ -S $W/docker.sock ]] && dockerd_pid >/dev/null; then
    $DOCKER rm -f "$ADDRESS_TAKER" >/dev/null 2>&1 || true   # not compose's: it would keep the network
    for s in users-service products-service orders-service notifications-service gateway; do
      $DOCKER rm -f "$RESTRICTED-$s" >/dev/null 2>&1 || true
    done
    log "docker-compose down -v"
    compose down -v --remove-orphans >/dev/null 2>&1 || log "warning: docker-compose down failed"
  fi
  stop_engine
  if ((rc == 0)); then log "PASSED in $((SECONDS - T0)) s"; else log "FAILED (exit $rc) after $((SECONDS - T0)) s"; fi
}

# The base image, the stand-ins and the stack's images (a rerun with nothing changed takes seconds: layer cache).
build_images() {
  phase "base image"; base_image
  compose config -q
  # The compile is CPU-bound, the stand-ins and the gateway image are mostly downloads: build them meanwhile.
  phase "building the images (logs: $W/build.log, $W/build-side.log)"
  local side rc=0
  { standin_images && compose build gateway; } >"$W/build-side.log" 2>&1 &
  side=$!
  compose build users-service products-service orders-service notifications-service >"$W/build.log" 2>&1 || rc=$?
  wait "$side" || { tail -n 40 "$W/build-side.log" >&2; die "building the stand-ins or the gateway failed"; }
  ((rc == 0)) || { tail -n 40 "$W/build.log" >&2; die "docker-compose build failed"; }
}

main() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_engine
  containers_cpu_idle 0
  build_images
  phase "starting the stack"
  compose down -v --remove-orphans >/dev/null 2>&1 || true   # whatever an interrupted run left
  if ! timeout 300 docker-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" up -d "${SCALE[@]}" >"$W/up.log" 2>&1; then
    cat "$W/up.log" >&2; diagnose; die "docker-compose up failed"
  fi
  wait_healthy 120 || { diagnose; die "the stack did not become healthy"; }
  check_containers
  phase "stack healthy; running the Postman collection against http://127.0.0.1:$COMANDA_GATEWAY_PORT"

  # The seed flow on a fresh stack: the first catalog read must be a MISS.
  local envfile=$W/e2e-environment.json
  rm -f "$envfile"
  if ! bash scripts/postman.sh "http://127.0.0.1:$COMANDA_GATEWAY_PORT" --env-var expectColdCache=true \
      --export-environment "$envfile"; then
    diagnose; die "the Postman collection failed"
  fi

  # The notification's line in the notifications-service log (docker-compose logs), for this very order.
  local order user line
  order=$(/usr/bin/python3 -c 'import json,sys; v={x["key"]: x["value"] for x in json.load(open(sys.argv[1]))["values"]}; print(v["orderId"])' "$envfile")
  user=$(/usr/bin/python3 -c 'import json,sys; v={x["key"]: x["value"] for x in json.load(open(sys.argv[1]))["values"]}; print(v["userName"])' "$envfile")
  [[ $order =~ ^[0-9a-f-]{36}$ ]] || die "no order id in $envfile"
  line=$(compose logs --no-color notifications-service | grep -F "$order" | grep -F "📩 Pedido confirmado para el usuario $user" || true)
  if [[ -z $line ]]; then
    compose logs --no-color --tail 40 notifications-service >&2
    die "no '📩 Pedido confirmado para el usuario $user' line for order $order in the notifications-service log"
  fi
  [[ $(grep -c . <<<"$line") == 1 ]] || die "more than one 📩 line for order $order:"$'\n'"$line"
  log "notifications-service log: ${line#*| }"
  phase "placing $SCALED_ORDERS orders through the scaled stack"
  check_scaled
  check_recreated_upstream
  phase "the images as Kubernetes runs them"
  check_restricted
  phase "compose end-to-end test passed"
}

case ${1:-} in
  "") main ;;
  --keep) KEEP=1; main ;;
  --install) install_packages ;;
  --prepare) trap 'rc=$?; ((rc == 0)) || stop_engine' EXIT
    start_engine; containers_cpu_idle 1; build_images; phase "images built; dockerd left running for the test" ;;
  --down) trap 'stop_engine' EXIT
    if dockerd_pid >/dev/null; then compose down -v --remove-orphans; fi ;;
  *) sed -n '2,29p' "$0" >&2; exit 2 ;;
esac
