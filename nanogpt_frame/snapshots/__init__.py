"""Snapshots of any table kind on disk or object storage: writing, reading, the store's layout.

``write`` (``write_snapshot``), ``read`` (``read_snapshots``, ``read_snapshot_file``, the latest
snapshot), ``store`` (paths, file names, atomic no-clobber writes, S3). Imports only the bottom
modules; a ``load(root)`` reads through it.
"""
