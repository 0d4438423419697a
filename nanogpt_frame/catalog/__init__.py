"""The text listings, from fetch to frame: ``load()`` and ``frame_from_payload()``.

``fetch_listings`` (the three listings over ``_http``), ``flatten`` and ``record_batch`` (one
listing's JSON to the models table), ``combine`` (listings to one frame, ``in_subscription``
resolved), ``load_catalog`` (``load``: live, sample,
folder or snapshot), ``sample_history`` (the sample's small price history).
"""
