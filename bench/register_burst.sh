#!/usr/bin/env bash
# users-service's peak RSS while N accounts register at once (every request sent together, one connection each),
# sampled every 50 ms, with the answers' statuses and the time until the last one.
#   bench/register_burst.sh [accounts=1000]
#   env: BIN, LOG_LEVEL [warn], USERS_ENV (extra KEY=VALUE words for users-service, e.g. PASSWORD_HASH_CONCURRENCY=4)
# Target (issue 19): peak RSS under 64 MiB for 1,000 accounts. Loopback only; N is bounded, each request 120 s.
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
accounts=${1:-1000}
((accounts > 0 && accounts <= 2000)) || bench_die "accounts 1..2000"

bench_machine
bench_begin postgres
# shellcheck disable=SC2086 # USERS_ENV holds KEY=VALUE words
start_service users ${USERS_ENV:-}
wait_ready users
idle=$(rss_kib "${PID_OF[users]}")
(
  end=$((SECONDS + 300))
  while ((SECONDS < end)); do rss_kib "${PID_OF[users]}"; sleep 0.05; done
) > "$WORK/rss" &
sampler=$!
ulimit -n 8192
tag=$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')   # this run's accounts (the bench database outlives runs)
/usr/bin/python3 - "${PORT_OF[users]}" "$accounts" "$tag" > "$WORK/burst.json" <<'EOF'
import asyncio, json, sys, time
port, n, tag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

async def one(i):
    body = json.dumps({"email": f"burst-{i}-{tag}@example.com", "password": f"burst-password-{i}",
                       "name": f"Burst {i}"}).encode()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 120)
        writer.close()
        return line.split()[1].decode() if line else "closed"
    except (OSError, asyncio.TimeoutError) as e:
        return type(e).__name__

async def main():
    start = time.monotonic()
    statuses = await asyncio.gather(*(one(i) for i in range(n)))
    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    print(json.dumps({"accounts": n, "statuses": counts, "seconds": round(time.monotonic() - start, 1)}))

asyncio.run(main())
EOF
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
peak=$(sort -n "$WORK/rss" | tail -n1)
stored=$(psql_as users -Atc "SELECT count(*) FROM users WHERE email LIKE 'burst-%-$tag@example.com'")
echo "| accounts at once | answers | seconds | accounts stored | idle RSS MiB | peak RSS MiB (target < 64) | users env |"
echo "|---|---|---|---|---|---|---|"
echo "| $accounts | $(jq -c .statuses "$WORK/burst.json") | $(jq .seconds "$WORK/burst.json") | $stored |" \
  "$(awk -v k="$idle" 'BEGIN {printf "%.1f", k / 1024}') | $(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}') |" \
  "${USERS_ENV:-defaults} |"
