"""One GET, done carefully: retries with a floor, a hard deadline, bounded bodies, no key leaks.

Every request of the package goes through ``Requester.get``. It never raises an httpx exception
and never chains one (httpx exceptions carry the request, headers included): failures become
``FetchError``/``RateLimitError`` built outside any ``except`` block, their text scrubbed of the
key. The body is read in chunks, so neither a slow drip nor a lying ``Content-Length`` can hold a
caller past its deadline or fill its memory.

The deadline bounds the whole call, connection and response headers included: a watchdog timer
shuts down, at the deadline (or when the job is abandoned), every socket the job's requests
opened, so a read blocked on a server that drips its headers a byte at a time returns at once.
Served bodies and header values are scrubbed of the key (also in its JSON-escaped spellings)
before anyone keeps them: a server that echoes the key in a 200 answer cannot get it into a
frame, a snapshot or the cache.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import random
import re
import socket
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from nanogpt_frame._http.failures import (
    OFFLINE_HINT,
    RETRY_STATUSES,
    Failure,
    guard_logs,
    http_failure,
    scrub,
)
from nanogpt_frame._http.options import MAX_BODY_BYTES, MAX_SECONDS, check_seconds
from nanogpt_frame.errors import FetchError
from nanogpt_frame.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from nanogpt_frame._http.pacing import Pacer

__all__ = (
    "MAX_BODY_BYTES",
    "RETRY_STATUSES",
    "Reply",
    "Requester",
    "join_all",
    "run_all",
    "scrub",
    "scrub_body",
)

log = logging.getLogger("nanogpt_frame")

_ERROR_BODY_BYTES = 64 * 1024
_BACKOFF_BASE = 0.5
_BACKOFF_CAP = 8.0
#: The retry wait. ``None``: wait on the job's cancel switch (so an abandoned job stops waiting);
#: tests swap in a function to record delays instead of waiting.
_sleep: Callable[[float], None] | None = None
#: Seconds the caller waits for abandoned worker threads to finish once their sockets are shut.
_JOIN_GRACE = 5.0
_TRACED = frozenset({"connection.connect_tcp.complete", "connection.start_tls.complete"})
T = TypeVar("T")


@dataclass(frozen=True)
class Reply:
    """A successful response: status (2xx or 304), headers and the whole body."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)


def _code_units(char: str) -> list[int]:
    code = ord(char)
    if code < 0x10000:
        return [code]
    code -= 0x10000
    return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]


def _hex_digits(unit: int) -> str:
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{unit:04x}")


@functools.lru_cache(maxsize=8)
def _key_spellings(secret: str) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A pattern matching ``secret`` in a JSON body however each character is spelled (raw,
    ``\\uXXXX`` in either case, ``\\/``), and a quick one for the escapes that make a match
    possible (one literal-prefix scan, so a body without them costs well under a millisecond)."""
    parts, hexes, others = [], set(), set()
    for char in secret:
        units = _code_units(char)
        spellings = [] if char in '"\\' else [re.escape(char.encode("utf-8", "surrogatepass"))]
        spellings.append("".join("\\\\u" + _hex_digits(u) for u in units).encode())
        hexes.add(_hex_digits(units[0]))
        if char in '"\\/':
            spellings.append(re.escape(("\\" + char).encode()))
            others.add(re.escape(char))
        parts.append(b"(?:" + b"|".join(spellings) + b")")
    escapes = "\\\\(?:u(?:" + "|".join(sorted(hexes)) + ")" + "".join(f"|{o}" for o in others) + ")"
    return re.compile(b"".join(parts)), re.compile(escapes.encode())


def scrub_body(body: bytes, secret: str | None) -> bytes:
    """``body`` with every spelling of ``secret`` replaced by ``***`` (valid JSON stays valid).

    >>> scrub_body(b'{"name": "sk-1 and \\\\u0073k-1", "ok": "\\\\n"}', "sk-1")
    b'{"name": "*** and ***", "ok": "\\\\n"}'
    """
    if not secret or not body:
        return body
    pattern, escapes = _key_spellings(secret)
    if secret.encode("utf-8", "surrogatepass") not in body and escapes.search(body) is None:
        return body  # the common case: two scans, no full match
    return pattern.sub(b"***", body)


def _scrub_headers(headers: Any, secret: str | None) -> Any:
    if not secret or not any(secret in value for value in headers.values()):
        return headers
    return {name.lower(): value.replace(secret, "***") for name, value in headers.items()}


class Requester:
    """Makes GET requests for one job (a load): shared deadline, retries, key, cancel switch.

    The ``httpx.Client`` is built on the first request only (building one costs ~40 ms of TLS
    setup), so a job answered from the cache never pays for it.

    Args:
        settings: base URL and optional key.
        timeout: seconds for one request (connect, and each read of the body).
        deadline: seconds for the whole job, connections, headers, retries, waits and body reads
            included (default ``2 * timeout``, at most a week).
        retries: retries per request on 408/429/5xx, timeouts and broken connections.
        client: an ``httpx.Client`` to use (and not close).
        max_bytes: the largest body accepted.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: float = 30.0,
        deadline: float | None = None,
        retries: int = 4,
        client: httpx.Client | None = None,
        max_bytes: int = MAX_BODY_BYTES,
    ):
        self.settings = settings
        self.timeout = check_seconds("timeout", timeout)
        if deadline is None:
            deadline = min(MAX_SECONDS, 2 * self.timeout)
        self.deadline = check_seconds("deadline", deadline)
        self.started = time.monotonic()
        self.stop_at = self.started + self.deadline
        self.retries = retries
        self.max_bytes = max_bytes
        self.cancel = threading.Event()
        self._client = client
        self._own_client = client is None
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._watchdog: threading.Timer | None = None
        self._headers = _headers(settings)
        if settings.api_key:
            guard_logs(settings.api_key)

    def remaining(self) -> float:
        return self.stop_at - time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(follow_redirects=True)
            if self._watchdog is None and not self.cancel.is_set():
                self._watchdog = threading.Timer(max(0.0, self.remaining()), self.abort)
                self._watchdog.name = "nanogpt-deadline"
                self._watchdog.daemon = True
                self._watchdog.start()
            return self._client

    def abort(self) -> None:
        """Stop every request of this job now: waits end, sockets are shut down."""
        self.cancel.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop every request of this job, stop the watchdog, close the client if made here."""
        self.abort()
        watchdog = self._watchdog
        if watchdog is not None:
            watchdog.cancel()
            if watchdog is not threading.current_thread():
                watchdog.join()
        if self._own_client and self._client is not None:
            self._client.close()

    def __enter__(self) -> Requester:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the job is abandoned first; ``True`` when it was not."""
        if _sleep is not None:
            _sleep(seconds)
            return not self.cancel.is_set()
        return not self.cancel.wait(seconds)

    def _trace(self, name: str, info: Mapping[str, Any]) -> None:
        """httpcore's trace hook: remember each socket opened, for the watchdog to shut."""
        if name not in _TRACED:
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.add(sock)
            if self.cancel.is_set():  # the deadline passed while connecting
                self.abort()

    def deadline_error(self, url: str, during: str = "") -> FetchError:
        """The error of a job ended by its deadline: the real wait and the limit that ended it."""
        return FetchError(
            f"gave up on {url} after {self.elapsed():.1f}s{during}: the deadline of "
            f"{self.deadline:g}s for the whole load ended it (deadline=); {OFFLINE_HINT}",
            url=url,
        )

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        pacer: Pacer | None = None,
        method: str = "GET",
    ) -> Reply:
        """GET ``url`` with retries by the deadline; ``pacer`` spaces every attempt.

        ``method="POST"`` (an empty body) is for read-only endpoints that only answer a POST,
        such as ``/check-balance``.

        Raises:
            FetchError, RateLimitError: the last failure, its text scrubbed of the key.
        """
        attempt = 0
        while True:
            if self.remaining() <= 0 or self.cancel.is_set():
                raise self.deadline_error(url)
            if pacer is not None:
                self.client()  # built before the turn is taken, so a paced request goes at once
                if not pacer.wait(self.stop_at, self.cancel):
                    raise self.deadline_error(url, " waiting for its turn under the rate limit")
            outcome = self._once(url, params, {**self._headers, **(headers or {})}, method)
            if isinstance(outcome, Reply):
                return outcome
            if outcome.limit == "deadline" or (self.remaining() <= 0 and outcome.status is None):
                raise self.deadline_error(url)
            if not outcome.retry or attempt >= self.retries:
                raise self._final(outcome, url, attempt + 1)
            delay = max(_backoff(attempt), outcome.retry_after or 0.0)  # the backoff is a floor
            if time.monotonic() + delay >= self.stop_at:
                raise self._final(outcome, url, attempt + 1)
            log.info(
                "retrying %s in %.2fs (attempt %d): %s", url, delay, attempt + 1, outcome.message
            )
            if not self.pause(delay):
                raise self.deadline_error(url)
            attempt += 1

    def _final(self, outcome: Failure, url: str, attempts: int) -> FetchError:
        if outcome.limit != "timeout":
            return outcome.error(url)
        return FetchError(
            f"timed out fetching {url}: no answer within the {self.timeout:g}s per-request "
            f"timeout (timeout=), {attempts} attempt(s), {self.elapsed():.1f}s in all; "
            f"{OFFLINE_HINT}",
            url=url,
        )

    def _once(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        method: str = "GET",
    ) -> Reply | Failure:
        import httpx

        wait = max(0.001, min(self.timeout, self.remaining()))
        key = self.settings.api_key
        failure: Failure
        try:
            with self.client().stream(
                method,
                url,
                params=params,
                headers=headers,
                timeout=wait,
                extensions={"trace": self._trace},
            ) as response:
                status = response.status_code
                ok = status < 400
                limit = self.max_bytes if ok else _ERROR_BODY_BYTES
                body = self._read(response, limit, url, truncate=not ok)
                if isinstance(body, Failure):
                    return body
                if ok:
                    return Reply(
                        status, _scrub_headers(response.headers, key), scrub_body(body, key)
                    )
                return http_failure(
                    status, response.headers, response.reason_phrase, body, url, key
                )
        except httpx.TimeoutException:
            ended_by = "timeout" if wait >= self.timeout else "deadline"
            message = f"timed out after {wait:.3g}s fetching {url}; {OFFLINE_HINT}"
            failure = Failure(message, limit=ended_by)
        except httpx.ConnectError as exc:
            failure = Failure(
                f"could not connect to {url}: {scrub(str(exc), key)}; {OFFLINE_HINT}", retry=False
            )
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError, RuntimeError) as exc:
            # broken connection, reset, protocol error: worth another go; RuntimeError: the
            # client was closed under an abandoned request
            failure = Failure(f"transport error fetching {url}: {scrub(str(exc), key)}")
        if self.cancel.is_set() or self.remaining() <= 0:  # a socket shut by the watchdog
            failure = Failure(failure.message, retry=False, limit="deadline")
        return failure  # built and returned outside the except blocks: nothing is chained

    def _read(
        self, response: httpx.Response, limit: int, url: str, *, truncate: bool
    ) -> bytes | Failure:
        declared = response.headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > limit:
            return Failure(
                f"{url} sent {int(declared):,} bytes, over the {limit:,}-byte limit", retry=False
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            if self.cancel.is_set() or time.monotonic() > self.stop_at:
                return Failure("deadline reached while reading the body", retry=False,
                               limit="deadline")  # fmt: skip
            size += len(chunk)
            if size > limit:
                if truncate:
                    chunks.append(chunk[: limit - (size - len(chunk))])
                    break
                return Failure(f"{url} sent more than {limit:,} bytes", retry=False)
            chunks.append(chunk)
        return b"".join(chunks)


def _headers(settings: Settings) -> dict[str, str]:
    from nanogpt_frame._version import package_version

    headers = {
        "Accept": "application/json",
        "User-Agent": f"nanogpt-frame/{package_version()}",
    }
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    return headers


def _backoff(attempt: int) -> float:
    """Capped exponential backoff with jitter: 0.5, 1, 2, 4, 8 s scaled by 0.5 to 1."""
    ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2**attempt)
    return ceiling * (0.5 + random.random() / 2)


def run_all(tasks: Mapping[str, Callable[[], T]], requester: Requester) -> dict[str, T]:
    """Run ``tasks`` at once on threads; the first failure or the deadline ends the wait.

    The caller is never held past the requester's deadline, nor kept waiting on a slow task once
    another has failed: the rest are abandoned (``requester.abort`` shuts their sockets and ends
    their waits) and joined, so no thread outlives the call, also on ``KeyboardInterrupt``.
    """
    if len(tasks) == 1:
        ((name, task),) = tasks.items()
        return {name: task()}
    results: queue.Queue[tuple[str, bool, Any]] = queue.Queue()

    def work(name: str, task: Callable[[], T]) -> None:
        try:
            results.put((name, True, task()))
        except BaseException as exc:  # handed to the caller's thread
            results.put((name, False, exc))

    threads = [
        threading.Thread(target=work, args=(name, task), daemon=True, name=f"nanogpt-{name}")
        for name, task in tasks.items()
    ]
    out: dict[str, T] = {}
    failure: BaseException | None = None
    try:
        for thread in threads:
            thread.start()
        while len(out) < len(tasks):
            try:
                name, ok, value = results.get(timeout=max(0.0, requester.remaining()) + 0.05)
            except queue.Empty:
                failure = requester.deadline_error(requester.settings.base_url)
                break
            if not ok:
                failure = value
                break
            out[name] = value
    finally:
        if len(out) < len(tasks):
            requester.abort()
        join_all(threads)
    if failure is not None:
        raise failure
    return out


def join_all(threads: list[threading.Thread], grace: float | None = None) -> None:
    """Join ``threads`` (already told to stop), waiting at most ``grace`` seconds in all."""
    until = time.monotonic() + (_JOIN_GRACE if grace is None else grace)
    for thread in threads:
        if thread.ident is not None:
            thread.join(max(0.0, until - time.monotonic()))
