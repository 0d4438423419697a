"""Files the package reads and writes: one atomic-write helper and one regular-file guard.

``atomic_write`` is how the response cache and the snapshot store put a file in place: a hidden
temporary file in the target's folder, written, flushed and fsynced, then renamed over the
target (``overwrite=True``) or hard-linked into place so that an existing target is never
replaced (``overwrite=False``; where hard links are not supported, an exclusive lock file decides
which of two racing writers may rename). A reader therefore sees the old file or the whole new
one, never a torn one, and a killed writer leaves only a hidden ``.tmp-*`` file behind.

``open_regular`` and ``read_regular_file`` refuse anything that is not a regular file before
reading it (a FIFO would block a read forever, a device would never end) and never read more
than the size limit.

A bottom module: it imports only ``errors``.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from nanogpt_frame.errors import PayloadError

__all__ = ("TEMP_PREFIX", "atomic_write", "fsync_dir", "open_regular", "read_regular_file")

#: Temporary files start with this (hidden: readers of a folder pass over them).
TEMP_PREFIX = ".tmp-"


def atomic_write(
    target: str | os.PathLike[str],
    data: bytes | Callable[[BinaryIO], object],
    *,
    overwrite: bool = True,
) -> None:
    """Put ``data`` (bytes, or a function writing to a binary handle) at ``target`` atomically.

    Raises:
        FileExistsError: ``overwrite=False`` and ``target`` exists (or appeared meanwhile).
        BlockingIOError: ``overwrite=False`` on a filesystem without hard links while another
            writer is putting the same target in place.
        OSError: the folder cannot be written.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.bin"
    >>> atomic_write(target, b"one"); atomic_write(target, b"two"); target.read_bytes()
    b'two'
    """
    target = Path(target)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}.part"
    try:
        with open(temp, "xb") as handle:
            if isinstance(data, bytes | bytearray | memoryview):
                handle.write(data)
            else:
                data(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temp, target)
        else:
            _put_without_replacing(temp, target)
        fsync_dir(folder)
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


def _put_without_replacing(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)  # atomic, and fails if the target exists
        return
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links: rename under an exclusive lock
        pass
    lock = target.parent / f".lock-{target.name}"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise BlockingIOError(f"another writer is writing {target}") from None
    try:
        if os.path.lexists(target):
            raise FileExistsError(str(target))
        os.replace(temp, target)
    finally:
        os.close(fd)
        os.unlink(lock)


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for binary reading if it is a regular file; ``OSError`` otherwise.

    Opened without blocking, so a FIFO planted at ``path`` is refused instead of waited on.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    return os.fdopen(fd, "rb")


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file no larger than ``max_bytes``.

    A FIFO, a device or a folder is refused before it is read, and no more than
    ``max_bytes + 1`` bytes are ever read.

    Raises:
        PayloadError: not a regular file, too large, or unreadable.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = target.write_bytes(b"{}")
    >>> read_regular_file(target, 10)
    b'{}'
    """
    problem = None
    try:
        info = os.stat(path)
    except OSError as exc:
        info, problem = None, f"cannot read {path}: {exc.strerror}"
    if info is not None and not stat.S_ISREG(info.st_mode):
        problem = f"{path} is not a regular file"
    elif info is not None and info.st_size > max_bytes:
        problem = f"{path} is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit"
    if problem is None:
        try:
            with open_regular(path) as handle:  # swapped for a FIFO meanwhile: refused here
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                problem = f"{path} is over the {max_bytes:,}-byte limit"
        except OSError as exc:
            problem = f"cannot read {path}: {exc.strerror or exc}"
    if problem is not None:
        raise PayloadError(problem)
    return data
