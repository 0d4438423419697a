"""The pure core: the column contract and the flatteners from raw JSON to typed frames.

No I/O. Imports nothing of the package but ``errors``.
"""
