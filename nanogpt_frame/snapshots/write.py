"""Writing Parquet snapshots: one atomic, never-overwritten file per load, partitioned by date.

Layout: ``<root>/snapshot_date=YYYY-MM-DD/<YYYYMMDDTHHMMSSffffffZ>.parquet``. DuckDB, Spark,
Polars and BI tools read the folder as one table. ``root`` is a local folder or a URI pyarrow
understands (``s3://bucket/prefix``, ``gs://...``). A root holds one kind of table: models
frames (``load``), routes frames (``load_routes``) or media frames (``load_media``), never two.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import pandas as pd

from nanogpt_frame.errors import SnapshotError
from nanogpt_frame.schema import (
    COLUMN_NAMES,
    MEDIA_COLUMN_NAMES,
    ROUTE_COLUMN_NAMES,
    SCHEMA_VERSION,
    arrow_schema,
    media_arrow_schema,
    routes_arrow_schema,
    table_kind,
)
from nanogpt_frame.snapshots.store import (
    COMPRESSION,
    META_KEY,
    arrow_errors,
    exists,
    file_name,
    is_local,
    resolve,
    write_local,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pyarrow as pa
    import pyarrow.fs as pafs

__all__ = ("GUARD_SHARE", "META_KEY", "contract", "write_snapshot")

#: ``write_snapshot`` refuses a catalog holding fewer than this share of the latest snapshot's
#: models (a bad API answer must not become "600 models removed" in the history).
GUARD_SHARE = 0.5


def contract(kind: str) -> tuple[tuple[str, ...], pa.Schema, str]:
    """``(column names, Arrow schema, id column)`` of a table kind (``models``, ``routes`` or
    ``media``)."""
    if kind == "routes":
        return ROUTE_COLUMN_NAMES, routes_arrow_schema(), "model_id"
    if kind == "media":
        return MEDIA_COLUMN_NAMES, media_arrow_schema(), "id"
    return COLUMN_NAMES, arrow_schema(), "id"


def _table(df: pd.DataFrame, kind: str) -> pa.Table:
    import pyarrow as pa

    names, schema, _ = contract(kind)
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise SnapshotError(f"not a {kind} frame: missing columns {missing}")
    try:
        arrays = [
            _arrow_column(df[name], field.type) for name, field in zip(names, schema, strict=True)
        ]
        return pa.Table.from_arrays(arrays, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        problem = f"frame does not fit the snapshot schema: {exc}"
    raise SnapshotError(problem)


def _arrow_column(series: pd.Series, arrow_type: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """The column as Arrow: zero-copy from an Arrow-backed column of the right type."""
    import pyarrow as pa

    values = series.array
    if isinstance(values, pd.arrays.ArrowExtensionArray):
        data = values.__arrow_array__()  # the ChunkedArray behind the column, no copy
        return data if data.type == arrow_type else data.cast(arrow_type)
    return pa.array(series, type=arrow_type, from_pandas=True)


def _metadata(df: pd.DataFrame, kind: str) -> dict[bytes, bytes]:
    from nanogpt_frame._version import package_version

    attrs = df.attrs
    meta = {
        "table": kind,
        "schema_version": SCHEMA_VERSION,
        "package_version": package_version(),
        "source": attrs.get("source"),
        "base_url": attrs.get("base_url"),
        "fetched_at": attrs.get("fetched_at"),
        "authenticated": bool(attrs.get("authenticated", False)),
        "sample_as_of": attrs.get("sample_as_of"),
    }
    return {META_KEY: json.dumps(meta, sort_keys=True, default=str).encode()}


def write_snapshot(
    df: pd.DataFrame,
    root: str | os.PathLike[str],
    *,
    filesystem: pafs.FileSystem | None = None,
    force: bool = False,
) -> str:
    """Write one load's frame (models or routes) as a Parquet snapshot and return where it went.

    The file has the contract's explicit Arrow schema (flat columns, ``timestamp[us, UTC]``,
    zstd) and key-value metadata (table kind, schema and package version, source, base URL;
    never the key). Locally the write is atomic: a hidden temporary file in the target folder,
    fsync, then a no-clobber link into place (or, without hard links, a rename under an
    exclusive lock), so readers never see a partial file and two racing writers of one name
    cannot both succeed. On object stores the object appears only once its upload completes.

    Args:
        df: a models frame from one ``load()`` or a routes frame from one ``load_routes()``.
        root: a folder, or a URI such as ``s3://bucket/prefix``.
        filesystem: a ``pyarrow.fs.FileSystem`` to use instead of resolving ``root``.
        force: write even when the frame holds fewer than half of the models of the latest
            snapshot in ``root`` (refused by default: it is usually a bad API answer).

    Returns:
        The path (or URI path) of the new file.

    Raises:
        SnapshotError: the snapshot exists already, the frame mixes snapshots, is not a models
            or routes frame, is of the other kind than the root holds, lost more than half of
            the models, or the root cannot be written.

    >>> import tempfile, nanogpt_frame as nf
    >>> path = write_snapshot(nf.load("sample"), tempfile.mkdtemp())
    >>> path.rsplit("/", 2)[1].startswith("snapshot_date=")
    True
    """
    kind = table_kind(df.columns)
    if kind is None:
        raise SnapshotError(
            "not a models, routes or media frame (from load(), load_routes() or load_media())"
        )
    stamps: np.ndarray | list[Any] = (
        df["snapshot_at"].dropna().unique() if "snapshot_at" in df.columns else []
    )
    if len(stamps) != 1:
        raise SnapshotError(
            f"a snapshot holds exactly one load; this frame has {len(stamps)} snapshot_at values"
        )
    table = _table(df, kind).replace_schema_metadata(_metadata(df, kind))
    fs, base = resolve(root, filesystem)
    partition, name = file_name(pd.Timestamp(stamps[0]))
    folder = f"{base}/{partition}"
    target = f"{folder}/{name}"
    problem = None
    try:
        _check_against_latest(fs, base, df, kind, force)
        fs.create_dir(folder, recursive=True)
        if exists(fs, target):
            raise SnapshotError(
                f"snapshot {target} exists already; snapshots are never overwritten"
            )
        if is_local(fs):
            write_local(table, folder, target)
        else:
            import pyarrow.parquet as pq

            with fs.open_output_stream(target) as sink:
                pq.write_table(table, sink, compression=COMPRESSION)
    except arrow_errors() as exc:
        problem = f"cannot write snapshot {target}: {exc}"
    if problem is not None:
        raise SnapshotError(problem)
    return target


def _check_against_latest(
    fs: pafs.FileSystem, base: str, df: pd.DataFrame, kind: str, force: bool
) -> None:
    """Refuse a frame of the other kind than the root holds, or one that lost most models."""
    from nanogpt_frame.snapshots.store import latest_file_info, stored_meta

    latest = latest_file_info(fs, base)
    if latest is None:
        return
    path, schema = latest
    stored = stored_meta(schema.metadata).get("table", "models")
    if stored != kind:
        raise SnapshotError(
            f"{base} holds {stored} snapshots; write {kind} snapshots to a root of their own"
        )
    if force:
        return
    import pyarrow.parquet as pq

    id_column = contract(kind)[2]
    with fs.open_input_file(path) as handle:
        before = pq.read_table(handle, columns=[id_column]).column(id_column).unique()
    now = df[id_column].nunique()
    if len(before) and now < GUARD_SHARE * len(before):
        raise SnapshotError(
            f"this {kind} frame has {now} models but the latest snapshot in {base} has "
            f"{len(before)}: more than half would vanish from the history (a bad API answer?); "
            "check it, then pass force=True (--force) to write it anyway"
        )
