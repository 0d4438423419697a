"""The exceptions nanogpt_frame raises. The library raises; the CLI turns them into one line."""

from __future__ import annotations

__all__ = (
    "ConfigError",
    "FetchError",
    "NanoGPTError",
    "PayloadError",
    "RateLimitError",
    "SnapshotError",
    "SnapshotWarning",
    "server_message",
)


class NanoGPTError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(NanoGPTError, ValueError):
    """An argument or environment setting that cannot work (bad base URL, unknown endpoint)."""


class FetchError(NanoGPTError):
    """The catalog could not be fetched: transport failure or an HTTP error status.

    Attributes:
        url: the URL that failed (never holds the API key).
        status: the HTTP status, or ``None`` when no response arrived.
        detail: the server's own words (scrubbed of the key), when it said any.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        detail: str | None = None,
    ):
        super().__init__(message)
        self.url = url
        self.status = status
        self.detail = detail


class RateLimitError(FetchError):
    """HTTP 429 that outlasted the retries. ``retry_after`` is the server's wait in seconds."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = 429,
        retry_after: float | None = None,
        detail: str | None = None,
    ):
        super().__init__(message, url=url, status=status, detail=detail)
        self.retry_after = retry_after


class PayloadError(NanoGPTError):
    """A response or file that is not a model catalog (truncated JSON, HTML, no ``data`` list)."""


class SnapshotError(NanoGPTError):
    """A snapshot that cannot be written (it exists already) or read (not a snapshot)."""


class SnapshotWarning(UserWarning):
    """A stray or foreign file under a snapshot root was passed over; reading went on."""


def server_message(body: object) -> str:
    """The server's own words from any error body shape NanoGPT uses.

    Shapes: ``{"code", "message"}`` (catalog 429), ``{"error": {"message", ...}}`` (OpenAI
    envelope), ``{"error": <int>, "message"}`` (OpenAPI) and ``{"error": "<text>", "status"}``.

    >>> server_message({"error": {"message": "Invalid model", "type": "invalid_request_error"}})
    'Invalid model'
    >>> server_message({"error": "Insufficient balance", "status": 402})
    'Insufficient balance'
    """
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]
        if isinstance(body.get("message"), str):
            return body["message"]
        if isinstance(error, str):
            return error
        if isinstance(body.get("detail"), str):
            return body["detail"]
    if isinstance(body, str):
        text = " ".join(body.split())
        return text[:200] + ("..." if len(text) > 200 else "")
    return ""


class CatalogWarning(UserWarning):
    """Something in a catalog was skipped or looks off; the load went on."""
