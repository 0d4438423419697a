"""Pure flattening: one listing response to the models frame. No network, no disk.

The loop below reads each model once into per-column Python lists, then hands them to Arrow with
the contract's explicit types. Mixed-type fields are resolved here, before Arrow sees them: a value
that cannot be read becomes ``<NA>`` and is kept, as served, under ``extra_json["_invalid"]``.
"""

from __future__ import annotations

import json
import math
import warnings
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from .errors import ConfigError, PayloadError, server_message
from .schema import CAPABILITIES, COLUMNS, ENDPOINTS, arrow_schema

__all__ = ("CatalogWarning", "frame_from_payload", "frames_from_listings", "parse_listing")

_TOP_KNOWN = frozenset(
    {
        "id", "object", "created", "owned_by", "name", "description", "context_length",
        "max_output_tokens", "capabilities", "pricing", "icon_url", "cost_estimate", "category",
        "distillationPolicy", "architecture", "reasoning_efforts", "subscription",
    }
)  # fmt: skip
_STRING_FIELDS = ("name", "description", "owned_by", "object", "category", "icon_url")
_CAP_SET = frozenset(CAPABILITIES)
_PRICE_KEYS = (
    ("prompt", 1.0),
    ("completion", 1.0),
    ("cacheReadInputPer1kTokens", 1000.0),  # per 1K tokens on the wire, per 1M in the frame
    ("cacheWriteInputPer1kTokens", 1000.0),
)
_PRICING_KNOWN = frozenset({k for k, _ in _PRICE_KEYS} | {"currency", "unit"})
_DISTILLATION_KEYS = ("status", "label", "basis", "sourceUrl", "note")
_SUBSCRIPTION_KNOWN = frozenset({"included", "inputTokenMultiplier"})
_MAX_CREATED = 7_258_118_400  # 2200-01-01: beyond it a "seconds" value is really not seconds
_JSON_COMPACT = {"separators": (",", ":"), "sort_keys": True, "ensure_ascii": False}


class CatalogWarning(UserWarning):
    """Something in a catalog was skipped or looks off; the load went on."""


def _dumps(value: Any) -> str:
    return json.dumps(value, **_JSON_COMPACT)


def parse_listing(payload: Any, *, source: str = "listing") -> dict[str, Any]:
    """Validate one listing response and return it as a dict with a ``data`` list.

    Args:
        payload: the response body as ``dict``, ``bytes`` or ``str``.
        source: a name for messages (URL or file path).

    Raises:
        PayloadError: invalid or truncated JSON, an HTML page, an error body, no ``data`` list.

    >>> parse_listing('{"object": "list", "data": []}')["data"]
    []
    """
    if isinstance(payload, (bytes, bytearray, memoryview)):
        payload = bytes(payload).decode("utf-8", errors="replace")
    if isinstance(payload, str):
        text = payload.lstrip()
        if text.startswith("<"):
            raise PayloadError(
                f"{source} returned an HTML page, not a JSON model listing; "
                "check the base URL (it should end in /api)"
            )
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = " (the body looks truncated)" if exc.pos >= len(text) - 1 else ""
            raise PayloadError(f"{source} is not valid JSON{hint}: {exc}") from exc
    if not isinstance(payload, dict):
        raise PayloadError(
            f"{source} is not a model listing: expected a JSON object with a 'data' list, "
            f"got {type(payload).__name__}"
        )
    data = payload.get("data")
    if not isinstance(data, list):
        if isinstance(payload.get("models"), list):
            raise PayloadError(
                f"{source} is the legacy /models id list, not a detailed listing; "
                "use /v1/models?detailed=true"
            )
        if "error" in payload or "message" in payload:
            raise PayloadError(f"{source} returned an error body: {server_message(payload)}")
        raise PayloadError(
            f"{source} is not a model listing: no 'data' list (keys: {sorted(payload)[:8]})"
        )
    return payload


def _text(value: Any, path: str, invalid: dict[str, Any]) -> str | None:
    if value is None or type(value) is str:
        return value
    invalid[path] = value
    return None


def _price(value: Any, scale: float, path: str, invalid: dict[str, Any]) -> float | None:
    if value is None:
        return None
    kind = type(value)
    if kind is float or kind is int:
        number = float(value)
    elif kind is str:
        try:
            number = float(value.strip())
        except ValueError:
            invalid[path] = value
            return None
    else:
        invalid[path] = value
        return None
    if not math.isfinite(number) or number < 0:
        invalid[path] = value
        return None
    return float(f"{number * scale:.9g}")  # 9 significant digits: 14.993999999999998 -> 14.994


def _count(value: Any, path: str, invalid: dict[str, Any]) -> int | None:
    if value is None:
        return None
    kind = type(value)
    number: int | None = None
    if kind is int:
        number = value
    elif kind is float and value.is_integer():
        number = int(value)
    elif kind is str:
        try:
            parsed = float(value.strip())
            number = int(parsed) if parsed.is_integer() else None
        except (ValueError, OverflowError):
            number = None
    if number is None or number <= 0 or number >= 2**63:
        invalid[path] = value
        return None
    return number


def _flag(value: Any, path: str, invalid: dict[str, Any]) -> bool | None:
    if value is None or type(value) is bool:
        return value
    if type(value) is str and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    invalid[path] = value
    return None


def _joined(value: Any, path: str, invalid: dict[str, Any]) -> str | None:
    if value is None or type(value) is str:
        return value
    if type(value) is list and all(type(v) is str for v in value):
        return ",".join(value)
    invalid[path] = value
    return None


def _created_us(value: Any, invalid: dict[str, Any]) -> int | None:
    if value is None:
        return None
    kind = type(value)
    seconds: float | None = None
    if kind is int or kind is float:
        seconds = float(value)
    elif kind is str:
        try:
            seconds = float(value.strip())
        except ValueError:
            seconds = None
    if seconds is None or not (0 < seconds < _MAX_CREATED):
        invalid["created"] = value
        return None
    return round(seconds * 1_000_000)


def _split_id(model_id: str) -> tuple[str | None, str, str | None]:
    slash = model_id.find("/")
    namespace = model_id[:slash] if slash > 0 else None
    colon = model_id.rfind(":")
    if colon > 0:
        return namespace, model_id[:colon], model_id[colon + 1 :]
    return namespace, model_id, None


def _section(item: dict[str, Any], key: str, invalid: dict[str, Any]) -> dict[str, Any]:
    """A nested object of the item, or {} (a non-object is kept under ``_invalid``)."""
    value = item.get(key)
    if value is None:
        return {}
    if type(value) is dict:
        return value
    invalid[key] = value
    return {}


def _unknown(section: dict[str, Any], known: frozenset[str], name: str, extra: dict[str, Any]):
    leftovers = {k: v for k, v in section.items() if k not in known}
    if leftovers:
        extra[name] = leftovers


def frame_from_payload(
    payload: Any,
    *,
    source_endpoint: str,
    snapshot_at: datetime | pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Flatten one listing response into the models frame (pure: no I/O).

    Args:
        payload: the listing (``{"object": "list", "data": [...]}``) as dict, bytes or str.
        source_endpoint: ``"canonical"``, ``"subscription"`` or ``"paid"``.
        snapshot_at: when the response was received; now (UTC) when omitted.

    Returns:
        One row per model, every SPEC column with its Arrow-backed dtype. Skipped malformed items
        are counted in ``df.attrs["skipped_items"]`` and named in a ``CatalogWarning``.

    Raises:
        PayloadError: the payload is not a model listing.
        ConfigError: ``source_endpoint`` is not one of the three listings.

    >>> df = frame_from_payload(
    ...     {"data": [{"id": "openai/gpt-5.2", "pricing": {"prompt": 1.75, "completion": 14}}]},
    ...     source_endpoint="canonical", snapshot_at="2026-08-24T00:00:00Z")
    >>> df.loc[0, ["id_namespace", "price_completion"]].tolist()
    ['openai', 14.0]
    """
    if source_endpoint not in ENDPOINTS:
        raise ConfigError(f"source_endpoint must be one of {ENDPOINTS}, not {source_endpoint!r}")
    listing = parse_listing(payload, source=f"the {source_endpoint} listing")
    return _flatten(listing, source_endpoint, _as_timestamp(snapshot_at))


def frames_from_listings(
    listings: dict[str, Any], *, snapshot_at: datetime | pd.Timestamp | str | None = None
) -> pd.DataFrame:
    """Flatten several listings of one load into one frame and resolve ``in_subscription``.

    ``listings`` maps endpoint name to payload. A canonical row is in the subscription when its
    id is in the subscription listing, not in it when its id is in the paid listing, and else
    whatever the model's own ``subscription.included`` says.
    """
    stamp = _as_timestamp(snapshot_at)
    frames = []
    for endpoint in ENDPOINTS:
        if endpoint in listings:
            frames.append(
                frame_from_payload(listings[endpoint], source_endpoint=endpoint, snapshot_at=stamp)
            )
    if not frames:
        raise PayloadError("no listings to flatten")
    attrs = _merge_attrs(frames)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df.attrs = attrs
    endpoint = df["source_endpoint"]
    canonical = endpoint == "canonical"
    if canonical.any():
        in_sub = df.loc[endpoint == "subscription", "id"]
        in_paid = df.loc[endpoint == "paid", "id"]
        resolved = df["in_subscription"].copy()
        ids = df["id"]
        resolved = resolved.mask(canonical & ids.isin(in_paid), False)
        resolved = resolved.mask(canonical & ids.isin(in_sub), True)
        df["in_subscription"] = resolved.astype(df["in_subscription"].dtype)
    return df


def _merge_attrs(frames: list[pd.DataFrame]) -> dict[str, Any]:
    skipped: dict[str, int] = {}
    meta: dict[str, Any] = {}
    for frame in frames:
        skipped.update(frame.attrs.get("skipped_items", {}))
        meta.update(frame.attrs.get("listing_meta", {}))
    return {"skipped_items": skipped, "listing_meta": meta}


def _as_timestamp(value: datetime | pd.Timestamp | str | None) -> pd.Timestamp:
    if value is None:
        return pd.Timestamp(datetime.now(UTC)).floor("us")
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.floor("us")


def _flatten(listing: dict[str, Any], endpoint: str, snapshot_at: pd.Timestamp) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {name: [] for name, _ in COLUMNS}
    # Bind the appends once: this loop is the hot path for 20k-model catalogs.
    put = {name: values.append for name, values in cols.items()}
    put_caps = [(c, put[f"cap_{c}"]) for c in CAPABILITIES]
    put_prices = [
        (key, scale, put[column])
        for (key, scale), column in zip(
            _PRICE_KEYS,
            ("price_prompt", "price_completion", "price_cache_read", "price_cache_write"),
            strict=True,
        )
    ]
    put_strings = [(f, put[f]) for f in _STRING_FIELDS]
    put_distill = [
        (key, put[column])
        for key, column in zip(
            _DISTILLATION_KEYS,
            ("distillation_status", "distillation_label", "distillation_basis",
             "distillation_source_url", "distillation_note"),
            strict=True,
        )
    ]  # fmt: skip
    default_sub = {"subscription": True, "paid": False}.get(endpoint)
    skipped: list[str] = []

    for position, item in enumerate(listing["data"]):
        if type(item) is not dict:
            skipped.append(f"#{position} (not an object: {type(item).__name__})")
            continue
        model_id = item.get("id")
        if type(model_id) is not str or not model_id:
            skipped.append(f"#{position} (no string 'id')")
            continue
        extra: dict[str, Any] = {}
        invalid: dict[str, Any] = {}

        put["position"](position)
        put["id"](model_id)
        namespace, base_id, variant = _split_id(model_id)
        put["id_namespace"](namespace)
        put["base_id"](base_id)
        put["variant"](variant)
        for field, append in put_strings:
            append(_text(item.get(field), field, invalid))
        put["created"](_created_us(item.get("created"), invalid))
        put["context_length"](_count(item.get("context_length"), "context_length", invalid))
        put["max_output_tokens"](
            _count(item.get("max_output_tokens"), "max_output_tokens", invalid)
        )

        arch = _section(item, "architecture", invalid)
        put["input_modalities"](
            _joined(arch.get("input_modalities"), "architecture.input_modalities", invalid)
        )
        if len(arch) > ("input_modalities" in arch):
            _unknown(arch, frozenset({"input_modalities"}), "architecture", extra)

        caps = _section(item, "capabilities", invalid)
        for cap, append in put_caps:
            append(_flag(caps.get(cap), f"capabilities.{cap}", invalid))
        if caps and not caps.keys() <= _CAP_SET:
            _unknown(caps, _CAP_SET, "capabilities", extra)

        put["reasoning_efforts"](
            _joined(item.get("reasoning_efforts"), "reasoning_efforts", invalid)
        )

        pricing = _section(item, "pricing", invalid)
        for key, scale, append in put_prices:
            append(_price(pricing.get(key), scale, f"pricing.{key}", invalid))
        put["price_currency"](_text(pricing.get("currency"), "pricing.currency", invalid))
        put["price_unit"](_text(pricing.get("unit"), "pricing.unit", invalid))
        if pricing and not pricing.keys() <= _PRICING_KNOWN:
            _unknown(pricing, _PRICING_KNOWN, "pricing", extra)

        estimate = item.get("cost_estimate")
        put["cost_estimate"](
            estimate if estimate is None or type(estimate) is str else _dumps(estimate)
        )

        sub = _section(item, "subscription", invalid)
        included = _flag(sub.get("included"), "subscription.included", invalid)
        put["in_subscription"](default_sub if default_sub is not None else included)
        put["subscription_input_multiplier"](
            _price(sub.get("inputTokenMultiplier"), 1.0, "subscription.inputTokenMultiplier",
                   invalid)
        )  # fmt: skip
        if sub and not sub.keys() <= _SUBSCRIPTION_KNOWN:
            _unknown(sub, _SUBSCRIPTION_KNOWN, "subscription", extra)

        policy = _section(item, "distillationPolicy", invalid)
        for key, append in put_distill:
            append(_text(policy.get(key), f"distillationPolicy.{key}", invalid))
        if policy and not policy.keys() <= frozenset(_DISTILLATION_KEYS):
            _unknown(policy, frozenset(_DISTILLATION_KEYS), "distillationPolicy", extra)

        if not item.keys() <= _TOP_KNOWN:
            for key, value in item.items():
                if key not in _TOP_KNOWN:
                    extra[key] = value
        if invalid:
            extra["_invalid"] = invalid
        put["extra_json"](_dumps(extra) if extra else None)

    rows = len(cols["id"])
    cols["snapshot_at"] = [snapshot_at.value // 1000] * rows
    cols["source_endpoint"] = [endpoint] * rows
    df = _to_frame(cols)
    meta = {k: v for k, v in listing.items() if k not in ("data", "object")}
    df.attrs = {
        "skipped_items": {endpoint: len(skipped)} if skipped else {},
        "listing_meta": {endpoint: meta} if meta else {},
    }
    if skipped:
        shown = ", ".join(skipped[:5]) + (
            f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        )
        warnings.warn(
            f"skipped {len(skipped)} malformed item(s) in the {endpoint} listing: {shown}",
            CatalogWarning,
            stacklevel=3,
        )
    return df


def _to_frame(cols: dict[str, list[Any]]) -> pd.DataFrame:
    import pyarrow as pa

    schema = arrow_schema()
    arrays = [pa.array(cols[field.name], type=field.type) for field in schema]
    table = pa.Table.from_arrays(arrays, schema=schema)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def empty_frame() -> pd.DataFrame:
    """A models frame with no rows and every column typed."""
    return _to_frame({name: [] for name, _ in COLUMNS})
