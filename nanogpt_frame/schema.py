"""Every column contract, declared once: the models and routes tables (their columns, Arrow
types and raw-field maps), and the rules every table kind shares (one row per model, UTC
microsecond snapshot times, required columns). Everything else reads from here.

A bottom module: it imports only ``errors``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, cast

from nanogpt_frame.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

__all__: tuple[str, ...] = (
    "CAPABILITIES",
    "COLUMNS",
    "ENDPOINTS",
    "ENDPOINT_PATHS",
    "MEDIA_BILLABLES",
    "MEDIA_COLUMNS",
    "MEDIA_COLUMN_NAMES",
    "MEDIA_FEEDS",
    "MEDIA_FEED_PATHS",
    "MEDIA_PRICE_COLUMNS",
    "MEDIA_PRICE_COLUMN_NAMES",
    "MEDIA_SHAPES",
    "PRICE_COLUMNS",
    "ROUTE_COLUMNS",
    "ROUTE_COLUMN_NAMES",
    "SCHEMA_VERSION",
    "arrow_schema",
    "as_snapshot_time",
    "canonical_equals_subscription",
    "endpoint_rank",
    "listing_ids",
    "media_arrow_schema",
    "media_prices_arrow_schema",
    "normal_resolution",
    "require_columns",
    "routes_arrow_schema",
    "table_kind",
    "unique_models",
)

#: Bumped when a column is renamed or changes meaning. Adding columns at the end keeps it.
SCHEMA_VERSION = "2"

#: Listing name -> path under the base URL (always fetched with ``detailed=true``).
ENDPOINT_PATHS: dict[str, str] = {
    "canonical": "/v1/models",
    "subscription": "/subscription/v1/models",
    "paid": "/paid/v1/models",
}
ENDPOINTS: tuple[str, ...] = tuple(ENDPOINT_PATHS)

#: Capability flags with a column of their own (``cap_<name>``). Others go to ``extra_json``.
CAPABILITIES: tuple[str, ...] = (
    "vision",
    "reasoning",
    "tool_calling",
    "parallel_tool_calls",
    "structured_output",
    "pdf_upload",
    "video_input",
    "audio_input",
)

#: (column, logical type). Logical types: string, int32, int64, float64, bool, timestamp.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("snapshot_at", "timestamp"),
    ("source_endpoint", "string"),
    ("position", "int32"),
    ("id", "string"),
    ("id_namespace", "string"),
    ("base_id", "string"),
    ("variant", "string"),
    ("name", "string"),
    ("description", "string"),
    ("owned_by", "string"),
    ("object", "string"),
    ("category", "string"),
    ("created", "timestamp"),
    ("context_length", "int64"),
    ("max_output_tokens", "int64"),
    ("input_modalities", "string"),
    *((f"cap_{c}", "bool") for c in CAPABILITIES),
    ("reasoning_efforts", "string"),
    ("price_prompt", "float64"),
    ("price_completion", "float64"),
    ("price_cache_read", "float64"),
    ("price_cache_write", "float64"),
    ("price_currency", "string"),
    ("price_unit", "string"),
    ("cost_estimate", "string"),
    ("in_subscription", "bool"),
    ("subscription_input_multiplier", "float64"),
    ("distillation_status", "string"),
    ("distillation_label", "string"),
    ("distillation_basis", "string"),
    ("distillation_source_url", "string"),
    ("distillation_note", "string"),
    ("icon_url", "string"),
    ("extra_json", "string"),
    # schema 2
    ("output_modalities", "string"),
    ("price_note", "string"),
    ("open_weights", "bool"),
)

#: The routes frame (``load_routes``): one row per (snapshot, model, provider). Schema 2.
ROUTE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("snapshot_at", "timestamp"),
    ("model_id", "string"),
    ("canonical_id", "string"),
    ("display_name", "string"),
    ("supports_provider_selection", "bool"),
    ("default_price_prompt", "float64"),
    ("default_price_completion", "float64"),
    ("provider", "string"),
    ("available", "bool"),
    ("price_prompt", "float64"),
    ("price_completion", "float64"),
    ("quantization", "string"),
    ("supports_prompt_caching", "bool"),
    ("distillation_status", "string"),
    ("distillation_label", "string"),
    ("distillation_basis", "string"),
    ("distillation_source_url", "string"),
    ("distillation_note", "string"),
    ("effective_distillation_status", "string"),
    ("extra_json", "string"),
)
ROUTE_COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in ROUTE_COLUMNS)

COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
PRICE_COLUMNS: tuple[str, ...] = (
    "price_prompt",
    "price_completion",
    "price_cache_read",
    "price_cache_write",
)


@cache
def arrow_type(logical: str) -> pa.DataType:
    """The Arrow type of a logical column type."""
    import pyarrow as pa

    return {
        "string": pa.string(),
        "int32": pa.int32(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }[logical]


@cache
def arrow_schema() -> pa.Schema:
    """The one explicit Arrow schema of the models frame (also the snapshot file schema).

    >>> arrow_schema().field("price_prompt").type
    DataType(double)
    """

    return _schema(COLUMNS)


@cache
def routes_arrow_schema() -> pa.Schema:
    """The one explicit Arrow schema of the routes frame (also its snapshot file schema).

    >>> routes_arrow_schema().field("available").type
    DataType(bool)
    """
    return _schema(ROUTE_COLUMNS)


def _schema(columns: tuple[tuple[str, str], ...]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(name, arrow_type(kind), nullable=True) for name, kind in columns])


def table_kind(columns: object) -> str | None:
    """``"models"``, ``"routes"`` or ``"media"``: which contract a frame's columns follow
    (``None``: neither).

    >>> table_kind(["snapshot_at", "model_id", "provider"])
    'routes'
    >>> table_kind(["snapshot_at", "feed", "id", "pricing_json"])
    'media'
    """
    names = set(columns)  # type: ignore[call-overload]
    if "feed" in names and "id" in names and "pricing_json" in names:
        return "media"
    if "model_id" in names and "provider" in names:
        return "routes"
    if "id" in names and "source_endpoint" in names:
        return "models"
    return None


# --- rules every table kind shares

_ENDPOINT_PREFERENCE = {"canonical": 0, "subscription": 1, "paid": 2}


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "this") -> None:
    """Raise ``ConfigError`` naming the columns ``df`` lacks (instead of a bare KeyError)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(
            f"{what} needs a models frame (from nanogpt_frame.load); missing columns: {missing}"
        )


def endpoint_rank(df: pd.DataFrame) -> pd.Series:
    """Which row of a model to prefer: canonical 0, subscription 1, paid 2, anything else 3."""
    import numpy as np
    import pandas as pd

    if "source_endpoint" not in df.columns:
        return pd.Series(0, index=df.index)
    endpoint = df["source_endpoint"]
    choices = [
        (endpoint == name).fillna(False).to_numpy(dtype=bool) for name in _ENDPOINT_PREFERENCE
    ]
    return pd.Series(np.select(choices, list(_ENDPOINT_PREFERENCE.values()), 3), index=df.index)


def unique_models(df: pd.DataFrame) -> pd.DataFrame:
    """One row per model id (the latest snapshot; canonical, then subscription, then paid).

    ``in_subscription`` is already resolved across listings, so nothing is lost by keeping one
    row. Ids that differ only by case stay two models.

    >>> import nanogpt_frame as nf
    >>> df = nf.load("sample")
    >>> len(unique_models(df)) == df["id"].nunique()
    True
    """
    import pandas as pd

    require_columns(df, ("id",), what="unique_models")
    if df.empty or not df["id"].duplicated().any():
        return df
    keys = pd.DataFrame({"rank": endpoint_rank(df).astype(float)}, index=df.index)
    if "snapshot_at" in df.columns:
        keys["stamp"] = -df["snapshot_at"].astype("int64[pyarrow]").astype(float).fillna(0)
        ordered = keys.sort_values(["stamp", "rank"], kind="stable").index
    else:
        ordered = keys.sort_values("rank", kind="stable").index
    out = df.loc[ordered]
    out = out[~out["id"].duplicated()]
    return out.sort_index()


def as_snapshot_time(value: datetime | pd.Timestamp | str | None) -> pd.Timestamp:
    """A ``snapshot_at`` value as the contract stores it: UTC, microseconds (``None``: now)."""
    import pandas as pd

    if value is None:
        return pd.Timestamp(datetime.now(UTC)).floor("us")
    problem = None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        problem = f"snapshot_at {value!r} is not a time: {exc}"
    if problem is not None:
        raise ConfigError(problem)
    if stamp is pd.NaT:
        raise ConfigError(f"snapshot_at {value!r} is not a time")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.floor("us")


def listing_ids(df: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The ids of each listing in the frame (``{"canonical": ..., "paid": ...}``)."""
    return {cast(str, e): frozenset(ids) for e, ids in df.groupby("source_endpoint")["id"]}


def canonical_equals_subscription(ids: dict[str, frozenset[str]]) -> bool:
    """True when both listings were loaded and list the same ids (a keyed, restricted account)."""
    canonical = ids.get("canonical")
    return canonical is not None and canonical == ids.get("subscription")


# --- usage costing (``cost_usage``): the usage columns, the recognised names, the output

__all__ += ("COSTED_COLUMNS", "USAGE_COLUMNS", "USAGE_RECOGNISED_NAMES", "USAGE_TOKEN_COLUMNS")

#: Token columns of a usage log (names after ``columns=``): uncached input, output, cache reads,
#: cache writes. Only the last two may be absent (then 0).
USAGE_TOKEN_COLUMNS: tuple[str, ...] = (
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cache_write_tokens",
)
USAGE_COLUMNS: tuple[str, ...] = ("timestamp", "model", *USAGE_TOKEN_COLUMNS, "provider")
#: Contract name -> provider names used when the contract name is absent and not mapped.
#: OpenAI's ``prompt_tokens`` includes the cached tokens (``input_includes_cached`` implied).
USAGE_RECOGNISED_NAMES: dict[str, tuple[str, ...]] = {
    "input_tokens": ("prompt_tokens",),
    "output_tokens": ("completion_tokens",),
    "cached_tokens": ("cache_read_input_tokens",),
    "cache_write_tokens": ("cache_creation_input_tokens",),
}
#: Columns ``cost_usage`` adds after the caller's, in this order.
COSTED_COLUMNS: tuple[str, ...] = (
    "price_snapshot_at",
    "price_basis",
    "price_prompt",
    "price_completion",
    "price_cache_read",
    "price_cache_write",
    "cache_price_assumed",
    "in_subscription",
    "list_cost",
    "cost",
    "unpriced_reason",
)
# --- media catalogs (schema 3): image, video, audio and embedding feeds

#: Media feed name -> (path under the base URL, query parameters).
MEDIA_FEED_PATHS: dict[str, tuple[str, dict[str, str]]] = {
    "image": ("/v1/image-models", {"detailed": "true"}),
    "video": ("/v1/video-models", {}),
    "audio": ("/v1/audio-models", {"type": "all"}),
    "embedding": ("/v1/embedding-models", {}),
}
MEDIA_FEEDS: tuple[str, ...] = tuple(MEDIA_FEED_PATHS)

#: The media frame (``load_media``): one row per (snapshot, feed, model).
MEDIA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("snapshot_at", "timestamp"),
    ("feed", "string"),
    ("position", "int32"),
    ("id", "string"),
    ("name", "string"),
    ("description", "string"),
    ("owned_by", "string"),
    ("object", "string"),
    ("category", "string"),
    ("modality", "string"),
    ("input_modalities", "string"),
    ("output_modalities", "string"),
    ("created", "timestamp"),
    ("capabilities", "string"),
    ("resolutions", "string"),
    ("max_images", "int64"),
    ("max_chars", "int64"),
    ("voices", "string"),
    ("dimensions", "int64"),
    ("max_dimensions", "int64"),
    ("max_tokens", "int64"),
    ("supports_dimensions", "bool"),
    ("tags", "string"),
    ("pricing_json", "string"),
    ("price_currency", "string"),
    ("icon_url", "string"),
    ("extra_json", "string"),
)
MEDIA_COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in MEDIA_COLUMNS)

#: The long price table (``media_prices``): one row per (snapshot, feed, model, price line).
MEDIA_PRICE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("snapshot_at", "timestamp"),
    ("feed", "string"),
    ("id", "string"),
    ("billable", "string"),
    ("resolution", "string"),
    ("duration_seconds", "float64"),
    ("variant", "string"),
    ("unit_size", "float64"),
    ("price_usd", "float64"),
    ("minimum_usd", "float64"),
    ("shape", "string"),
    ("price_key", "string"),
)
MEDIA_PRICE_COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in MEDIA_PRICE_COLUMNS)

#: What one unit of a price line is.
MEDIA_BILLABLES: tuple[str, ...] = (
    "image",
    "video",
    "second",
    "minute",
    "thousand_chars",
    "char_block",
    "generation",
    "million_tokens",
)
#: Pricing shapes read exactly (``raw:<type>`` for the known ``raw`` video tables).
MEDIA_SHAPES: tuple[str, ...] = (
    "per_image",
    "per_second_by_resolution",
    "per_resolution",
    "per_duration",
    "per_video",
    "per_second",
    "per_minute",
    "per_thousand_chars",
    "per_prompt_char_block",
    "per_generation",
    "per_million_tokens",
    "raw:wan27-video-dynamic",
    "raw:resolution-duration-audio-toggle",
    "raw:resolution-per-second-audio-toggle",
)


@cache
def media_arrow_schema() -> pa.Schema:
    """The one explicit Arrow schema of the media frame (also its snapshot file schema).

    >>> media_arrow_schema().field("max_images").type
    DataType(int64)
    """
    return _schema(MEDIA_COLUMNS)


@cache
def media_prices_arrow_schema() -> pa.Schema:
    """The Arrow schema of the media price table (``media_prices``).

    >>> media_prices_arrow_schema().field("price_usd").type
    DataType(double)
    """
    return _schema(MEDIA_PRICE_COLUMNS)


def normal_resolution(key: object) -> str | None:
    """A served resolution key as the media tables store it: ``1024*1024`` and ``1024 x 1024``
    become ``1024x1024``; other labels (``720p``, ``16:9``, ``1k``, ``auto``) stay as served.

    >>> [normal_resolution(k) for k in ("1024*1024", "1024X1024", "16:9", "auto")]
    ['1024x1024', '1024x1024', '16:9', 'auto']
    """
    if not isinstance(key, str):
        return None
    match = _PIXELS.match(key)
    return f"{int(match[1])}x{int(match[2])}" if match else key


_PIXELS = re.compile(r"^\s*(\d{1,6})\s*[xX*\u00d7]\s*(\d{1,6})\s*$")
# --- the account's own spend (schema 3): ``load_account_usage``, ``read_responses``, ``reconcile``

#: The account-usage frame (``load_account_usage``): one row per (day, model label). Logical
#: types as above, plus ``date32`` (a UTC day).
ACCOUNT_USAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("day", "date32"),
    ("model", "string"),
    ("requests", "int64"),
    ("cost_usd", "float64"),
    ("refunded_usd", "float64"),
    ("net_cost_usd", "float64"),
    ("input_tokens", "int64"),
    ("output_tokens", "int64"),
    ("reasoning_tokens", "int64"),
    ("total_tokens", "int64"),
)
#: Account-usage column -> the counter's name in a ``GET /v1/usage`` bucket.
ACCOUNT_USAGE_FIELDS: dict[str, str] = {
    "requests": "requests",
    "cost_usd": "costUsd",
    "refunded_usd": "refundedUsd",
    "net_cost_usd": "netCostUsd",
    "input_tokens": "inputTokens",
    "output_tokens": "outputTokens",
    "reasoning_tokens": "reasoningTokens",
    "total_tokens": "totalTokens",
}
#: ``group_by`` of the usage API -> the list of buckets in its response.
ACCOUNT_USAGE_GROUPS: dict[str, str] = {
    "day": "byDay",
    "model": "byModel",
    "day,model": "byDayModel",
}
#: The frame ``read_responses`` makes from logged API responses (ready for ``cost_usage``).
RESPONSE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("timestamp", "timestamp"),
    ("model", "string"),
    ("input_tokens", "int64"),
    ("output_tokens", "int64"),
    ("cached_tokens", "int64"),
    ("cache_write_tokens", "int64"),
    ("reasoning_tokens", "int64"),
    ("billed_usd", "float64"),
    ("payment_source", "string"),
    ("request_id", "string"),
    ("provider", "string"),
    ("response_shape", "string"),
)
#: ``reconcile``'s statuses, in the order they are decided.
RECONCILE_STATUSES: tuple[str, ...] = (
    "unmatched",
    "unpriced",
    "unbilled",
    "match",
    "over",
    "under",
)
#: ``match_labels``'s verdicts on a usage label.
LABEL_MATCHES: tuple[str, ...] = ("exact", "normalized", "ambiguous", "none")


def account_arrow_schema(columns: tuple[tuple[str, str], ...]) -> pa.Schema:
    """The Arrow schema of an account table (``ACCOUNT_USAGE_COLUMNS``, ``RESPONSE_COLUMNS``).

    >>> account_arrow_schema(ACCOUNT_USAGE_COLUMNS).field("day").type
    DataType(date32[day])
    """
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(name, pa.date32() if kind == "date32" else arrow_type(kind), nullable=True)
            for name, kind in columns
        ]
    )
