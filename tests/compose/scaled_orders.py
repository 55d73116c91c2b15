"""The scaled compose stack places and notifies each order exactly once (scripts/compose-test.sh).

  scaled_orders.py place BASE_URL COUNT IDS_FILE
      signs up, places COUNT orders through the gateway (each with its own Idempotency-Key, every fifth one
      sent twice: the repeat may reach the other orders-service replica and must return the same order),
      checks GET /api/orders lists each exactly once, waits (bounded) until GET /api/notifications has one
      notification per order, and writes the order ids to IDS_FILE.
  scaled_orders.py logs IDS_FILE ORDERS_LOG... -- NOTIFICATIONS_LOG...
      one container's log per file: each order was placed by exactly one orders-service replica ("order
      placed") and printed by exactly one notifications-service replica (the 📩 line); every orders-service
      replica placed some (the gateway balances over both).
"""
from __future__ import annotations

import collections
import sys
import time
import uuid

import requests

TIMEOUT = 10


def fail(message: str) -> None:
    print(f"scaled_orders: {message}", file=sys.stderr)
    sys.exit(1)


def place(base: str, count: int, ids_file: str) -> None:
    http = requests.Session()
    email = f"scaled-{uuid.uuid4().hex[:12]}@example.com"
    r = http.post(f"{base}/api/register", json={"email": email, "password": "correct-horse", "name": "Scaled Test"},
                  timeout=TIMEOUT)
    r.status_code == 201 or fail(f"register: {r.status_code} {r.text}")
    r = http.post(f"{base}/api/login", json={"email": email, "password": "correct-horse"}, timeout=TIMEOUT)
    r.status_code == 200 or fail(f"login: {r.status_code} {r.text}")
    auth = {"Authorization": f"Bearer {r.json()['accessToken']}"}
    products = [p for p in http.get(f"{base}/api/products", timeout=TIMEOUT).json()["items"] if p["available"]]
    products or fail("no available product")

    ids: list[str] = []
    for i in range(count):
        key = f"scaled-{uuid.uuid4()}"
        body = {"items": [{"productId": products[i % len(products)]["id"], "quantity": 1 + i % 3}],
                "deliveryAddress": f"Calle Mayor {i + 1}, Madrid"}
        r = http.post(f"{base}/api/orders", json=body, headers={**auth, "Idempotency-Key": key}, timeout=TIMEOUT)
        r.status_code == 201 or fail(f"order {i}: {r.status_code} {r.text}")
        ids.append(r.json()["id"])
        if i % 5 == 0:
            again = http.post(f"{base}/api/orders", json=body, headers={**auth, "Idempotency-Key": key},
                              timeout=TIMEOUT)
            (again.status_code in (200, 201) and again.json()["id"] == ids[-1]) or \
                fail(f"repeat of order {i}: {again.status_code} {again.text} (first: {ids[-1]})")
    len(set(ids)) == count or fail(f"{count} orders placed but only {len(set(ids))} distinct ids")

    listed = [o["id"] for o in http.get(f"{base}/api/orders", headers=auth, timeout=TIMEOUT).json()["items"]]
    sorted(listed) == sorted(ids) or fail(f"GET /api/orders lists {len(listed)} orders, not the {count} placed")

    deadline = time.monotonic() + 60
    while True:
        items = http.get(f"{base}/api/notifications", headers=auth, timeout=TIMEOUT).json()["items"]
        seen = collections.Counter(n["orderId"] for n in items)
        if set(seen) >= set(ids):
            break
        if time.monotonic() > deadline:
            fail(f"after 60 s, notifications for {len(set(seen) & set(ids))} of {count} orders")
        time.sleep(0.5)
    twice = {o: n for o, n in seen.items() if n != 1}
    not twice or fail(f"orders with more than one notification: {twice}")
    set(seen) == set(ids) or fail(f"notifications for orders never placed: {set(seen) - set(ids)}")
    with open(ids_file, "w", encoding="utf-8") as out:
        out.write("\n".join(ids) + "\n")
    print(f"scaled_orders: {count} orders placed (every fifth one sent twice), listed once, notified once")


def logs(ids_file: str, files: list[str]) -> None:
    split = files.index("--")
    orders_logs, notification_logs = files[:split], files[split + 1:]
    ids = open(ids_file, encoding="utf-8").read().split()
    report = []
    for kind, paths, marker in (("placed", orders_logs, "order placed"),
                                ("notified", notification_logs, "📩 Pedido confirmado para el usuario")):
        per_order = collections.Counter()
        per_replica = []
        for path in paths:
            lines = [line for line in open(path, encoding="utf-8", errors="replace") if marker in line]
            mine = [i for i in ids if any(i in line for line in lines)]
            per_order.update(i for line in lines for i in ids if i in line)
            per_replica.append(len(mine))
        wrong = {i: per_order[i] for i in ids if per_order[i] != 1}
        not wrong or fail(f"orders not {kind} exactly once across {len(paths)} replicas: {wrong}")
        if kind == "placed" and min(per_replica) == 0:
            fail(f"one orders-service replica placed no order (per replica: {per_replica}): no balancing")
        report.append(f"{kind} once each, per replica {per_replica}")
    print(f"scaled_orders: {len(ids)} orders {'; '.join(report)}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "place":
        place(sys.argv[2].rstrip("/"), int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) > 4 and sys.argv[1] == "logs" and "--" in sys.argv:
        logs(sys.argv[2], sys.argv[3:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
