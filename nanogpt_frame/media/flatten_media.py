"""Pure flattening: media feed responses to the media frame. No network, no disk.

Each model is read once into per-column lists (a value that cannot be read becomes ``<NA>`` and
is kept, as served, under ``extra_json["_invalid"]``), then handed to Arrow with the contract's
explicit types. Every served field is somewhere: in its column, in ``pricing_json`` (the whole
pricing object), or in ``extra_json`` (unknown keys, and unknown keys of ``architecture`` and
``supported_parameters``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd

from nanogpt_frame._http.json_body import parse
from nanogpt_frame.errors import CatalogWarning, ConfigError, PayloadError
from nanogpt_frame.schema import (
    MEDIA_COLUMN_NAMES,
    MEDIA_FEEDS,
    as_snapshot_time,
    media_arrow_schema,
    normal_resolution,
)
from nanogpt_frame.values import Encoder, dumps, repair_text

__all__ = ("media_frame", "parse_feed")

_TEXT = ("id", "name", "description", "owned_by", "object", "category", "icon_url")
_TOP_COUNTS = ("dimensions", "max_dimensions", "max_tokens")
_PARAM_COUNTS = ("max_images", "max_chars")
#: Top-level keys with a column of their own (the rest go to ``extra_json``).
_MAPPED = frozenset(
    (
        *_TEXT,
        *_TOP_COUNTS,
        "architecture",
        "created",
        "capabilities",
        "supported_parameters",
        "supports_dimensions",
        "tags",
        "pricing",
    )
)
_ARCHITECTURE = frozenset(("modality", "input_modalities", "output_modalities"))
_PARAMETERS = frozenset(("resolutions", "voices", *_PARAM_COUNTS))
_MAX_CREATED = 7_258_118_400  # 2200-01-01 in unix seconds
_INT64_MAX = 2**63 - 1


def parse_feed(payload: Any, source: str) -> dict[str, Any]:
    """One feed response as a dict with a ``data`` list; a ``PayloadError`` if it is not one.

    >>> parse_feed(b'{"object": "list", "data": []}', "image")["data"]
    []
    """
    body, bad_utf8 = parse(payload, source)
    if bad_utf8:
        body = {**body, "_bad_utf8": True}
    return body


class _Row:
    """Reads one model's fields, recording what cannot be read."""

    __slots__ = ("invalid",)

    def __init__(self) -> None:
        self.invalid: dict[str, Any] = {}

    def text(self, value: Any, path: str) -> str | None:
        if value is None or type(value) is str:
            return value
        self.invalid[path] = value
        return None

    def count(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        if type(value) is int and 0 < value <= _INT64_MAX:
            return value
        number: float | None = None
        if type(value) is float:
            number = value
        elif type(value) is str:
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is not None and number.is_integer() and 0 < number <= _INT64_MAX:
            return int(number)
        self.invalid[path] = value
        return None

    def flag(self, value: Any, path: str) -> bool | None:
        if value is None or type(value) is bool:
            return value
        if type(value) is str and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.invalid[path] = value
        return None

    def joined(self, value: Any, path: str, normal: bool = False) -> str | None:
        if value is None or type(value) is str:
            return normal_resolution(value) if normal and value is not None else value
        if type(value) is list and all(type(v) is str for v in value):
            return ",".join(map(normal_resolution, value) if normal else value)  # type: ignore[arg-type]
        self.invalid[path] = value
        return None

    def section(self, value: Any, path: str) -> Mapping[str, Any]:
        if type(value) is dict:
            return value
        if value is not None:
            self.invalid[path] = value
        return {}

    def created(self, value: Any) -> int | None:
        if value is None:
            return None
        number: float | None = None
        if type(value) in (int, float):
            number = float(value)
        elif type(value) is str:
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is not None and 0 < number < _MAX_CREATED:
            return round(number * 1_000_000)
        self.invalid["created"] = value
        return None


def _json(value: Any) -> str:
    """Compact JSON with sorted keys: orjson when it reads the value exactly, else ``dumps``.

    orjson writes NaN as ``null`` and refuses integers past 64 bits, so a value whose text holds
    a ``null`` (maybe a NaN) or that orjson refuses is encoded by the strict ``dumps``.
    """
    try:
        text = _orjson_dumps(value, option=_SORT).decode()
    except (TypeError, ValueError):
        return dumps(value)
    return dumps(value) if "null" in text else text


try:
    import orjson as _orjson

    _orjson_dumps = _orjson.dumps
    _SORT = _orjson.OPT_SORT_KEYS
except ImportError:  # pragma: no cover - orjson is a dependency
    _orjson_dumps, _SORT = None, 0  # type: ignore[assignment]


def _columns(
    feed: str,
    items: list[Any],
    repaired: dict[int, dict[str, str]],
    cols: dict[str, list[Any]],
) -> int:
    """Append one feed's models to the per-column lists; returns the count of items skipped."""
    encode = Encoder() if _orjson_dumps is None else _json
    skipped = 0
    position = 0
    text_columns = [(name, cols[name]) for name in _TEXT]
    for i, item in enumerate(items):
        if type(item) is not dict or type(item.get("id")) is not str or not item["id"]:
            skipped += 1
            continue
        row = _Row()
        get = item.get
        cols["feed"].append(feed)
        cols["position"].append(position)
        position += 1
        for name, column in text_columns:
            value = get(name)
            column.append(value if value is None or type(value) is str else row.text(value, name))
        arch = row.section(get("architecture"), "architecture")
        cols["modality"].append(row.text(arch.get("modality"), "architecture.modality"))
        for name in ("input_modalities", "output_modalities"):
            cols[name].append(row.joined(arch.get(name), f"architecture.{name}"))
        cols["created"].append(row.created(get("created")))
        caps = get("capabilities")
        if caps is None or type(caps) is dict:
            cols["capabilities"].append(None if caps is None else encode(caps))
        else:
            row.invalid["capabilities"] = caps
            cols["capabilities"].append(None)
        params = row.section(get("supported_parameters"), "supported_parameters")
        if params:
            cols["resolutions"].append(
                row.joined(params.get("resolutions"), "supported_parameters.resolutions", True)
            )
            for name in _PARAM_COUNTS:
                cols[name].append(row.count(params.get(name), f"supported_parameters.{name}"))
            cols["voices"].append(row.joined(params.get("voices"), "supported_parameters.voices"))
        else:
            for name in ("resolutions", *_PARAM_COUNTS, "voices"):
                cols[name].append(None)
        for name in _TOP_COUNTS:
            value = get(name)
            cols[name].append(None if value is None else row.count(value, name))
        value = get("supports_dimensions")
        cols["supports_dimensions"].append(
            value
            if value is None or type(value) is bool
            else row.flag(value, "supports_dimensions")
        )
        tags = get("tags")
        cols["tags"].append(None if tags is None else row.joined(tags, "tags"))
        pricing = get("pricing")
        cols["pricing_json"].append(None if pricing is None else encode(pricing))
        currency = pricing.get("currency") if type(pricing) is dict else None
        cols["price_currency"].append(row.text(currency, "pricing.currency"))
        extra: dict[str, Any] = {k: v for k, v in item.items() if k not in _MAPPED}
        if arch.keys() - _ARCHITECTURE:
            extra["architecture"] = {k: v for k, v in arch.items() if k not in _ARCHITECTURE}
        if params.keys() - _PARAMETERS:
            extra["supported_parameters"] = {
                k: v for k, v in params.items() if k not in _PARAMETERS
            }
        if i in repaired:
            row.invalid.update(repaired[i])
        if row.invalid:
            extra["_invalid"] = row.invalid
        cols["extra_json"].append(dumps(extra) if extra else None)
    return skipped


def media_frame(
    payloads: Mapping[str, Any],
    *,
    snapshot_at: Any = None,
    source: str | None = None,
) -> pd.DataFrame:
    """The media frame of feed responses, one row per (feed, model). Pure: no I/O.

    Args:
        payloads: feed name -> response (dict, bytes or str), e.g. ``{"image": body}``.
        snapshot_at: when the responses were received; now (UTC) when omitted.
        source: a name for messages.

    Returns:
        Every column of the media contract, Arrow-backed; skipped malformed items are counted in
        ``attrs["skipped_items"]`` and named in a ``CatalogWarning``; each feed's ``meta`` is kept
        in ``attrs["feed_meta"]``.

    Raises:
        PayloadError: a response is not a feed (no ``data`` list, an error body, bad JSON).
        ConfigError: an unknown feed name or a ``snapshot_at`` that is not a time.

    >>> df = media_frame({"embedding": {"data": [{"id": "text-embedding-3-small",
    ...     "pricing": {"per_million_tokens": 0.02, "currency": "USD"}}]}},
    ...     snapshot_at="2026-08-24T00:00:00Z")
    >>> df.loc[0, ["feed", "id", "price_currency"]].tolist()
    ['embedding', 'text-embedding-3-small', 'USD']
    """
    import pyarrow as pa

    unknown = [f for f in payloads if f not in MEDIA_FEEDS]
    if unknown:
        raise ConfigError(f"unknown media feeds {unknown}; the feeds are {MEDIA_FEEDS}")
    stamp = as_snapshot_time(snapshot_at)
    cols: dict[str, list[Any]] = {name: [] for name in MEDIA_COLUMN_NAMES if name != "snapshot_at"}
    seen = False
    skipped: dict[str, int] = {}
    meta: dict[str, Any] = {}
    repaired_feeds: list[str] = []
    for feed in MEDIA_FEEDS:
        if feed not in payloads:
            continue
        body = payloads[feed]
        if not (type(body) is dict and type(body.get("data")) is list):
            body = parse_feed(body, source or feed)
        items = body["data"]
        repaired: dict[int, dict[str, str]] = {}
        if body.get("_bad_utf8"):
            items, repaired = repair_text(items)
            repaired_feeds.append(feed)
        dropped = _columns(feed, items, repaired, cols)
        seen = True
        if dropped:
            skipped[feed] = dropped
        if "meta" in body:
            meta[feed] = body["meta"]
    schema = media_arrow_schema()
    arrays = []
    rows = len(cols["id"])
    for field in schema:
        if field.name == "snapshot_at":
            arrays.append(pa.array([stamp.value // 1000] * rows, pa.int64()).cast(field.type))
            continue
        values = cols[field.name]
        if field.name == "created":
            arrays.append(pa.array(values, pa.int64()).cast(field.type))
        else:
            arrays.append(pa.array(values, field.type))
    table = pa.Table.from_arrays(arrays, schema=schema)
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    df.attrs = {"table": "media", "feed_meta": meta}
    if skipped:
        df.attrs["skipped_items"] = skipped
        warnings.warn(
            "skipped malformed media items (not an object with a string id): "
            + ", ".join(f"{feed}: {n}" for feed, n in skipped.items()),
            CatalogWarning,
            stacklevel=2,
        )
    if repaired_feeds:
        warnings.warn(
            f"invalid UTF-8 in the {', '.join(repaired_feeds)} feed(s): kept escaped, recorded "
            'under extra_json["_invalid"]',
            CatalogWarning,
            stacklevel=2,
        )
    if not seen and payloads:
        raise PayloadError("no media feed to flatten")
    return df
