"""Pure flattening: one listing response to the models frame. No network, no disk.

The loop below reads each model once into per-column Python lists, then hands them to Arrow with
the contract's explicit types. Mixed-type fields are resolved here, before Arrow sees them: a value
that cannot be read becomes ``<NA>`` and is kept, as served, under ``extra_json["_invalid"]``.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ConfigError, PayloadError, server_message
from ._chunk import CHUNK, record_batch, valid_items
from ._hostile import gc_paused, repair_text
from .schema import ENDPOINTS, arrow_schema

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = (
    "CatalogWarning",
    "ListingTable",
    "frame_from_payload",
    "listing_table",
    "parse_listing",
)


class CatalogWarning(UserWarning):
    """Something in a catalog was skipped or looks off; the load went on."""


def parse_listing(payload: Any, *, source: str = "listing") -> dict[str, Any]:
    """Validate one listing response and return it as a dict with a ``data`` list.

    Args:
        payload: the response body as ``dict``, ``bytes`` or ``str``.
        source: a name for messages (URL or file path).

    Raises:
        PayloadError: invalid or truncated JSON, an HTML page, an error body, no ``data`` list,
            JSON nested too deeply to read.

    >>> parse_listing('{"object": "list", "data": []}')["data"]
    []
    """
    return _parse(payload, source)[0]


_DIGITS_AS_ZERO = bytes(48 if 48 <= i <= 57 else i for i in range(256))
_DECIMAL_MARKS = (b".", b"e", b"E")


def _has_long_integer(body: bytes) -> bool:
    """True when ``body`` holds an integer literal of 20 or more digits (past 64 bits).

    Digit runs inside decimals (``0.00030000000000000003``) and exponents do not count. One
    ``translate`` and a ``find`` per candidate run: a few milliseconds for a 20 MB body.
    """
    mapped = body.translate(_DIGITS_AS_ZERO)
    needle = b"0" * 20
    start = mapped.find(needle)
    while start != -1:
        end = start + 20
        while end < len(mapped) and mapped[end] == 48:
            end += 1
        before = mapped[start - 1 : start]
        if before in (b"-", b"+"):  # a sign: an exponent's when an e stands before it
            before = mapped[start - 2 : start - 1]
        if before not in _DECIMAL_MARKS and mapped[end : end + 1] not in _DECIMAL_MARKS:
            return True
        start = mapped.find(needle, end)
    return False


def _fast_loads(payload: Any) -> Any:
    """The body parsed by orjson (faster than ``json``), or ``None`` to let ``json`` parse it.

    orjson is strict where the API can be loose: it refuses ``NaN``, lone surrogates, invalid
    UTF-8 and deep nesting (then ``json`` parses, or reports, exactly as before), and it would
    read integers past 64 bits as floats, so a body holding one is left to ``json``, which keeps
    them exact.
    """
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        return None
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency; json still works without
        return None
    body = bytes(payload)
    if _has_long_integer(body):
        return None
    try:
        return orjson.loads(body)
    except (orjson.JSONDecodeError, RecursionError):
        return None


def _parse(payload: Any, source: str) -> tuple[dict[str, Any], bool]:
    """``(listing, bad_utf8)``: bytes that are not valid UTF-8 are decoded with their bad bytes
    kept as lone surrogates, which the flattener then escapes, records and reports."""
    bad_utf8 = False
    fast = _fast_loads(payload)
    if fast is not None:
        payload = fast
    elif isinstance(payload, (bytes, bytearray, memoryview)):
        raw = bytes(payload)
        try:
            payload = raw.decode("utf-8")
        except UnicodeDecodeError:
            payload = raw.decode("utf-8", errors="surrogateescape")
            bad_utf8 = True
    if isinstance(payload, str):
        text = payload.lstrip()
        if text.startswith("<"):
            raise PayloadError(
                f"{source} returned an HTML page, not a JSON model listing; "
                "check the base URL (it should end in /api)"
            )
        problem = None
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = " (the body looks truncated)" if exc.pos >= len(text) - 1 else ""
            problem = f"{source} is not valid JSON{hint}: {exc.msg} at character {exc.pos}"
        except RecursionError:
            problem = f"{source} is JSON nested too deeply to be a model listing"
        if problem is not None:
            raise PayloadError(problem)  # not chained: the decode error holds the whole body
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
        keys = sorted(map(str, payload))[:8]
        raise PayloadError(f"{source} is not a model listing: no 'data' list (keys: {keys})")
    return payload, bad_utf8


def frame_from_payload(
    payload: Any,
    *,
    source_endpoint: str,
    snapshot_at: datetime | pd.Timestamp | str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Flatten one listing response into the models frame (pure: no I/O).

    Args:
        payload: the listing (``{"object": "list", "data": [...]}``) as dict, bytes or str.
        source_endpoint: ``"canonical"``, ``"subscription"`` or ``"paid"``.
        snapshot_at: when the response was received; now (UTC) when omitted.
        source: a name for messages (a URL or file path).

    Returns:
        One row per model, every SPEC column with its Arrow-backed dtype. Skipped malformed items
        are counted in ``df.attrs["skipped_items"]`` and named in a ``CatalogWarning``.

    Raises:
        PayloadError: the payload is not a model listing.
        ConfigError: ``source_endpoint`` is not one of the three listings, or ``snapshot_at``
            is not a time.

    Text that is not valid Unicode (invalid UTF-8 bytes, lone surrogate escapes such as
    ``"\\ud800"``) is kept backslash-escaped, recorded under ``extra_json["_invalid"]`` and
    reported in a ``CatalogWarning``.

    >>> df = frame_from_payload(
    ...     {"data": [{"id": "openai/gpt-5.2", "pricing": {"prompt": 1.75, "completion": 14}}]},
    ...     source_endpoint="canonical", snapshot_at="2026-08-24T00:00:00Z")
    >>> df.loc[0, ["id_namespace", "price_completion"]].tolist()
    ['openai', 14.0]
    """
    part = listing_table(
        payload, source_endpoint=source_endpoint, snapshot_at=snapshot_at, source=source
    )
    return part.frame()


@dataclass(frozen=True)
class ListingTable:
    """One flattened listing as an Arrow table (the contract's schema) and its ``attrs``."""

    table: pa.Table
    attrs: dict[str, Any] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        df = self.table.to_pandas(types_mapper=pd.ArrowDtype)
        df.attrs = dict(self.attrs)
        return df


def listing_table(
    payload: Any,
    *,
    source_endpoint: str,
    snapshot_at: datetime | pd.Timestamp | str | None = None,
    source: str | None = None,
) -> ListingTable:
    """``frame_from_payload`` stopping at the Arrow table (what the cache stores and combines)."""
    if source_endpoint not in ENDPOINTS:
        raise ConfigError(f"source_endpoint must be one of {ENDPOINTS}, not {source_endpoint!r}")
    stamp = _as_timestamp(snapshot_at)
    # Parsing and flattening build about a million acyclic objects: cyclic-GC passes over them
    # only cost time. The parsed JSON dies inside the pause (it is local to the call below), so
    # the collection that follows re-enabling finds little left to walk.
    with gc_paused():
        table = _parse_and_flatten(payload, source_endpoint, stamp, source)
    return table


def _parse_and_flatten(
    payload: Any, source_endpoint: str, stamp: pd.Timestamp, source: str | None
) -> ListingTable:
    listing, bad_utf8 = _parse(payload, source or f"the {source_endpoint} listing")
    try:
        return _flatten(listing, source_endpoint, stamp)
    except UnicodeEncodeError:
        data, repairs = repair_text(listing["data"])
    except RecursionError:
        data, repairs = None, {}
    if data is None:
        raise PayloadError(f"the {source_endpoint} listing holds values nested too deeply")
    _warn_repairs(source_endpoint, data, repairs, bad_utf8)
    return _flatten({**listing, "data": data}, source_endpoint, stamp, repairs)


def _warn_repairs(
    endpoint: str, data: list[Any], repairs: dict[int, dict[str, str]], bad_utf8: bool
) -> None:
    what = "bytes that are not valid UTF-8" if bad_utf8 else "text that is not valid Unicode"
    names = [str(data[p].get("id")) if type(data[p]) is dict else f"#{p}" for p in repairs]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    warnings.warn(
        f"the {endpoint} listing holds {what} in {len(names)} item(s): {', '.join(names[:5])}"
        f"{more}; kept backslash-escaped and recorded in extra_json['_invalid']",
        CatalogWarning,
        stacklevel=4,
    )


def _as_timestamp(value: datetime | pd.Timestamp | str | None) -> pd.Timestamp:
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


def _flatten(
    listing: dict[str, Any],
    endpoint: str,
    snapshot_at: pd.Timestamp,
    repairs: dict[int, dict[str, str]] | None = None,
) -> ListingTable:
    import pyarrow as pa

    items, positions, skipped = valid_items(listing["data"])
    table = pa.Table.from_batches(
        [
            record_batch(
                items[start : start + CHUNK],
                positions[start : start + CHUNK],
                endpoint,
                snapshot_at,
                repairs,
            )
            for start in range(0, max(len(items), 1), CHUNK)
        ],
        schema=arrow_schema(),
    )
    meta = {k: v for k, v in listing.items() if k not in ("data", "object")}
    attrs = {
        "skipped_items": {endpoint: len(skipped)} if skipped else {},
        "listing_meta": {endpoint: meta} if meta else {},
    }
    if skipped:
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        warnings.warn(
            f"skipped {len(skipped)} malformed item(s) in the {endpoint} listing: "
            f"{', '.join(skipped[:5])}{more}",
            CatalogWarning,
            stacklevel=3,
        )
    return ListingTable(table, attrs)


def empty_frame() -> pd.DataFrame:
    """A models frame with no rows and every column typed."""
    return arrow_schema().empty_table().to_pandas(types_mapper=pd.ArrowDtype)
