"""Parquet snapshots: one atomic, never-overwritten file per load, Hive-partitioned by date.

Layout: ``<root>/snapshot_date=YYYY-MM-DD/<YYYYMMDDTHHMMSSffffffZ>.parquet``. DuckDB, Spark,
Polars and BI tools read the folder as one table. ``root`` is a local folder or a URI pyarrow
understands (``s3://bucket/prefix``, ``gs://...``).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import SnapshotError
from ..frame.schema import COLUMN_NAMES, SCHEMA_VERSION, arrow_schema
from ._store import (
    COMPRESSION,
    PARTITION,
    arrow_errors,
    exists,
    file_name,
    is_local,
    resolve,
    snapshot_files,
    write_local,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    import pyarrow.fs as pafs

__all__ = ("read_latest_snapshot", "read_snapshot_file", "read_snapshots", "write_snapshot")

_META_KEY = b"nanogpt_frame"


def _table(df: pd.DataFrame) -> pa.Table:
    import pyarrow as pa

    missing = [c for c in COLUMN_NAMES if c not in df.columns]
    if missing:
        raise SnapshotError(f"not a models frame: missing columns {missing}")
    schema = arrow_schema()
    try:
        table = pa.Table.from_pandas(df[list(COLUMN_NAMES)], schema=schema, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise SnapshotError(f"frame does not fit the snapshot schema: {exc}") from exc
    return table


def _metadata(df: pd.DataFrame) -> dict[bytes, bytes]:
    from .._version import package_version

    attrs = df.attrs
    meta = {
        "schema_version": SCHEMA_VERSION,
        "package_version": package_version(),
        "source": attrs.get("source"),
        "base_url": attrs.get("base_url"),
        "fetched_at": attrs.get("fetched_at"),
        "authenticated": bool(attrs.get("authenticated", False)),
        "sample_as_of": attrs.get("sample_as_of"),
    }
    return {_META_KEY: json.dumps(meta, sort_keys=True).encode()}


def write_snapshot(
    df: pd.DataFrame,
    root: str | os.PathLike[str],
    *,
    filesystem: pafs.FileSystem | None = None,
) -> str:
    """Write one load's frame as a Parquet snapshot and return where it went.

    The file has the contract's explicit Arrow schema (flat columns, ``timestamp[us, UTC]``,
    zstd) and key-value metadata (schema and package version, source, base URL; never the key).
    Locally the write is atomic: a hidden temporary file in the target folder, fsync, then a
    no-clobber link into place, so readers never see a partial file. On object stores the object
    appears only once its upload completes (pyarrow's multipart upload), which is atomic too.

    Args:
        df: a models frame from one ``load()`` (one ``snapshot_at`` value).
        root: a folder, or a URI such as ``s3://bucket/prefix``.
        filesystem: a ``pyarrow.fs.FileSystem`` to use instead of resolving ``root``.

    Returns:
        The path (or URI path) of the new file.

    Raises:
        SnapshotError: the snapshot exists already, the frame mixes snapshots or is not a models
            frame, or the root cannot be written.

    >>> import tempfile, nanogpt_frame as nf
    >>> path = write_snapshot(nf.load("sample"), tempfile.mkdtemp())
    >>> path.rsplit("/", 2)[1].startswith("snapshot_date=")
    True
    """
    import pyarrow.parquet as pq

    stamps = df["snapshot_at"].dropna().unique() if "snapshot_at" in df.columns else []
    if len(stamps) != 1:
        raise SnapshotError(
            f"a snapshot holds exactly one load; this frame has {len(stamps)} snapshot_at values"
        )
    table = _table(df).replace_schema_metadata(_metadata(df))
    fs, base = resolve(root, filesystem)
    partition, name = file_name(pd.Timestamp(stamps[0]))
    folder = f"{base}/{partition}"
    target = f"{folder}/{name}"
    try:
        fs.create_dir(folder, recursive=True)
        if exists(fs, target):
            raise SnapshotError(
                f"snapshot {target} exists already; snapshots are never overwritten"
            )
        if is_local(fs):
            write_local(table, folder, target)
        else:
            with fs.open_output_stream(target) as sink:
                pq.write_table(table, sink, compression=COMPRESSION)
    except SnapshotError:
        raise
    except arrow_errors() as exc:
        raise SnapshotError(f"cannot write snapshot {target}: {exc}") from exc
    return target


def _to_frame(table: pa.Table, attrs: dict[str, Any] | None = None) -> pd.DataFrame:
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    df.attrs = attrs or {}
    return df


def _attrs_from(metadata: dict[bytes, bytes] | None, source: str) -> dict[str, Any]:
    try:
        stored = json.loads((metadata or {}).get(_META_KEY, b"{}"))
    except ValueError:
        stored = {}
    return {
        **stored,
        "source": "snapshot",
        "snapshot_path": source,
        "loaded_from": stored.get("source"),
    }


def _partition_date(value: date | datetime | str | pd.Timestamp) -> tuple[date, pd.Timestamp]:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.date(), stamp


def read_snapshots(
    root: str | os.PathLike[str],
    *,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    columns: list[str] | tuple[str, ...] | None = None,
    ids: list[str] | tuple[str, ...] | None = None,
    filesystem: pafs.FileSystem | None = None,
) -> pd.DataFrame:
    """Every snapshot under ``root`` as one models frame (the history), oldest first.

    Only the date partitions and columns asked for are read. Snapshots written by an older schema
    version still read: columns they lack come back ``<NA>``.

    Args:
        root: the snapshot root (folder or URI).
        since, until: inclusive bounds on ``snapshot_at`` (dates or times, UTC when naive).
        columns: contract columns to read (default all).
        ids: only these model ids.
        filesystem: a ``pyarrow.fs.FileSystem`` to use instead of resolving ``root``.

    Returns:
        A frame with the same dtypes as ``load()``.

    Raises:
        SnapshotError: ``root`` does not exist or holds unreadable files.

    >>> import tempfile, nanogpt_frame as nf
    >>> root = tempfile.mkdtemp()
    >>> _ = write_snapshot(nf.load("sample"), root)
    >>> len(read_snapshots(root, columns=["id", "price_prompt"])) == len(nf.load("sample"))
    True
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    names = list(COLUMN_NAMES if columns is None else columns)
    unknown = [c for c in names if c not in COLUMN_NAMES]
    if unknown:
        raise SnapshotError(f"unknown columns {unknown}; snapshots hold {list(COLUMN_NAMES)}")
    fs, base = resolve(root, filesystem)
    if not exists(fs, base):
        raise SnapshotError(f"no snapshot root at {os.fspath(root)!r}")
    schema = arrow_schema()
    full = pa.schema([*schema, pa.field(PARTITION, pa.date32())])
    try:
        dataset = ds.dataset(
            base,
            schema=full,
            format="parquet",
            filesystem=fs,
            partitioning=ds.partitioning(pa.schema([full.field(PARTITION)]), flavor="hive"),
        )
    except arrow_errors() as exc:
        raise SnapshotError(f"cannot read snapshots under {os.fspath(root)!r}: {exc}") from exc
    condition = None
    for bound, op in ((since, "ge"), (until, "le")):
        if bound is None:
            continue
        day, stamp = _partition_date(bound)
        is_date_only = isinstance(bound, date) and not isinstance(bound, datetime)
        if isinstance(bound, str) and len(bound) == 10:
            is_date_only = True
        part = getattr(ds.field(PARTITION), f"__{op}__")(pa.scalar(day, pa.date32()))
        if not is_date_only:
            at = pa.scalar(stamp.to_pydatetime(), schema.field("snapshot_at").type)
            part = part & getattr(ds.field("snapshot_at"), f"__{op}__")(at)
        condition = part if condition is None else condition & part
    if ids is not None:
        match = ds.field("id").isin(pa.array(list(ids), pa.string()))
        condition = match if condition is None else condition & match
    try:
        table = dataset.to_table(columns=names, filter=condition)
    except arrow_errors() as exc:
        raise SnapshotError(f"cannot read snapshots under {os.fspath(root)!r}: {exc}") from exc
    df = _to_frame(table, {"source": "snapshots", "snapshot_root": os.fspath(root)})
    order = [c for c in ("snapshot_at", "source_endpoint", "position") if c in df.columns]
    if "snapshot_at" in order and not df["snapshot_at"].is_monotonic_increasing:
        df = df.sort_values(order, kind="stable").reset_index(drop=True)
    return df


def read_snapshot_file(
    path: str | os.PathLike[str], *, filesystem: pafs.FileSystem | None = None
) -> pd.DataFrame:
    """One snapshot file as a models frame, with its stored provenance in ``df.attrs``.

    >>> import tempfile, nanogpt_frame as nf
    >>> path = write_snapshot(nf.load("sample"), tempfile.mkdtemp())
    >>> read_snapshot_file(path).attrs["loaded_from"]
    'sample'
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, target = resolve(path, filesystem)
    try:
        with fs.open_input_file(target) as handle:
            table = pq.read_table(handle)
    except arrow_errors() as exc:
        raise SnapshotError(f"cannot read snapshot {os.fspath(path)!r}: {exc}") from exc
    metadata = table.schema.metadata
    schema = arrow_schema()
    columns = []
    for field in schema:  # older files: missing columns come back null
        if field.name in table.column_names:
            try:
                columns.append(table.column(field.name).cast(field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise SnapshotError(f"{target}: column {field.name!r} has the wrong type") from exc
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    table = pa.Table.from_arrays(columns, schema=schema)
    return _to_frame(table, _attrs_from(metadata, target))


def read_latest_snapshot(
    root: str | os.PathLike[str], *, filesystem: pafs.FileSystem | None = None
) -> pd.DataFrame:
    """The newest snapshot under ``root`` (what ``load(root)`` returns for a snapshot folder)."""
    fs, base = resolve(root, filesystem)  # resolve a URI once, not per call
    return read_snapshot_file(latest_snapshots(base, 1, filesystem=fs)[-1], filesystem=fs)


def latest_snapshots(
    root: str | os.PathLike[str], count: int = 2, *, filesystem: pafs.FileSystem | None = None
) -> list[str]:
    """Paths of the ``count`` newest snapshots under ``root``, oldest first."""
    fs, base = resolve(root, filesystem)
    files = snapshot_files(fs, base)
    if len(files) < count:
        raise SnapshotError(
            f"{os.fspath(root)!r} holds {len(files)} snapshot(s); {count} needed"
            + ("; write one with nanogpt_frame.write_snapshot" if not files else "")
        )
    return files[-count:]
