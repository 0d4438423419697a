"""The texts of the pricing rule, shared by every engine (pandas, DuckDB, Spark). Pure.

``unpriced_reason`` says why a row has no cost. When several reasons apply, the first of this
order wins on every engine: the lookup (``unknown model``; a ``provider`` without ``routes=``;
``unknown route``), then ``token count missing``, then ``price missing: ...`` (the missing price
columns, sorted), then ``subscription coverage unknown``.

>>> NO_ROUTES
'provider route not loaded: pass routes='
"""

from __future__ import annotations

__all__ = (
    "CACHED_EXCEED_INPUT",
    "COVERAGE_UNKNOWN",
    "NOT_A_TIME",
    "NO_ROUTES",
    "PRICE_MISSING",
    "REASON_CODES",
    "TOKEN_MISSING",
    "TOKEN_RULE",
    "UNKNOWN_MODEL",
    "UNKNOWN_ROUTE",
)

UNKNOWN_MODEL = "unknown model"
UNKNOWN_ROUTE = "unknown route"
COVERAGE_UNKNOWN = "subscription coverage unknown"
NO_ROUTES = "provider route not loaded: pass routes="
TOKEN_MISSING = "token count missing"
#: followed by the missing price columns, sorted and comma separated
PRICE_MISSING = "price missing: "
#: the fixed reasons in the order of the pandas engine's small integer codes
REASON_CODES = (UNKNOWN_MODEL, UNKNOWN_ROUTE, COVERAGE_UNKNOWN, NO_ROUTES, TOKEN_MISSING)

#: what a bad token count is told (after "<column> (<usage name>) ")
TOKEN_RULE = "must be a whole, non-negative number of tokens below 2**63"
#: what a bad time is told (after "<column> <value> ")
NOT_A_TIME = (
    "is not a time in 1970..2200 (integers are unix epoch seconds, milliseconds, microseconds "
    "or nanoseconds, told apart by their size)"
)
CACHED_EXCEED_INPUT = "cached tokens exceed the input tokens that should include them"
