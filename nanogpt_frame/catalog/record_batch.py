"""Reading one chunk of model records into an Arrow record batch (the flattener's hot path).

Records are read in chunks of ``CHUNK`` so that each column pass runs over dicts that are still
in the CPU cache; a 20,000-model listing read in one piece spends most of its time waiting on
memory.
"""

from __future__ import annotations

from itertools import compress, repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nanogpt_frame import values as R
from nanogpt_frame.schema import CAPABILITIES, PRICE_COLUMNS, arrow_schema

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ("CHUNK", "record_batch", "valid_items")

CHUNK = 768
_TOP_KNOWN = frozenset(
    {
        "id",
        "object",
        "created",
        "owned_by",
        "name",
        "description",
        "context_length",
        "max_output_tokens",
        "capabilities",
        "pricing",
        "icon_url",
        "cost_estimate",
        "category",
        "distillationPolicy",
        "architecture",
        "reasoning_efforts",
        "subscription",
        "open_weights",
    }
)
_STRING_FIELDS = ("name", "description", "owned_by", "object", "category", "icon_url")
_CAP_SET = frozenset(CAPABILITIES)
_PRICE_KEYS = (
    ("prompt", 1.0),
    ("completion", 1.0),
    ("cacheReadInputPer1kTokens", 1000.0),  # per 1K tokens on the wire, per 1M in the frame
    ("cacheWriteInputPer1kTokens", 1000.0),
)
_PRICING_KNOWN = frozenset({k for k, _ in _PRICE_KEYS} | {"currency", "unit", "note"})
_ARCHITECTURE_KNOWN = frozenset({"input_modalities", "output_modalities"})
_DISTILLATION_KEYS = ("status", "label", "basis", "sourceUrl", "note")
_SUBSCRIPTION_KNOWN = frozenset({"included", "inputTokenMultiplier"})
_DISTILLATION_COLUMNS = (
    "distillation_status",
    "distillation_label",
    "distillation_basis",
    "distillation_source_url",
    "distillation_note",
)


def valid_items(data: list[Any]) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    """The models with a string id, their positions in the listing, and what was skipped."""
    if set(map(type, data)) <= {dict}:
        ids = list(map(dict.get, data, repeat("id")))
        if set(map(type, ids)) <= {str} and all(ids):
            return data, list(range(len(data))), []
    items, positions, skipped = [], [], []
    for position, item in enumerate(data):
        if type(item) is not dict:
            skipped.append(f"#{position} (not an object: {type(item).__name__})")
        elif type(item.get("id")) is not str or not item["id"]:
            skipped.append(f"#{position} (no string 'id')")
        else:
            items.append(item)
            positions.append(position)
    return items, positions, skipped


def _extras(
    items: list[dict[str, Any]],
    nested: dict[str, tuple[list[dict[str, Any]], frozenset[str]]],
    invalid: R.Invalid,
    present: dict[int, set[str]],
) -> list[str | None]:
    """``extra_json``: unknown keys (top level and nested) and unreadable values, per model."""
    found: dict[int, dict[str, Any]] = {}
    # Unknown keys are rare: find their names with one C-speed union, then only their rows.
    rows = range(len(items))
    for key in sorted(present[id(items)] - _TOP_KNOWN):
        for i in compress(rows, map(dict.__contains__, items, repeat(key))):
            found.setdefault(i, {})[key] = items[i][key]
    for name, (section, known) in nested.items():
        keys = present.get(id(section))
        for key in sorted((set().union(*section) if keys is None else keys) - known):
            for i in compress(rows, map(dict.__contains__, section, repeat(key))):
                found.setdefault(i, {}).setdefault(name, {})[key] = section[i][key]
    for i, bad in invalid.rows.items():
        found.setdefault(i, {})["_invalid"] = bad
    out: list[str | None] = [None] * len(items)
    encode = R.Encoder()
    for i, extra in found.items():
        out[i] = encode(extra)
    return out


def record_batch(
    items: list[dict[str, Any]],
    positions: list[int],
    endpoint: str,
    snapshot_at: pd.Timestamp,
    repairs: dict[int, dict[str, str]] | None = None,
) -> pa.RecordBatch:
    """One chunk of valid models as a record batch with the contract's schema.

    Column by column: each served field is read across the chunk at once (see ``values``).
    ``repairs`` (listing position -> path -> escaped text) are recorded under ``_invalid``.
    """
    invalid = R.Invalid()
    if repairs:
        for row, position in enumerate(positions):
            for path, text in repairs.get(position, {}).items():
                invalid.mark(row, path, text)

    present: dict[int, set[str]] = {}  # keys that occur at all, per section list

    def field(key: str, within: list[dict[str, Any]] | None = None) -> list[Any]:
        rows = items if within is None else within
        keys = present.get(id(rows))
        if keys is None:
            keys = present[id(rows)] = set().union(*rows)  # one C-speed pass per section
        if key not in keys:
            return [None] * len(rows)
        return list(map(dict.get, rows, repeat(key)))

    col: dict[str, Any] = {
        "position": positions,
        "id": list(map(dict.__getitem__, items, repeat("id"))),
    }
    col["id_namespace"], col["base_id"], col["variant"] = R.split_ids(col["id"])
    import pyarrow as pa

    together = R.struct_columns(items, _STRING_FIELDS, pa.string())
    for name in _STRING_FIELDS:
        col[name] = together[name] if together else R.strings(field(name), name, invalid)
    col["created"] = R.created(field("created"), invalid)
    for name in ("context_length", "max_output_tokens"):
        col[name] = R.counts(field(name), name, invalid)

    arch = R.sections(field("architecture"), "architecture", invalid)
    col["input_modalities"] = R.joined(
        field("input_modalities", arch), "architecture.input_modalities", invalid
    )
    caps = R.sections(field("capabilities"), "capabilities", invalid)
    together = R.struct_columns(caps, CAPABILITIES, pa.bool_())
    for cap in CAPABILITIES:
        col[f"cap_{cap}"] = (
            together[cap] if together else R.flags(field(cap, caps), f"capabilities.{cap}", invalid)
        )
    col["reasoning_efforts"] = R.joined(field("reasoning_efforts"), "reasoning_efforts", invalid)
    col["output_modalities"] = R.joined(
        field("output_modalities", arch), "architecture.output_modalities", invalid
    )
    col["open_weights"] = R.flags(field("open_weights"), "open_weights", invalid)

    pricing = R.sections(field("pricing"), "pricing", invalid)
    for (key, scale), column in zip(_PRICE_KEYS, PRICE_COLUMNS, strict=True):
        col[column] = R.prices(field(key, pricing), f"pricing.{key}", invalid, scale)
    texts = ("currency", "unit", "note")
    together = R.struct_columns(pricing, texts, pa.string())
    for key, column in zip(texts, ("price_currency", "price_unit", "price_note"), strict=True):
        col[column] = (
            together[key] if together else R.strings(field(key, pricing), f"pricing.{key}", invalid)
        )
    col["cost_estimate"] = R.estimates(field("cost_estimate"))

    sub = R.sections(field("subscription"), "subscription", invalid)
    included = R.flags(field("included", sub), "subscription.included", invalid)
    default = {"subscription": True, "paid": False}.get(endpoint)
    col["in_subscription"] = included if default is None else [default] * len(items)
    col["subscription_input_multiplier"] = R.prices(
        field("inputTokenMultiplier", sub), "subscription.inputTokenMultiplier", invalid
    )
    policy = R.sections(field("distillationPolicy"), "distillationPolicy", invalid)
    together = R.struct_columns(policy, _DISTILLATION_KEYS, pa.string())
    for key, column in zip(_DISTILLATION_KEYS, _DISTILLATION_COLUMNS, strict=True):
        col[column] = (
            together[key]
            if together
            else R.strings(field(key, policy), f"distillationPolicy.{key}", invalid)
        )

    nested = {
        "architecture": (arch, _ARCHITECTURE_KNOWN),
        "capabilities": (caps, _CAP_SET),
        "pricing": (pricing, _PRICING_KNOWN),
        "subscription": (sub, _SUBSCRIPTION_KNOWN),
        "distillationPolicy": (policy, frozenset(_DISTILLATION_KEYS)),
    }
    col["extra_json"] = _extras(items, nested, invalid, present)
    col["snapshot_at"] = np.full(len(items), snapshot_at.value // 1000, dtype=np.int64)
    col["source_endpoint"] = [endpoint] * len(items)

    return _batch(col)


def _batch(cols: dict[str, Any]) -> pa.RecordBatch:
    """Per-column lists and arrays to a record batch with the contract's Arrow schema."""
    import pyarrow as pa

    schema = arrow_schema()
    arrays = []
    for spec in schema:
        values = cols[spec.name]
        if isinstance(values, pa.Array):
            array = values
        elif isinstance(values, np.ndarray):
            if values.dtype.kind == "f":
                array = pa.array(values, mask=np.isnan(values), type=spec.type)
            else:  # int64 microseconds, -1 where unknown
                array = pa.array(values, mask=values < 0, type=pa.int64()).cast(spec.type)
        else:
            array = pa.array(values, type=spec.type)
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
