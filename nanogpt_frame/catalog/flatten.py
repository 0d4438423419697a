"""Pure flattening: one listing response to the models frame. No network, no disk.

The loop below reads each model once into per-column Python lists, then hands them to Arrow with
the contract's explicit types. Mixed-type fields are resolved here, before Arrow sees them: a value
that cannot be read becomes ``<NA>`` and is kept, as served, under ``extra_json["_invalid"]``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from nanogpt_frame._http.json_body import parse, parse_listing
from nanogpt_frame.catalog.record_batch import CHUNK, record_batch, valid_items
from nanogpt_frame.errors import CatalogWarning, ConfigError, PayloadError
from nanogpt_frame.schema import ENDPOINTS, arrow_schema, as_snapshot_time
from nanogpt_frame.values import gc_paused, repair_text

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = (
    "ListingTable",
    "frame_from_payload",
    "listing_table",
    "parse_listing",
)


def frame_from_payload(
    payload: Any,
    *,
    source_endpoint: str,
    snapshot_at: datetime | pd.Timestamp | str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Flatten one listing response into the models frame (pure: no I/O).

    Args:
        payload: the listing (``{"object": "list", "data": [...]}``) as dict, bytes or str.
        source_endpoint: ``"canonical"``, ``"subscription"`` or ``"paid"``.
        snapshot_at: when the response was received; now (UTC) when omitted.
        source: a name for messages (a URL or file path).

    Returns:
        One row per model, every SPEC column with its Arrow-backed dtype. Skipped malformed items
        are counted in ``df.attrs["skipped_items"]`` and named in a ``CatalogWarning``.

    Raises:
        PayloadError: the payload is not a model listing.
        ConfigError: ``source_endpoint`` is not one of the three listings, or ``snapshot_at``
            is not a time.

    Text that is not valid Unicode (invalid UTF-8 bytes, lone surrogate escapes such as
    ``"\\ud800"``) is kept backslash-escaped, recorded under ``extra_json["_invalid"]`` and
    reported in a ``CatalogWarning``.

    >>> df = frame_from_payload(
    ...     {"data": [{"id": "openai/gpt-5.2", "pricing": {"prompt": 1.75, "completion": 14}}]},
    ...     source_endpoint="canonical", snapshot_at="2026-08-24T00:00:00Z")
    >>> df.loc[0, ["id_namespace", "price_completion"]].tolist()
    ['openai', 14.0]
    """
    part = listing_table(
        payload, source_endpoint=source_endpoint, snapshot_at=snapshot_at, source=source
    )
    return part.frame()


@dataclass(frozen=True)
class ListingTable:
    """One flattened listing as an Arrow table (the contract's schema) and its ``attrs``."""

    table: pa.Table
    attrs: dict[str, Any] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        df = self.table.to_pandas(types_mapper=pd.ArrowDtype)
        df.attrs = dict(self.attrs)
        return df


def listing_table(
    payload: Any,
    *,
    source_endpoint: str,
    snapshot_at: datetime | pd.Timestamp | str | None = None,
    source: str | None = None,
) -> ListingTable:
    """``frame_from_payload`` stopping at the Arrow table (what the cache stores and combines)."""
    if source_endpoint not in ENDPOINTS:
        raise ConfigError(f"source_endpoint must be one of {ENDPOINTS}, not {source_endpoint!r}")
    stamp = as_snapshot_time(snapshot_at)
    # Parsing and flattening build about a million acyclic objects: cyclic-GC passes over them
    # only cost time. The parsed JSON dies inside the pause (it is local to the call below), so
    # the collection that follows re-enabling finds little left to walk.
    with gc_paused():
        table = _parse_and_flatten(payload, source_endpoint, stamp, source)
    return table


def _parse_and_flatten(
    payload: Any, source_endpoint: str, stamp: pd.Timestamp, source: str | None
) -> ListingTable:
    listing, bad_utf8 = parse(payload, source or f"the {source_endpoint} listing")
    try:
        return _flatten(listing, source_endpoint, stamp)
    except UnicodeEncodeError:
        data, repairs = repair_text(listing["data"])
    except RecursionError:
        data, repairs = None, {}
    if data is None:
        raise PayloadError(f"the {source_endpoint} listing holds values nested too deeply")
    _warn_repairs(source_endpoint, data, repairs, bad_utf8)
    return _flatten({**listing, "data": data}, source_endpoint, stamp, repairs)


def _warn_repairs(
    endpoint: str, data: list[Any], repairs: dict[int, dict[str, str]], bad_utf8: bool
) -> None:
    what = "bytes that are not valid UTF-8" if bad_utf8 else "text that is not valid Unicode"
    names = [str(data[p].get("id")) if type(data[p]) is dict else f"#{p}" for p in repairs]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    warnings.warn(
        f"the {endpoint} listing holds {what} in {len(names)} item(s): {', '.join(names[:5])}"
        f"{more}; kept backslash-escaped and recorded in extra_json['_invalid']",
        CatalogWarning,
        stacklevel=4,
    )


def _flatten(
    listing: dict[str, Any],
    endpoint: str,
    snapshot_at: pd.Timestamp,
    repairs: dict[int, dict[str, str]] | None = None,
) -> ListingTable:
    import pyarrow as pa

    items, positions, skipped = valid_items(listing["data"])
    table = pa.Table.from_batches(
        [
            record_batch(
                items[start : start + CHUNK],
                positions[start : start + CHUNK],
                endpoint,
                snapshot_at,
                repairs,
            )
            for start in range(0, max(len(items), 1), CHUNK)
        ],
        schema=arrow_schema(),
    )
    meta = {k: v for k, v in listing.items() if k not in ("data", "object")}
    attrs = {
        "skipped_items": {endpoint: len(skipped)} if skipped else {},
        "listing_meta": {endpoint: meta} if meta else {},
    }
    if skipped:
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        warnings.warn(
            f"skipped {len(skipped)} malformed item(s) in the {endpoint} listing: "
            f"{', '.join(skipped[:5])}{more}",
            CatalogWarning,
            stacklevel=3,
        )
    return ListingTable(table, attrs)


def empty_frame() -> pd.DataFrame:
    """A models frame with no rows and every column typed."""
    return arrow_schema().empty_table().to_pandas(types_mapper=pd.ArrowDtype)
