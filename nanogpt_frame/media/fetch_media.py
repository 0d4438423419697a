"""Fetch the media feeds: from the cache when fresh, else all at once over HTTP.

The four feeds run on threads (``run_all``: about one round trip of wall time for all four),
over one ``Requester`` (retries, one deadline, bounded bodies, the key scrubbed from every
error). Each body is parsed on the caller's thread before it is cached, so a body that is not a
feed is never cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from nanogpt_frame._http.cache import key_fingerprint
from nanogpt_frame._http.client import MAX_BODY_BYTES, Requester, run_all, scrub
from nanogpt_frame.errors import PayloadError
from nanogpt_frame.schema import MEDIA_FEED_PATHS
from nanogpt_frame.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from nanogpt_frame._http.cache import CacheEntry, ResponseCache

__all__ = ("FeedReply", "feed_url", "fetch_media", "without_key")

log = logging.getLogger("nanogpt_frame")


@dataclass(frozen=True)
class FeedReply:
    """One feed's parsed body (what ``parse`` made of it) and where and when it came from."""

    feed: str
    url: str
    payload: Any = field(repr=False)
    received_at: datetime
    from_cache: bool = False


def feed_url(settings: Settings, feed: str) -> str:
    """The URL of a media feed under the base URL (without the query).

    >>> feed_url(Settings(), "image")
    'https://nano-gpt.com/api/v1/image-models'
    """
    return settings.base_url + MEDIA_FEED_PATHS[feed][0]


def fetch_media(
    feeds: tuple[str, ...],
    *,
    settings: Settings,
    parse: Callable[[str, bytes, str], Any],
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    client: httpx.Client | None = None,
    cache: ResponseCache | None = None,
    max_age: float | None = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> dict[str, FeedReply]:
    """Fetch and parse the given feeds concurrently (fresh cache entries need no request).

    Args:
        feeds: feed names (``image``, ``video``, ``audio``, ``embedding``).
        settings: base URL and optional key.
        parse: ``parse(feed, body, source)``: the feed read from its body, on the caller's
            thread; raises ``PayloadError`` on a bad body.
        timeout, deadline, retries, client, max_bytes: as for the text listings.
        cache: a response cache; entries younger than ``max_age`` seconds skip the network.
        max_age: cache freshness in seconds.

    Raises:
        FetchError, RateLimitError, PayloadError: the first failing feed's error, at once.

    >>> import httpx, json
    >>> def api(request):
    ...     return httpx.Response(200, json={"object": "list", "data": []})
    >>> with httpx.Client(transport=httpx.MockTransport(api)) as c:
    ...     sorted(fetch_media(("image", "audio"), settings=Settings(), client=c,
    ...                        parse=lambda feed, body, source: json.loads(body)))
    ['audio', 'image']
    """
    scope = key_fingerprint(settings.api_key)
    out: dict[str, FeedReply] = {}
    stale: dict[str, CacheEntry | None] = {}
    for feed in feeds:
        url, params = feed_url(settings, feed), MEDIA_FEED_PATHS[feed][1]
        entry = cache.get(url, params, scope) if cache is not None else None
        if entry is not None and max_age is not None and entry.age() < max_age:
            payload = _cached(feed, entry, parse)
            if payload is not None:
                log.debug("cache hit for %s (%.0fs old)", url, entry.age())
                out[feed] = FeedReply(feed, url, payload, entry.received_at, True)
                continue
        stale[feed] = entry
    if stale:
        with Requester(
            settings,
            timeout=timeout,
            deadline=deadline,
            retries=retries,
            client=client,
            max_bytes=max_bytes,
        ) as requester:
            tasks = {
                feed: partial(
                    requester.get,
                    feed_url(settings, feed),
                    MEDIA_FEED_PATHS[feed][1],
                    entry.validators() if entry is not None else None,
                )
                for feed, entry in stale.items()
            }
            replies = run_all(tasks, requester)
        for feed, reply in replies.items():
            url, params = feed_url(settings, feed), MEDIA_FEED_PATHS[feed][1]
            received_at = datetime.now(UTC)
            entry = stale[feed]
            if reply.status == 304 and entry is not None:
                assert cache is not None  # the entry came from it
                payload = _cached(feed, entry, parse)
                if payload is not None:
                    cache.touch(entry)
                    out[feed] = FeedReply(feed, url, payload, received_at, True)
                    continue
            body = without_key(reply.body, settings.api_key)
            payload = _parsed(feed, reply.status, body, url, parse, settings.api_key)
            if cache is not None:
                cache.put(url, params, scope, body, reply.headers)
            out[feed] = FeedReply(feed, url, payload, received_at)
    return {feed: out[feed] for feed in feeds}


def without_key(body: bytes, key: str | None) -> bytes:
    """The body with every copy of the key (plain or JSON-escaped) replaced by ``***``: a server
    that echoes the key in a 200 body must not put it into a frame, a snapshot or the cache.

    >>> without_key(b'{"description": "sk-abc"}', "sk-abc")
    b'{"description": "***"}'
    """
    if not key:
        return body
    for form in {key, key.replace("/", "\\/")}:
        body = body.replace(form.encode(), b"***")
    return body


def _parsed(
    feed: str, status: int, body: bytes, url: str, parse: Callable[[str, bytes, str], Any], key
) -> Any:
    """The parsed feed; a body that is not a feed is a PayloadError scrubbed of the key."""
    if status == 304:
        problem = f"{url} answered 304 Not Modified to a request that sent no validators"
    else:
        try:
            return parse(feed, body, url)
        except PayloadError as exc:
            problem = scrub(str(exc), key)
    raise PayloadError(problem)  # raised outside the except block: nothing chained


def _cached(feed: str, entry: CacheEntry, parse: Callable[[str, bytes, str], Any]) -> Any:
    body = entry.body()
    if body is None:
        return None
    try:
        return parse(feed, body, str(entry.path))
    except PayloadError:
        return None
