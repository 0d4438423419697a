"""One rule for every ``source``: what a string or path given to a loader or the CLI names.

``load``, ``load_routes``, ``cost_usage`` (its ``prices`` and ``routes``) and every CLI command
classify what they are given here, and nowhere else:

- ``"live"`` (the API) and ``"sample"`` (the bundled sample folder) are words only as ``str``;
  a ``Path("live")`` is a path.
- a URI (``s3://bucket/prefix``, anything with ``://``): a snapshot file when its path ends in
  ``.parquet``, else a snapshot root;
- an existing folder named like a day of the layout (``snapshot_date=YYYY-MM-DD``): its root,
  restricted to that day;
- an existing folder holding one of the caller's raw file names: a raw folder; any other folder:
  a snapshot root;
- an existing ``.parquet`` file: a snapshot file; any other file: a raw file;
- anything else: ``ConfigError``.

For snapshot files and roots the table kind of the (newest) snapshot is read from its metadata,
so a routes root given where models are expected (or the reverse) is a ``SnapshotError`` that
says what to pass instead, and a root without snapshots is told apart from one with some.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nanogpt_frame.errors import ConfigError, SnapshotError
from nanogpt_frame.schema import ENDPOINTS, table_kind
from nanogpt_frame.snapshots.store import (
    arrow_errors,
    day_of_folder,
    latest_file_info,
    resolve,
    stored_meta,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = (
    "KINDS",
    "MODEL_FILES",
    "ROUTE_FILES",
    "SNAPSHOT_KINDS",
    "Source",
    "classify_source",
    "read_history",
    "read_latest",
    "require_table",
)

KINDS = ("live", "sample", "raw_folder", "raw_file", "snapshot_file", "snapshot_root")
SNAPSHOT_KINDS = ("snapshot_file", "snapshot_root")
#: Raw file names that make a folder a raw models folder (the three listings).
MODEL_FILES = tuple(f"{endpoint}.json" for endpoint in ENDPOINTS)
#: ... a raw routes folder (``routes.json``, or one ``<url-encoded id>.json`` per model).
ROUTE_FILES = ("routes.json", "*.json")
#: What to pass a snapshot of each table kind to, for the error that finds it in the wrong place.
_GOES_TO = {
    "models": "pass it to load(), or as the prices of cost_usage (CLI: --source, cost --history)",
    "routes": "pass it to load_routes(source=...), or as routes= of cost_usage "
    "(CLI: routes --source, cost --routes)",
}


@dataclass(frozen=True)
class Source:
    """What a ``source`` names.

    Attributes:
        kind: one of ``KINDS``.
        name: what ``attrs["source"]`` records: ``"live"``, ``"sample"``, the path or the URI.
        location: the folder, file or URI to read (the sample's folder for ``"sample"``, the
            root for a day folder, ``""`` for ``"live"``).
        day: a day folder's day (``YYYY-MM-DD``): only that day's snapshots count.
        table: snapshots only: the table kind (``"models"``, ``"routes"``) of the newest
            snapshot, ``None`` when there is none (or the file is not a snapshot of ours).
    """

    kind: str
    name: str
    location: str = ""
    day: str | None = None
    table: str | None = None

    @property
    def path(self) -> Path:
        """``location`` as a local path."""
        return Path(self.location)

    @property
    def is_uri(self) -> bool:
        return "://" in self.location


def classify_source(source: object, *, raw_names: tuple[str, ...] = ()) -> Source:
    """What ``source`` names, by the one rule above (``raw_names``: the caller's raw files).

    Raises:
        ConfigError: not a string or path, or a local path that does not exist.
        SnapshotError: a snapshot root or file that cannot be reached.

    >>> classify_source("sample").kind, classify_source("live").location
    ('sample', '')
    """
    if not isinstance(source, (str, os.PathLike)):
        raise ConfigError(
            f"source must be 'live', 'sample', a path or a URI, not {type(source).__name__}"
        )
    text = os.fspath(source)
    if not isinstance(text, str):
        raise ConfigError(f"source must be a text path, not {text!r}")
    if isinstance(source, str) and source in ("live", "sample"):
        if source == "live":
            return Source("live", "live")
        from nanogpt_frame.sample import sample_dir

        return Source("sample", "sample", str(sample_dir()))
    if "://" in text:
        return _uri(text)
    path = Path(text)
    if not path.exists():
        raise ConfigError(f"source {text!r} does not exist (nor is it 'live', 'sample' or a URI)")
    name = str(path)
    if path.is_dir():
        day = day_of_folder(path.name)
        if day is not None:
            return _snapshots("snapshot_root", name, str(path.parent), day)
        if any(_holds(path, raw) for raw in raw_names):
            return Source("raw_folder", name, name)
        return _snapshots("snapshot_root", name, name, None)
    if path.suffix == ".parquet":
        return _snapshots("snapshot_file", name, name, None)
    return Source("raw_file", name, name)


def _holds(folder: Path, raw: str) -> bool:
    if "*" in raw:
        return any(p.is_file() for p in folder.glob(raw))
    return (folder / raw).is_file()


def _uri(text: str) -> Source:
    where, sep, query = text.partition("?")
    if where.endswith(".parquet"):
        return _snapshots("snapshot_file", text, text, None)
    head, _, last = where.rstrip("/").rpartition("/")
    day = day_of_folder(last)
    if day is not None and "://" in head:
        return _snapshots("snapshot_root", text, f"{head}{sep}{query}", day)
    return _snapshots("snapshot_root", text, text, None)


def _snapshots(kind: str, name: str, location: str, day: str | None) -> Source:
    return Source(kind, name, location, day, _table_of(kind, location, day, name))


def _table_of(kind: str, location: str, day: str | None, name: str) -> str | None:
    """The table kind stored with the (newest) snapshot, or ``None`` when there is none."""
    import pyarrow.parquet as pq

    fs, base = resolve(location)
    try:
        if kind == "snapshot_file":
            with fs.open_input_file(base) as handle:
                metadata = pq.read_schema(handle).metadata
        else:
            latest = latest_file_info(fs, base, day=day)
            if latest is None:
                return None
            metadata = latest[1].metadata
    except arrow_errors() as exc:
        if kind == "snapshot_file":
            return None  # the reader names what is wrong with the file
        raise SnapshotError(f"cannot reach snapshot root {name!r}: {exc}") from exc
    stored = stored_meta(metadata)
    return str(stored.get("table", "models")) if stored else None


def require_table(found: Source, wanted: str) -> None:
    """``SnapshotError`` when snapshots of the other table kind are given where ``wanted`` go.

    >>> require_table(Source("snapshot_root", "r", "r", table="routes"), "models")
    Traceback (most recent call last):
    ...
    nanogpt_frame.errors.SnapshotError: 'r' holds routes snapshots, not models snapshots; pass \
it to load_routes(source=...), or as routes= of cost_usage (CLI: routes --source, cost --routes)
    """
    if found.kind in SNAPSHOT_KINDS and found.table not in (None, wanted):
        raise SnapshotError(
            f"{found.name!r} holds {found.table} snapshots, not {wanted} snapshots; "
            f"{_GOES_TO.get(found.table, '')}"
        )


def read_latest(found: Source, wanted: str) -> pd.DataFrame:
    """The snapshot a snapshot file names, or the newest of a root (of its day, for a day folder).

    Raises:
        SnapshotError: no snapshot there, not ours, or snapshots of the other table kind.
    """
    from nanogpt_frame.snapshots.read import read_latest_snapshot, read_snapshot_file

    require_table(found, wanted)
    if found.kind == "snapshot_file":
        df = read_snapshot_file(found.location)
    else:
        df = read_latest_snapshot(found.location, day=found.day)
    kind = table_kind(df.columns)
    if kind != wanted:  # written between the look and the read
        require_table(Source(found.kind, found.name, found.location, table=kind), wanted)
    return df


def read_history(found: Source, wanted: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """Every snapshot of a root (of its day, for a day folder) as one history frame.

    Raises:
        SnapshotError: the root holds no snapshot, or snapshots of the other table kind.
    """
    from nanogpt_frame.snapshots.read import read_snapshots

    require_table(found, wanted)
    if found.table is None:
        day = f" of {found.day}" if found.day else " yet"
        raise SnapshotError(
            f"{found.name!r} holds no {wanted} snapshots{day}; write one with "
            "write_snapshot(df, root)"
        )
    return read_snapshots(
        found.location, since=found.day, until=found.day, columns=columns, kind=wanted
    )
