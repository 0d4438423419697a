"""Checked number types for the argument parser: a bad number is a usage error (exit 2)."""

from __future__ import annotations

import argparse
import math

__all__ = ("age", "rate", "seconds", "tokens", "whole_number")

_INT64_MAX = 2**63 - 1


def whole_number(minimum: int, maximum: int = _INT64_MAX):
    """An argparse type: a whole number in ``[minimum, maximum]``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{value} is out of range ({minimum} to {maximum})")
        return value

    parse.__name__ = "whole number"
    return parse


def _finite(text: str, what: str, *, zero_allowed: bool) -> float:
    """``text`` as a finite number above 0 (or 0 and above); else a usage error."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of {what}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_allowed):
        bound = "0 or more" if zero_allowed else "above 0"
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number {bound}")
    return value


def seconds(text: str) -> float:
    """An argparse type: a finite, positive number of seconds."""
    return _finite(text, "seconds", zero_allowed=False)


def age(text: str) -> float:
    """An argparse type: a finite, non-negative number of seconds (0: never reuse)."""
    return _finite(text, "seconds", zero_allowed=True)


def tokens(text: str) -> int | float:
    """An argparse type: a finite, non-negative token count (whole numbers kept exact)."""
    cleaned = text.strip().replace("_", "")
    if cleaned.isdigit():
        return int(cleaned)
    return _finite(cleaned, "tokens", zero_allowed=True)


def rate(text: str) -> float:
    """An argparse type: requests per second, above 0 and at most the API's 25."""
    value = _finite(text, "requests per second", zero_allowed=False)
    if value > 25:
        raise argparse.ArgumentTypeError(f"{text!r} is over the API's limit of 25 requests/s")
    return value


seconds.__name__ = "seconds"
rate.__name__ = "rate"
age.__name__ = "seconds"
tokens.__name__ = "token count"
