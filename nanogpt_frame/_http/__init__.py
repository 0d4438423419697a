"""The one transport: the only code that imports ``httpx``.

``client`` (requests with retries, backoff and one deadline for the whole call), ``failures``
(what a failed request means, key scrubbing), ``cache`` (responses on disk, scoped by a key's
fingerprint), ``pacing`` (requests spaced at the API's rate limit), ``json_body`` (a response body
to Python, hostile JSON refused with a clear error). Imports only the bottom modules.
"""
