#!/usr/bin/python3
"""Open-loop, paced POST /orders load (what wrk2 would do; wrk2 is not in Debian).

Request i is due at start + i / rate whatever happened to the earlier ones: it goes out on an idle keep-alive
connection, or on a new one when all are busy (up to --max-connections; past that it waits for one). Its latency
is measured from the time it was DUE, not from when it was sent, so a stall shows up in the numbers instead of
thinning the load (no coordinated omission). Prints one JSON object with the summary.

  paced_orders.py --port 25003 --rate 200 --duration 20 --data data.json
  paced_orders.py --port 21301,21302 ...   several replicas: request i goes to port i mod n (round robin)
  data.json: {"tokens": [...], "products": [...], "run": "tag"}
"""
import argparse
import asyncio
import json
import random
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


class Connections:
    def __init__(self, port, limit):
        self.port = port
        self.idle = []
        self.opened = 0
        self.limit = asyncio.Semaphore(limit)

    async def acquire(self):
        await self.limit.acquire()
        if self.idle:
            return self.idle.pop()
        self.opened += 1
        return await asyncio.open_connection("127.0.0.1", self.port)

    def release(self, conn, reusable):
        if reusable:
            self.idle.append(conn)
        else:
            conn[1].close()
        self.limit.release()


async def exchange(conn, request):
    reader, writer = conn
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, keep_alive = 0, True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            keep_alive = False
    if length:
        await reader.readexactly(length)
    return status, keep_alive


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", required=True, help="a port, or several separated by commas (round robin)")
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    assert 0 < args.rate <= 2000 and 0 < args.duration <= 300, "rate 1..2000/s, duration 1..300 s"
    data = json.load(open(args.data))
    tokens, products, run = data["tokens"], data["products"], data["run"]
    rng = random.Random(run)
    ports = [int(p) for p in args.port.split(",")]
    pools = [Connections(port, max(1, args.max_connections // len(ports))) for port in ports]
    latencies, statuses, lags = [], {}, []
    total = int(args.rate * args.duration)

    def build(i):
        lines = rng.sample(products, rng.randint(1, 3))
        body = json.dumps({"items": [{"productId": p, "quantity": rng.randint(1, 3)} for p in lines],
                           "deliveryAddress": "1 Benchmark Street, Testville"}).encode()
        head = (f"POST /orders HTTP/1.1\r\nHost: 127.0.0.1:{ports[i % len(ports)]}\r\n"
                f"Authorization: Bearer {tokens[i % len(tokens)]}\r\nIdempotency-Key: paced-{run}-{i}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        return head + body

    async def one(i, due, request):
        pool = pools[i % len(pools)]
        conn = await pool.acquire()
        reusable = False
        try:
            status, reusable = await asyncio.wait_for(exchange(conn, request), args.timeout)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
            status = type(e).__name__
        finally:
            pool.release(conn, reusable)
        latencies.append(time.monotonic() - due)
        statuses[str(status)] = statuses.get(str(status), 0) + 1

    loop_start = time.monotonic() + 0.1
    tasks = []
    for i in range(total):
        due = loop_start + i / args.rate
        request = build(i)   # built before its due time
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append(time.monotonic() - due)
        tasks.append(asyncio.ensure_future(one(i, due, request)))
    last_sent = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - loop_start
    latencies.sort()
    lags.sort()
    ms = lambda v: None if v is None else round(v * 1000, 2)
    print(json.dumps({
        "requests": total, "statuses": statuses, "elapsed_s": round(elapsed, 2),
        "dispatch_rate": round(total / (last_sent - loop_start + 1 / args.rate), 1),
        "latency_ms": {"p50": ms(percentile(latencies, 50)), "p90": ms(percentile(latencies, 90)),
                       "p99": ms(percentile(latencies, 99)), "max": ms(latencies[-1])},
        "send_lag_ms": {"p99": ms(percentile(lags, 99)), "max": ms(lags[-1])},
        "connections_opened": sum(pool.opened for pool in pools),
    }))


if __name__ == "__main__":
    asyncio.run(main())
