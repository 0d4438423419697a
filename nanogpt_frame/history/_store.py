"""Where snapshots live: resolving a root, atomic local writes, and listing snapshot files.

Everything here is filesystem plumbing shared by the model and route snapshots; the formats are
in ``snapshots``.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import SnapshotError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import pyarrow.fs as pafs

__all__ = (
    "COMPRESSION",
    "PARTITION",
    "arrow_errors",
    "exists",
    "file_name",
    "fsync_dir",
    "is_local",
    "resolve",
    "snapshot_files",
    "write_local",
)

PARTITION = "snapshot_date"
COMPRESSION = "zstd"


def resolve(root: str | os.PathLike[str], filesystem: pafs.FileSystem | None):
    """(filesystem, path) for a local folder or a URI such as ``s3://bucket/prefix``."""
    import pyarrow.fs as pafs

    text = os.fspath(root)
    if filesystem is not None:
        return filesystem, text.rstrip("/")
    if "://" in text:
        try:
            fs, path = pafs.FileSystem.from_uri(text)
        except (*arrow_errors(), ValueError) as exc:
            raise SnapshotError(f"cannot open snapshot root {text!r}: {exc}") from exc
        return fs, path.rstrip("/")
    return pafs.LocalFileSystem(), str(Path(text).expanduser().resolve())


def arrow_errors() -> tuple[type[BaseException], ...]:
    import pyarrow as pa

    return (pa.ArrowException, OSError)


def file_name(stamp: pd.Timestamp) -> tuple[str, str]:
    stamp = stamp.tz_convert("UTC")
    return f"{PARTITION}={stamp:%Y-%m-%d}", f"{stamp:%Y%m%dT%H%M%S%f}Z.parquet"


def is_local(fs: pafs.FileSystem) -> bool:
    return fs.type_name == "local"


def exists(fs: pafs.FileSystem, path: str) -> bool:
    import pyarrow.fs as pafs

    return fs.get_file_info(path).type != pafs.FileType.NotFound


def write_local(table: pa.Table, folder: str, target: str) -> None:
    import pyarrow.parquet as pq

    temp = f"{folder}/.tmp-{uuid.uuid4().hex}.parquet.part"  # hidden: readers skip it
    try:
        with open(temp, "wb") as handle:
            pq.write_table(table, handle, compression=COMPRESSION)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, target)  # atomic, and fails if the target exists
        except FileExistsError as exc:
            raise SnapshotError(
                f"snapshot {target} exists already; snapshots are never overwritten"
            ) from exc
        except OSError:  # a filesystem without hard links: rename after the existence check
            os.replace(temp, target)
        fsync_dir(folder)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def snapshot_files(fs: pafs.FileSystem, base: str) -> list[str]:
    import pyarrow.fs as pafs

    selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
    files = [
        info.path
        for info in fs.get_file_info(selector)
        if info.type == pafs.FileType.File
        and info.path.endswith(".parquet")
        and not info.base_name.startswith((".", "_"))
    ]
    return sorted(files, key=lambda p: p.rsplit("/", 1)[-1])
