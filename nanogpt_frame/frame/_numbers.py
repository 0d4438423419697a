"""Number readers for the flattener: prices, token counts, times. Each records what it cannot
read, as served, in the row's ``Invalid`` entry (see ``_readers``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from ._readers import Invalid

__all__ = ("counts", "created", "number_or_none", "prices", "round9")

_NONE = type(None)
_NUMBER_TYPES = frozenset({int, float, _NONE})
_MAX_CREATED = 7_258_118_400  # 2200-01-01: beyond it a "seconds" value is really not seconds
_INT64_MAX = 2**63 - 1
EMPTY: dict[str, Any] = {}


def number_or_none(value: Any) -> float | None:
    """A served number or numeric string as a float; anything else (bools included) ``None``."""
    kind = type(value)
    try:
        if kind is float or kind is int:
            return float(value)
        if kind is str:
            return float(value.strip())
    except (ValueError, OverflowError):
        return None
    return None


def _as_floats(values: list[Any], path: str, invalid: Invalid) -> np.ndarray:
    """Numbers (numeric strings read) as float64, ``NaN`` where missing or unreadable."""
    if set(map(type, values)) <= _NUMBER_TYPES:
        try:
            return np.array(values, dtype=np.float64)
        except OverflowError:  # an int too large for a double
            pass
    plain = list(values)
    odd = [i for i, value in enumerate(values) if type(value) not in _NUMBER_TYPES]
    for i in odd:
        plain[i] = None
    try:
        out = np.array(plain, dtype=np.float64)
    except OverflowError:
        out = np.array(
            [number_or_none(v) if v is not None else None for v in plain], dtype=np.float64
        )
    for i in odd:
        number = number_or_none(values[i])
        if number is None:
            invalid.mark(i, path, values[i])
        else:
            out[i] = number
    return out


def round9(numbers: np.ndarray) -> np.ndarray:
    """Round to 9 significant digits, exactly as ``float(f"{x:.9g}")`` does, but vectorised.

    ``x * 10**k`` rounded to an integer, then divided by ``10**k`` (both exact integers, so the
    division is correctly rounded). Values whose scaled form sits within 1e-6 of a half are
    re-done with the string method, so the result never depends on binary noise at a tie.
    """
    out = numbers.copy()
    finite = np.isfinite(out) & (out != 0)
    if not finite.any():
        return out
    x = out[finite]
    digits = 8 - np.floor(np.log10(np.abs(x))).astype(np.int64)
    scale = np.power(10.0, digits)
    scaled = x * scale
    rounded = np.round(scaled) / scale
    near_tie = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    unsafe = near_tie | (digits > 300) | (digits < -290) | ~np.isfinite(scaled)
    if unsafe.any():
        rounded[unsafe] = [float(f"{v:.9g}") for v in x[unsafe]]
    out[finite] = rounded
    return out


def prices(values: list[Any], path: str, invalid: Invalid, scale: float = 1.0) -> np.ndarray:
    """USD prices: numbers or numeric strings, x ``scale``, 9 significant digits.

    Negative or non-finite prices are unreadable (``NaN`` and recorded).
    """
    numbers = _as_floats(values, path, invalid)
    bad = (numbers < 0) | np.isinf(numbers)
    missing = np.isnan(numbers)
    if int(missing.sum()) != values.count(None):  # some NaN is not a plain null: find it
        for i in np.flatnonzero(missing):
            if values[i] is not None and path not in invalid.rows.get(int(i), EMPTY):
                bad[i] = True
    for i in np.flatnonzero(bad):
        invalid.mark(int(i), path, values[i])
    numbers[bad] = np.nan
    if scale != 1.0:
        with np.errstate(over="ignore"):
            numbers = numbers * scale
        for i in np.flatnonzero(np.isinf(numbers)):  # finite as served, overflows once scaled
            invalid.mark(int(i), path, values[i])
            numbers[i] = np.nan
    return round9(numbers)


def counts(values: list[Any], path: str, invalid: Invalid) -> list[int | None]:
    """Positive token counts; integral floats and numeric strings read; anything else unknown."""
    kinds = set(map(type, values))
    if kinds <= {int, _NONE}:
        given = [v for v in values if v is not None]
        if not given or (min(given) > 0 and max(given) <= _INT64_MAX):
            return values
    out: list[int | None] = []
    for i, value in enumerate(values):
        number = None if type(value) is bool else number_or_none(value)
        if value is None:
            out.append(None)
        elif number is not None and number.is_integer() and 0 < number <= _INT64_MAX:
            out.append(value if type(value) is int else int(number))
        else:
            invalid.mark(i, path, value)
            out.append(None)
    return out


def created(values: list[Any], invalid: Invalid) -> np.ndarray:
    """Unix seconds to microseconds (int64); out-of-range or unreadable values are ``-1``."""
    seconds = _as_floats(values, "created", invalid)
    missing = np.isnan(seconds)
    bad = ~missing & ~((seconds > 0) & (seconds < _MAX_CREATED))
    for i in np.flatnonzero(bad):
        invalid.mark(int(i), "created", values[i])
    micros = np.round(np.where(bad | missing, -1.0, seconds) * 1_000_000).astype(np.int64)
    micros[bad | missing] = -1
    return micros
