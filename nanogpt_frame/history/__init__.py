"""Snapshots on disk or object storage, and what derives from them (price history, as-of, diffs).

May import ``analysis``, ``frame`` and ``errors``; never ``api`` or ``cli``.
"""
