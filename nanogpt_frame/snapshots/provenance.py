"""Provenance in ``df.attrs``: written the same way by every loader (models, routes, media...).

A snapshot carries these attrs in its metadata, so a frame read back says where it came from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from nanogpt_frame.schema import SCHEMA_VERSION

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ("record_provenance",)


def record_provenance(
    df: pd.DataFrame,
    *,
    source: str,
    base_url: str | None = None,
    authenticated: bool = False,
    sample_as_of: str | None = None,
    table: str | None = None,
) -> pd.DataFrame:
    """Fill ``df.attrs`` with where the frame came from; never the API key.

    ``source`` (``"live"``, ``"sample"``, the path or URI), ``base_url`` and ``authenticated``
    (live loads), ``sample_as_of`` (the sample's date), ``fetched_at`` (the first row's
    ``snapshot_at``, else now), ``package_version``, ``schema_version`` and ``table`` (when
    given). Returns ``df`` itself.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"snapshot_at": [pd.Timestamp("2026-08-24", tz="UTC")]})
    >>> record_provenance(df, source="sample", sample_as_of="2026-08-24").attrs["fetched_at"]
    '2026-08-24T00:00:00+00:00'
    """
    import pandas as pd

    from nanogpt_frame._version import package_version

    stamps = df["snapshot_at"]
    fetched = stamps.iloc[0] if len(stamps) else pd.Timestamp(datetime.now(UTC))
    attrs: dict[str, object] = {
        "source": source,
        "base_url": base_url,
        "authenticated": authenticated,
    }
    if sample_as_of is not None:
        attrs["sample_as_of"] = sample_as_of
    attrs.update(
        {
            "fetched_at": fetched.isoformat(),
            "package_version": package_version(),
            "schema_version": SCHEMA_VERSION,
        }
    )
    if table is not None:
        attrs["table"] = table
    df.attrs.update(attrs)
    return df
