"""How a served value becomes a column value: numbers, counts, times, flags, text and JSON.

Shared by every flattener (text listings, provider routes, media feeds) and by the analysis that
re-reads served JSON. Three parts:

- number rules: prices to 9 significant digits (``round9``), exact token counts, ``created``
  times; each records what it cannot read, as served, in the row's ``Invalid`` entry;
- column readers: one served field across all models -> one typed column. Each first checks the
  set of Python types in the column (a C-speed pass); when the column holds only the expected
  types it converts in bulk, otherwise a per-value path turns unreadable values into ``None``
  and records them;
- hostile input: repairing text that is not Unicode, strict JSON out (no NaN), a GC pause for
  the allocation-heavy flatten. Used off the fast path only.

A bottom module: it imports nothing of the package.
"""

from __future__ import annotations

import gc
import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = (
    "EMPTY",
    "Encoder",
    "Invalid",
    "counts",
    "created",
    "dumps",
    "escaped",
    "estimates",
    "flags",
    "gc_paused",
    "joined",
    "number_or_none",
    "prices",
    "repair_text",
    "round9",
    "sections",
    "split_ids",
    "strict",
    "strict_json",
    "strings",
    "struct_columns",
)

_NONE = type(None)
EMPTY: dict[str, Any] = {}  # shared stand-in for a missing section; never mutated

# --- number rules

_NUMBER_TYPES = frozenset({int, float, _NONE})
_MAX_CREATED = 7_258_118_400  # 2200-01-01: beyond it a "seconds" value is really not seconds
_INT64_MAX = 2**63 - 1


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

    ``x * 10**k`` rounded to an integer, then divided by ``10**k`` (both exact integers for
    ``0 <= k <= 22``, so the division is correctly rounded). Values whose scaled form sits
    within 1e-6 of a half, and values outside that range of ``k`` (below 1e-14 or from 1e9 up,
    where ``10**k`` is no exact double), are re-done with the string method.
    """
    out = numbers.copy()
    finite = np.isfinite(out) & (out != 0)
    if not finite.any():
        return out
    x = out[finite]
    digits = 8 - np.floor(np.log10(np.abs(x))).astype(np.int64)
    scale = np.power(10.0, np.clip(digits, 0, 22))  # outside: the string method below
    scaled = x * scale
    rounded = np.round(scaled) / scale
    near_tie = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    unsafe = near_tie | (digits > 22) | (digits < 0) | ~np.isfinite(scaled)
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


# --- hostile input

_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC for a bulk build of acyclic objects; safe across threads and nesting.

    The first entrant records whether the GC was on; the last one out restores exactly that, so a
    caller that had disabled the GC keeps it disabled.

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def escaped(text: str) -> str:
    """``text`` with anything UTF-8 cannot hold (lone surrogates) backslash-escaped.

    >>> escaped("ok\\ud800")
    'ok\\\\ud800'
    """
    try:  # bytes that were not UTF-8 (kept as surrogates on decoding) read back as \\xNN
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _is_bad(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def repair_text(data: list[Any]) -> tuple[list[Any], dict[int, dict[str, str]]]:
    """Copies of the listing items with every invalid string escaped, and what was repaired.

    Returns ``(items, repairs)`` where ``repairs[position]`` maps a JSON path (``name``,
    ``pricing.currency``, ``architecture.input_modalities[1]``; keys too) to the escaped text.
    Items without bad text are returned as they are.
    """
    out: list[Any] = []
    repairs: dict[int, dict[str, str]] = {}
    for position, item in enumerate(data):
        found: dict[str, str] = {}
        out.append(_repair(item, "", found))
        if found:
            repairs[position] = found
    return out, repairs


def _repair(value: Any, path: str, found: dict[str, str]) -> Any:
    kind = type(value)
    if kind is str:
        if _is_bad(value):
            found[path or "(value)"] = escaped(value)
            return escaped(value)
        return value
    if kind is list:
        return [_repair(v, f"{path}[{i}]", found) for i, v in enumerate(value)]
    if kind is dict:
        fixed = {}
        for key, item in value.items():
            name = key
            if type(key) is str and _is_bad(key):
                name = escaped(key)
                found[f"{path}.{name}" if path else name] = f"(key) {name}"
            fixed[name] = _repair(item, f"{path}.{name}" if path else str(name), found)
        return fixed
    return value


def _finite(value: Any) -> Any:
    """``value`` with non-finite floats as the strings ``NaN``, ``Infinity``, ``-Infinity``."""
    kind = type(value)
    if kind is float and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if kind is list:
        return [_finite(v) for v in value]
    if kind is dict:
        return {k: _finite(v) for k, v in value.items()}
    return value


def strict_json(value: Any) -> str:
    """Compact JSON with sorted keys that any strict parser reads: no ``NaN``/``Infinity`` tokens
    (such numbers are written as strings) and no text UTF-8 cannot hold.

    >>> strict_json({"b": float("inf"), "a": 1})
    '{"a":1,"b":"Infinity"}'
    """
    try:
        text = json.dumps(
            value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False
        )
    except ValueError:  # a non-finite number
        text = json.dumps(_finite(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    except TypeError:  # keys of mixed types cannot be sorted
        text = json.dumps(_finite(value), separators=(",", ":"), ensure_ascii=False)
    if _is_bad(text):  # text UTF-8 cannot hold: JSON's own \\u escapes keep it valid JSON
        text = json.dumps(_finite(value), separators=(",", ":"), ensure_ascii=True, sort_keys=True)
    return text


# --- column readers


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
