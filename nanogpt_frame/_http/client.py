"""One GET, done carefully: retries with a floor, a hard deadline, bounded bodies, no key leaks.

Every request of the package goes through ``Requester.get``. It never raises an httpx exception
and never chains one (httpx exceptions carry the request, headers included): failures become
``FetchError``/``RateLimitError`` built outside any ``except`` block, their text scrubbed of the
key. The body is read in chunks, so neither a slow drip nor a lying ``Content-Length`` can hold a
caller past its deadline or fill its memory.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
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
from nanogpt_frame.errors import FetchError
from nanogpt_frame.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("MAX_BODY_BYTES", "RETRY_STATUSES", "Reply", "Requester", "run_all", "scrub")

log = logging.getLogger("nanogpt_frame")

#: The largest response body read (a whole catalog is ~1 MiB; 256 MiB is far past any real one).
MAX_BODY_BYTES = 256 * 1024 * 1024
_ERROR_BODY_BYTES = 64 * 1024
_BACKOFF_BASE = 0.5
_BACKOFF_CAP = 8.0
_sleep = time.sleep  # the retry wait; tests swap it to record delays instead of waiting
T = TypeVar("T")


@dataclass(frozen=True)
class Reply:
    """A successful response: status (2xx or 304), headers and the whole body."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)


class Requester:
    """Makes GET requests for one job (a load): shared deadline, retries, key, cancel switch.

    The ``httpx.Client`` is built on the first request only (building one costs ~40 ms of TLS
    setup), so a job answered from the cache never pays for it.

    Args:
        settings: base URL and optional key.
        timeout: seconds for one request (connect, and each read of the body).
        deadline: seconds for the whole job, retries, waits and body reads included.
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
        self.timeout = timeout
        self.stop_at = time.monotonic() + (deadline if deadline is not None else 2 * timeout)
        self.retries = retries
        self.max_bytes = max_bytes
        self.cancel = threading.Event()
        self._client = client
        self._own_client = client is None
        self._lock = threading.Lock()
        self._headers = _headers(settings)
        if settings.api_key:
            guard_logs(settings.api_key)

    def remaining(self) -> float:
        return self.stop_at - time.monotonic()

    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(follow_redirects=True)
            return self._client

    def close(self) -> None:
        """Stop every request of this job and close the client if it was made here."""
        self.cancel.set()
        if self._own_client and self._client is not None:
            self._client.close()

    def __enter__(self) -> Requester:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        before_each: Callable[[], None] | None = None,
        method: str = "GET",
    ) -> Reply:
        """GET ``url`` with retries by the deadline; ``before_each`` runs before every attempt.

        ``method="POST"`` (an empty body) is for read-only endpoints that only answer a POST,
        such as ``/check-balance``.

        Raises:
            FetchError, RateLimitError: the last failure, its text scrubbed of the key.
        """
        attempt = 0
        while True:
            if self.remaining() <= 0 or self.cancel.is_set():
                raise FetchError(f"gave up on {url}: deadline reached; {OFFLINE_HINT}", url=url)
            if before_each is not None:
                self.client()  # built before the turn is taken, so a paced request goes at once
                before_each()
            outcome = self._once(url, params, {**self._headers, **(headers or {})}, method)
            if isinstance(outcome, Reply):
                return outcome
            if not outcome.retry or attempt >= self.retries:
                raise outcome.error(url)
            delay = max(_backoff(attempt), outcome.retry_after or 0.0)  # the backoff is a floor
            if time.monotonic() + delay >= self.stop_at:
                raise outcome.error(url)
            log.info(
                "retrying %s in %.2fs (attempt %d): %s", url, delay, attempt + 1, outcome.message
            )
            _sleep(delay)
            attempt += 1

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
        try:
            with self.client().stream(
                method, url, params=params, headers=headers, timeout=wait
            ) as response:
                status = response.status_code
                ok = status < 400
                limit = self.max_bytes if ok else _ERROR_BODY_BYTES
                body = self._read(response, limit, url, truncate=not ok)
                if isinstance(body, Failure):
                    return body
                if ok:
                    return Reply(status, response.headers, body)
                return http_failure(
                    status, response.headers, response.reason_phrase, body, url, key
                )
        except httpx.TimeoutException:
            message = f"timed out after {wait:.3g}s fetching {url}; {OFFLINE_HINT}"
            failure = Failure(message)
        except httpx.ConnectError as exc:
            failure = Failure(
                f"could not connect to {url}: {scrub(str(exc), key)}; {OFFLINE_HINT}", retry=False
            )
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
            # broken connection, reset, protocol error: worth another go
            failure = Failure(f"transport error fetching {url}: {scrub(str(exc), key)}")
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
            if self.cancel.is_set():
                return Failure(f"stopped fetching {url}: the load was abandoned", retry=False)
            if time.monotonic() > self.stop_at:
                return Failure(
                    f"gave up on {url}: deadline reached while reading the body; {OFFLINE_HINT}",
                    retry=False,
                )
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
    """Run ``tasks`` at once on daemon threads; the first failure or the deadline ends the wait.

    The caller is never held past the requester's deadline, nor kept waiting on a slow task once
    another has failed: the rest are abandoned (``requester.cancel`` stops their body reads).
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

    for name, task in tasks.items():
        threading.Thread(
            target=work, args=(name, task), daemon=True, name=f"nanogpt-{name}"
        ).start()
    out: dict[str, T] = {}
    failure: BaseException | None = None
    while len(out) < len(tasks):
        try:
            name, ok, value = results.get(timeout=max(0.0, requester.remaining()) + 0.05)
        except queue.Empty:
            failure = FetchError(f"gave up: deadline reached; {OFFLINE_HINT}")
            break
        if not ok:
            failure = value
            break
        out[name] = value
    if failure is not None:
        requester.cancel.set()
        raise failure
    return out
