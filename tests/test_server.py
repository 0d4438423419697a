"""Against a real HTTP server on 127.0.0.1: concurrency, Retry-After, timeouts, plain errors."""

from __future__ import annotations

import threading
import time

import pytest

import nanogpt_frame as nf
from tests.conftest import listing, send_json


def test_three_listings_cost_about_one_round_trip(loopback_server):
    def slow(handler):
        time.sleep(0.4)
        send_json(handler, 200, listing({"id": handler.path.split("?")[0]}))

    server = loopback_server(slow)
    nf.load(base_url=server.base_url, max_age=0, endpoints="paid")  # warm up the interpreter
    started = time.perf_counter()
    df = nf.load(base_url=server.base_url, max_age=0)
    elapsed = time.perf_counter() - started
    assert len(df) == 3
    assert elapsed < 0.65, f"three 0.4 s listings took {elapsed:.2f} s: not concurrent"


def test_429_with_retry_after_then_200(loopback_server):
    calls = []

    def limited_once(handler):
        calls.append(time.perf_counter())
        if len(calls) == 1:
            send_json(
                handler,
                429,
                {"code": "rate_limited", "message": "Rate limit exceeded"},
                {"Retry-After": "1"},
            )
        else:
            send_json(handler, 200, listing({"id": "a"}))

    server = loopback_server(limited_once)
    started = time.perf_counter()
    df = nf.load(base_url=server.base_url, max_age=0, endpoints="canonical")
    elapsed = time.perf_counter() - started
    assert df["id"].tolist() == ["a"] and len(calls) == 2
    assert 0.95 <= calls[1] - calls[0] < 1.5
    assert elapsed < 2.0


def test_timeout_raises_fetch_error_quickly(loopback_server):
    release = threading.Event()

    def hang(handler):
        release.wait(5)

    server = loopback_server(hang)
    started = time.perf_counter()
    with pytest.raises(nf.FetchError, match="timed out"):
        nf.load(base_url=server.base_url, max_age=0, endpoints="canonical", timeout=0.3, retries=0)
    release.set()
    assert time.perf_counter() - started < 2.0


def test_404_not_retried_and_shows_server_message(loopback_server):
    def missing(handler):
        send_json(handler, 404, {"error": 404, "message": "No such catalog"})

    server = loopback_server(missing)
    with pytest.raises(nf.FetchError, match="No such catalog") as info:
        nf.load(base_url=server.base_url, max_age=0, endpoints="canonical")
    assert info.value.status == 404 and len(server.requests) == 1


def test_key_reaches_the_server_as_a_bearer_header(loopback_server):
    def ok(handler):
        send_json(handler, 200, listing())

    server = loopback_server(ok)
    nf.load(base_url=server.base_url, max_age=0, endpoints="canonical", api_key="sk-test-123")
    assert server.requests[0][1]["Authorization"] == "Bearer sk-test-123"
