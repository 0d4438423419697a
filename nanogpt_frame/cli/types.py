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


def seconds(text: str) -> float:
    """An argparse type: a finite, positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number above 0")
    return value


def age(text: str) -> float:
    """An argparse type: a finite, non-negative number of seconds (0: never reuse)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number, 0 or more")
    return value


def tokens(text: str) -> int | float:
    """An argparse type: a finite, non-negative token count (whole numbers kept exact)."""
    cleaned = text.strip().replace("_", "")
    if cleaned.isdigit():
        return int(cleaned)
    try:
        value = float(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of tokens") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite, non-negative count")
    return value


def rate(text: str) -> float:
    """An argparse type: requests per second, above 0 and at most the API's 25."""
    value = seconds(text)
    if value > 25:
        raise argparse.ArgumentTypeError(f"{text!r} is over the API's limit of 25 requests/s")
    return value


seconds.__name__ = "seconds"
rate.__name__ = "rate"
age.__name__ = "seconds"
tokens.__name__ = "token count"
