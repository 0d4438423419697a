"""One settings object, read from the ``NANOGPT_`` environment prefix. Nothing is read at import."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ConfigError

__all__ = ("DEFAULT_BASE_URL", "Settings", "normalize_base_url")

DEFAULT_BASE_URL = "https://nano-gpt.com/api"
_MISTAKEN_SUFFIXES = ("/chat/completions", "/completions", "/models", "/v1")


def normalize_base_url(url: str) -> str:
    """Return the API base URL, correcting the usual mistakes with a warning.

    A URL that ends in ``/chat/completions`` or ``/v1`` (copied from a chat client's settings) is
    cut back to the API root; anything that is not an http(s) URL raises ``ConfigError``.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     normalize_base_url("https://nano-gpt.com/api/v1/chat/completions/")
    'https://nano-gpt.com/api'
    """
    original = url
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"base URL {original!r} is not an http(s) URL; expected something like "
            f"{DEFAULT_BASE_URL!r}"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL {original!r} must not carry a query or fragment")
    trimmed = url
    changed = True
    while changed:
        changed = False
        for suffix in _MISTAKEN_SUFFIXES:
            if trimmed.endswith(suffix):
                trimmed = trimmed[: -len(suffix)].rstrip("/")
                changed = True
    if trimmed != url:
        warnings.warn(
            f"base URL {original!r} points at an endpoint, not the API root; using {trimmed!r}",
            UserWarning,
            stacklevel=3,
        )
    if not urlsplit(trimmed).netloc:
        raise ConfigError(f"base URL {original!r} has no host left once corrected")
    return trimmed


@dataclass(frozen=True)
class Settings:
    """Where and how to reach the API. The key is kept out of ``repr``.

    >>> Settings(api_key="sk-secret")
    Settings(base_url='https://nano-gpt.com/api', authenticated=True)
    """

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, *, api_key: str | None = None, base_url: str | None = None) -> Settings:
        """Explicit arguments first, then ``NANOGPT_API_KEY`` / ``NANOGPT_BASE_URL``."""
        key = api_key if api_key is not None else os.environ.get("NANOGPT_API_KEY")
        url = base_url or os.environ.get("NANOGPT_BASE_URL") or DEFAULT_BASE_URL
        return cls(base_url=normalize_base_url(url), api_key=(key or "").strip() or None)

    @property
    def authenticated(self) -> bool:
        return self.api_key is not None

    def __repr__(self) -> str:
        return f"Settings(base_url={self.base_url!r}, authenticated={self.authenticated})"
