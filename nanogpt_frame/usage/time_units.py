"""Every timestamp that enters usage costing, as UTC microseconds: one rule for all time units.

Usage times and the ``snapshot_at`` of a prices history or of routes come in many forms:
``datetime64[s|ms|us|ns]`` naive or with a zone, Arrow timestamps of any unit, text, and integer
epochs (OpenAI's usage export gives unix seconds). All become int64 microseconds since the epoch,
UTC (naive means UTC), so that times of different units compare correctly.

Integers (and digit-only text) are unix epoch times whose unit is chosen by magnitude, value by
value: below ``1e11`` seconds, below ``1e14`` milliseconds, below ``1e17`` microseconds, else
nanoseconds. Any time outside 1970-01-01 .. 2200-01-01 is refused (``ConfigError`` naming the row),
so a count or a mistaken unit is never priced at the wrong day.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.usage.reason_texts import NOT_A_TIME
from nanogpt_frame.usage.token_counts import shown

__all__ = ("EPOCH_LIMITS", "utc_microseconds")

#: Accepted times: 1970-01-01 (inclusive) to 2200-01-01 (exclusive), in UTC microseconds.
EPOCH_LIMITS = (0, 7_258_118_400_000_000)
#: Epoch magnitude thresholds: below 1e11 seconds, 1e14 milliseconds, 1e17 microseconds.
_SECONDS_BELOW, _MILLIS_BELOW, _MICROS_BELOW = 1e11, 1e14, 1e17
_PER_MICRO = {"s": 1_000_000, "ms": 1_000, "us": 1}
_NUMBERS = (int, float, np.integer, np.floating, Decimal)


def _kind(value: object) -> int:
    """0 text, 1 a number, 2 something to parse (datetimes), 3 a boolean (never a time)."""
    if isinstance(value, (bool, np.bool_)):
        return 3
    return 0 if isinstance(value, str) else 1 if isinstance(value, _NUMBERS) else 2


def _from_unit(ints: np.ndarray, unit: str, bad: np.ndarray) -> np.ndarray:
    """Integers in ``unit`` as microseconds (floored); out-of-range values flagged in ``bad``."""
    lo, hi = EPOCH_LIMITS
    if unit == "ns":
        bad |= (ints < lo * 1000) | (ints >= hi * 1000)
        return np.floor_divide(ints, 1000)
    factor = _PER_MICRO[unit]
    bad |= (ints < lo // factor) | (ints >= -(-hi // factor))
    return np.where(bad, 0, ints) * factor


def _epoch_ints(ints: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Unix epoch integers of any unit (chosen by magnitude) as microseconds."""
    out = np.zeros(len(ints), dtype=np.int64)
    bands = (
        (ints < _SECONDS_BELOW, "s"),
        ((ints >= _SECONDS_BELOW) & (ints < _MILLIS_BELOW), "ms"),
        ((ints >= _MILLIS_BELOW) & (ints < _MICROS_BELOW), "us"),
        (ints >= _MICROS_BELOW, "ns"),
    )
    for band, unit in bands:
        if band.any():
            flagged = np.zeros(int(band.sum()), dtype=bool)
            out[band] = _from_unit(ints[band], unit, flagged)
            bad[band] |= flagged
    return out


def _epoch_floats(values: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Unix epoch numbers (fractions allowed) as microseconds; NaN and inf are flagged."""
    finite = np.isfinite(values)
    bad |= ~finite
    values = np.where(finite, values, 0.0)
    scale = np.select(
        [values < _SECONDS_BELOW, values < _MILLIS_BELOW, values < _MICROS_BELOW],
        [1e6, 1e3, 1.0],
        1e-3,
    )
    micros = np.floor(values * scale)
    lo, hi = EPOCH_LIMITS
    bad |= (micros < lo) | (micros >= hi)
    return np.where(bad, 0, micros).astype(np.int64)


def _datetimes(stamps: pd.Series, bad: np.ndarray) -> np.ndarray:
    """A pandas datetime64 column (naive or zoned, any unit) as UTC microseconds."""
    index = pd.DatetimeIndex(stamps)
    bad |= index.isna()
    ints = np.where(bad, 0, index.asi8)  # zoned: asi8 is UTC; naive: taken as UTC
    return _from_unit(ints, index.unit, bad)


def _arrow(values: pd.Series, bad: np.ndarray) -> np.ndarray | None:
    """An Arrow-backed timestamp or integer column; ``None`` for other Arrow types."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(values)
    kind = array.type
    if not (pa.types.is_timestamp(kind) or pa.types.is_integer(kind)):
        return None
    bad |= array.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_unsigned_integer(kind):
        bad |= pc.fill_null(pc.greater_equal(array, 2**63), False).to_numpy(zero_copy_only=False)
    ints = pc.fill_null(array.cast(pa.int64(), safe=False), 0).to_numpy(zero_copy_only=False)
    ints = np.where(bad, 0, ints)
    if pa.types.is_timestamp(kind):  # zoned: stored as UTC; naive: taken as UTC
        return _from_unit(ints, kind.unit, bad)
    return _epoch_ints(ints, bad)


def _text(values: pd.Series, bad: np.ndarray) -> np.ndarray:
    """Text times: digit-only text is an epoch (as integers are), anything else is parsed."""
    text = values.astype("string").str.strip()
    digits = text.str.fullmatch(r"\d+(?:\.\d+)?").fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(values), dtype=np.int64)
    if digits.any():
        flagged = np.zeros(int(digits.sum()), dtype=bool)
        numbers = pd.to_numeric(text[digits].astype(object), errors="coerce")
        out[digits] = _numbers(pd.Series(numbers, dtype=numbers.dtype), flagged)
        bad[digits] |= flagged
    rest = ~digits
    if rest.any():
        words = text[rest].astype(object)
        try:
            stamps = pd.to_datetime(words, utc=True, format="ISO8601")
        except (ValueError, TypeError, OverflowError):
            stamps = pd.to_datetime(words, utc=True, errors="coerce", format="mixed")
        flagged = np.zeros(int(rest.sum()), dtype=bool)
        out[rest] = _datetimes(stamps, flagged)
        bad[rest] |= flagged
    return out


def _numbers(values: pd.Series, bad: np.ndarray) -> np.ndarray:
    """Epoch numbers: integers exactly, floats with fractions; anything else flagged."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "i":
        return _epoch_ints(values.to_numpy(dtype=np.int64), bad)
    if isinstance(dtype, np.dtype) and dtype.kind == "u":
        raw = values.to_numpy()
        bad |= raw >= 2**63
        return _epoch_ints(np.where(bad, 0, raw).astype(np.int64), bad)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return _epoch_floats(values.to_numpy(dtype=np.float64), bad)
    floats = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    return _epoch_floats(np.asarray(floats, dtype=np.float64), bad)


def _objects(values: pd.Series, bad: np.ndarray) -> np.ndarray:
    """Python objects: numbers as epochs, text as text times, the rest (datetimes) parsed."""
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in ("string", "empty"):
        return _text(values, bad)
    bad |= values.isna().to_numpy(dtype=bool)
    kinds = np.array([_kind(v) for v in values], dtype=np.int8)
    bad |= kinds == 3
    out = np.zeros(len(values), dtype=np.int64)
    for kind, read in ((0, _text), (1, _object_numbers), (2, _parsed)):
        part = (kinds == kind) & ~bad
        if part.any():
            flagged = np.zeros(int(part.sum()), dtype=bool)
            out[part] = read(values[part], flagged)
            bad[part] |= flagged
    return out


def _object_numbers(values: pd.Series, bad: np.ndarray) -> np.ndarray:
    """Python numbers (ints of any size, floats, Decimals) as epochs; huge ones flagged."""
    floats = np.array([float(v) for v in values], dtype=np.float64)
    ints = [int(v) if isinstance(v, (int, np.integer)) else None for v in values]
    if all(i is not None and abs(i) < 2**63 for i in ints):
        return _epoch_ints(np.array(ints, dtype=np.int64), bad)
    return _epoch_floats(floats, bad)


def _parsed(values: pd.Series, bad: np.ndarray) -> np.ndarray:
    """Datetimes, dates and Timestamps (of any zone) as UTC microseconds."""
    try:
        stamps = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):
        stamps = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    return _datetimes(stamps, bad)


def utc_microseconds(
    values: pd.Series, *, column: str, row_name: Callable[[int], str], what: str = "usage"
) -> np.ndarray:
    """UTC microseconds since the epoch for each value; ``ConfigError`` naming the first bad row.

    >>> import pandas as pd
    >>> ts = pd.Series(["2026-08-01T00:00:00Z", "1785542400", 1785542400000])
    >>> utc_microseconds(ts.astype(object), column="ts", row_name=str).tolist()
    [1785542400000000, 1785542400000000, 1785542400000000]
    """
    bad = np.zeros(len(values), dtype=bool)
    dtype = values.dtype
    out: np.ndarray | None = None
    if isinstance(dtype, pd.ArrowDtype):
        out = _arrow(values, bad)
    if out is not None:
        pass
    elif isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        out = _datetimes(values, bad)
    elif pd.api.types.is_bool_dtype(dtype):
        bad |= True
        out = np.zeros(len(values), dtype=np.int64)
    elif pd.api.types.is_numeric_dtype(dtype):
        bad |= values.isna().to_numpy(dtype=bool)
        filled = values.fillna(0) if bad.any() else values
        if not isinstance(filled.dtype, np.dtype):  # masked or Arrow numbers: plain numpy
            floats = pd.api.types.is_float_dtype(filled.dtype)
            filled = filled.astype("float64") if floats else filled.astype("int64")
        out = _numbers(filled, bad)
    else:
        out = _objects(values, bad)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ConfigError(
            f"{what} {row_name(row)}: {column} {shown(values.iloc[row])} {NOT_A_TIME}"
        )
    return out
