"""The column contract of the models frame, declared once. Everything else reads from here."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = (
    "CAPABILITIES",
    "COLUMNS",
    "ENDPOINTS",
    "ENDPOINT_PATHS",
    "PRICE_COLUMNS",
    "ROUTE_COLUMNS",
    "ROUTE_COLUMN_NAMES",
    "SCHEMA_VERSION",
    "arrow_schema",
    "routes_arrow_schema",
    "table_kind",
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
    """``"models"`` or ``"routes"``: which contract a frame's columns follow (``None``: neither).

    >>> table_kind(["snapshot_at", "model_id", "provider"])
    'routes'
    """
    names = set(columns)  # type: ignore[call-overload]
    if "model_id" in names and "provider" in names:
        return "routes"
    if "id" in names and "source_endpoint" in names:
        return "models"
    return None
