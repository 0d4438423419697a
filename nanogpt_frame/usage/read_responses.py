"""``read_responses()``: a usage frame from logged API responses, with what NanoGPT billed.

Each JSON Lines line (or dict) is one logged response: an OpenAI-style chat completion, an
Anthropic-style message, a streamed final chunk (the one that carries ``usage``), optionally
wrapped by the logger as ``{"ts": ..., "response": {...}}``. NanoGPT's ``x_nanogpt_pricing``
gives ``billed_usd`` (``cost``, else ``amount``). The two token conventions are told apart by
shape, because mixing them up is the most common costing bug:

- OpenAI: ``usage.prompt_tokens`` INCLUDES ``prompt_tokens_details.cached_tokens`` (and a
  cache-write count listed there), so ``input_tokens = prompt_tokens - cached - cache writes``;
- Anthropic: ``usage.input_tokens`` EXCLUDES ``cache_read_input_tokens`` and
  ``cache_creation_input_tokens``, so it is the uncached input as it stands.

A line that is not a response (a request log, a stream chunk without usage, an error body,
unreadable JSON) is skipped and counted in ``attrs["skipped"]``, never fatal. A count that is
missing or unreadable is ``<NA>`` (``cost_usage`` then leaves the row unpriced), never 0.
"""

from __future__ import annotations

import gzip
import math
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from nanogpt_frame.errors import ConfigError, PayloadError
from nanogpt_frame.schema import RESPONSE_COLUMNS, SCHEMA_VERSION, account_arrow_schema
from nanogpt_frame.values import number_or_none

__all__ = ("read_responses",)

_WRAPPERS = ("response", "body", "data")
_TIME_KEYS = ("timestamp", "ts")
_MAX_LINE_FILE = 4 * 1024**3


def _count(value: Any) -> int | None:
    """A served token count as an int; ``None`` when absent, negative or not a whole number."""
    kind = type(value)
    if kind is int:
        return value if value >= 0 else None
    if kind is float and value.is_integer() and value >= 0:
        return int(value)
    return None


def _money(value: Any) -> float | None:
    """A billed amount (number or numeric text) as a finite float, else ``None``."""
    number = number_or_none(value)
    return number if number is not None and math.isfinite(number) else None


class _Rows:
    """Column lists filled one response at a time (cheap appends, one Arrow build at the end)."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name, _ in RESPONSE_COLUMNS}
        self.skipped: Counter[str] = Counter()
        self.problems: list[str] = []

    def add(self, record: Any, line: int) -> None:
        if type(record) is not dict:
            self.skipped["not a JSON object"] += 1
            return
        stamp = None
        for key in _TIME_KEYS:
            if key in record:
                stamp = record[key]
                break
        response = record
        if "usage" not in record and "x_nanogpt_pricing" not in record:
            for key in _WRAPPERS:
                inner = record.get(key)
                if type(inner) is dict:
                    response = inner
                    break
        usage = response.get("usage")
        pricing = response.get("x_nanogpt_pricing")
        model = response.get("model")
        if type(usage) is not dict and type(pricing) is not dict:
            if "error" in response:
                self.skipped["error response"] += 1
            elif response.get("object") == "chat.completion.chunk":
                self.skipped["stream chunk without usage"] += 1
            else:
                self.skipped["not a response"] += 1
            return
        if type(model) is not str or not model:
            self.skipped["response without a model"] += 1
            return
        if stamp is None:
            stamp = response.get("created")
        if stamp is None or type(stamp) is bool:
            self.skipped["response without a time (no created, timestamp or ts)"] += 1
            return
        cols = self.columns
        if type(usage) is not dict:
            usage = {}
        shape, tokens = _tokens(response, usage)
        if shape == "unknown" and usage:
            self.problems.append(f"line {line}: usage has neither prompt_tokens nor input_tokens")
        if tokens[0] is None and usage and "prompt_tokens" in usage:
            self.problems.append(f"line {line}: cached tokens exceed prompt_tokens")
        billed = None
        source = None
        if type(pricing) is dict:
            billed = _money(pricing.get("cost"))
            if billed is None:
                billed = _money(pricing.get("amount"))
            currency = pricing.get("currency")
            if billed is not None and currency is not None and str(currency).upper() != "USD":
                self.problems.append(f"line {line}: billed in {currency!r}, not USD; left <NA>")
                billed = None
            paid = pricing.get("paymentSource")
            source = paid if type(paid) is str else None
        provider = response.get("provider", record.get("provider"))
        request_id = response.get("id")
        cols["timestamp"].append(stamp)
        cols["model"].append(model)
        cols["input_tokens"].append(tokens[0])
        cols["output_tokens"].append(tokens[1])
        cols["cached_tokens"].append(tokens[2])
        cols["cache_write_tokens"].append(tokens[3])
        cols["reasoning_tokens"].append(tokens[4])
        cols["billed_usd"].append(billed)
        cols["payment_source"].append(source)
        cols["request_id"].append(request_id if type(request_id) is str else None)
        cols["provider"].append(provider if type(provider) is str and provider else None)
        cols["response_shape"].append(shape)


def _tokens(response: dict[str, Any], usage: dict[str, Any]) -> tuple[str, list[int | None]]:
    """(shape, [uncached input, output, cache read, cache write, reasoning])."""
    stream = response.get("object") == "chat.completion.chunk"
    if "prompt_tokens" in usage:  # OpenAI: prompt_tokens includes the cached tokens
        details = usage.get("prompt_tokens_details")
        details = details if type(details) is dict else {}
        cached = _count(details.get("cached_tokens", 0))
        written = _count(details.get("cache_write_tokens", details.get("cache_creation_tokens", 0)))
        prompt = _count(usage.get("prompt_tokens"))
        uncached = None
        if prompt is not None and cached is not None and written is not None:
            uncached = prompt - cached - written
            if uncached < 0:
                uncached = None
        out = usage.get("completion_tokens_details")
        out = out if type(out) is dict else {}
        reasoning = _count(out.get("reasoning_tokens", 0))
        output = _count(usage.get("completion_tokens"))
        return ("openai_stream" if stream else "openai"), [
            uncached,
            output,
            cached,
            written,
            reasoning,
        ]
    if "input_tokens" in usage:  # Anthropic: input_tokens excludes cache reads and writes
        return "anthropic", [
            _count(usage.get("input_tokens")),
            _count(usage.get("output_tokens")),
            _count(usage.get("cache_read_input_tokens", 0) or 0),
            _count(usage.get("cache_creation_input_tokens", 0) or 0),
            _count(usage.get("reasoning_tokens", 0) or 0),
        ]
    return "unknown", [None, None, None, None, None]


def _lines(path: Path) -> list[bytes]:
    from nanogpt_frame.fileio import read_regular_file

    raw = read_regular_file(path, _MAX_LINE_FILE)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise PayloadError(f"{path} is not a readable gzip file: {exc}") from None
    return raw.splitlines()


def _times(values: list[Any]) -> pd.Series:
    """Logged times to UTC microseconds: epoch seconds (``created``) or ISO text (naive: UTC)."""
    import numpy as np

    series = pd.Series(values, dtype=object)
    numeric = series.map(lambda v: type(v) in (int, float))
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us, UTC]")
    if numeric.any():
        seconds = series[numeric].astype("float64").to_numpy()
        scaled = np.where(seconds > 1e11, seconds / 1000.0, seconds)  # epoch ms, by magnitude
        out[numeric] = pd.to_datetime(scaled * 1e6, unit="us", utc=True)
    text = ~numeric
    if text.any():
        out[text] = pd.to_datetime(
            series[text].astype(str), utc=True, errors="coerce", format="ISO8601"
        )
    return out


def read_responses(path_or_records: str | os.PathLike[str] | Iterable[Any]) -> pd.DataFrame:
    """A usage frame, ready for ``cost_usage``, from logged NanoGPT API responses.

    Args:
        path_or_records: a JSON Lines file (gzipped when it starts with the gzip magic), or an
            iterable of dicts (one logged response each) or of JSON lines.

    Returns:
        One row per response: ``timestamp`` (UTC; the line's ``timestamp``/``ts``, else the
        response's ``created``), ``model``, ``input_tokens`` (uncached), ``output_tokens``,
        ``cached_tokens``, ``cache_write_tokens``, ``reasoning_tokens``, ``billed_usd``
        (``x_nanogpt_pricing.cost``, else ``amount``; ``<NA>`` when not logged),
        ``payment_source``, ``request_id``, then ``provider`` (when logged) and
        ``response_shape`` (``openai``, ``openai_stream``, ``anthropic``). ``attrs``: ``lines``,
        ``skipped`` (count), ``skipped_reasons``, ``problems``.

    Raises:
        PayloadError: the file is missing or unreadable. ConfigError: not a path or iterable.

    >>> rows = read_responses([{"id": "c1", "object": "chat.completion", "created": 1785542400,
    ...     "model": "openai/gpt-5.2", "usage": {"prompt_tokens": 1000, "completion_tokens": 50,
    ...     "prompt_tokens_details": {"cached_tokens": 800}},
    ...     "x_nanogpt_pricing": {"cost": 0.00123, "paymentSource": "USD"}}, {"event": "sent"}])
    >>> int(rows["input_tokens"][0]), int(rows["cached_tokens"][0]), float(rows["billed_usd"][0])
    (200, 800, 0.00123)
    >>> rows.attrs["skipped"]
    1
    """
    import orjson

    rows = _Rows()
    count = 0
    if isinstance(path_or_records, (str, os.PathLike)):
        path = Path(path_or_records)
        if not path.is_file():
            raise PayloadError(f"responses log {str(path)!r} does not exist or is not a file")
        items: Iterable[Any] = _lines(path)
    elif isinstance(path_or_records, (bytes, dict)) or not hasattr(path_or_records, "__iter__"):
        raise ConfigError("read_responses takes a JSON Lines path or an iterable of dicts")
    else:
        items = path_or_records
    loads = orjson.loads
    for item in items:
        count += 1
        if type(item) is dict:
            rows.add(item, count)
            continue
        if isinstance(item, (bytes, str)):
            if not item.strip():
                rows.skipped["blank line"] += 1
                continue
            try:
                record = loads(item)
            except orjson.JSONDecodeError:
                rows.skipped["not valid JSON"] += 1
                continue
            rows.add(record, count)
        else:
            rows.skipped["not a JSON object"] += 1
    return _frame(rows, count)


def _frame(rows: _Rows, count: int) -> pd.DataFrame:
    import numpy as np
    import pyarrow as pa

    columns = rows.columns
    stamps = _times(columns["timestamp"])
    bad = stamps.isna().to_numpy()
    if bad.any():  # an unreadable time: skipped and counted, never fatal
        keep = ~bad
        rows.skipped["response with an unreadable time"] += int(bad.sum())
        columns = {k: [v for v, ok in zip(vals, keep, strict=True) if ok] for k, vals in
                   columns.items()}  # fmt: skip
        stamps = stamps[keep].reset_index(drop=True)
    schema = account_arrow_schema(RESPONSE_COLUMNS)
    arrays = {
        name: pa.array(columns[name], type=schema.field(name).type)
        for name, _ in RESPONSE_COLUMNS
        if name != "timestamp"
    }
    arrays["timestamp"] = pa.array(stamps, type=pa.timestamp("us", tz="UTC"))
    billed = np.array([np.nan if v is None else v for v in columns["billed_usd"]], dtype=float)
    arrays["billed_usd"] = pa.array(np.round(billed, 12), mask=np.isnan(billed))  # no noise
    table = pa.table({name: arrays[name] for name, _ in RESPONSE_COLUMNS}, schema=schema)
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    skipped = sum(rows.skipped.values())
    df.attrs = {
        "table": "responses",
        "schema_version": SCHEMA_VERSION,
        "lines": count,
        "skipped": skipped,
        "skipped_reasons": dict(sorted(rows.skipped.items())),
        "problems": rows.problems,
    }
    return df
