"""The date range and grouping of a ``GET /v1/usage`` request, checked before any request.

UTC days, ``end`` inclusive, at most 366 days, not in the future; ``group_by`` one of ``day``,
``model``, ``day,model``. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import ACCOUNT_USAGE_GROUPS

__all__ = ("DEFAULT_DAYS", "MAX_DAYS", "group_by_text", "usage_range", "utc_day")

#: The longest range the usage API answers, in days (both ends included).
MAX_DAYS = 366
#: The API's default range: the last 30 UTC days, today included.
DEFAULT_DAYS = 30

DateLike = date | datetime | str


def utc_day(value: Any, what: str = "date") -> date:
    """A date, an aware or naive (UTC) datetime, or ``YYYY-MM-DD`` text as a UTC day.

    >>> utc_day("2026-08-01"), utc_day(datetime(2026, 8, 1, 23, 30))
    (datetime.date(2026, 8, 1), datetime.date(2026, 8, 1))
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return utc_day(value.to_pydatetime(), what)
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return utc_day(datetime.fromisoformat(text.replace("Z", "+00:00")), what)
        except ValueError:
            pass
    raise ConfigError(f"{what} {value!r} is not a UTC day (YYYY-MM-DD, a date or a datetime)")


def usage_range(
    start: DateLike | None, end: DateLike | None, *, today: date | None = None
) -> tuple[date, date]:
    """``(from, to)`` of a usage request: UTC days, ``to`` inclusive, checked.

    Neither given: the last 30 days (today included). Only ``start``: up to today. Only
    ``end``: the 30 days that end there.

    Raises:
        ConfigError: not a day, ``end`` before ``start``, more than 366 days, or in the future.

    >>> usage_range("2026-08-01", "2026-08-31", today=date(2026, 12, 2))
    (datetime.date(2026, 8, 1), datetime.date(2026, 8, 31))
    """
    today = today or datetime.now(UTC).date()
    last = utc_day(end, "end") if end is not None else today
    if start is not None:
        first = utc_day(start, "start")
    else:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if last > today:
        raise ConfigError(
            f"end {last.isoformat()} is in the future (today is {today.isoformat()} UTC); "
            "the usage API counts past and current UTC days only"
        )
    if first > last:
        raise ConfigError(f"start {first.isoformat()} is after end {last.isoformat()}")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise ConfigError(
            f"{first.isoformat()} to {last.isoformat()} is {days} days; the usage API answers "
            f"at most {MAX_DAYS} days per request (split the range)"
        )
    return first, last


def group_by_text(group_by: str | Iterable[str]) -> str:
    """``group_by`` as the API spells it: ``day``, ``model`` or ``day,model``.

    >>> group_by_text(("model", "day"))
    'day,model'
    """
    parts = group_by.split(",") if isinstance(group_by, str) else list(group_by)
    wanted = {str(p).strip() for p in parts if str(p).strip()}
    text = ",".join(n for n in ("day", "model") if n in wanted)
    if text not in ACCOUNT_USAGE_GROUPS or wanted - {"day", "model"}:
        raise ConfigError(
            f"group_by {group_by!r} is not one of {', '.join(map(repr, ACCOUNT_USAGE_GROUPS))}"
        )
    return text
