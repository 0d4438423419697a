"""One settings object, read from the ``NANOGPT_`` environment prefix. Nothing is read at import.

Environment variables (all optional):

- ``NANOGPT_API_KEY``: the key, sent only as a Bearer header;
- ``NANOGPT_BASE_URL``: the API root (default ``https://nano-gpt.com/api``);
- ``NANOGPT_CACHE_DIR``: the response cache folder (default: the platform's user cache folder,
  from ``platformdirs``, e.g. ``~/.cache/nanogpt-frame`` on Linux);
- ``NANOGPT_DEBUG``: ``1`` makes the CLI show a traceback for an unexpected error.

The names of the first releases, ``NANOGPT_FRAME_CACHE_DIR`` and ``NANOGPT_FRAME_DEBUG``, still
work, with a ``DeprecationWarning``; the new name wins when both are set.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from nanogpt_frame.errors import ConfigError

__all__ = (
    "DEFAULT_BASE_URL",
    "ENV_PREFIX",
    "Settings",
    "default_cache_dir",
    "env",
    "normalize_base_url",
)

DEFAULT_BASE_URL = "https://nano-gpt.com/api"
_MISTAKEN_SUFFIXES = ("/chat/completions", "/completions", "/models", "/v1")
#: The one prefix of every environment variable the package reads.
ENV_PREFIX = "NANOGPT_"
#: Names of the first releases, still read (with a ``DeprecationWarning``).
_OLD_NAMES = {"CACHE_DIR": "NANOGPT_FRAME_CACHE_DIR", "DEBUG": "NANOGPT_FRAME_DEBUG"}


def env(name: str) -> str | None:
    """The value of ``NANOGPT_<name>`` (else of its deprecated ``NANOGPT_FRAME_<name>``).

    Empty values count as unset.

    >>> env("NO_SUCH_SETTING") is None
    True
    """
    value = os.environ.get(ENV_PREFIX + name)
    if value:
        return value
    old = _OLD_NAMES.get(name)
    value = os.environ.get(old) if old else None
    if value:
        warnings.warn(
            f"{old} is deprecated: set {ENV_PREFIX + name} instead",
            DeprecationWarning,
            stacklevel=3,
        )
        return value
    return None


def default_cache_dir() -> Path:
    """``NANOGPT_CACHE_DIR``, else the platform's user cache folder (``platformdirs``).

    >>> default_cache_dir().name in ("nanogpt-frame", "Cache") or bool(env("CACHE_DIR"))
    True
    """
    configured = env("CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nanogpt-frame", appauthor=False))


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
        key = api_key if api_key is not None else env("API_KEY")
        url = base_url or env("BASE_URL") or DEFAULT_BASE_URL
        return cls(base_url=normalize_base_url(url), api_key=(key or "").strip() or None)

    @property
    def authenticated(self) -> bool:
        return self.api_key is not None

    def __repr__(self) -> str:
        return f"Settings(base_url={self.base_url!r}, authenticated={self.authenticated})"
