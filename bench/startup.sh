#!/usr/bin/env bash
# Measures a service's time from exec to the first /ready 200 and its idle RSS, N runs.
#   bench/startup.sh [runs]   (needs the release build and scripts/stack.sh up postgres)
# Results are printed as a markdown table row; docs/benchmarks.md keeps them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
bin=build/release/bin/users-service
port=39101
key=$(mktemp -d)/jwt.pem
eval "$(bash scripts/stack.sh env)"
ready_ms=()
rss_kb=()
for _ in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  PORT=$port DATABASE_URL=$USERS_DATABASE_URL JWT_PRIVATE_KEY_FILE=$key LOG_LEVEL=warn "$bin" &
  pid=$!
  for _ in $(seq 1 2000); do   # bounded: 2000 polls of about 1 ms
    curl -fs -o /dev/null "http://127.0.0.1:$port/ready" && break
    sleep 0.001
  done
  ready_ms+=($(( ($(date +%s%N) - start) / 1000000 )))
  sleep 2   # idle
  rss_kb+=($(awk '/VmRSS/ {print $2}' /proc/$pid/status))
  kill -TERM $pid; wait $pid
done
echo "ready ms: ${ready_ms[*]}"
echo "idle RSS KiB: ${rss_kb[*]}"
