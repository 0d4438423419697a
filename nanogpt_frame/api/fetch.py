"""The one module that talks HTTP: fetch the listings concurrently, retry politely, fail clearly.

Nothing is created at import time; ``httpx`` itself is imported only when a fetch happens. Callers
and tests can hand in their own ``httpx.Client`` (for a ``MockTransport``, a proxy, ...).
"""

from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from ..errors import FetchError, PayloadError, RateLimitError, server_message
from ..frame.flatten import parse_listing
from ..frame.schema import ENDPOINT_PATHS
from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from .cache import ResponseCache

__all__ = ("RETRY_STATUSES", "Listing", "fetch_listings")

log = logging.getLogger("nanogpt_frame")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_BACKOFF_BASE = 0.5
_BACKOFF_CAP = 8.0
_sleep = time.sleep  # the retry wait; tests swap it to record delays instead of waiting
_BASE_URL_HINT = "check the base URL (NANOGPT_BASE_URL); it should be the API root, e.g. https://nano-gpt.com/api"
_OFFLINE_HINT = "no network? use load('sample') or --sample, or load a saved snapshot"


@dataclass(frozen=True)
class Listing:
    """One listing response: the validated payload and where and when it came from."""

    endpoint: str
    url: str
    payload: dict[str, Any] = field(repr=False)
    received_at: datetime
    from_cache: bool = False


def listing_url(settings: Settings, endpoint: str) -> str:
    """The URL of a listing under the base URL (without the query)."""
    return settings.base_url + ENDPOINT_PATHS[endpoint]


def listing_params(sort: str | None) -> dict[str, str]:
    params = {"detailed": "true"}
    if sort:
        params["sort"] = sort
    return params


def fetch_listings(
    endpoints: tuple[str, ...],
    *,
    settings: Settings,
    sort: str | None = None,
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    client: httpx.Client | None = None,
    cache: ResponseCache | None = None,
    max_age: float | None = None,
) -> dict[str, Listing]:
    """Fetch the given listings concurrently (about one round trip of wall time for all).

    Args:
        endpoints: listing names (``canonical``, ``subscription``, ``paid``).
        settings: base URL and optional key.
        sort: ``favorites`` or ``mostused``, passed through.
        timeout: seconds for one request.
        deadline: seconds for everything, retries and waits included (default ``2 * timeout``).
        retries: retries per listing on 408/429/5xx and timeouts.
        client: an ``httpx.Client`` to use (and not close); one is made when omitted.
        cache: a response cache; entries younger than ``max_age`` seconds skip the network.
        max_age: cache freshness in seconds.

    Raises:
        FetchError, RateLimitError, PayloadError: the first failing listing's error.

    >>> import httpx
    >>> def api(request):
    ...     return httpx.Response(200, json={"object": "list", "data": []})
    >>> with httpx.Client(transport=httpx.MockTransport(api)) as c:
    ...     sorted(fetch_listings(("canonical", "paid"), settings=Settings(), client=c))
    ['canonical', 'paid']
    """
    import httpx

    stop_at = time.monotonic() + (deadline if deadline is not None else 2 * timeout)
    own_client = client is None
    if own_client:
        client = httpx.Client(follow_redirects=True)
    headers = _headers(settings)
    params = listing_params(sort)

    def one(endpoint: str) -> Listing:
        url = listing_url(settings, endpoint)
        entry = cache.get(url, params, settings.authenticated) if cache is not None else None
        if entry is not None and max_age is not None and entry.age() < max_age:
            log.debug("cache hit for %s (%.0fs old)", url, entry.age())
            return Listing(endpoint, url, entry.payload, entry.received_at, from_cache=True)
        extra = entry.validators() if entry is not None else {}
        response = _request(
            client, url, params, {**headers, **extra}, timeout, stop_at, retries, settings
        )
        received_at = datetime.now(UTC)
        if response.status_code == 304 and entry is not None:
            log.debug("%s not modified", url)
            cache.touch(entry)
            return Listing(endpoint, url, entry.payload, received_at, from_cache=True)
        try:
            payload = parse_listing(response.content, source=url)
        except PayloadError as exc:
            raise PayloadError(_scrub(str(exc), settings.api_key)) from None
        if cache is not None:
            cache.put(url, params, settings.authenticated, response.content, response.headers)
        return Listing(endpoint, url, payload, received_at)

    try:
        if len(endpoints) == 1:
            return {endpoints[0]: one(endpoints[0])}
        with ThreadPoolExecutor(max_workers=len(endpoints), thread_name_prefix="nanogpt") as pool:
            futures = {endpoint: pool.submit(one, endpoint) for endpoint in endpoints}
            return {endpoint: future.result() for endpoint, future in futures.items()}
    finally:
        if own_client:
            client.close()


def _headers(settings: Settings) -> dict[str, str]:
    from .._version import package_version

    headers = {
        "Accept": "application/json",
        "User-Agent": f"nanogpt-frame/{package_version()}",
    }
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    return headers


def _request(
    client: httpx.Client,
    url: str,
    params: dict[str, str],
    headers: dict[str, str],
    timeout: float,
    stop_at: float,
    retries: int,
    settings: Settings,
) -> httpx.Response:
    """GET with retries on 408/429/5xx and timeouts, honouring ``Retry-After``, by a deadline."""
    import httpx

    attempt = 0
    while True:
        remaining = stop_at - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"gave up on {url}: deadline reached; {_OFFLINE_HINT}", url=url)
        try:
            response = client.get(
                url, params=params, headers=headers, timeout=min(timeout, remaining)
            )
        except httpx.TimeoutException as exc:
            failure: FetchError = FetchError(
                f"timed out after {min(timeout, remaining):.3g}s fetching {url}; {_OFFLINE_HINT}",
                url=url,
            )
            wait = None
            cause: BaseException = exc
        except httpx.ConnectError as exc:
            raise FetchError(
                f"could not connect to {url}: {_scrub(str(exc), settings.api_key)}; "
                + _OFFLINE_HINT,
                url=url,
            ) from exc
        except httpx.HTTPError as exc:  # broken connection, protocol error: worth another go
            failure = FetchError(
                f"transport error fetching {url}: {_scrub(str(exc), settings.api_key)}", url=url
            )
            wait = None
            cause = exc
        else:
            status = response.status_code
            if status < 400 or status == 304:
                return response
            failure = _http_error(response, url, settings)
            if status not in RETRY_STATUSES:
                raise failure
            wait = _retry_after(response.headers.get("Retry-After"))
            cause = failure
            log.info("HTTP %s from %s (attempt %d)", status, url, attempt + 1)
        if attempt >= retries:
            raise failure from (cause if cause is not failure else None)
        delay = wait if wait is not None else _backoff(attempt)
        if time.monotonic() + delay >= stop_at:
            raise failure from (cause if cause is not failure else None)
        _sleep(delay)
        attempt += 1


def _backoff(attempt: int) -> float:
    """Capped exponential backoff with jitter: 0.5, 1, 2, 4, 8 s scaled by 0.5 to 1."""
    ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2**attempt)
    return ceiling * (0.5 + random.random() / 2)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _http_error(response: httpx.Response, url: str, settings: Settings) -> FetchError:
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
        if body.lstrip().startswith("<"):
            body = "an HTML page"
    said = _scrub(server_message(body), settings.api_key) or response.reason_phrase
    hint = {
        401: "check NANOGPT_API_KEY or pass api_key=",
        403: "check NANOGPT_API_KEY or pass api_key=",
        404: _BASE_URL_HINT,
        405: _BASE_URL_HINT,
        429: "the API is rate limited (25 requests/s); wait and try again",
    }.get(status, "try again later" if status >= 500 else "")
    message = f"HTTP {status} from {url}: {said}" + (f"; {hint}" if hint else "")
    if status == 429:
        return RateLimitError(
            message, url=url, retry_after=_retry_after(response.headers.get("Retry-After"))
        )
    return FetchError(message, url=url, status=status)


def _scrub(text: str, secret: str | None) -> str:
    """Remove the API key from any text that might echo it."""
    if secret and secret in text:
        text = text.replace(secret, "***")
    return text
