"""Pure functions over frames: prices, rankings, the frontier, subscriptions, quality, price
history and as-of, diffs, route prices, the catalog summary.

No I/O: imports only the bottom modules (``errors``, ``schema``, ``values``). ``candidates``
holds which models an analysis considers (routers, capability filters).
"""
