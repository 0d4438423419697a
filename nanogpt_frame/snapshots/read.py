"""Reading snapshots back: the history of a root, one file, or the latest.

A file counts as a snapshot only by its name in the layout *and* this package's schema metadata;
anything else under a root is named in a ``SnapshotWarning`` and left out, so a stray file can
neither break the history nor pose as its latest snapshot.
"""

from __future__ import annotations

import os
import warnings
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from nanogpt_frame.errors import SnapshotError, SnapshotWarning
from nanogpt_frame.snapshots.store import (
    SnapshotFile,
    arrow_errors,
    exists,
    is_file,
    is_ours,
    latest_file_info,
    list_snapshots,
    resolve,
    stored_meta,
)
from nanogpt_frame.snapshots.write import contract

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import pyarrow.fs as pafs

__all__ = (
    "latest_snapshots",
    "read_latest_snapshot",
    "read_snapshot_file",
    "read_snapshots",
)


def _attrs_from(metadata: dict[bytes, bytes] | None, source: str) -> dict[str, Any]:
    stored = stored_meta(metadata)
    return {
        **stored,
        "source": "snapshot",
        "snapshot_path": source,
        "loaded_from": stored.get("source"),
    }


def _open_root(root: str | os.PathLike[str], filesystem: pafs.FileSystem | None):
    fs, base = resolve(root, filesystem)
    try:
        found = exists(fs, base)
    except arrow_errors() as exc:
        raise SnapshotError(f"cannot reach snapshot root {os.fspath(root)!r}: {exc}") from exc
    if not found:
        raise SnapshotError(f"no snapshot root at {os.fspath(root)!r}: it does not exist")
    return fs, base


def _readable_and_ours(fragment, kind: str) -> bool:
    """The file's footer reads and carries this package's metadata for ``kind``."""
    try:
        return is_ours(fragment.physical_schema, kind)
    except arrow_errors():  # truncated or corrupt
        return False


def _warn_foreign(paths: list[str]) -> None:
    if paths:
        warnings.warn(
            f"ignoring {len(paths)} file(s) named like snapshots that are unreadable, were not "
            f"written by nanogpt_frame, or hold the other table kind: {', '.join(paths[:5])}",
            SnapshotWarning,
            stacklevel=3,
        )


def read_snapshots(
    root: str | os.PathLike[str],
    *,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    columns: list[str] | tuple[str, ...] | None = None,
    ids: list[str] | tuple[str, ...] | None = None,
    kind: str | None = None,
    filesystem: pafs.FileSystem | None = None,
) -> pd.DataFrame:
    """Every snapshot under ``root`` as one frame (the history), oldest first.

    Only the days and columns asked for are read. Snapshots written by an older schema version
    still read: columns they lack come back ``<NA>``. Stray files are skipped with a warning.

    Args:
        root: the snapshot root (folder or URI).
        since, until: inclusive bounds on ``snapshot_at`` (dates or times, UTC when naive).
        columns: contract columns to read (default all).
        ids: only these model ids.
        kind: ``"models"`` or ``"routes"``; by default what the root's newest snapshot holds.
        filesystem: a ``pyarrow.fs.FileSystem`` to use instead of resolving ``root``.

    Returns:
        A frame with the same dtypes as ``load()`` (or ``load_routes()``).

    Raises:
        SnapshotError: ``root`` does not exist, cannot be reached, or holds unreadable files.

    >>> import tempfile, nanogpt_frame as nf
    >>> root = tempfile.mkdtemp()
    >>> _ = nf.write_snapshot(nf.load("sample"), root)
    >>> len(read_snapshots(root, columns=["id", "price_prompt"])) == len(nf.load("sample"))
    True
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    fs, base = _open_root(root, filesystem)
    where = os.fspath(root)
    if kind is None:
        try:
            latest = latest_file_info(fs, base)
        except arrow_errors() as exc:
            raise SnapshotError(f"cannot read snapshots under {where!r}: {exc}") from exc
        kind = stored_meta(latest[1].metadata).get("table", "models") if latest else "models"
    all_names, schema, id_column = contract(kind)
    names = list(all_names if columns is None else columns)
    unknown = [c for c in names if c not in all_names]
    if unknown:
        raise SnapshotError(f"unknown columns {unknown}; {kind} snapshots hold {list(all_names)}")
    problem: str | None
    try:
        files = _in_range(list_snapshots(fs, base), since, until)
        dataset = ds.dataset(
            [f.path for f in files], schema=schema, format="parquet", filesystem=fs
        )
        ours: list[Any] = []
        foreign: list[Any] = []
        for fragment in dataset.get_fragments():
            (ours if _readable_and_ours(fragment, kind) else foreign).append(fragment)
        _warn_foreign([f.path for f in foreign])
        dataset = ds.FileSystemDataset(ours, schema, ds.ParquetFileFormat(), fs)
        condition = _condition(since, until, schema)
        if ids is not None:
            match = ds.field(id_column).isin(pa.array(list(ids), pa.string()))
            condition = match if condition is None else condition & match
        table = dataset.to_table(columns=names, filter=condition)
    except arrow_errors() as exc:
        problem = f"cannot read snapshots under {where!r}: {exc}"
    else:
        problem = None
    if problem is not None:
        raise SnapshotError(problem)
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    df.attrs = {"source": "snapshots", "snapshot_root": where}
    order = [c for c in ("snapshot_at", "source_endpoint", "position") if c in df.columns]
    if "snapshot_at" in order and not df["snapshot_at"].is_monotonic_increasing:
        df = df.sort_values(order, kind="stable").reset_index(drop=True)
    return df


def _bound(value: date | datetime | str) -> tuple[str, pd.Timestamp | None]:
    """(``YYYYMMDD`` day, exact UTC time or ``None`` for a whole day) of a ``since``/``until``."""
    from nanogpt_frame.errors import ConfigError

    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"not a date or time: {value!r} ({exc})") from None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    whole_day = (isinstance(value, date) and not isinstance(value, datetime)) or (
        isinstance(value, str) and len(value.strip()) == 10
    )
    return f"{stamp:%Y%m%d}", (None if whole_day else stamp)


def _in_range(files: list[SnapshotFile], since, until) -> list[SnapshotFile]:
    if since is not None:
        day = _bound(since)[0]
        files = [f for f in files if f.day >= day]
    if until is not None:
        day = _bound(until)[0]
        files = [f for f in files if f.day <= day]
    return files


def _condition(since, until, schema: pa.Schema):
    import pyarrow as pa
    import pyarrow.dataset as ds

    condition = None
    for bound, op in ((since, "__ge__"), (until, "__le__")):
        if bound is None:
            continue
        stamp = _bound(bound)[1]
        if stamp is not None:
            at = pa.scalar(stamp.to_pydatetime(), schema.field("snapshot_at").type)
            part = getattr(ds.field("snapshot_at"), op)(at)
            condition = part if condition is None else condition & part
    return condition


def read_snapshot_file(
    path: str | os.PathLike[str],
    *,
    filesystem: pafs.FileSystem | None = None,
) -> pd.DataFrame:
    """One snapshot file as a models (or routes) frame, with its stored provenance in ``attrs``.

    Raises:
        SnapshotError: unreadable, or not a snapshot written by this package.

    >>> import tempfile, nanogpt_frame as nf
    >>> path = nf.write_snapshot(nf.load("sample"), tempfile.mkdtemp())
    >>> read_snapshot_file(path).attrs["loaded_from"]
    'sample'
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, target = resolve(path, filesystem)
    problem: str | None
    try:
        with fs.open_input_file(target) as handle:
            table = pq.read_table(handle)
    except arrow_errors() as exc:
        problem = f"cannot read snapshot {os.fspath(path)!r}: {exc}"
    else:
        problem = (
            None
            if is_ours(table.schema)
            else (f"{os.fspath(path)!r} is not a snapshot written by nanogpt_frame (no metadata)")
        )
    if problem is not None:
        raise SnapshotError(problem)
    metadata = table.schema.metadata
    _, schema, _ = contract(stored_meta(metadata).get("table", "models"))
    columns = []
    for field in schema:  # older files: missing columns come back null
        if field.name in table.column_names:
            try:
                columns.append(table.column(field.name).cast(field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise SnapshotError(f"{target}: column {field.name!r} has the wrong type") from None
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    table = pa.Table.from_arrays(columns, schema=schema)
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    df.attrs = _attrs_from(metadata, target)
    return df


def latest_snapshots(
    root: str | os.PathLike[str],
    count: int = 2,
    *,
    filesystem: pafs.FileSystem | None = None,
    day: str | None = None,
) -> list[str]:
    """Paths of the ``count`` newest snapshots under ``root``, oldest first.

    ``day`` (``YYYY-MM-DD``): only the snapshots of that day's folder.

    Raises:
        SnapshotError: ``root`` is missing, not a folder, empty, or holds fewer snapshots.
    """
    import pyarrow.parquet as pq

    fs, base = _open_root(root, filesystem)
    where = os.fspath(root)
    try:
        if is_file(fs, base):
            raise SnapshotError(f"{where!r} is a file, not a snapshot root (a folder)")
        picked: list[str] = []
        for snapshot in reversed(list_snapshots(fs, base, day=day)):
            try:
                with fs.open_input_file(snapshot.path) as handle:
                    schema = pq.read_schema(handle)
            except arrow_errors():  # truncated or corrupt: not a snapshot to compare
                _warn_foreign([snapshot.path])
                continue
            if is_ours(schema):
                picked.append(snapshot.path)
            if len(picked) == count:
                break
    except arrow_errors() as exc:
        raise SnapshotError(f"cannot read snapshots under {where!r}: {exc}") from exc
    if len(picked) < count:
        if not picked and day is not None:
            raise SnapshotError(f"{where!r} holds no snapshots of {day}")
        if not picked:
            raise SnapshotError(
                f"{where!r} holds no snapshots yet; write one with write_snapshot(df, root)"
            )
        raise SnapshotError(f"{where!r} holds only {len(picked)} snapshot; {count} needed")
    return picked[::-1]


def read_latest_snapshot(
    root: str | os.PathLike[str],
    *,
    filesystem: pafs.FileSystem | None = None,
    day: str | None = None,
) -> pd.DataFrame:
    """The newest snapshot under ``root`` (what ``load(root)`` returns for a snapshot folder).

    ``day`` (``YYYY-MM-DD``): the newest of that day's snapshots.
    """
    fs, base = resolve(root, filesystem)  # resolve a URI once, not per call
    newest = latest_snapshots(base, 1, filesystem=fs, day=day)[-1]
    return read_snapshot_file(newest, filesystem=fs)
