"""Usage logs and what they cost: ``read_usage()``, ``cost_usage()``, the usage summaries.

``read_usage`` (CSV, gzipped CSV or Parquet), ``pricing_rule`` (each row at the price in force
when it happened: the rule itself, pure), ``cost_usage`` (the public entry: files, snapshot roots
and routes resolved, then the rule), ``summaries`` (``usage_summary``, ``cost_change``,
``cheaper_alternatives``), ``read_responses`` (logged API responses, with what NanoGPT billed),
``match_labels`` (usage labels to catalog ids), ``reconcile`` and ``reconcile_explain``
(expected against billed, with the likeliest explanation the data supports).
"""
