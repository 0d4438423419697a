"""Parsing a listing body: JSON to a dict with a ``data`` list, or a clear ``PayloadError``.

Bytes go through orjson when it can read them exactly, else through the standard ``json``
(which also decodes invalid UTF-8 with its bad bytes kept for the flattener to escape).
"""

from __future__ import annotations

import json
from typing import Any

from nanogpt_frame.errors import PayloadError, server_message

__all__ = ("parse", "parse_listing")


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
    return parse(payload, source)[0]


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


def parse(payload: Any, source: str) -> tuple[dict[str, Any], bool]:
    """``(listing, bad_utf8)``: bytes that are not valid UTF-8 are decoded with their bad bytes
    kept as lone surrogates, which the flattener then escapes, records and reports."""
    bad_utf8 = False
    if (
        isinstance(payload, (bytes, bytearray, memoryview))
        and bytes(payload[:3]) == b"\xef\xbb\xbf"
    ):
        payload = bytes(payload)[3:]  # a UTF-8 byte-order mark some proxies and editors add
    elif isinstance(payload, str) and payload.startswith("\ufeff"):
        payload = payload[1:]
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
