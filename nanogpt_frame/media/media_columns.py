"""The columnar fast path of the media flattener: one feed read column by column by Arrow.

Each column is gathered with one list comprehension and converted with Arrow's strict
conversions (a string column rejects a number; a list column is first checked to hold only
lists), so it runs at C speed. Any value that does not already have its column's type makes the
whole feed take the row-by-row reader instead (``flatten_media._columns``), which reads or
records it; both give the same frame (``tests/test_media.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from nanogpt_frame.schema import normal_resolution
from nanogpt_frame.values import strict

__all__ = ("fast_columns",)

#: Catalogs repeat a few dozen resolution labels: each is normalised once.
_normal = lru_cache(maxsize=4096)(normal_resolution)

_NONE = type(None)
_MAX_CREATED = 7_258_118_400  # 2200-01-01 in unix seconds
_INT64_MAX = 2**63 - 1


def _strings(values: list[Any]) -> Any:
    import pyarrow as pa

    return strict(values, pa.string())


def _counts(values: list[Any]) -> Any:
    """Positive int64s, or ``None`` when any value is not a plain positive integer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not set(map(type, values)) <= {int, _NONE}:
        return None
    try:
        array = pa.array(values, pa.int64())
    except (OverflowError, pa.ArrowInvalid):
        return None
    if array.null_count < len(array) and pc.min(array).as_py() <= 0:
        return None
    return array


def _json_column(values: list[Any], encode: Callable[[Any], str]) -> Any:
    """Compact sorted-key JSON of each value (``None`` stays null), encoded in bulk by orjson.

    orjson writes NaN as ``null`` and refuses integers past 64 bits: an encoding holding a
    ``null`` is redone by ``encode`` (the strict encoder), as is the whole column on a refusal.
    """
    import pyarrow as pa

    if _dumps is not None:
        try:
            raw = [None if v is None else _dumps(v, option=_SORT) for v in values]
        except TypeError:  # orjson.JSONEncodeError: an integer past 64 bits, a lone surrogate
            raw = None
        if raw is not None:
            for i, text in enumerate(raw):
                if text is not None and b"null" in text:
                    raw[i] = encode(values[i]).encode()
            return pa.array(raw, pa.binary()).cast(pa.string())
    return pa.array([None if v is None else encode(v) for v in values], pa.string())


try:
    import orjson as _orjson

    _dumps: Callable[..., bytes] | None = _orjson.dumps
    _SORT = _orjson.OPT_SORT_KEYS
except ImportError:  # pragma: no cover - orjson is a dependency
    _dumps, _SORT = None, 0


def _lists(values: list[Any], normal: Callable[[str], Any] | None = None) -> Any:
    """Lists of strings joined with ``,``; ``None`` when any value is not such a list."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not set(map(type, values)) <= {list, _NONE}:
        return None
    lists = strict(values, pa.list_(pa.string()))  # strict on members: an int is no string
    if lists is None or pc.list_flatten(lists).null_count:  # a null member: the row reader
        return None  # keeps it, as served, in extra_json["_invalid"]
    if normal is None:
        return pc.binary_join(lists, ",")
    return pa.array([None if v is None else ",".join(map(normal, v)) for v in values], pa.string())


def fast_columns(
    feed: str,
    items: list[dict[str, Any]],
    encode: Callable[[Any], str],
    mapped: frozenset[str],
    architecture: frozenset[str],
    parameters: frozenset[str],
) -> dict[str, Any] | None:
    """The media columns of one feed's valid items as Arrow arrays, or ``None`` (row path)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: dict[str, Any] = {
        "feed": pa.array([feed] * len(items), pa.string()),
        "position": pa.array(range(len(items)), pa.int32()),
    }
    for name in ("id", "name", "description", "owned_by", "object", "category", "icon_url"):
        out[name] = _strings([m.get(name) for m in items])
    served_archs = [m.get("architecture") for m in items]
    served_params = [m.get("supported_parameters") for m in items]
    pricing = [m.get("pricing") for m in items]
    caps = [m.get("capabilities") for m in items]
    if not (
        set(map(type, served_archs)) <= {dict, _NONE}
        and set(map(type, served_params)) <= {dict, _NONE}
        and set(map(type, caps)) <= {dict, _NONE}
    ):
        return None
    archs: list[dict[str, Any]] = [a or {} for a in served_archs]
    params: list[dict[str, Any]] = [p or {} for p in served_params]
    out["modality"] = _strings([a.get("modality") for a in archs])
    out["input_modalities"] = _lists([a.get("input_modalities") for a in archs])
    out["output_modalities"] = _lists([a.get("output_modalities") for a in archs])
    created = [m.get("created") for m in items]
    stamps = _counts(created)
    if (
        stamps is not None
        and stamps.null_count < len(stamps)
        and pc.max(stamps).as_py() >= _MAX_CREATED
    ):
        stamps = None
    out["created"] = (
        None if stamps is None else pc.multiply(stamps, 1_000_000).cast(pa.timestamp("us", "UTC"))
    )
    out["capabilities"] = _json_column(caps, encode)
    out["resolutions"] = _lists([p.get("resolutions") for p in params], _normal)
    out["max_images"] = _counts([p.get("max_images") for p in params])
    out["max_chars"] = _counts([p.get("max_chars") for p in params])
    out["voices"] = _lists([p.get("voices") for p in params])
    for name in ("dimensions", "max_dimensions", "max_tokens"):
        out[name] = _counts([m.get(name) for m in items])
    out["supports_dimensions"] = strict([m.get("supports_dimensions") for m in items], pa.bool_())
    out["tags"] = _lists([m.get("tags") for m in items])
    out["pricing_json"] = _json_column(pricing, encode)
    out["price_currency"] = _strings(
        [p.get("currency") if type(p) is dict else None for p in pricing]
    )
    extras: list[dict[str, Any] | None] = []
    for item, arch, param in zip(items, archs, params, strict=True):
        extra: dict[str, Any] | None = None
        if item.keys() - mapped:
            extra = {k: v for k, v in item.items() if k not in mapped}
        if arch.keys() - architecture:
            extra = extra or {}
            extra["architecture"] = {k: v for k, v in arch.items() if k not in architecture}
        if param.keys() - parameters:
            extra = extra or {}
            extra["supported_parameters"] = {k: v for k, v in param.items() if k not in parameters}
        extras.append(extra)
    out["extra_json"] = _json_column(extras, encode)
    if any(value is None for value in out.values()):
        return None
    return out
