"""Combining the listings of one load into the models frame, in Arrow, converted once.

``in_subscription`` is resolved across listings with Arrow compute, and the whole load becomes a
pandas frame in one conversion: a warm cached load costs little more than reading one file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from nanogpt_frame.catalog.flatten import ListingTable, listing_table
from nanogpt_frame.errors import PayloadError
from nanogpt_frame.schema import ENDPOINTS, arrow_type, as_snapshot_time

__all__ = ("combine_tables", "frames_from_listings")


def frames_from_listings(
    listings: dict[str, Any], *, snapshot_at: datetime | pd.Timestamp | str | None = None
) -> pd.DataFrame:
    """Flatten several listings of one load into one frame and resolve ``in_subscription``.

    ``listings`` maps endpoint name to payload (see ``combine_tables``).

    >>> import nanogpt_frame as nf
    >>> df = frames_from_listings({"canonical": {"data": [{"id": "a"}, {"id": "b"}]},
    ...                            "paid": {"data": [{"id": "b"}]}}, snapshot_at="2026-08-24")
    >>> df[df.source_endpoint == "canonical"]["in_subscription"].tolist()
    [<NA>, False]
    """
    stamp = as_snapshot_time(snapshot_at)
    parts = {
        endpoint: listing_table(listings[endpoint], source_endpoint=endpoint, snapshot_at=stamp)
        for endpoint in ENDPOINTS
        if endpoint in listings
    }
    return combine_tables(parts)


def combine_tables(
    parts: dict[str, ListingTable],
    *,
    snapshot_at: datetime | pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """One models frame from the listing tables of one load, ``in_subscription`` resolved.

    A canonical row is in the subscription when its id is in the subscription listing, not in it
    when its id is in the paid listing, and else whatever the model's own
    ``subscription.included`` says. ``snapshot_at`` (when given) becomes every row's time.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    ordered = [parts[e] for e in ENDPOINTS if e in parts]
    if not ordered:
        raise PayloadError("no listings to flatten")
    table = pa.concat_tables([p.table for p in ordered]) if len(ordered) > 1 else ordered[0].table
    if snapshot_at is not None:
        micros = pa.array(np.full(table.num_rows, as_snapshot_time(snapshot_at).value // 1000))
        index = table.schema.get_field_index("snapshot_at")
        table = table.set_column(index, "snapshot_at", micros.cast(arrow_type("timestamp")))
    endpoint = table.column("source_endpoint")
    canonical = pc.equal(endpoint, "canonical")
    if pc.any(canonical).as_py() and len(ordered) > 1:
        ids = table.column("id")
        in_sub = pc.is_in(ids, value_set=pc.filter(ids, pc.equal(endpoint, "subscription")))
        in_paid = pc.is_in(ids, value_set=pc.filter(ids, pc.equal(endpoint, "paid")))
        current = table.column("in_subscription")
        resolved = pc.if_else(
            pc.and_(canonical, in_sub),
            True,
            pc.if_else(pc.and_(canonical, in_paid), False, current),
        )
        index = table.schema.get_field_index("in_subscription")
        table = table.set_column(index, "in_subscription", resolved)
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    df.attrs = _merge_attrs([p.attrs for p in ordered])
    return df


def _merge_attrs(parts: list[dict[str, Any]]) -> dict[str, Any]:
    skipped: dict[str, int] = {}
    meta: dict[str, Any] = {}
    for attrs in parts:
        skipped.update(attrs.get("skipped_items", {}))
        meta.update(attrs.get("listing_meta", {}))
    return {"skipped_items": skipped, "listing_meta": meta}
