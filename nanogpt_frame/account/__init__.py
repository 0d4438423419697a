"""The account's own spend, from the API: ``load_account_usage``, ``load_balance``,
``load_subscription_usage``.

``usage_dates`` (the date range and grouping, checked before any request), ``keyed_request``
(one keyed request through the transport: key required, JSON checked, the response cache scoped
by the key's fingerprint), ``usage_frame`` (a ``GET /v1/usage`` body to the typed account-usage
frame, pure), ``load_account_usage``, ``load_balance`` (``POST /check-balance``),
``subscription_quota`` (``GET /subscription/v1/usage``, both of its response shapes). Imports
only ``_http`` and the bottom modules; the key travels in the ``Authorization`` header only.
"""
