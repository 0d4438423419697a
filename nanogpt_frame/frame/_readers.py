"""Column readers for the flattener: one served field across all models -> one typed column.

Each reader first checks the set of Python types in the column (a C-speed pass). When the column
holds only the expected types it converts in bulk; otherwise it falls back to a per-value path
that turns unreadable values into ``None`` and records them, as served, in ``Invalid``. This is
how mixed-type fields are resolved before Arrow sees them.
"""

from __future__ import annotations

from typing import Any

from ._hostile import strict_json
from ._numbers import counts, created, number_or_none, prices, round9

_NONE = type(None)
EMPTY: dict[str, Any] = {}  # shared stand-in for a missing section; never mutated


__all__ = (
    "EMPTY",
    "Encoder",
    "Invalid",
    "counts",
    "created",
    "dumps",
    "estimates",
    "flags",
    "joined",
    "number_or_none",
    "prices",
    "round9",
    "sections",
    "split_ids",
    "strict",
    "strings",
    "struct_columns",
)


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
