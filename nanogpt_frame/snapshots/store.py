"""Where snapshots live: resolving a root, listing snapshot files, atomic no-clobber writes.

Filesystem plumbing shared by model and route snapshots; the formats are in ``snapshots``. A
root is read two levels deep only (``snapshot_date=YYYY-MM-DD/<stamp>Z.parquet``), so symlink
loops and stray folders cannot multiply or hide snapshots.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import pandas as pd

from nanogpt_frame.errors import SnapshotError, SnapshotWarning
from nanogpt_frame.fileio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import pyarrow.fs as pafs

__all__ = (
    "COMPRESSION",
    "META_KEY",
    "PARTITION",
    "SnapshotFile",
    "arrow_errors",
    "day_of_folder",
    "exists",
    "file_name",
    "is_file",
    "is_local",
    "is_ours",
    "latest_file_info",
    "list_snapshots",
    "resolve",
    "stored_meta",
    "write_local",
)

PARTITION = "snapshot_date"
META_KEY = b"nanogpt_frame"  # the schema-metadata key that marks a file as our snapshot
COMPRESSION = "zstd"
_PART = re.compile(r"^snapshot_date=(\d{4})-(\d{2})-(\d{2})$")
_NAME = re.compile(r"^(\d{8})T\d{12}Z\.parquet$")
_STALE_SECONDS = 3600  # hidden temporary or lock files older than this were left by dead writers
#: Object-store timeouts: an unreachable store fails in seconds, not after minutes of retries.
S3_DEFAULTS = {"connect_timeout": 5.0, "request_timeout": 30.0}
_S3_OPTIONS: dict[str, Callable[[str], object]] = {
    "region": str,
    "scheme": str,
    "endpoint_override": str,
    "connect_timeout": float,
    "request_timeout": float,
    "allow_bucket_creation": lambda v: v.lower() == "true",
    "anonymous": lambda v: v.lower() == "true",
}


def arrow_errors() -> tuple[type[Exception], type[OSError]]:
    import pyarrow as pa

    return (pa.ArrowException, OSError)


def resolve(
    root: str | os.PathLike[str], filesystem: pafs.FileSystem | None = None
) -> tuple[pafs.FileSystem, str]:
    """(filesystem, path) for a local folder or a URI such as ``s3://bucket/prefix``."""
    import pyarrow.fs as pafs

    text = os.fspath(root)
    if filesystem is not None:
        return filesystem, text.rstrip("/")
    if text.startswith("s3://"):
        return _s3(text)
    if "://" in text:
        try:
            fs, path = pafs.FileSystem.from_uri(text)
        except (*arrow_errors(), ValueError) as exc:
            raise SnapshotError(f"cannot open snapshot root {text!r}: {exc}") from exc
        return fs, path.rstrip("/")
    return pafs.LocalFileSystem(), str(Path(text).expanduser().resolve())


def _s3(uri: str) -> tuple[pafs.FileSystem, str]:
    """An S3 filesystem with bounded timeouts and retries (``from_uri`` cannot set those)."""
    import pyarrow.fs as pafs

    parts = urlsplit(uri)
    options: dict[str, object] = dict(S3_DEFAULTS)
    for name, value in parse_qsl(parts.query):
        if name not in _S3_OPTIONS:
            raise SnapshotError(
                f"cannot open snapshot root {uri!r}: unknown option {name!r} "
                f"(known: {', '.join(_S3_OPTIONS)})"
            )
        try:
            options[name] = _S3_OPTIONS[name](value)
        except ValueError:
            raise SnapshotError(f"cannot open snapshot root {uri!r}: bad {name}") from None
    if not parts.netloc:
        raise SnapshotError(f"cannot open snapshot root {uri!r}: no bucket")
    try:
        fs = pafs.S3FileSystem(
            retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=3), **options
        )
    except (*arrow_errors(), TypeError, ValueError) as exc:
        raise SnapshotError(f"cannot open snapshot root {uri!r}: {exc}") from exc
    return fs, f"{parts.netloc}{parts.path}".rstrip("/")


def file_name(stamp: pd.Timestamp) -> tuple[str, str]:
    stamp = stamp.tz_convert("UTC")
    return f"{PARTITION}={stamp:%Y-%m-%d}", f"{stamp:%Y%m%dT%H%M%S%f}Z.parquet"


def is_local(fs: pafs.FileSystem) -> bool:
    return fs.type_name == "local"


def exists(fs: pafs.FileSystem, path: str) -> bool:
    import pyarrow.fs as pafs

    return fs.get_file_info(path).type != pafs.FileType.NotFound


@dataclass(frozen=True)
class SnapshotFile:
    """One snapshot file: its path and the day its name says (``YYYYMMDD``)."""

    path: str
    day: str


def day_of_folder(name: str) -> str | None:
    """``YYYY-MM-DD`` when ``name`` is a day folder of the layout (``snapshot_date=...``).

    >>> day_of_folder("snapshot_date=2026-08-24"), day_of_folder("2026-08-24")
    ('2026-08-24', None)
    """
    part = _PART.match(name)
    return "-".join(part.groups()) if part else None


def list_snapshots(
    fs: pafs.FileSystem, base: str, *, warn: bool = True, day: str | None = None
) -> list[SnapshotFile]:
    """The snapshot files under ``base``, oldest first, by the layout's names.

    Only ``snapshot_date=YYYY-MM-DD/YYYYMMDDTHHMMSSffffffZ.parquet`` counts, with the name's day
    equal to the folder's. Hidden entries (``.tmp-*``) are passed over; anything else (a
    ``README.md``, a ``notes.parquet``, a nested or linked folder) is named in a
    ``SnapshotWarning`` and left out. ``day`` (``YYYY-MM-DD``): only that day's folder.
    """
    import pyarrow.fs as pafs

    found: list[SnapshotFile] = []
    strays: list[str] = []
    if day is None:
        infos = fs.get_file_info(pafs.FileSelector(base, allow_not_found=True))
    else:
        infos = [fs.get_file_info(f"{base}/{PARTITION}={day}")]
    for info in infos:
        if info.base_name.startswith((".", "_")) or info.type == pafs.FileType.NotFound:
            continue
        part = _PART.match(info.base_name)
        if info.type != pafs.FileType.Directory or part is None:
            strays.append(info.base_name)
            continue
        day = "".join(part.groups())
        for entry in fs.get_file_info(pafs.FileSelector(info.path)):
            if entry.base_name.startswith((".", "_")):
                continue
            name = _NAME.match(entry.base_name)
            if entry.type == pafs.FileType.File and name is not None and name.group(1) == day:
                found.append(SnapshotFile(entry.path, day))
            else:
                strays.append(f"{info.base_name}/{entry.base_name}")
    if strays and warn:
        more = f" and {len(strays) - 5} more" if len(strays) > 5 else ""
        warnings.warn(
            f"ignoring {len(strays)} entr{'y' if len(strays) == 1 else 'ies'} under {base} that "
            f"are not snapshots: {', '.join(sorted(strays)[:5])}{more}",
            SnapshotWarning,
            stacklevel=3,
        )
    return sorted(found, key=lambda f: f.path.rsplit("/", 1)[-1])


def write_local(table: pa.Table, folder: str, target: str) -> None:
    """Write ``table`` to ``target`` atomically, never replacing an existing file.

    ``fileio.atomic_write`` with ``overwrite=False``: a hidden temporary file, fsynced, then
    hard-linked into place (or, without hard links, renamed under an exclusive lock); of two
    racing writers the second gets ``SnapshotError``.
    """
    import pyarrow.parquet as pq

    _clean_stale(folder)
    try:
        atomic_write(
            target,
            lambda handle: pq.write_table(table, handle, compression=COMPRESSION),
            overwrite=False,
        )
    except FileExistsError:
        raise SnapshotError(
            f"snapshot {target} exists already; snapshots are never overwritten"
        ) from None
    except BlockingIOError:
        raise SnapshotError(f"another writer is writing snapshot {target}") from None


def _clean_stale(folder: str) -> None:
    """Remove hidden temporary and lock files that killed writers left over an hour ago."""
    cutoff = time.time() - _STALE_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith((".tmp-", ".lock-")):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            continue  # another writer got there first


def stored_meta(metadata: dict[bytes, bytes] | None) -> dict[str, Any]:
    """This package's metadata of a snapshot file, or ``{}`` when it has none (not ours)."""
    try:
        stored = json.loads((metadata or {}).get(META_KEY, b"{}"))
    except (ValueError, RecursionError):
        return {}
    return stored if isinstance(stored, dict) else {}


def is_ours(schema: pa.Schema, kind: str | None = None) -> bool:
    meta = stored_meta(schema.metadata)
    return bool(meta) and (kind is None or meta.get("table", "models") == kind)


def latest_file_info(
    fs: pafs.FileSystem, base: str, *, day: str | None = None
) -> tuple[str, pa.Schema] | None:
    """(path, schema) of the newest snapshot of this package under ``base``, or ``None``."""
    import pyarrow.parquet as pq

    if not exists(fs, base):
        return None
    for snapshot in reversed(list_snapshots(fs, base, warn=False, day=day)):
        try:
            with fs.open_input_file(snapshot.path) as handle:
                schema = pq.read_schema(handle)
        except arrow_errors():
            continue
        if is_ours(schema):
            return snapshot.path, schema
    return None


def is_file(fs: pafs.FileSystem, path: str) -> bool:
    import pyarrow.fs as pafs

    return fs.get_file_info(path).type == pafs.FileType.File
