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
from dataclasses import dataclass
from dataclasses import field as dataclass_field
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
from nanogpt_frame.values import EMPTY, Encoder, dumps, gc_paused, repair_text

__all__ = ("FeedPart", "feed_part", "media_frame", "parse_feed")

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
    with gc_paused():  # a bulk build of acyclic objects: the cyclic GC has nothing to find
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
    """Append one feed's models to the per-column lists; returns the count of items skipped.

    The common case (every value already of its column's type) takes inline fast paths; any
    other value goes through ``_Row``, which reads it or records it as unreadable.
    """
    encode = Encoder() if _orjson_dumps is None else _json
    skipped = 0
    position = 0
    add = {name: column.append for name, column in cols.items()}
    texts = [(name, add[name]) for name in _TEXT]
    counts = [(name, add[name]) for name in _TOP_COUNTS]
    add_modality, add_inputs = add["modality"], add["input_modalities"]
    add_outputs, add_created = add["output_modalities"], add["created"]
    add_caps, add_res, add_voices = add["capabilities"], add["resolutions"], add["voices"]
    add_images, add_chars = add["max_images"], add["max_chars"]
    add_supports, add_tags = add["supports_dimensions"], add["tags"]
    add_pricing, add_currency = add["pricing_json"], add["price_currency"]
    add_extra, add_feed, add_position = add["extra_json"], add["feed"], add["position"]
    for i, item in enumerate(items):
        if type(item) is not dict or type(item.get("id")) is not str or not item["id"]:
            skipped += 1
            continue
        row = _Row()
        get = item.get
        add_feed(feed)
        add_position(position)
        position += 1
        for name, append in texts:
            value = get(name)
            append(value if value is None or type(value) is str else row.text(value, name))
        arch = get("architecture")
        if type(arch) is not dict:
            arch = row.section(arch, "architecture")
        value = arch.get("modality")
        add_modality(value if value is None or type(value) is str else row.text(value, "modality"))
        add_inputs(_join(arch.get("input_modalities"), row, "architecture.input_modalities"))
        add_outputs(_join(arch.get("output_modalities"), row, "architecture.output_modalities"))
        value = get("created")
        if type(value) is int and 0 < value < _MAX_CREATED:
            add_created(value * 1_000_000)
        else:
            add_created(row.created(value))
        caps = get("capabilities")
        if caps is None or type(caps) is dict:
            add_caps(None if caps is None else encode(caps))
        else:
            row.invalid["capabilities"] = caps
            add_caps(None)
        params = get("supported_parameters")
        if params:
            if type(params) is not dict:
                params = row.section(params, "supported_parameters")
            add_res(row.joined(params.get("resolutions"), "supported_parameters.resolutions", True))
            value = params.get("max_images")
            add_images(
                value if value is None else row.count(value, "supported_parameters.max_images")
            )
            value = params.get("max_chars")
            add_chars(
                value if value is None else row.count(value, "supported_parameters.max_chars")
            )
            add_voices(_join(params.get("voices"), row, "supported_parameters.voices"))
        else:
            if params is not None and params != {}:
                row.invalid["supported_parameters"] = params
            params = EMPTY
            add_res(None)
            add_images(None)
            add_chars(None)
            add_voices(None)
        for name, append in counts:
            value = get(name)
            append(None if value is None else row.count(value, name))
        value = get("supports_dimensions")
        add_supports(
            value
            if value is None or type(value) is bool
            else row.flag(value, "supports_dimensions")
        )
        add_tags(_join(get("tags"), row, "tags"))
        pricing = get("pricing")
        add_pricing(None if pricing is None else encode(pricing))
        currency = pricing.get("currency") if type(pricing) is dict else None
        add_currency(
            currency
            if currency is None or type(currency) is str
            else row.text(currency, "pricing.currency")
        )
        extra: dict[str, Any] | None = None
        if item.keys() - _MAPPED:
            extra = {k: v for k, v in item.items() if k not in _MAPPED}
        if arch.keys() - _ARCHITECTURE:
            extra = extra or {}
            extra["architecture"] = {k: v for k, v in arch.items() if k not in _ARCHITECTURE}
        if params.keys() - _PARAMETERS:
            extra = extra or {}
            extra["supported_parameters"] = {
                k: v for k, v in params.items() if k not in _PARAMETERS
            }
        if i in repaired:
            row.invalid.update(repaired[i])
        if row.invalid:
            extra = extra or {}
            extra["_invalid"] = row.invalid
        add_extra(_json(extra) if extra else None)
    return skipped


#: Tests set this to read every feed row by row (to check both paths give the same frame).
ROW_BY_ROW = False


def _feed_columns(
    feed: str, items: list[Any], repaired: dict[int, dict[str, str]]
) -> tuple[dict[str, Any], int]:
    """One feed's columns as Arrow arrays (columnar when it can, else row by row), and the count
    of items skipped."""
    import pyarrow as pa

    from nanogpt_frame.media.media_columns import fast_columns

    if not repaired and not ROW_BY_ROW:
        valid = [m for m in items if type(m) is dict and type(m.get("id")) is str and m["id"]]
        encode = Encoder() if _orjson_dumps is None else _json
        fast = fast_columns(feed, valid, encode, _MAPPED, _ARCHITECTURE, _PARAMETERS)
        if fast is not None:
            return fast, len(items) - len(valid)
    cols: dict[str, list[Any]] = {name: [] for name in MEDIA_COLUMN_NAMES if name != "snapshot_at"}
    dropped = _columns(feed, items, repaired, cols)
    out = {}
    for field in media_arrow_schema():
        if field.name == "snapshot_at":
            continue
        if field.name == "created":
            out[field.name] = pa.array(cols[field.name], pa.int64()).cast(field.type)
        else:
            out[field.name] = pa.array(cols[field.name], field.type)
    return out, dropped


def _join(value: Any, row: _Row, path: str) -> str | None:
    """A list of strings joined with ``,`` (a plain string as served), else unreadable."""
    if value is None or type(value) is str:
        return value
    if type(value) is list:
        try:
            return ",".join(value)
        except TypeError:
            pass
    return row.joined(value, path)


@dataclass(frozen=True)
class FeedPart:
    """One feed read into the media columns (Arrow arrays), with what its reading found."""

    feed: str
    columns: dict[str, Any] = dataclass_field(repr=False)
    skipped: int = 0
    meta: Any = None
    repaired: bool = False


def feed_part(feed: str, payload: Any, source: str) -> FeedPart:
    """One feed response (dict, bytes or str) read into its columns; parsing and reading run
    under one GC pause, and the parsed JSON is freed inside it (so no collection ever walks it).

    Raises:
        PayloadError: the response is not a feed.
    """
    with gc_paused():
        body = payload
        if not (type(body) is dict and type(body.get("data")) is list):
            body = parse_feed(body, source)
        items = body["data"]
        repaired: dict[int, dict[str, str]] = {}
        if body.get("_bad_utf8"):
            items, repaired = repair_text(items)
        columns, dropped = _feed_columns(feed, items, repaired)
        part = FeedPart(feed, columns, dropped, body.get("meta"), bool(repaired))
        del body, items, payload
    return part


def media_frame(
    payloads: Mapping[str, Any],
    *,
    snapshot_at: Any = None,
    source: str | None = None,
) -> pd.DataFrame:
    """The media frame of feed responses, one row per (feed, model). Pure: no I/O.

    Args:
        payloads: feed name -> response (dict, bytes or str, or a ``FeedPart`` already read),
            e.g. ``{"image": body}``.
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
    read = [
        body if isinstance(body, FeedPart) else feed_part(feed, body, source or feed)
        for feed, body in ((f, payloads[f]) for f in MEDIA_FEEDS if f in payloads)
    ]
    if not read and payloads:
        raise PayloadError("no media feed to flatten")
    parts = [part.columns for part in read]
    skipped = {part.feed: part.skipped for part in read if part.skipped}
    meta = {part.feed: part.meta for part in read if part.meta is not None}
    repaired_feeds = [part.feed for part in read if part.repaired]
    schema = media_arrow_schema()
    rows = sum(len(part["id"]) for part in parts)
    arrays = [pa.array([stamp.value // 1000] * rows, pa.int64()).cast(schema.field(0).type)]
    for field in list(schema)[1:]:
        chunks = [part[field.name] for part in parts]
        arrays.append(pa.chunked_array(chunks, field.type))
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
    return df
