"""Test setup: no real network, user state in temporary folders, helpers for loopback servers."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAYLOADS = Path(__file__).parent / "payloads"

try:  # CI runs the property tests on a fixed sequence of examples, so a red run can be rerun
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, database=None)
    if os.environ.get("CI"):
        _hypothesis_settings.load_profile("ci")
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass
_LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


def _is_loopback(address) -> bool:
    if isinstance(address, tuple) and address:
        return str(address[0]).startswith(_LOOPBACK)
    return isinstance(address, (str, bytes))  # unix sockets


class NetworkBlocked(RuntimeError):
    """A test tried to reach a host that is not this machine."""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch, request):
    """Fail any outbound connection or DNS lookup that is not loopback."""
    if request.node.get_closest_marker("live"):
        yield
        return
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address):
        if not _is_loopback(address):
            attempts.append(repr(address))
            raise NetworkBlocked(f"test tried to connect to {address!r}")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not str(host).startswith(_LOOPBACK):
            attempts.append(str(host))
            raise NetworkBlocked(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    assert not attempts, f"real network access attempted: {attempts}"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No user key or base URL leaks in; the response cache lives in a temporary folder."""
    for name in ("NANOGPT_API_KEY", "NANOGPT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("MPLBACKEND", "Agg")


def listing(*models: dict, **top) -> dict:
    """A listing body around the given model records."""
    return {"object": "list", "data": list(models), **top}


@pytest.fixture
def live_shaped() -> dict:
    """A small recorded-shape canonical listing with the quirks of the facts file."""
    return json.loads((PAYLOADS / "live_shaped.json").read_text("utf-8"))


Handler = Callable[[BaseHTTPRequestHandler], None]


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 whose answers a test scripts per request."""

    def __init__(self, respond: Handler):
        outer = self
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with outer.lock:
                    outer.requests.append((self.path, dict(self.headers)))
                respond(self)

            def log_message(self, *args):  # keep test output quiet
                pass

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that left: not news
                pass

        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/api"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send_json(handler: BaseHTTPRequestHandler, status: int, body, headers=None) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(data)


@pytest.fixture
def loopback_server() -> Iterator[Callable[[Handler], LoopbackServer]]:
    servers: list[LoopbackServer] = []

    def start(respond: Handler) -> LoopbackServer:
        server = LoopbackServer(respond).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
