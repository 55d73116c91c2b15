"""Raw HTTP over a socket, for requests no HTTP client library will send (malformed on purpose)."""
from __future__ import annotations

import json
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

import requests


@dataclass
class RawAnswer:
    """What came back before the peer closed (or `timeout` passed): status None when nothing did."""
    raw: bytes
    closed: bool  # the peer closed the connection (False: still open when we stopped reading)
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> dict:
        return json.loads(self.body)


def parse(raw: bytes, closed: bool) -> RawAnswer:
    answer = RawAnswer(raw=raw, closed=closed)
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if not sep or not lines[0].startswith(b"HTTP/1."):
        answer.body = raw
        return answer
    answer.status = int(lines[0].split(b" ")[1])
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        answer.headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    length = answer.headers.get("content-length")
    answer.body = body[: int(length)] if length is not None else body
    return answer


def exchange(port: int, data: bytes, timeout: float = 10.0, until_answered: bool = False) -> RawAnswer:
    """Sends `data` on a new connection and reads until the peer closes or `timeout` passes. With
    `until_answered`, stops once a keep-alive answer is complete (a closing one is still read until the close)."""
    deadline = time.monotonic() + timeout
    raw = b""
    closed = False
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading all of it
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            raw += chunk
            if until_answered and _complete(raw) and b"\r\nconnection: close\r\n" not in raw.lower():
                break  # a keep-alive answer is complete; a closing one is read until the close
    return parse(raw, closed)


def _complete(raw: bytes) -> bool:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True


class Tricklers:
    """`count` connections that each send a request head one byte every 0.5 s, reopened when closed; records
    how long each lived (a connection still open at the end is not recorded)."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.selector = selectors.DefaultSelector()
        self.opened: dict[socket.socket, float] = {}
        self.sent: dict[socket.socket, int] = {}  # bytes of the payload each has sent
        self.lifetimes: list[float] = []
        self.payload = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 1000

    def open(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.setblocking(False)
        self.selector.register(sock, selectors.EVENT_READ)
        self.opened[sock] = time.monotonic()
        self.sent[sock] = 0

    def closed(self, sock: socket.socket) -> None:
        self.lifetimes.append(time.monotonic() - self.opened.pop(sock))
        self.sent.pop(sock, None)
        self.selector.unregister(sock)
        sock.close()

    def run(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        for _ in range(self.count):
            self.open()
        while time.monotonic() < end:
            for key, _ in self.selector.select(timeout=0.5):
                try:
                    data = key.fileobj.recv(4096)
                except (ConnectionResetError, BlockingIOError):
                    data = b""
                assert data == b"", f"a trickling request got an answer: {data[:200]!r}"
                self.closed(key.fileobj)
            for sock in list(self.opened):
                offset = self.sent[sock]
                try:
                    sock.send(self.payload[offset % len(self.payload):][:1])
                    self.sent[sock] = offset + 1
                except OSError:
                    self.closed(sock)
            while len(self.opened) < self.count:
                self.open()
        for sock in list(self.opened):
            self.selector.unregister(sock)
            sock.close()


def latencies(url: str, stop: threading.Event | None, count: int) -> list[float]:
    session = requests.Session()
    found = []
    for _ in range(count):
        if stop is not None and stop.is_set():
            break
        started = time.monotonic()
        response = session.get(url, timeout=5)
        assert response.status_code == 200
        found.append(time.monotonic() - started)
        time.sleep(0.05)  # a steady client, not a load generator
    return found
