"""What hostile input needs: repairing text that is not Unicode, strict JSON out, a GC pause.

Used only off the fast path: a catalog with invalid text is flattened a second time after
``repair_text``; JSON with non-finite numbers is re-encoded by ``strict_json``.
"""

from __future__ import annotations

import gc
import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ("escaped", "gc_paused", "repair_text", "strict_json")

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
