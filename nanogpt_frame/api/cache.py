"""A small on-disk cache of listing responses, so re-running a notebook cell skips the network.

One file per (URL, query, authenticated or not): a JSON header line, then the raw body bytes.
The API key is never part of a key or a file. Writes are atomic (temporary file, fsync, rename);
an unreadable entry is ignored and replaced, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import PayloadError
from ..frame.flatten import parse_listing

__all__ = ("CacheEntry", "ResponseCache", "default_cache_dir")

log = logging.getLogger("nanogpt_frame")
_FORMAT = 1


def default_cache_dir() -> Path:
    """``NANOGPT_FRAME_CACHE_DIR``, else the platform's user cache folder."""
    configured = os.environ.get("NANOGPT_FRAME_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return base / "nanogpt-frame" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "nanogpt-frame"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "nanogpt-frame"


@dataclass
class CacheEntry:
    """A cached listing: its parsed payload, when it was stored and its HTTP validators."""

    path: Path
    header: dict[str, Any]
    body: bytes = field(repr=False)
    payload: dict[str, Any] = field(repr=False)

    @property
    def received_at(self) -> datetime:
        return datetime.fromtimestamp(self.header["stored_at"], UTC)

    def age(self) -> float:
        """Seconds since the response was stored (or last confirmed by a 304)."""
        return max(0.0, time.time() - self.header["stored_at"])

    def validators(self) -> dict[str, str]:
        """Conditional request headers for this entry (``If-None-Match``/``If-Modified-Since``)."""
        out = {}
        if self.header.get("etag"):
            out["If-None-Match"] = self.header["etag"]
        if self.header.get("last_modified"):
            out["If-Modified-Since"] = self.header["last_modified"]
        return out


class ResponseCache:
    """Listing responses on disk, keyed by URL, query and whether a key was used.

    >>> import tempfile
    >>> cache = ResponseCache(tempfile.mkdtemp())
    >>> cache.get("https://nano-gpt.com/api/v1/models", {"detailed": "true"}, False) is None
    True
    """

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    @classmethod
    def default(cls) -> ResponseCache:
        return cls(default_cache_dir())

    def path_for(self, url: str, params: dict[str, str], authenticated: bool) -> Path:
        ident = json.dumps([url, sorted(params.items()), bool(authenticated)])
        return self.root / f"{hashlib.sha256(ident.encode()).hexdigest()[:32]}.listing"

    def get(self, url: str, params: dict[str, str], authenticated: bool) -> CacheEntry | None:
        """The entry for this request, or ``None`` (missing, corrupt or of another format)."""
        path = self.path_for(url, params, authenticated)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
            if header.get("format") != _FORMAT or header.get("url") != url:
                raise ValueError("another cache format or a hash collision")
            if len(body) != header.get("size"):
                raise ValueError("truncated body")
            float(header["stored_at"])
            payload = parse_listing(body, source=str(path))
        except (ValueError, KeyError, TypeError, PayloadError) as exc:
            log.warning("ignoring a corrupt cache entry %s (%s)", path, exc)
            return None
        return CacheEntry(path, header, body, payload)

    def put(
        self,
        url: str,
        params: dict[str, str],
        authenticated: bool,
        body: bytes,
        headers: Any = None,
    ) -> None:
        """Store a response body with its validators; failures are logged, never raised."""
        headers = headers or {}
        header = {
            "format": _FORMAT,
            "url": url,
            "params": params,
            "authenticated": bool(authenticated),
            "stored_at": time.time(),
            "etag": headers.get("etag"),
            "last_modified": headers.get("last-modified"),
            "size": len(body),
        }
        self._write(self.path_for(url, params, authenticated), header, body)

    def touch(self, entry: CacheEntry) -> None:
        """Mark an entry fresh again (the server answered 304 Not Modified)."""
        entry.header["stored_at"] = time.time()
        self._write(entry.path, entry.header, entry.body)

    def _write(self, path: Path, header: dict[str, Any], body: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(json.dumps(header, sort_keys=True).encode() + b"\n")
                    handle.write(body)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("could not write the response cache at %s: %s", path.parent, exc)
