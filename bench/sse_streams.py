#!/usr/bin/python3
"""1,000 open GET /notifications/stream responses while staff move orders at a paced rate (bench/sse.sh runs it).

Streams: --staff-streams of them with the staff token (they get every order's moves), the rest spread evenly over
the customers (each gets its own orders' moves). Orders: created first (POST /orders), then moved
ACCEPTED -> PREPARING -> OUT_FOR_DELIVERY -> DELIVERED by PATCH at --rate transitions/s for --duration s (open
loop: transition i is due at start + i / rate; each order's moves are duration/4 s apart). Every event that
arrives on a stream is timed (wall clock) and matched with the transition's commit: the `created_at` of its
outbox row in orders' database (now() of the PATCH's transaction, so commit -> event is over-estimated by the
transaction's own few ms). Also RSS of notifications-service (--pid) with the streams open. Every wait is
bounded; loopback only. Prints one JSON object.
"""
import argparse
import asyncio
import http.client
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2

NEXT = {"CREATED": "ACCEPTED", "ACCEPTED": "PREPARING", "PREPARING": "OUT_FOR_DELIVERY",
        "OUT_FOR_DELIVERY": "DELIVERED"}
EVENT = re.compile(rb'event: status\ndata: .*?"orderId":"([0-9a-f-]{36})".*?"state":"([A-Z_]+)"')


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(p / 100.0 * len(values) + 0.999999) - 1))]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Streams:
    """Every stream on one asyncio loop (its own thread)."""

    def __init__(self, port):
        self.port = port
        self.ready = 0
        self.failed = 0
        self.arrivals = {}  # (orderId, state) -> [wall time per stream]
        self.loop = asyncio.new_event_loop()
        self.tasks = []

    async def _one(self, token):
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), 30)
            writer.write(f"GET /notifications/stream HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
                         "Accept: text/event-stream\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head[:60])
            while True:  # chunked: size line, data, CRLF; each chunk holds whole SSE frames
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    return
                data = await reader.readexactly(size + 2)
                now = time.time()
                if b"event: ready" in data:
                    self.ready += 1
                for match in EVENT.finditer(data):
                    self.arrivals.setdefault((match[1].decode(), match[2].decode()), []).append(now)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, RuntimeError, ValueError):
            self.failed += 1

    def start(self, tokens):
        def run():
            asyncio.set_event_loop(self.loop)
            self.tasks = [self.loop.create_task(self._one(t)) for t in tokens]
            self.loop.run_forever()
        threading.Thread(target=run, daemon=True).start()

    def stop(self):
        self.loop.call_soon_threadsafe(lambda: [t.cancel() for t in self.tasks])
        self.loop.call_soon_threadsafe(self.loop.stop)


class Client(threading.local):
    def __init__(self):
        self.conn = None


def call(local, port, method, path, token, body=None, headers=None):
    for attempt in range(2):
        if local.conn is None:
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            local.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                        **(headers or {})})
            response = local.conn.getresponse()
            return response.status, json.loads(response.read() or b"null")
        except (OSError, http.client.HTTPException):
            local.conn.close()
            local.conn = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notifications-port", type=int, required=True)
    parser.add_argument("--orders-port", type=int, required=True)
    parser.add_argument("--data", required=True)  # {"staff": token, "customers": [token], "products": [id]}
    parser.add_argument("--orders-db", required=True)
    parser.add_argument("--notifications-db", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--staff-streams", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--duration", type=float, default=20)
    args = parser.parse_args()
    assert 0 < args.rate <= 500 and 0 < args.duration <= 120 and 0 < args.streams <= 5000
    data = json.load(open(args.data))
    customers = data["customers"]
    rss_idle = rss_kib(args.pid)

    # The orders to move: one per 4 transitions.
    transitions = int(args.rate * args.duration)
    count = max(1, transitions // 4)
    local = Client()
    owner = {}

    def place(i):
        token = customers[i % len(customers)]
        status, order = call(local, args.orders_port, "POST", "/orders", token,
                             {"items": [{"productId": data["products"][i % len(data["products"])], "quantity": 1}],
                              "deliveryAddress": "Calle Bench 1", "notes": ""})
        assert status == 201, (status, order)
        owner[order["id"]] = i % len(customers)
        return order

    with ThreadPoolExecutor(8) as pool:
        orders = list(pool.map(place, range(count)))

    # The streams, and RSS once every one is open (60 s at most).
    staff = args.staff_streams
    tokens = [data["staff"]] * staff + [customers[i % len(customers)] for i in range(args.streams - staff)]
    streams_per_customer = [0] * len(customers)
    for i in range(args.streams - staff):
        streams_per_customer[i % len(customers)] += 1
    streams = Streams(args.notifications_port)
    opened_at = time.monotonic()
    streams.start(tokens)
    while streams.ready + streams.failed < args.streams and time.monotonic() - opened_at < 60:
        time.sleep(0.05)
    open_seconds = time.monotonic() - opened_at
    time.sleep(1)
    rss_open = rss_kib(args.pid)

    # Paced transitions: i is due at start + i / rate; order i % count, its (i // count)-th move.
    versions = {o["id"]: (o["version"], o["status"]) for o in orders}
    errors = []
    lateness = []
    start = time.monotonic() + 0.5
    since = time.time()

    def move(i):
        due = start + i / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        lateness.append(time.monotonic() - due)
        order_id = orders[i % count]["id"]
        version, state = versions[order_id]
        status, body = call(local, args.orders_port, "PATCH", f"/orders/{order_id}", data["staff"],
                            {"status": NEXT[state]}, {"If-Match": str(version)})
        if status != 200:
            errors.append(status)
            return
        versions[order_id] = (body["version"], body["status"])

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(move, range(transitions)))
    load_seconds = time.monotonic() - start
    rss_load = rss_kib(args.pid)

    # Every move's events: staff streams + the owner's streams; wait 10 s at most for the last ones.
    db = psycopg2.connect(args.orders_db)
    with db.cursor() as cursor:
        cursor.execute("SELECT aggregate_id::text, payload::json->'data'->>'to', extract(epoch FROM created_at) "
                       "FROM outbox WHERE event_type = 'OrderStatusChanged' AND created_at >= to_timestamp(%s)",
                       (since - 1,))
        committed = {(row[0], row[1]): float(row[2]) for row in cursor.fetchall() if row[0] in owner}
    expected = {key: staff + streams_per_customer[owner[key[0]]] for key in committed}
    # Where the time goes: commit -> the stream_events row stored (outbox relay, broker, consumer, trigger).
    notes = psycopg2.connect(args.notifications_db)
    with notes.cursor() as cursor:
        cursor.execute("SELECT order_id::text, state, extract(epoch FROM created_at) FROM stream_events "
                       "WHERE kind = 'status' AND created_at >= to_timestamp(%s)", (since - 1,))
        stored = {(row[0], row[1]): float(row[2]) for row in cursor.fetchall()}
    stored_ms = [(stored[key] - committed[key]) * 1000 for key in committed if key in stored]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sum(len(streams.arrivals.get(k, [])) for k in expected) < sum(
            expected.values()):
        time.sleep(0.1)
    rss_end = rss_kib(args.pid)
    streams.stop()
    time.sleep(0.2)
    latencies = [(t - committed[key]) * 1000 for key in committed for t in streams.arrivals.get(key, [])]
    print(json.dumps({
        "streams": args.streams, "staff_streams": staff, "streams_ready": streams.ready,
        "streams_failed": streams.failed, "open_seconds": round(open_seconds, 2),
        "transitions": transitions, "committed": len(committed), "patch_errors": len(errors),
        "achieved_rate": round(transitions / load_seconds, 1),
        "schedule_lateness_p99_ms": round(percentile(lateness, 99) * 1000, 1),
        "deliveries_expected": sum(expected.values()), "deliveries": len(latencies),
        "latency_ms": {"p50": round(percentile(latencies, 50), 1), "p99": round(percentile(latencies, 99), 1),
                       "max": round(max(latencies), 1)} if latencies else None,
        "commit_to_stored_ms": {"p50": round(percentile(stored_ms, 50), 1),
                                "p99": round(percentile(stored_ms, 99), 1)} if stored_ms else None,
        "rss_mib": {"before_streams": round(rss_idle / 1024, 1), "streams_open": round(rss_open / 1024, 1),
                    "after_load": round(rss_load / 1024, 1), "end": round(rss_end / 1024, 1)},
    }))


if __name__ == "__main__":
    main()
