"""An on-disk cache of responses and of their flattened frames, so a warm load reads one file.

Each entry is ``<name>.listing`` (a JSON header line, then the raw body) and, beside it,
``<name>.arrow`` (the flattened frame as Arrow IPC, tied to the body by a random token, to its
exact bytes by a CRC-32 in the header, and to the package's column contract by its
schema). The name hashes the URL, the query and the caller's scope: anonymous, or a one-way
fingerprint of the API key, so one key's answer is never served to another. The key itself is
never written. Writes are atomic (temporary file, fsync, rename); any entry that does not read
back exactly is ignored and replaced, never fatal.

A stored table is used only when its bytes match the checksum (a truncated or bit-flipped file
is never parsed), it passes Arrow's full validation, and its numbers obey the package's rules
(prices finite, non-negative, at 9 significant digits; counts non-negative): no cache file can
crash the process or bypass the number rules. Anything else is rebuilt from the stored body.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import secrets
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nanogpt_frame.fileio import atomic_write, open_regular
from nanogpt_frame.settings import default_cache_dir

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

#: A flattened table as the cache stores it: the Arrow table and its ``attrs``.
StoredTable = tuple["pa.Table", dict[str, Any]]

__all__ = ("CacheEntry", "ResponseCache", "StoredTable", "key_fingerprint", "table_problem")

log = logging.getLogger("nanogpt_frame")
_FORMAT = 2
_HEADER_LIMIT = 64 * 1024
_TOKEN_TEXT = frozenset("0123456789abcdef")
_FRAME_LIMIT = 1024 * 1024 * 1024
#: A stored table with a larger price (USD per million tokens, i.e. $1 a token) is rebuilt.
_MAX_CACHED_PRICE = 1e6
#: Stored tables this process already checked, by path, file identity (inode, size, mtime and
#: ctime, which no write can keep) and checksum: a notebook's repeated warm loads of one
#: unchanged file are not checked again.
_CHECKED: set[tuple[str, tuple[int, ...], int]] = set()


def key_fingerprint(api_key: str | None) -> str | None:
    """A one-way fingerprint of the key that scopes cache entries (``None`` without a key).

    >>> key_fingerprint("sk-a") == key_fingerprint("sk-a") != key_fingerprint("sk-b")
    True
    """
    if not api_key:
        return None
    return hashlib.sha256(b"nanogpt-frame cache scope\x00" + api_key.encode()).hexdigest()[:32]


def _header_problem(header: Any, url: str) -> str | None:
    """Why a cache header cannot be trusted, or ``None`` when it can."""
    if not isinstance(header, dict):
        return f"header is a {type(header).__name__}, not an object"
    if header.get("format") != _FORMAT or header.get("url") != url:
        return "another cache format or a hash collision"
    size, stored = header.get("size"), header.get("stored_at")
    if type(size) is not int or size < 0:
        return "no body size"
    if (type(stored) is not int and type(stored) is not float) or not math.isfinite(stored):
        return "stored_at is not a finite number"
    if stored > time.time() + 86_400:
        return "stored_at is in the future"
    for name in ("etag", "last_modified"):
        value = header.get(name)
        if value is not None and (
            type(value) is not str or len(value) > 1024 or not value.isprintable()
        ):
            return f"{name} is not a printable header value"
    token = header.get("token")
    if type(token) is not str or not token or not set(token) <= _TOKEN_TEXT:
        return "no token"
    digest = header.get("frame_crc32")
    if digest is not None and (type(digest) is not int or not 0 <= digest < 2**32):
        return "frame_crc32 is not a checksum"
    return None


def _identity(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def table_problem(table: pa.Table) -> str | None:
    """Why a stored table breaks the package's number rules, or ``None`` when it keeps them.

    Every float column holds prices or multipliers: finite, non-negative, at 9 significant
    digits (what ``values.prices`` makes) and at most ``_MAX_CACHED_PRICE``; every integer
    column counts: non-negative. Refusing is always safe (the table is rebuilt from the stored
    body, whose numbers the flattener checks), so the bound is far stricter than any real price.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from nanogpt_frame.values import round9

    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_floating(kind):
            values = column.to_numpy(zero_copy_only=False)
            values = values[~np.isnan(values)]
            if not np.isfinite(values).all() or (values < 0).any():
                return f"{name} holds a negative or non-finite number"
            if (values > _MAX_CACHED_PRICE).any():
                return f"{name} holds a number above {_MAX_CACHED_PRICE:g}"
            if not np.array_equal(round9(values), values):
                return f"{name} holds a price not at 9 significant digits"
        elif (
            pa.types.is_integer(kind)
            and column.null_count < len(column)
            and pc.min(column).as_py() < 0
        ):
            return f"{name} holds a negative count"
    return None


@dataclass
class CacheEntry:
    """A cached response: its validated header, and on demand its body and flattened frame."""

    path: Path
    header: dict[str, Any]
    offset: int = field(repr=False)

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

    def body(self) -> bytes | None:
        """The raw body, or ``None`` when the file no longer holds it whole."""
        try:
            with open_regular(self.path) as handle:
                handle.seek(self.offset)
                body = handle.read(self.header["size"] + 1)
        except OSError:
            return None
        return body if len(body) == self.header["size"] else None

    def table(self, schema: pa.Schema) -> StoredTable | None:
        """The flattened table stored with this response and its ``attrs``, or ``None``
        (missing, stale, corrupt, tampered, against the number rules, or of another
        ``schema``: the caller's column contract). Never crashes on any file."""
        import pyarrow as pa
        import pyarrow.ipc as ipc

        digest = self.header.get("frame_crc32")
        if digest is None:
            return None  # from before digests: rebuilt from the body
        try:
            with open_regular(self.path.with_suffix(".arrow")) as handle:
                before = _identity(os.fstat(handle.fileno()))
                if before[2] > _FRAME_LIMIT:
                    return None
                data = handle.read(before[2] + 1)
                unchanged = _identity(os.fstat(handle.fileno())) == before
        except OSError:
            return None
        seen = (str(self.path), before, digest)
        checked = unchanged and seen in _CHECKED
        if not checked and zlib.crc32(data) != digest:
            self._refuse("its bytes do not match the checksum stored with the response")
            return None
        try:
            table = ipc.open_file(pa.BufferReader(data)).read_all()
            if not table.schema.remove_metadata().equals(schema):
                return None  # written by another version of the column contract: re-flatten
            if not checked:
                table.validate(full=True)
        except (pa.ArrowException, ValueError, TypeError) as exc:
            self._refuse(f"not valid Arrow ({type(exc).__name__})")
            return None
        problem = None if checked else table_problem(table)
        if problem is not None:
            self._refuse(problem)
            return None
        if unchanged and not checked:
            if len(_CHECKED) > 1024:
                _CHECKED.clear()
            _CHECKED.add(seen)
        meta = table.schema.metadata or {}
        if meta.get(b"token") != self.header["token"].encode():
            return None
        try:
            attrs = json.loads(meta.get(b"attrs", b"{}"))
        except (ValueError, RecursionError):
            return None
        return table.replace_schema_metadata(None), attrs if isinstance(attrs, dict) else {}

    def _refuse(self, why: str) -> None:
        log.warning("not using the cached table %s (%s): rebuilding it", self.path, why)


class ResponseCache:
    """Responses on disk, keyed by URL, query and scope (anonymous or a key's fingerprint).

    >>> import tempfile
    >>> cache = ResponseCache(tempfile.mkdtemp())
    >>> cache.get("https://nano-gpt.com/api/v1/models", {"detailed": "true"}, None) is None
    True
    """

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    @classmethod
    def default(cls) -> ResponseCache:
        return cls(default_cache_dir())

    @classmethod
    def for_max_age(cls, max_age: float | None) -> tuple[ResponseCache | None, float]:
        """The default cache and the freshness to use (``None``: 300 s; ``0``: no cache)."""
        age = 300.0 if max_age is None else float(max_age)
        return (cls.default() if age > 0 else None), age

    def path_for(
        self, url: str, params: dict[str, str], scope: str | None, suffix: str = ".listing"
    ) -> Path:
        ident = json.dumps([url, sorted(params.items()), scope or "anonymous"])
        return self.root / f"{hashlib.sha256(ident.encode()).hexdigest()[:32]}{suffix}"

    def get(self, url: str, params: dict[str, str], scope: str | None) -> CacheEntry | None:
        """The entry for this request, or ``None`` (missing, corrupt or of another format)."""
        path = self.path_for(url, params, scope)
        try:
            with open_regular(path) as handle:
                head = handle.readline(_HEADER_LIMIT)
        except OSError:
            return None
        try:
            header = json.loads(head)
            problem = _header_problem(header, url)
        except (ValueError, RecursionError) as exc:
            problem = f"unreadable header ({type(exc).__name__})"
        if problem is not None:
            log.warning("ignoring a corrupt cache entry %s (%s)", path, problem)
            return None
        return CacheEntry(path, header, len(head))

    def put(
        self,
        url: str,
        params: dict[str, str],
        scope: str | None,
        body: bytes,
        headers: Any = None,
        frame: StoredTable | None = None,
    ) -> None:
        """Store a response body (and its flattened table); failures are logged, never raised."""
        headers = headers or {}
        header: dict[str, Any] = {
            "format": _FORMAT,
            "url": url,
            "params": params,
            "scope": "keyed" if scope else "anonymous",
            "stored_at": time.time(),
            "etag": _header_value(headers.get("etag")),
            "last_modified": _header_value(headers.get("last-modified")),
            "size": len(body),
            "token": secrets.token_hex(8),
        }
        path = self.path_for(url, params, scope)
        if frame is not None:
            header["frame_crc32"] = self._write_frame(
                path.with_suffix(".arrow"), frame, header["token"]
            )
        self._write(path, json.dumps(header, sort_keys=True).encode() + b"\n" + body)

    def touch(self, entry: CacheEntry) -> None:
        """Mark an entry fresh again (the server answered 304 Not Modified)."""
        body = entry.body()
        if body is None:
            return
        entry.header["stored_at"] = time.time()
        self._write(entry.path, json.dumps(entry.header, sort_keys=True).encode() + b"\n" + body)

    def store_frame(self, entry: CacheEntry, frame: StoredTable) -> None:
        """Store the flattened frame of an entry whose frame was missing, stale or refused
        (and its digest in the entry's header)."""
        body = entry.body()
        if body is None:
            return
        digest = self._write_frame(entry.path.with_suffix(".arrow"), frame, entry.header["token"])
        if digest is not None:
            entry.header["frame_crc32"] = digest
            self._write(
                entry.path, json.dumps(entry.header, sort_keys=True).encode() + b"\n" + body
            )

    def _write_frame(self, path: Path, frame: StoredTable, token: str) -> int | None:
        """Write the table; its CRC-32, or ``None`` when it was not written."""
        import pyarrow as pa
        import pyarrow.ipc as ipc

        try:
            table, attrs_dict = frame
            attrs = json.dumps(attrs_dict, sort_keys=True, default=str)
        except (TypeError, ValueError) as exc:
            log.warning("not caching a table whose attrs are not JSON: %s", exc)
            return None
        table = table.replace_schema_metadata({"token": token, "attrs": attrs})
        sink = pa.BufferOutputStream()
        with ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        data = sink.getvalue().to_pybytes()
        return zlib.crc32(data) if self._write(path, data) else None

    def _write(self, path: Path, data: bytes) -> bool:
        try:
            atomic_write(path, data)
        except OSError as exc:
            log.warning("could not write the response cache at %s: %s", path.parent, exc)
            return False
        return True


def _header_value(value: Any) -> str | None:
    """A validator worth sending back: printable, single-line, short; else ``None``."""
    if type(value) is not str or len(value) > 1024 or not value.isprintable():
        return None
    return value
