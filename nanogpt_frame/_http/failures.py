"""HTTP failures as data: what went wrong, whether to retry, and text scrubbed of the key.

A ``Failure`` is returned, not raised, by the request code and turned into a ``FetchError`` only
outside any ``except`` block, so no httpx exception (which carries the request headers) is ever
chained to an error a user sees.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from nanogpt_frame.errors import FetchError, RateLimitError, server_message

__all__ = (
    "BASE_URL_HINT",
    "OFFLINE_HINT",
    "RETRY_STATUSES",
    "Failure",
    "guard_logs",
    "http_failure",
    "retry_after",
    "scrub",
)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
OFFLINE_HINT = "no network? use load('sample') or --sample, or load a saved snapshot"
BASE_URL_HINT = "check the base URL (NANOGPT_BASE_URL); it should be the API root, e.g. https://nano-gpt.com/api"
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s,;\"']+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def scrub(text: str, secret: str | None) -> str:
    """``text`` without the API key or any ``Bearer <token>``, and without control characters.

    >>> scrub("HTTP 401: bad key Bearer sk-abc (sk-abc)", "sk-abc")
    'HTTP 401: bad key Bearer *** (***)'
    """
    if secret:
        text = text.replace(secret, "***")
    return _CONTROL.sub(" ", _BEARER.sub(r"\1***", text))


@dataclass(frozen=True)
class Failure:
    message: str
    status: int | None = None
    retry: bool = True
    retry_after: float | None = None
    detail: str | None = None
    #: the limit that ended the attempt: ``"timeout"`` (per request) or ``"deadline"`` (the job)
    limit: str | None = None

    def error(self, url: str) -> FetchError:
        if self.status == 429:
            return RateLimitError(
                self.message, url=url, retry_after=self.retry_after, detail=self.detail
            )
        return FetchError(self.message, url=url, status=self.status, detail=self.detail)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    >>> retry_after("3"), retry_after("garbage"), retry_after("-5")
    (3.0, None, 0.0)
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def http_failure(
    status: int,
    headers: Mapping[str, str],
    reason: str,
    body: bytes,
    url: str,
    key: str | None,
) -> Failure:
    text = body.decode("utf-8", errors="replace")
    try:
        parsed: Any = json.loads(text)
    except (ValueError, RecursionError):
        parsed = "an HTML page" if text.lstrip().startswith("<") else text
    said = scrub(server_message(parsed), key)[:300] or scrub(reason or "", key)[:100]
    hint = {
        401: "check NANOGPT_API_KEY or pass api_key=",
        403: "check NANOGPT_API_KEY or pass api_key=",
        404: BASE_URL_HINT,
        405: BASE_URL_HINT,
        429: "the API is rate limited (25 requests/s); wait and try again",
    }.get(status, "try again later" if status >= 500 else "")
    message = f"HTTP {status} from {url}: {said}" + (f"; {hint}" if hint else "")
    wait = retry_after(headers.get("retry-after")) if status == 429 else None
    return Failure(
        message, status=status, retry=status in RETRY_STATUSES, retry_after=wait, detail=said
    )


class _ScrubSecrets(logging.Filter):
    """Scrubs API keys from records of httpx's own loggers (a server can echo a key in its
    reason phrase, which httpx logs at INFO and httpcore at DEBUG)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            return True
        clean = text
        for secret in tuple(self.secrets):  # another thread may add a key meanwhile
            clean = scrub(clean, secret)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


_LOG_SCRUBBER = _ScrubSecrets()
_HTTP_LOGGERS = (
    "httpx",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.connection",
    "httpcore.proxy",
)


def guard_logs(secret: str) -> None:
    """Keep ``secret`` out of httpx's and httpcore's log records from now on."""
    _LOG_SCRUBBER.secrets.add(secret)
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _LOG_SCRUBBER not in logger.filters:
            logger.addFilter(_LOG_SCRUBBER)
