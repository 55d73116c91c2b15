#!/usr/bin/env bash
# POST /login requests per second against the argon2id verifications per second this machine does with the
# same parameters (read from services/users/src/passwords.cpp), alternating, in one run.
#   bench/login.sh [runs=3] [duration_s=8] [connections=8]
#   env: BIN, LOG_LEVEL [warn], USERS_ENV (extra KEY=VALUE words for users-service), HASH_THREADS [nproc]
# Needs wrk, g++ and libsodium-dev (the reference is a small C++ program, bench/src/argon2_rate.cpp).
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${1:-3}
duration=${2:-8}
connections=${3:-8}
hash_threads=${HASH_THREADS:-$(nproc)}
((runs > 0 && runs <= 10 && duration > 0 && duration <= 60 && connections > 0 && connections <= 128)) ||
  bench_die "runs 1..10, duration 1..60 s, connections 1..128"

ops=$(sed -n 's/.*kOpsLimit = \([0-9]*\);.*/\1/p' services/users/src/passwords.cpp)
mem_mib=$(sed -n 's/.*kMemLimit = \([0-9]*\)ULL \* 1024 \* 1024;.*/\1/p' services/users/src/passwords.cpp)
[[ -n $ops && -n $mem_mib ]] || bench_die "could not read kOpsLimit/kMemLimit from services/users/src/passwords.cpp"
g++ -std=c++20 -O2 -o "$WORK/argon2_rate" bench/src/argon2_rate.cpp -lsodium -pthread

bench_machine
bench_begin postgres
# shellcheck disable=SC2086 # USERS_ENV holds KEY=VALUE words
start_service users ${USERS_ENV:-}
wait_ready users
# As many customers as connections: the login throttle counts the attempts in flight on one account,
# so one account under -c8 gets 429s that would be counted as fast answers.
make_customers "$connections"
# make_customers gives customer i the password bench-password-i.
mapfile -t credentials < <(awk '{print $1; print "bench-password-" NR}' "$WORK/customers")

echo "POST /login ($connections real customers taking turns, wrk -t1 -c$connections -d${duration}s) vs argon2id verify with" \
  "opslimit=$ops memlimit=${mem_mib} MiB on $hash_threads threads (libsodium, bench/src/argon2_rate.cpp)"
echo "| run | login req/s | p50 | p99 | errors | argon2id verifications/s | ratio (target >= 0.8) |"
echo "|---|---|---|---|---|---|---|"
for run in $(seq 1 "$runs"); do
  wrk -t1 -c"$connections" -d"${duration}s" --latency -s bench/lua/login.lua \
    "http://127.0.0.1:${PORT_OF[users]}/login" -- "${credentials[@]}" > "$WORK/wrk.out"
  read -r rps p50 p99 errors < <(wrk_summary "$WORK/wrk.out")
  hashes=$("$WORK/argon2_rate" "$ops" $((mem_mib * 1024 * 1024)) "$hash_threads" "$duration")
  echo "| $run | $rps | $p50 | $p99 | $errors | $hashes | $(awk -v a="$rps" -v b="$hashes" 'BEGIN {printf "%.2f", a / b}') |"
done
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
