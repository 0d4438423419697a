"""Fetch the catalog listings: from the cache when fresh, else concurrently over HTTP.

The requests run on threads (about one round trip of wall time for all three listings);
flattening and cache writes happen on the caller's thread, so warnings reach the caller and a
body that does not flatten is never cached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from nanogpt_frame._http.cache import key_fingerprint
from nanogpt_frame._http.client import MAX_BODY_BYTES, Reply, Requester, run_all, scrub
from nanogpt_frame.catalog.flatten import ListingTable, listing_table
from nanogpt_frame.errors import PayloadError
from nanogpt_frame.schema import ENDPOINT_PATHS, arrow_schema
from nanogpt_frame.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from nanogpt_frame._http.cache import CacheEntry, ResponseCache

__all__ = ("Listing", "fetch_listings", "flatten_reply", "listing_params", "listing_url")

log = logging.getLogger("nanogpt_frame")


@dataclass(frozen=True)
class Listing:
    """One listing: its flattened table and where and when it came from."""

    endpoint: str
    url: str
    table: ListingTable = field(repr=False)
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
    max_bytes: int = MAX_BODY_BYTES,
) -> dict[str, Listing]:
    """Fetch and flatten the given listings (a fresh cache entry needs no request at all).

    Args:
        endpoints: listing names (``canonical``, ``subscription``, ``paid``).
        settings: base URL and optional key.
        sort: ``favorites`` or ``mostused``, passed through.
        timeout: seconds for one request.
        deadline: seconds for everything, retries, waits and body reads included
            (default ``2 * timeout``); a hard bound.
        retries: retries per listing on 408/429/5xx and timeouts.
        client: an ``httpx.Client`` to use (and not close); one is made only if a request is due.
        cache: a response cache; entries younger than ``max_age`` seconds skip the network.
        max_age: cache freshness in seconds.
        max_bytes: the largest response body accepted.

    Raises:
        FetchError, RateLimitError, PayloadError: the first failing listing's error, at once.

    >>> import httpx
    >>> def api(request):
    ...     return httpx.Response(200, json={"object": "list", "data": []})
    >>> with httpx.Client(transport=httpx.MockTransport(api)) as c:
    ...     sorted(fetch_listings(("canonical", "paid"), settings=Settings(), client=c))
    ['canonical', 'paid']
    """
    params = listing_params(sort)
    scope = key_fingerprint(settings.api_key)
    out: dict[str, Listing] = {}
    stale: dict[str, CacheEntry | None] = {}
    for endpoint in endpoints:
        url = listing_url(settings, endpoint)
        entry = cache.get(url, params, scope) if cache is not None else None
        if entry is not None and max_age is not None and entry.age() < max_age:
            assert cache is not None  # the entry came from it
            frame = _cached_frame(cache, entry, endpoint, settings)
            if frame is not None:
                log.debug("cache hit for %s (%.0fs old)", url, entry.age())
                out[endpoint] = Listing(endpoint, url, frame, entry.received_at, True)
                continue
        stale[endpoint] = entry
    if not stale:
        return out
    with Requester(
        settings,
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        client=client,
        max_bytes=max_bytes,
    ) as requester:
        tasks = {
            endpoint: partial(
                requester.get,
                listing_url(settings, endpoint),
                params,
                entry.validators() if entry is not None else None,
            )
            for endpoint, entry in stale.items()
        }
        replies = run_all(tasks, requester)
    for endpoint, reply in replies.items():
        url = listing_url(settings, endpoint)
        received_at = datetime.now(UTC)
        entry = stale[endpoint]
        if reply.status == 304 and entry is not None:
            assert cache is not None  # the entry came from it
            frame = _cached_frame(cache, entry, endpoint, settings)
            if frame is not None:
                log.debug("%s not modified", url)
                cache.touch(entry)
                out[endpoint] = Listing(endpoint, url, frame, received_at, from_cache=True)
                continue
        frame = flatten_reply(reply, endpoint, url, settings.api_key)
        if cache is not None and reply.status != 304:
            cache.put(url, params, scope, reply.body, reply.headers, (frame.table, frame.attrs))
        out[endpoint] = Listing(endpoint, url, frame, received_at)
    return {endpoint: out[endpoint] for endpoint in endpoints}


def flatten_reply(reply: Reply, endpoint: str, url: str, key: str | None) -> ListingTable:
    """The listing frame of a response; a body that is not a catalog is a scrubbed PayloadError."""
    if reply.status == 304:
        problem = f"{url} answered 304 Not Modified to a request that sent no validators"
    else:
        try:
            return listing_table(reply.body, source_endpoint=endpoint, source=url)
        except PayloadError as exc:
            problem = scrub(str(exc), key)
    raise PayloadError(problem)  # raised outside the except block: nothing chained


def _cached_frame(
    cache: ResponseCache, entry: CacheEntry, endpoint: str, settings: Settings
) -> ListingTable | None:
    """The stored table of an entry; re-flattened from the stored body when missing or stale."""
    cached = entry.table(arrow_schema())
    if cached is not None:
        return ListingTable(*cached)
    body = entry.body()
    if body is None:
        return None
    try:
        stored = listing_table(body, source_endpoint=endpoint, source=str(entry.path))
    except PayloadError:
        return None
    cache.store_frame(entry, (stored.table, stored.attrs))
    return stored
