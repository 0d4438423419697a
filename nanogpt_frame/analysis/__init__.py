"""Pure helpers over frames: prices, rankings, the frontier, subscriptions, quality, summaries.

May import ``frame`` and ``errors``; never ``api``, ``history``, ``cli`` or the loader.
"""
