#!/usr/bin/env bash
# Each service's time from exec to its first /ready 200, and its idle RSS 2 s later, N runs per service.
#   bench/startup.sh [runs=5]   env: BIN (Release binaries, default build/release/bin)
# Starts its own PostgreSQL/Redis/RabbitMQ (.state/bench) and a users-service (for the JWK set of the others);
# each measured instance runs on port 25011-25014 (migrations already applied: the first run of a service on a
# fresh database applies them, and users-service's first run on a new key file generates the RSA key).
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-5}
((runs > 0 && runs <= 20)) || bench_die "runs 1..20"
bench_machine
bench_begin postgres redis rabbitmq
start_service users
wait_ready users

echo "| service | ready ms (runs 1..$runs) | idle RSS MiB |"
echo "|---|---|---|"
for name in users products orders notifications; do
  port=$((PORT_OF[$name] + 10))
  ready_ms=() rss=()
  for _ in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    # shellcheck disable=SC2046 # word splitting of KEY=VALUE pairs is intended
    env $(service_env "$name") PORT=$port LOG_LEVEL=warn "$(bin_of "$name")/$name-service" >> "$WORK/startup-$name.log" 2>&1 &
    pid=$!
    ok=0
    for _ in $(seq 1 3000); do   # bounded: about 3 s of 1 ms polls
      if curl -fs -o /dev/null "http://127.0.0.1:$port/ready"; then ok=1; break; fi
      sleep 0.001
    done
    ((ok)) || { kill -TERM $pid; wait $pid || true; bench_die "$name-service not ready within 3 s (log $WORK/startup-$name.log)"; }
    ready_ms+=($((($(date +%s%N) - start) / 1000000)))
    sleep 2
    rss+=("$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status)")
    kill -TERM $pid
    wait $pid || true
  done
  echo "| $name | ${ready_ms[*]} | ${rss[*]} |"
done
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
