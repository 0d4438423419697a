"""``media_prices``: a media frame's served pricing objects as one long table of price lines. Pure.

Every served price becomes a line: resolutions normalised, durations, audio on/off and
rendering speeds as columns, numeric strings read, binary noise rounded to 9 significant
digits, a served 0 kept. A pricing key the reader does not know is never dropped nor guessed: it
becomes a line with ``price_usd`` ``<NA>`` and ``shape`` as served (``media_quality`` names it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import (
    MEDIA_PRICE_COLUMN_NAMES,
    media_prices_arrow_schema,
    normal_resolution,
    table_kind,
)
from nanogpt_frame.values import number_or_none

__all__ = ("Line", "media_prices", "pricing_lines", "pricing_settings", "read_price")

#: Pricing keys that set how lines apply, not prices of their own.
SETTINGS_KEYS = frozenset(
    (
        "currency",
        "unit",
        "note",
        "minimum",
        "fixed_duration_seconds",
        "default_duration",
        "default_resolution",
        "frame_multiplier",
        "frame_threshold",
        "prompt_char_block_size",
    )
)
#: Flat price keys: key -> (billable, shape).
_FLAT = {
    "per_second": ("second", "per_second"),
    "per_minute": ("minute", "per_minute"),
    "per_thousand_chars": ("thousand_chars", "per_thousand_chars"),
    "per_prompt_char_block": ("char_block", "per_prompt_char_block"),
    "per_generation": ("generation", "per_generation"),
    "per_million_tokens": ("million_tokens", "per_million_tokens"),
}
_RAW_SETTINGS = frozenset(("type", "defaultDuration", "defaultResolution", "currency", "unit"))
_SPEEDS = "by_rendering_speed"

#: One price line before it becomes a row: (billable, resolution, duration, variant, unit size,
#: price, shape, price key).
Line = tuple[str | None, str | None, float | None, str | None, float | None, float | None, str, str]


def read_price(value: Any) -> float | None:
    """A served price as USD (9 significant digits), or ``None`` when it cannot be read.

    Numbers and numeric strings are read; booleans, negatives, NaN and infinities are not.

    >>> read_price(0.04136000000000001), read_price("0.002"), read_price(-1), read_price(True)
    (0.04136, 0.002, None, None)
    """
    number = number_or_none(value)
    if number is None or not math.isfinite(number) or number < 0:
        return None
    return float(f"{number:.9g}") if number else number


def _duration(key: Any) -> float | None:
    number = read_price(key)
    return number if number else None


def pricing_settings(pricing: Any) -> dict[str, Any]:
    """The settings of a pricing object that ``media_cost`` applies: minimum, block size, frame
    multiplier and threshold, default resolution and duration (``None`` when not served)."""
    if not isinstance(pricing, dict):
        return {}
    raw: dict[str, Any] = pricing["raw"] if isinstance(pricing.get("raw"), dict) else {}
    return {
        "minimum": read_price(pricing.get("minimum")),
        "unit_size": read_price(pricing.get("prompt_char_block_size")),
        "frame_multiplier": read_price(pricing.get("frame_multiplier")),
        "frame_threshold": read_price(pricing.get("frame_threshold")),
        "default_resolution": normal_resolution(
            pricing.get("default_resolution", raw.get("defaultResolution"))
        ),
        "default_duration": read_price(pricing.get("default_duration", raw.get("defaultDuration"))),
    }


def _per_image(table: Any, key: str, variant: str | None) -> Iterator[Line]:
    if not isinstance(table, dict):  # one price for every image
        yield ("image", None, None, variant, None, read_price(table), "per_image", key)
        return
    for name, value in table.items():
        if name == _SPEEDS and variant is None and isinstance(value, dict):
            for speed, inner in value.items():
                yield from _per_image(inner, str(speed), str(speed))
            continue
        price = None if isinstance(value, (dict, list)) else read_price(value)
        yield ("image", normal_resolution(name), None, variant, None, price, "per_image", name)


def _keyed(table: Any, billable: str, shape: str, by: str) -> Iterator[Line]:
    """A ``{key: price}`` table keyed by resolution (``by="resolution"``) or duration."""
    if not isinstance(table, dict):
        yield (billable, None, None, None, None, None, shape, shape)
        return
    for name, value in table.items():
        price = None if isinstance(value, (dict, list)) else read_price(value)
        if by == "resolution":
            yield (billable, normal_resolution(name), None, None, None, price, shape, name)
        else:
            yield (billable, None, _duration(name), None, None, price, shape, name)


def _raw(raw: Any) -> Iterator[Line]:
    kind = raw.get("type") if isinstance(raw, dict) else None
    shape = f"raw:{kind}" if isinstance(kind, str) else "raw"
    known = False
    if kind == "wan27-video-dynamic":
        known = True
        yield from _keyed(raw.get("pricesPerSecond"), "second", shape, "resolution")
    elif kind == "resolution-duration-audio-toggle":
        known = True
        for variant, field in (
            ("with_audio", "withAudioPrices"),
            ("without_audio", "withoutAudioPrices"),
        ):
            table = raw.get(field)
            if not isinstance(table, dict):
                continue
            for res, durations in table.items():
                if not isinstance(durations, dict):
                    yield ("video", normal_resolution(res), None, variant, None, None, shape, res)
                    continue
                for seconds, value in durations.items():
                    price = None if isinstance(value, (dict, list)) else read_price(value)
                    line = ("video", normal_resolution(res), _duration(seconds), variant)
                    yield (*line, None, price, shape, seconds)
    elif kind == "resolution-per-second-audio-toggle":
        known = True
        for variant, field in (
            ("with_audio", "withAudioPricesPerSecond"),
            ("without_audio", "withoutAudioPricesPerSecond"),
        ):
            for part in _keyed(raw.get(field), "second", shape, "resolution"):
                yield (part[0], part[1], None, variant, part[4], part[5], part[6], part[7])
    if not known or not isinstance(kind, str):
        yield (None, None, None, None, None, None, shape, "raw")
        return
    mapped = {
        "wan27-video-dynamic": {"pricesPerSecond"},
        "resolution-duration-audio-toggle": {"withAudioPrices", "withoutAudioPrices"},
        "resolution-per-second-audio-toggle": {
            "withAudioPricesPerSecond",
            "withoutAudioPricesPerSecond",
        },
    }[kind]
    for name in raw:  # a new field inside a known raw type: kept as an unknown line
        if name not in mapped and name not in _RAW_SETTINGS:
            yield (None, None, None, None, None, None, f"{shape}.{name}", name)


def pricing_lines(pricing: Any) -> list[Line]:
    """The price lines of one served pricing object (pure; the rules of ``media_prices``).

    >>> [line[1] for line in pricing_lines({"per_image": {"1024*1024": 0.005, "auto": 0.06}})]
    ['1024x1024', 'auto']
    """
    if pricing is None:
        return []
    if isinstance(pricing, list):  # the newer image API's tidy array
        return [_array_line(item) for item in pricing]
    if not isinstance(pricing, dict):
        return [(None, None, None, None, None, None, type(pricing).__name__, "pricing")]
    lines: list[Line] = []
    block = read_price(pricing.get("prompt_char_block_size"))
    for key, value in pricing.items():
        if key in SETTINGS_KEYS:
            continue
        if key == "per_image":
            lines.extend(_per_image(value, key, None))
        elif key == "per_video":
            duration = _duration(pricing.get("fixed_duration_seconds"))
            lines.append(("video", None, duration, None, None, read_price(value), key, key))
        elif key == "per_duration":
            lines.extend(_keyed(value, "video", key, "duration"))
        elif key == "per_second_by_resolution":
            lines.extend(_keyed(value, "second", key, "resolution"))
        elif key == "per_resolution":
            lines.extend(_keyed(value, "video", key, "resolution"))
        elif key == "raw":
            lines.extend(_raw(value))
        elif key in _FLAT:
            billable, shape = _FLAT[key]
            size = block if billable == "char_block" else None
            price = None if isinstance(value, (dict, list)) else read_price(value)
            if billable == "char_block" and size is None:
                price = None  # a block price without its block size cannot price anything
            lines.append((billable, None, None, None, size, price, shape, key))
        else:  # a shape this reader does not know: kept, unpriced, reported
            lines.append((None, None, None, None, None, None, str(key), str(key)))
    return lines


def _array_line(item: Any) -> Line:
    if not isinstance(item, dict) or item.get("unit") != "image":
        return (None, None, None, None, None, None, "price_array", "cost_usd")
    res = normal_resolution(item.get("resolution"))
    return (
        "image",
        res,
        None,
        None,
        None,
        read_price(item.get("cost_usd")),
        "per_image",
        "cost_usd",
    )


def media_prices(media: pd.DataFrame) -> pd.DataFrame:
    """One row per served price line of a media frame (``load_media``), or of a media history.

    Columns: ``snapshot_at``, ``feed``, ``id``, ``billable`` (what one unit is), ``resolution``
    (normalised), ``duration_seconds``, ``variant`` (``with_audio``, ``without_audio``, a
    rendering speed), ``unit_size`` (characters per block), ``price_usd`` (per unit; ``<NA>``
    when unreadable or of an unknown shape), ``minimum_usd`` (per job), ``shape`` and
    ``price_key`` (the served key, verbatim).

    Raises:
        ConfigError: ``media`` is not a media frame.

    >>> import nanogpt_frame as nf
    >>> prices = media_prices(nf.load_media(source="sample"))
    >>> prices.loc[prices["id"] == "qwen-image", ["resolution", "price_usd"]].values.tolist()
    [['1024x1024', 0.005], ['1376x768', 0.005]]
    """
    import pyarrow as pa

    if not isinstance(media, pd.DataFrame) or table_kind(media.columns) != "media":
        raise ConfigError("media_prices needs a media frame (from load_media)")
    columns: dict[str, list[Any]] = {name: [] for name in MEDIA_PRICE_COLUMN_NAMES}
    stamps = media["snapshot_at"].array
    feeds, ids = media["feed"].tolist(), media["id"].tolist()
    texts = media["pricing_json"].tolist()
    decoded: dict[str, tuple[list[Line], dict[str, Any]]] = {}
    rules: dict[str, dict[str, dict[str, Any]]] = {}
    for row, text in enumerate(texts):
        if text is None or text is pd.NA:
            continue
        found = decoded.get(text)
        if found is None:
            try:
                pricing = json.loads(text)
            except ValueError:
                pricing = text
            settings = {k: v for k, v in pricing_settings(pricing).items() if v is not None}
            found = decoded[text] = (pricing_lines(pricing), settings)
        lines, settings = found
        minimum = settings.get("minimum")
        if settings:  # the latest snapshot's (a history is oldest first)
            rules.setdefault(feeds[row], {})[ids[row]] = settings
        for billable, res, duration, variant, size, price, shape, key in lines:
            columns["snapshot_at"].append(stamps[row])
            columns["feed"].append(feeds[row])
            columns["id"].append(ids[row])
            columns["billable"].append(billable)
            columns["resolution"].append(res)
            columns["duration_seconds"].append(duration)
            columns["variant"].append(variant)
            columns["unit_size"].append(size)
            columns["price_usd"].append(price)
            columns["minimum_usd"].append(minimum)
            columns["shape"].append(shape)
            columns["price_key"].append(key)
    schema = media_prices_arrow_schema()
    arrays = [pa.array(columns[f.name], f.type) for f in schema]
    out = pa.Table.from_arrays(arrays, schema=schema).to_pandas(types_mapper=pd.ArrowDtype)
    # the rules media_cost applies beside the lines (frame multiplier, defaults), per feed and id
    out.attrs = {"table": "media_prices", "source": media.attrs.get("source"), "rules": rules}
    return out
