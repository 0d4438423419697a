"""Token counts as exact int64, whatever the column holds: unknown is never 0, nothing wraps.

A count is a whole, non-negative number that int64 holds exactly. An empty cell (NaN, ``<NA>``,
``None``, blank text) is *missing*: the row is unpriced, never billed as 0 tokens. Anything else
(negative, fractional, non-finite, text that is not a number, a boolean, a count of 2**63 or more,
a float of 2**53 or more, which may already have lost its last digits) is *bad*: the caller raises
``ConfigError`` naming the row. Numeric columns are checked in bulk; only text and mixed Python
objects (Decimals from Parquet, ints past 64 bits) are read one value at a time.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd

__all__ = ("shown", "token_counts")

_INT64_LIMIT = 2**63  # counts must be below this
_FLOAT_EXACT = 2**53  # floats at or above this may not be the count that was written
_DIGITS = re.compile(r"\+?\d+")


def shown(value: object) -> str:
    """A cell as a message shows it: ``1e+19``, ``'12x'``, not ``np.float64(1e+19)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _floats(values: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(counts, bad) of a float64 array; NaN is already marked missing."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(values) & (values >= 0) & (values == np.floor(values))
        ok &= values < _FLOAT_EXACT
    bad = ~missing & ~ok
    return np.where(ok, values, 0).astype(np.int64), bad


def _one(value: object) -> int | None:
    """One count (``None``: missing); raises ``ValueError`` for anything that is not a count."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _DIGITS.fullmatch(text):
            whole = _one(float(text))  # "1.0", "1e3": whole floats; others raise
            if whole is None:  # "nan" written out is not an empty cell
                raise ValueError(value)
            return whole
        number = int(text)
    elif isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, Decimal):
        if value.is_nan():
            return None
        if not value.is_finite() or value != value.to_integral_value():
            raise ValueError(value)
        number = int(value)
    elif isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        if not math.isfinite(value) or value != math.floor(value) or value >= _FLOAT_EXACT:
            raise ValueError(value)
        number = int(value)
    else:
        raise ValueError(value)
    if not 0 <= number < _INT64_LIMIT:
        raise ValueError(value)
    return number


def _objects(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, missing, bad) read one value at a time (text, Decimals, big Python ints)."""
    n = len(values)
    counts = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    for i, value in enumerate(values.to_numpy(dtype=object)):
        try:
            number = _one(value)
        except (ValueError, OverflowError):
            bad[i] = True
            continue
        if number is None:
            missing[i] = True
        else:
            counts[i] = number
    return counts, missing, bad


def _text(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Text counts: one exact Arrow cast when every cell is plain digits, else value by value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(pa.array(values.astype("string[pyarrow]")))
    missing = pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
    try:
        cast = pc.cast(pc.if_else(missing, None, text), pa.int64())  # exact; overflow raises
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _objects(values)
    counts = pc.fill_null(cast, 0).to_numpy(zero_copy_only=False)
    return np.where(counts < 0, 0, counts), missing, ~missing & (counts < 0)


def _arrow(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An Arrow-backed column: integers and floats in bulk, text cast, the rest value by value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(values)
    kind = array.type
    missing = array.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_integer(kind):
        if pa.types.is_unsigned_integer(kind):
            too_big = pc.fill_null(pc.greater_equal(array, _INT64_LIMIT), False)
            bad = too_big.to_numpy(zero_copy_only=False)
        else:
            bad = pc.fill_null(pc.less(array, 0), False).to_numpy(zero_copy_only=False)
        counts = pc.fill_null(array.cast(pa.int64(), safe=False), 0).to_numpy(zero_copy_only=False)
        return np.where(bad, 0, counts), missing, bad
    if pa.types.is_floating(kind):
        floats = pc.fill_null(array.cast(pa.float64()), np.nan).to_numpy(zero_copy_only=False)
        missing = missing | np.isnan(floats)
        counts, bad = _floats(floats, missing)
        return counts, missing, bad
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _text(values)
    return _objects(values.astype(object))


def token_counts(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts as int64, missing, bad) for one token column.

    >>> import pandas as pd
    >>> counts, missing, bad = token_counts(pd.Series([3, None, "7", 2**70], dtype=object))
    >>> counts.tolist(), missing.tolist(), bad.tolist()
    ([3, 0, 7, 0], [False, True, False, False], [False, False, False, True])
    """
    dtype = values.dtype
    n = len(values)
    none = np.zeros(n, dtype=bool)
    if isinstance(dtype, pd.ArrowDtype):
        return _arrow(values)
    if isinstance(dtype, np.dtype):
        if dtype.kind == "i":
            counts = values.to_numpy(dtype=np.int64)
            bad = counts < 0
            return np.where(bad, 0, counts), none, bad
        if dtype.kind == "u":
            raw = values.to_numpy()
            bad = raw >= _INT64_LIMIT
            return np.where(bad, 0, raw).astype(np.int64), none, bad
        if dtype.kind == "f":
            floats = values.to_numpy(dtype=np.float64)
            missing = np.isnan(floats)
            counts, bad = _floats(floats, missing)
            return counts, missing, bad
        if dtype.kind == "O":
            return _objects(values)
        return np.zeros(n, dtype=np.int64), none, np.ones(n, dtype=bool)  # bool, times, ...
    if pd.api.types.is_bool_dtype(dtype):
        missing = values.isna().to_numpy(dtype=bool)
        return np.zeros(n, dtype=np.int64), missing, ~missing
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):  # masked
        missing = values.isna().to_numpy(dtype=bool)
        if pd.api.types.is_float_dtype(dtype):
            floats = values.to_numpy(dtype=np.float64, na_value=np.nan)
            counts, bad = _floats(floats, missing)
            return counts, missing, bad
        if pd.api.types.is_unsigned_integer_dtype(dtype):
            raw = values.to_numpy(dtype=np.uint64, na_value=0)
            bad = raw >= _INT64_LIMIT
            return np.where(bad, 0, raw).astype(np.int64), missing, bad
        counts = values.to_numpy(dtype=np.int64, na_value=0)
        bad = counts < 0
        return np.where(bad, 0, counts), missing, bad
    if pd.api.types.is_string_dtype(dtype):
        return _text(values)
    return _objects(values.astype(object))
