"""Usage logs and what they cost: ``read_usage()``, ``cost_usage()``, the usage summaries.

``read_usage`` (CSV, gzipped CSV or Parquet), ``pricing_rule`` (each row at the price in force
when it happened: the rule itself, pure), ``cost_usage`` (the public entry: files, snapshot roots
and routes resolved, then the rule), ``column_names`` (which column holds what, by name: one
resolver for every engine), ``time_units`` and ``token_counts`` (the trust rules for times and
counts), ``reason_texts`` (the ``unpriced_reason`` texts and messages every engine shares),
``summaries`` (``usage_summary``, ``cost_change``, ``cheaper_alternatives``).

Beyond one machine: ``price_periods`` (the half-open validity table every engine joins),
``rule_sql`` (the rule as SQL expressions in DuckDB's and Spark's dialects), ``engine_plan``
(what an engine needs before its first row), ``engine_duckdb`` and ``engine_spark``.

The account's own bill: ``read_responses`` (logged API responses, with what NanoGPT billed),
``match_labels`` (usage labels to catalog ids), ``reconcile`` and ``reconcile_explain``
(expected against billed, with the likeliest explanation the data supports).
"""
