"""``FetchOptions``: the fetch keywords of every loader, as one small validated object.

In the style of ``httpx.Timeout``: ``load``, ``load_routes`` (and later loaders) accept
``options=FetchOptions(...)`` and still accept each keyword on its own; a keyword given
explicitly (not ``None``) wins over the options object, which wins over the defaults.
Every number is checked here once, so no loader can start with an infinite, NaN, zero, negative
or vanishing ``timeout``, ``deadline`` or ``rate`` (which would overflow a sleep or silently
disable the deadline).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nanogpt_frame.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = (
    "MAX_BODY_BYTES",
    "MAX_RATE",
    "MAX_SECONDS",
    "MIN_RATE",
    "MIN_SECONDS",
    "FetchOptions",
    "check_rate",
    "check_seconds",
    "resolve_options",
)

#: The largest response body read (a whole catalog is ~1 MiB; 256 MiB is far past any real one).
MAX_BODY_BYTES = 256 * 1024 * 1024
#: The API's global limit, in requests per second.
MAX_RATE = 25.0
#: The slowest pace accepted (one request every 1,000 s).
MIN_RATE = 0.001
#: ``timeout`` and ``deadline`` bounds in seconds: a millisecond to a week.
MIN_SECONDS = 0.001
MAX_SECONDS = 7 * 86_400.0
_MAX_RETRIES = 100


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_seconds(name: str, value: Any) -> float:
    """``value`` as seconds for ``timeout`` or ``deadline``, or a ``ConfigError``.

    >>> check_seconds("timeout", 2)
    2.0
    >>> check_seconds("deadline", float("inf"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nanogpt_frame.errors.ConfigError: deadline must be a number of seconds ... not inf
    """
    if not _is_number(value) or not MIN_SECONDS <= value <= MAX_SECONDS:  # NaN fails too
        raise ConfigError(
            f"{name} must be a number of seconds from {MIN_SECONDS:g} to {MAX_SECONDS:.0f} "
            f"(a week), not {value!r}"
        )
    return float(value)


def check_rate(value: Any) -> float:
    """``value`` as requests per second, or a ``ConfigError``.

    >>> check_rate(25)
    25.0
    """
    if not _is_number(value) or not MIN_RATE <= value <= MAX_RATE:
        raise ConfigError(
            f"rate must be above 0 and at most {MAX_RATE:g} requests/s "
            f"(at least {MIN_RATE:g}), not {value!r}"
        )
    return float(value)


@dataclass(frozen=True)
class FetchOptions:
    """How loaders talk to the API: timeouts, deadline, retries, cache freshness, size, rate.

    Pass one to ``load(options=...)`` or ``load_routes(options=...)``; a keyword given to the
    loader itself (``load(timeout=5, options=opts)``) wins over the same field of ``options``.
    Every field is validated when the object is made (``ConfigError``).

    Args:
        timeout: seconds for one request (connect, and each read); default 30.
        deadline: seconds for the whole call, connections, headers, retries, waits and bodies
            included; ``None``: ``2 * timeout`` for ``load``, what ``rate`` needs plus slack for
            ``load_routes``. Never unbounded.
        retries: retries per request on 408/429/5xx, timeouts and broken connections.
        max_age: reuse a cached response younger than this many seconds (``None``: 300;
            ``0``: never use the cache).
        client: an ``httpx.Client`` to use (and not close).
        max_bytes: the largest response body (or file) read.
        rate: requests per second for ``load_routes``, at most 25 (the API's limit).

    >>> opts = FetchOptions(timeout=5, retries=1)
    >>> opts.replace(timeout=10).timeout, opts.retries
    (10.0, 1)
    >>> FetchOptions(timeout=float("nan"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nanogpt_frame.errors.ConfigError: timeout must be a number of seconds ... not nan
    """

    timeout: float = 30.0
    deadline: float | None = None
    retries: int = 4
    max_age: float | None = None
    client: httpx.Client | None = dataclasses.field(default=None, repr=False, compare=False)
    max_bytes: int = MAX_BODY_BYTES
    rate: float = 20.0

    def __post_init__(self) -> None:
        fix = object.__setattr__  # frozen: normalised once, here
        fix(self, "timeout", check_seconds("timeout", self.timeout))
        if self.deadline is not None:
            fix(self, "deadline", check_seconds("deadline", self.deadline))
        fix(self, "rate", check_rate(self.rate))
        if type(self.retries) is not int or not 0 <= self.retries <= _MAX_RETRIES:
            raise ConfigError(
                f"retries must be an integer from 0 to {_MAX_RETRIES}, not {self.retries!r}"
            )
        if self.max_age is not None:
            if not _is_number(self.max_age) or not 0 <= self.max_age < math.inf:
                raise ConfigError(
                    f"max_age must be a finite number of seconds >= 0, not {self.max_age!r}"
                )
            fix(self, "max_age", float(self.max_age))
        if type(self.max_bytes) is not int or self.max_bytes < 1:
            raise ConfigError(f"max_bytes must be a positive integer, not {self.max_bytes!r}")
        if self.client is not None:
            import httpx

            if not isinstance(self.client, httpx.Client):
                raise ConfigError(
                    f"client must be an httpx.Client, not {type(self.client).__name__}"
                )

    def replace(self, **changes: Any) -> FetchOptions:
        """A copy with ``changes`` (those given as ``None`` are ignored), validated again."""
        given = {name: value for name, value in changes.items() if value is not None}
        return dataclasses.replace(self, **given) if given else self


def resolve_options(options: FetchOptions | None, **keywords: Any) -> FetchOptions:
    """The options of one call: explicit ``keywords`` (not ``None``) over ``options`` over
    the defaults, all validated.

    >>> resolve_options(FetchOptions(timeout=5), timeout=None, retries=0).timeout
    5.0
    """
    if options is None:
        options = _DEFAULT
    elif not isinstance(options, FetchOptions):
        raise ConfigError(f"options must be a FetchOptions, not {type(options).__name__}")
    return options.replace(**keywords)


_DEFAULT = FetchOptions()
