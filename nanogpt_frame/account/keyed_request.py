"""One keyed request to an account endpoint, through the one transport.

The key is required (``ConfigError`` before any request without one) and travels only in the
``Authorization`` header (``_http.client``); errors are the transport's, scrubbed of the key.
Successful bodies may be cached (``_http.cache.ResponseCache``), scoped by the key's one-way
fingerprint and the query, so one key's spend is never served to another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from nanogpt_frame.errors import ConfigError, FetchError, PayloadError, server_message
from nanogpt_frame.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = (
    "AccountReply",
    "account_settings",
    "fetch_account_json",
    "parse_object",
    "saved_payload",
)

#: Account bodies are small (a year of per-day, per-model buckets is well under 10 MiB).
MAX_ACCOUNT_BYTES = 32 * 1024 * 1024


def account_settings(api_key: str | None, base_url: str | None, what: str) -> Settings:
    """The settings of a keyed call; ``ConfigError`` (before any request) when there is no key.

    >>> account_settings(None, None, "the usage API")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nanogpt_frame.errors.ConfigError: the usage API needs an API key: ...
    """
    settings = Settings.from_env(api_key=api_key, base_url=base_url)
    if not settings.api_key:
        raise ConfigError(f"{what} needs an API key: set NANOGPT_API_KEY or pass api_key=")
    return settings


def parse_object(body: bytes | str | dict[str, Any], source: str) -> dict[str, Any]:
    """A response body as a JSON object, or ``PayloadError`` naming ``source``.

    >>> parse_object(b'{"usd_balance": "1.5"}', "check-balance")
    {'usd_balance': '1.5'}
    """
    if isinstance(body, dict):
        return body
    problem = None
    try:
        import orjson

        payload = orjson.loads(body)
    except (ValueError, RecursionError):
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:
            problem = f"{source} is not valid JSON: {type(exc).__name__}"
    if problem is not None:
        raise PayloadError(problem)  # not chained: the decode error holds the body
    if not isinstance(payload, dict):
        raise PayloadError(f"{source} is not a JSON object but a {type(payload).__name__}")
    if "error" in payload and len(payload) <= 4:
        raise PayloadError(f"{source} returned an error body: {server_message(payload)}")
    return payload


def saved_payload(source: str, sample_name: str) -> tuple[dict[str, Any], str]:
    """A saved answer: ``"sample"`` (``data/account/<sample_name>``) or a file's path.

    Raises:
        ConfigError: neither. PayloadError: not a JSON object.
    """
    from pathlib import Path

    from nanogpt_frame.fileio import read_regular_file
    from nanogpt_frame.sample import sample_dir

    path = sample_dir() / "account" / sample_name if source == "sample" else Path(source)
    if not path.is_file():
        raise ConfigError(f"source {source!r} is not 'live', 'sample' or a saved response file")
    return parse_object(read_regular_file(path, MAX_ACCOUNT_BYTES), str(path)), str(path)


@dataclass(frozen=True)
class AccountReply:
    """A keyed response: the JSON object, when it was received, whether from the cache."""

    payload: dict[str, Any]
    received_at: datetime
    from_cache: bool
    url: str


def fetch_account_json(
    settings: Settings,
    path: str,
    params: dict[str, str] | None = None,
    *,
    method: str = "GET",
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    client: httpx.Client | None = None,
    max_age: float | None = 0,
    not_ready: str | None = None,
) -> AccountReply:
    """``method`` ``<base><path>?params`` with the key; the JSON object it answered.

    Args:
        max_age: reuse a cached body younger than this many seconds (``None``: 300; ``0``:
            never; only GETs are cached).
        not_ready: the error ``code`` a 503 carries while the server is still building the
            answer (``usage_not_ready``); the retries' last such 503 becomes a ``FetchError``
            that says so.

    Raises:
        FetchError, RateLimitError: the request failed (text scrubbed of the key).
        PayloadError: the answer is not a JSON object.
    """
    from nanogpt_frame._http.cache import ResponseCache, key_fingerprint
    from nanogpt_frame._http.client import Requester

    url = f"{settings.base_url}{path}"
    params = dict(params or {})
    scope = key_fingerprint(settings.api_key)
    cache, age = ResponseCache.for_max_age(max_age) if method == "GET" else (None, 0.0)
    if cache is not None:
        entry = cache.get(url, params, scope)
        body = entry.body() if entry is not None and entry.age() < age else None
        if entry is not None and body is not None:
            try:
                return AccountReply(parse_object(body, url), entry.received_at, True, url)
            except PayloadError:
                pass  # a corrupt entry: fetch again
    failure: FetchError | None = None
    with Requester(
        settings,
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        client=client,
        max_bytes=MAX_ACCOUNT_BYTES,
    ) as requester:
        try:
            reply = requester.get(url, params, method=method)
        except FetchError as exc:
            failure = exc
    if failure is not None:
        if not_ready and failure.status == 503:
            said = (failure.detail or "").lower()
            sure = any(w in said for w in (not_ready, "not ready", "not_ready", "rollup"))
            why = (
                f"the usage rollup is still being built (HTTP 503 {not_ready})"
                if sure
                else f"HTTP 503, which this endpoint answers ({not_ready}) while a rollup is "
                "being built"
            )
            raise FetchError(
                f"{url}: {why}, still so after {retries} retries within the deadline; try "
                "again in a minute or pass a longer deadline= (server said: "
                f"{failure.detail or '-'})",
                url=url,
                status=503,
                detail=failure.detail,
            ) from None  # the transport's error is already scrubbed; nothing more to chain
        raise failure
    payload = parse_object(reply.body, url)
    received = datetime.now(UTC)
    if cache is not None:
        cache.put(url, params, scope, reply.body, reply.headers)
    return AccountReply(payload, received, False, url)
