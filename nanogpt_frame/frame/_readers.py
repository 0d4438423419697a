"""Column readers for the flattener: one served field across all models -> one typed column.

Each reader first checks the set of Python types in the column (a C-speed pass). When the column
holds only the expected types it converts in bulk; otherwise it falls back to a per-value path
that turns unreadable values into ``None`` and records them, as served, in ``Invalid``. This is
how mixed-type fields are resolved before Arrow sees them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._hostile import strict_json

_NONE = type(None)
_NUMBER_TYPES = frozenset({int, float, _NONE})
_MAX_CREATED = 7_258_118_400  # 2200-01-01: beyond it a "seconds" value is really not seconds
_INT64_MAX = 2**63 - 1
EMPTY: dict[str, Any] = {}  # shared stand-in for a missing section; never mutated


class Invalid:
    """Served values that could not be read, per row: ``{row: {path: value}}``."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}

    def mark(self, row: int, path: str, value: Any) -> None:
        self.rows.setdefault(row, {})[path] = value


def dumps(value: Any) -> str:
    """Compact, strict JSON with sorted keys (``extra_json`` and object ``cost_estimate``)."""
    return strict_json(value)


class Encoder:
    """``dumps`` that encodes each distinct value once (catalogs repeat a few of them).

    Values are told apart by ``repr``, which for JSON values keeps ``1``, ``1.0`` and ``True``
    apart and works for nested (unhashable) values too.
    """

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, value: Any) -> str:
        key = repr(value)
        text = self.seen.get(key)
        if text is None:
            text = self.seen[key] = dumps(value)
        return text


def strict(values: list[Any], arrow_type: Any) -> Any:
    """``values`` as an Arrow array when every value already has the exact type, else ``None``.

    Only for Arrow types whose conversion is strict (string and bool reject ints, floats, lists
    and objects), so a successful conversion proves the column needs no reading value by value.
    """
    import pyarrow as pa

    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None


def struct_columns(
    rows: list[dict[str, Any]], keys: tuple[str, ...], arrow_type: Any
) -> dict[str, Any] | None:
    """Several fields of the same type read in one C++ pass, or ``None`` if any value does not
    fit (then each field is read by its own reader, which records what it cannot read).

    Arrow's conversion of dicts to a struct is strict for strings and booleans (an int is no
    string, ``"true"`` no boolean), so success proves every value already has the right type.
    """
    import pyarrow as pa

    try:
        array = pa.array(rows, type=pa.struct([(key, arrow_type) for key in keys]))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    return dict(zip(keys, array.flatten(), strict=True))


def strings(values: list[Any], path: str, invalid: Invalid) -> Any:
    """Strings as served; anything else is unreadable."""
    import pyarrow as pa

    fast = strict(values, pa.string())
    if fast is not None:
        return fast
    out = list(values)
    for i, value in enumerate(values):
        if value is not None and type(value) is not str:
            invalid.mark(i, path, value)
            out[i] = None
    return out


def sections(values: list[Any], path: str, invalid: Invalid) -> list[dict[str, Any]]:
    """Nested objects (``pricing``, ...): ``EMPTY`` when missing or not an object."""
    kinds = set(map(type, values))
    if kinds <= {dict}:
        return values
    if kinds == {_NONE}:
        return [EMPTY] * len(values)
    if kinds <= {dict, _NONE}:
        return [EMPTY if v is None else v for v in values]
    out = []
    for i, value in enumerate(values):
        if type(value) is dict:
            out.append(value)
        else:
            if value is not None:
                invalid.mark(i, path, value)
            out.append(EMPTY)
    return out


def flags(values: list[Any], path: str, invalid: Invalid) -> Any:
    """Booleans; ``"true"``/``"false"`` strings are read, anything else is unreadable."""
    import pyarrow as pa

    fast = strict(values, pa.bool_())
    if fast is not None:
        return fast
    out: list[bool | None] = []
    for i, value in enumerate(values):
        if value is None or type(value) is bool:
            out.append(value)
        elif type(value) is str and value.strip().lower() in ("true", "false"):
            out.append(value.strip().lower() == "true")
        else:
            invalid.mark(i, path, value)
            out.append(None)
    return out


def joined(values: list[Any], path: str, invalid: Invalid) -> list[str | None]:
    """Lists of strings joined with ``,``; a plain string as served."""
    kinds = set(map(type, values))
    if kinds <= {str, _NONE}:
        return values
    if kinds <= {list, _NONE}:
        import pyarrow as pa
        import pyarrow.compute as pc

        lists = strict(values, pa.list_(pa.string()))  # fails on a non-string member
        if lists is not None:
            return pc.binary_join(lists, ",")
    out: list[str | None] = []
    for i, value in enumerate(values):
        kind = type(value)
        if value is None or kind is str:
            out.append(value)
        elif kind is list and all(type(v) is str for v in value):
            out.append(",".join(value))
        else:
            invalid.mark(i, path, value)
            out.append(None)
    return out


def estimates(values: list[Any]) -> list[str | None]:
    """``cost_estimate``: a string as served, a number or object as compact JSON.

    Catalogs repeat a handful of estimates (``{"cheap": true}``), so each distinct one is encoded
    once: values are told apart by ``repr`` (computed in one C-level pass), which keeps ``1``,
    ``1.0`` and ``True`` apart and works for nested (unhashable) values too.
    """
    kinds = set(map(type, values))
    if kinds <= {str, _NONE}:
        return values
    rows = [i for i, v in enumerate(values) if v is not None and type(v) is not str]
    odd = [values[i] for i in rows]
    keys = list(map(repr, odd))
    distinct = dict(zip(keys, odd, strict=True))  # one value per repr (the same JSON)
    encoded = {key: dumps(value) for key, value in distinct.items()}
    out = list(values)
    for i, text in zip(rows, map(encoded.__getitem__, keys), strict=True):
        out[i] = text
    return out


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


def split_ids(ids: list[str]) -> tuple[list[str | None], list[str], list[str | None]]:
    namespaces = [head if sep and head else None for head, sep, _ in map(_slash, ids)]
    parts = list(map(_colon, ids))
    bases = [head if head else model_id for model_id, (head, _, _) in zip(ids, parts, strict=True)]
    variants = [tail if head else None for head, _, tail in parts]
    return namespaces, bases, variants


def _slash(model_id: str) -> tuple[str, str, str]:
    return model_id.partition("/")


def _colon(model_id: str) -> tuple[str, str, str]:
    return model_id.rpartition(":")
