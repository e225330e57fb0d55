"""A fake business platform: a real HTTP server on 127.0.0.1 serving the two sample pages of
``core/demo_data/business-platform-page{1,2}.json`` (the sample pages, 288 records), with switches for faults.

Routes:

- ``GET|POST /records``: page 1 (100 records, ``"next": "page2"``, which resolves to ``/page2``);
- ``GET|POST /page2``: page 2 (188 records, ``"next": null``);
- ``/records?page=N``: page-number mode: N=1 → page 1, N=2 → page 2, N≥3 → ``{"data": []}``;
  with ``&size=M`` the 288 records are cut into pages of M instead.

Switches (``reset()`` clears them; the pytest fixture ``fake_platform`` resets before each test).
``path`` is a path such as ``"/page2"``, or a path with its query (``"/records?page=2"``) to hit
only that request:

- ``fail_next(path, times=1, status=500, retry_after=None, body=..., headers=None)``: the next
  ``times`` requests answer ``status`` (e.g. 429 with ``retry_after="1"`` or an HTTP date; a
  302 with ``headers={"Location": ...}``);
- ``slow_next(path, seconds, times=1)``: sleep before answering;
- ``drop_next(path, times=1, partial=False)``: close the connection without an answer, or
  (``partial=True``) after the headers and half of the body;
- ``malformed_next(path, times=1)``: answer 200 with a body that is not JSON;
- ``missing(path)``: answer 404 until reset;
- ``require_token(token, header=None)``: answer 401 unless ``Authorization: Bearer <token>`` (or
  ``<header>: <token>`` when ``header`` is given) is sent; ``require_basic(user, password)``;
- ``serve(path, payload)``: answer ``payload`` (JSON-able, or bytes as they are) at ``path``.

Observations: ``requests[path]`` counts requests per path (without query), ``targets`` lists
every request target with its query in order, ``last_headers`` and ``last_body`` (parsed JSON
of the last POST).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parents[2] / "core" / "demo_data"


def load_pages() -> list[dict]:
    return [json.loads((DATA / f"business-platform-page{n}.json").read_text(encoding="utf-8")) for n in (1, 2)]


def all_records() -> list[dict]:
    return [record for page in load_pages() for record in page["data"]]


@dataclass
class _Fault:
    kind: str  # "status" | "slow" | "drop" | "partial" | "malformed"
    times: int
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _State:
    faults: dict[str, list[_Fault]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)
    token: str | None = None
    token_header: str | None = None
    basic: str | None = None
    served: dict[str, Any] = field(default_factory=dict)


class FakePlatform:
    """The server and its switches; see the module docstring."""

    def __init__(self) -> None:
        self.pages = load_pages()
        self.records = [record for page in self.pages for record in page["data"]]
        self._lock = threading.Lock()
        self._state = _State()
        self.requests: Counter[str] = Counter()
        self.targets: list[str] = []
        self.last_headers: dict[str, str] = {}
        self.last_body: Any = None
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:  # keep the test output quiet
                pass

            def do_GET(self) -> None:
                platform._handle(self)

            def do_POST(self) -> None:
                platform._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle ---

    def start(self) -> FakePlatform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self._state = _State()
            self.requests.clear()
            self.targets.clear()
            self.last_headers = {}
            self.last_body = None

    # --- switches ---

    def fail_next(
        self,
        path: str,
        times: int = 1,
        status: int = 500,
        retry_after: str | None = None,
        body: bytes = b'{"error": "try later"}',
        headers: dict[str, str] | None = None,
    ) -> None:
        self._add(
            path,
            _Fault("status", times, status=status, retry_after=retry_after, body=body, headers=dict(headers or {})),
        )

    def slow_next(self, path: str, seconds: float, times: int = 1) -> None:
        self._add(path, _Fault("slow", times, seconds=seconds))

    def drop_next(self, path: str, times: int = 1, partial: bool = False) -> None:
        self._add(path, _Fault("partial" if partial else "drop", times))

    def malformed_next(self, path: str, times: int = 1) -> None:
        self._add(path, _Fault("malformed", times))

    def missing(self, path: str) -> None:
        with self._lock:
            self._state.missing.add(path)

    def require_token(self, token: str, header: str | None = None) -> None:
        with self._lock:
            self._state.token, self._state.token_header = token, header

    def require_basic(self, user: str, password: str) -> None:
        with self._lock:
            self._state.basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def serve(self, path: str, payload: Any) -> None:
        with self._lock:
            self._state.served[path] = payload

    # --- serving ---

    def _add(self, path: str, fault: _Fault) -> None:
        with self._lock:
            self._state.faults.setdefault(path, []).append(fault)

    def _take_fault(self, path: str, target: str) -> _Fault | None:
        with self._lock:
            for key in (target, path):
                queue = self._state.faults.get(key)
                if queue:
                    fault = queue[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.pop(0)
                    return fault
        return None

    def _authorized(self, headers) -> bool:
        state = self._state
        if state.token is not None:
            if state.token_header is None:
                if headers.get("Authorization") != f"Bearer {state.token}":
                    return False
            elif headers.get(state.token_header) != state.token:
                return False
        if state.basic is not None and headers.get("Authorization") != state.basic:
            return False
        return True

    def _page(self, path: str, query: dict[str, list[str]]) -> Any:
        if "page" in query and path == "/records":
            number = int(query["page"][0])
            if "size" in query:
                size = int(query["size"][0])
                chunk = self.records[(number - 1) * size : number * size] if number >= 1 else []
                return {"data": chunk, "page": number}
            if number in (1, 2):
                return {"data": self.pages[number - 1]["data"], "page": number}
            return {"data": [], "page": number}
        if path == "/records":
            return self.pages[0]
        if path == "/page2":
            return self.pages[1]
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        target = handler.path
        parts = urlsplit(target)
        path = parts.path
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests[path] += 1
            self.targets.append(target)
            self.last_headers = dict(handler.headers.items())
            if handler.command == "POST":
                try:
                    self.last_body = json.loads(raw_body) if raw_body else None
                except ValueError:
                    self.last_body = raw_body
        fault = self._take_fault(path, target)
        try:
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.seconds)
                fault = None
            if fault is not None and fault.kind == "drop":
                handler.close_connection = True
                handler.connection.shutdown(2)
                return
            if fault is not None and fault.kind == "status":
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                extra.update(fault.headers)
                self._send(handler, fault.status, fault.body, extra)
                return
            if not self._authorized(handler.headers):
                self._send(handler, 401, b'{"error": "unauthorized"}', {"WWW-Authenticate": "Bearer"})
                return
            if path in self._state.missing or target in self._state.missing:
                self._send(handler, 404, b'{"error": "not found"}')
                return
            served = self._state.served
            if target in served or path in served:
                page = served[target] if target in served else served[path]
            else:
                page = self._page(path, parse_qs(parts.query))
            if page is None:
                self._send(handler, 404, b'{"error": "not found"}')
                return
            body = page if isinstance(page, bytes) else json.dumps(page, ensure_ascii=False).encode("utf-8")
            if fault is not None and fault.kind == "malformed":
                self._send(handler, 200, b'{"data": [{"dept_code": "U001", ', {})
                return
            if fault is not None and fault.kind == "partial":
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json; charset=utf-8")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body[: len(body) // 2])
                handler.wfile.flush()
                handler.close_connection = True
                handler.connection.shutdown(2)
                return
            self._send(handler, 200, body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            handler.close_connection = True  # the client went away (e.g. after its timeout)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
