"""Media catalogs, from fetch to frame: ``load_media()``.

``fetch_media`` (the image, video, audio and embedding feeds, fetched concurrently over the one
transport), ``flatten_media`` and ``media_columns`` (feed responses to the media table, row by
row or column by column), ``load_media`` (live, sample, files or a media snapshot). The price
lines, the job rules and the quality checks are pure and live in ``analysis/``
(``media_price_lines``, ``media_jobs``, ``media_cheapest``, ``media_quality``, ``media_diff``),
so ``diff`` compares media frames per price line.
"""
