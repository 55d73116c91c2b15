"""Dead letters of notifications-service, through RabbitMQ's management HTTP API (the rabbitmq_management plugin).
Run it as scripts/dlq.sh, which finds the API of the project's broker; the usage is in that script's header."""
from __future__ import annotations

import base64
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

API = os.environ.get("RABBITMQ_API_URL", "http://guest:guest@127.0.0.1:15672/api").rstrip("/")
VHOST = os.environ.get("RABBITMQ_VHOST", "/")
DLQ = os.environ.get("COMANDA_DLQ", "notifications.order-created.dlq")
TARGET = os.environ.get("COMANDA_DLQ_TARGET", "notifications.order-created")
JOURNAL_DIR = Path(os.environ.get("COMANDA_DLQ_JOURNAL", ".state/local/dlq"))
TAKE_LIMIT = 100_000  # more dead letters than this at once: work in several passes
# What the dead-lettering added (and the broker's own bookkeeping): a replayed message starts afresh, with the
# whole retry schedule, and goes back to the DLQ with new reasons if it fails again.
DEAD_LETTER_HEADERS = ("x-attempt", "x-error-code", "x-error-reason", "x-last-error", "x-delivery-count")
DEAD_LETTER_PREFIXES = ("x-death", "x-first-death", "x-last-death")


class Fail(Exception):
    pass


def _request(method: str, path: str, body: object | None = None) -> object:
    parts = urllib.parse.urlsplit(API + path)
    url = urllib.parse.urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                                   parts.path, parts.query, ""))
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if parts.username:
        token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
    except urllib.error.HTTPError as error:
        raise Fail(f"{method} {parts.path}: HTTP {error.code} {error.read().decode(errors='replace')[:300]}")
    except OSError as error:
        raise Fail(f"RabbitMQ's management API at {parts.hostname}:{parts.port} does not answer ({error}); "
                   "is the broker up (scripts/stack.sh up rabbitmq)?")
    return json.loads(text) if text else None


def _queue_path(queue: str) -> str:
    return f"/queues/{urllib.parse.quote(VHOST, safe='')}/{urllib.parse.quote(queue, safe='')}"


def _take(requeue: bool) -> list[dict]:
    """Every message of the DLQ; requeue=False removes them (the caller puts back what it keeps)."""
    return _request("POST", _queue_path(DLQ) + "/get", {
        "count": TAKE_LIMIT, "ackmode": "ack_requeue_true" if requeue else "ack_requeue_false",
        "encoding": "base64", "truncate": 50_000_000})


def _publish(message: dict, queue: str, properties: dict) -> None:
    answer = _request("POST", f"/exchanges/{urllib.parse.quote(VHOST, safe='')}/amq.default/publish", {
        "properties": properties, "routing_key": queue, "payload": message["payload"],
        "payload_encoding": "base64"})
    if not answer or not answer.get("routed"):
        raise Fail(f"queue {queue} does not exist: the message was not routed")


def _id(message: dict) -> str:
    return str(message["properties"].get("message_id", ""))


def _headers(message: dict) -> dict:
    return message["properties"].get("headers") or {}


def _body(message: dict) -> str:
    return base64.b64decode(message["payload"]).decode("utf-8", errors="replace")


def _age(message: dict) -> str:
    stamp = message["properties"].get("timestamp")
    if not isinstance(stamp, int):
        return "-"
    seconds = max(0, int(time.time()) - stamp)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def cmd_list(_: list[str]) -> int:
    messages = _take(requeue=True)
    print(f"{len(messages)} dead letter(s) in {DLQ}")
    if messages:
        print(f"{'MESSAGE ID':<38} {'CODE':<22} {'ATTEMPT':<7} {'AGE':<8} REASON")
    for message in messages:
        headers = _headers(message)
        reason = str(headers.get("x-error-reason", "")).replace("\n", " ")
        print(f"{_id(message):<38} {str(headers.get('x-error-code', '-')):<22} "
              f"{str(headers.get('x-attempt', '-')):<7} {_age(message):<8} {reason}")
    return 0


def cmd_show(args: list[str]) -> int:
    if not args:
        raise Fail("usage: dlq.sh show MESSAGE_ID...")
    by_id = {_id(m): m for m in _take(requeue=True)}
    missing = [i for i in args if i not in by_id]
    for message_id in args:
        if message_id in by_id:
            message = by_id[message_id]
            body = _body(message)
            try:
                body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
            except ValueError:
                pass
            print(json.dumps({"messageId": message_id, "routingKey": message.get("routing_key"),
                              "properties": message["properties"]}, indent=2, ensure_ascii=False))
            print("body:\n" + body + "\n")
    if missing:
        print(f"not in {DLQ}: {' '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def _move(args: list[str], replay: bool) -> int:
    """Takes every dead letter, sends the chosen ones to the work queue (replay) or nowhere (purge), and puts the
    others back into the DLQ. Everything taken is first written to a journal file, kept if anything fails."""
    verb = "replay" if replay else "purge"
    if not args:
        raise Fail(f"usage: dlq.sh {verb} MESSAGE_ID...|--all")
    everything = args == ["--all"]
    if not replay and everything:   # no need to take them one by one
        _request("DELETE", _queue_path(DLQ) + "/contents")
        print(f"purged {DLQ}")
        return 0
    wanted = set(args)
    known = {_id(m) for m in _take(requeue=True)}
    if not everything and not wanted <= known:
        raise Fail(f"not in {DLQ}: {' '.join(sorted(wanted - known))} (nothing was changed)")
    if replay:
        _request("GET", _queue_path(TARGET))   # fails clearly if the work queue does not exist
    taken = _take(requeue=False)
    JOURNAL_DIR.mkdir(parents=True, exist_ok=True)
    journal = JOURNAL_DIR / f"taken-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.json"
    with open(journal, "w", encoding="utf-8") as out:
        json.dump(taken, out)
        out.flush()
        os.fsync(out.fileno())
    try:
        done, kept = _send(taken, wanted, everything, replay)
    except Fail as error:
        raise Fail(f"{error}\nthe messages taken from {DLQ} are saved in {journal}; nothing else is lost")
    journal.unlink()
    print(f"{done} {'replayed to ' + TARGET if replay else 'purged'}, {kept} left in {DLQ}")
    return 0


def _send(taken: list[dict], wanted: set[str], everything: bool, replay: bool) -> tuple[int, int]:
    done = kept = 0
    for message in taken:
        properties = dict(message["properties"])
        if everything or _id(message) in wanted:
            if replay:
                headers = {name: value for name, value in _headers(message).items()
                           if name not in DEAD_LETTER_HEADERS and not name.startswith(DEAD_LETTER_PREFIXES)}
                headers["x-replayed-from"] = DLQ
                properties["headers"] = headers
                _publish(message, TARGET, properties)
            done += 1
            print(f"{'replayed' if replay else 'purged'} {_id(message)}" + (f" -> {TARGET}" if replay else ""))
        else:
            _publish(message, DLQ, properties)
            kept += 1
    return done, kept


COMMANDS = {"list": cmd_list, "show": cmd_show,
            "replay": lambda args: _move(args, replay=True), "purge": lambda args: _move(args, replay=False)}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print("usage: dlq.sh list | show ID... | replay ID...|--all | purge ID...|--all", file=sys.stderr)
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except Fail as error:
        print(f"dlq: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
