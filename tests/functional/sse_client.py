"""A Server-Sent Events reader for tests: reads a stream on a thread of its own and keeps what arrived."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import requests

from harness import wait_for


@dataclass
class SseEvent:
    event: str
    data: str
    id: str | None
    received: float  # time.monotonic() when its last line arrived

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass
class SseStream:
    """GET `url` as a stream; `events`, `comments` fill in as they arrive; `ended` once the server closes."""
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    events: list[SseEvent] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    response: requests.Response | None = None
    ended: bool = False
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        if not self._opened.wait(15):
            raise AssertionError(f"GET {self.url}: no response head within 15 s")
        if self.error is not None:
            raise AssertionError(f"GET {self.url}: {self.error}")

    def _read(self) -> None:
        try:
            self.response = requests.get(self.url, headers={"Accept": "text/event-stream", **self.headers},
                                         stream=True, timeout=(5, 60))
        except BaseException as exc:  # noqa: BLE001 - reported by the constructor
            self.error = exc
            self._opened.set()
            return
        self._opened.set()
        if self.response.status_code != 200:
            self.ended = True
            return
        buffer = ""
        fields: dict[str, str] = {}
        try:
            for chunk in self.response.iter_content(chunk_size=None, decode_unicode=True):
                buffer += chunk
                while "\n" in buffer:
                    line, buffer = buffer.split("\n", 1)
                    if line == "":
                        if "data" in fields or "event" in fields:
                            event = SseEvent(fields.get("event", "message"), fields.get("data", ""),
                                             fields.get("id"), time.monotonic())
                            with self._lock:
                                self.events.append(event)
                        fields = {}
                    elif line.startswith(":"):
                        with self._lock:
                            self.comments.append(line[1:].strip())
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        fields[name] = fields.get(name, "") + ("\n" if name == "data" and name in fields else "") + value
        except (requests.RequestException, OSError, ValueError, AttributeError) as exc:  # closed under the reader
            self.error = exc
        self.ended = True

    def of(self, kind: str) -> list[SseEvent]:
        with self._lock:
            return [e for e in self.events if e.event == kind]

    def wait_until(self, predicate: Callable[["SseStream"], Any], timeout: float = 15, message: str = "events"):
        return wait_for(lambda: predicate(self), timeout=timeout, message=message)

    def ready(self, timeout: float = 15) -> SseEvent:
        return self.wait_until(lambda s: (s.of("ready") or [None])[0], timeout, "the ready event")

    def close(self) -> None:
        if self.response is not None:
            self.response.close()
        self._thread.join(5)
