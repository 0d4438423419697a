"""``load()``: the models frame from the live API, the bundled sample, raw JSON or a snapshot."""

from __future__ import annotations

import os
import warnings
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nanogpt_frame._http.options import FetchOptions, resolve_options
from nanogpt_frame.catalog.combine import combine_tables, frames_from_listings
from nanogpt_frame.errors import CatalogWarning, ConfigError, PayloadError
from nanogpt_frame.fileio import read_regular_file
from nanogpt_frame.sample import sample_as_of
from nanogpt_frame.schema import ENDPOINTS, canonical_equals_subscription, listing_ids
from nanogpt_frame.settings import Settings
from nanogpt_frame.snapshots.provenance import record_provenance
from nanogpt_frame.snapshots.source import (
    MODEL_FILES,
    SNAPSHOT_KINDS,
    classify_source,
    read_latest,
)

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("load",)

_SORTS = (None, "favorites", "mostused")


def load(
    source: str | os.PathLike[str] = "live",
    *,
    endpoints: tuple[str, ...] | list[str] | str = ENDPOINTS,
    sort: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    client: httpx.Client | None = None,
    max_age: float | None = None,
    deadline: float | None = None,
    retries: int | None = None,
    snapshot_at: datetime | str | None = None,
    max_bytes: int | None = None,
    options: FetchOptions | None = None,
) -> pd.DataFrame:
    """Load NanoGPT's text-model listings into one typed DataFrame.

    Args:
        source: ``"live"`` (the API), ``"sample"`` (the bundled catalog), a folder of raw listing
            JSON (``canonical.json``, ``subscription.json``, ``paid.json``), one such file, or a
            snapshot file, root or day folder (its latest snapshot), local or a URI
            (``snapshots.source`` holds the one rule every loader follows).
        endpoints: which listings, any of ``canonical``, ``subscription``, ``paid``.
        sort: ``"mostused"`` or ``"favorites"``; the served order is kept in ``position``.
        api_key: the key (else ``NANOGPT_API_KEY``); sent as a Bearer header, stored nowhere.
        base_url: the API root (else ``NANOGPT_BASE_URL``, else ``https://nano-gpt.com/api``).
        timeout: seconds per request (default 30).
        client: an ``httpx.Client`` to use instead of a new one.
        max_age: reuse a cached response younger than this many seconds (``0``: always fetch);
            default 300 (the API's own ``s-maxage``).
        deadline: seconds for the whole call, connections, response headers, retries, waits
            and bodies included (default ``2 * timeout``); the call returns by then.
        retries: retries per listing on 408/429/5xx and timeouts (never on other 4xx; default 4).
        snapshot_at: override the receive time recorded in ``snapshot_at``.
        max_bytes: the largest response body or listing file read (default 256 MiB).
        options: a ``FetchOptions`` grouping ``timeout``, ``deadline``, ``retries``,
            ``max_age``, ``client`` and ``max_bytes``; a keyword given here as well (not
            ``None``) wins over its field, which wins over the default.

    Returns:
        One row per (listing, model); ``df.attrs`` holds provenance (never the key).

    Raises:
        FetchError, RateLimitError: the API could not be reached or refused.
        PayloadError: a response or file is not a model listing (or not a regular file, or
            larger than ``max_bytes``).
        ConfigError: bad arguments (unknown endpoint or sort, bad base URL, missing path, a
            ``timeout``/``deadline`` that is not a finite positive number of seconds).
        SnapshotError: a snapshot root without snapshots, or routes snapshots (not models).

    >>> df = load("sample")
    >>> sorted(df["source_endpoint"].unique())
    ['canonical', 'paid', 'subscription']
    """
    opts = resolve_options(
        options,
        timeout=timeout,
        client=client,
        max_age=max_age,
        deadline=deadline,
        retries=retries,
        max_bytes=max_bytes,
    )
    max_bytes = opts.max_bytes
    chosen = _check_endpoints(endpoints)
    if sort not in _SORTS:
        raise ConfigError(f"sort must be one of 'favorites', 'mostused' or None, not {sort!r}")
    found = classify_source(source, raw_names=MODEL_FILES)
    provenance: dict[str, Any] = {"base_url": None, "authenticated": False}
    if found.kind == "live":
        settings = Settings.from_env(api_key=api_key, base_url=base_url)
        df = _load_live(chosen, settings, sort, opts, snapshot_at)
        provenance = {"base_url": settings.base_url, "authenticated": settings.authenticated}
    elif found.kind in SNAPSHOT_KINDS:  # its stored provenance, in attrs already
        return _only(read_latest(found, "models"), chosen)
    elif found.kind == "raw_file":
        endpoint = next((e for e in ENDPOINTS if found.path.name.startswith(e)), "canonical")
        df = _flatten_files({endpoint: found.path}, snapshot_at, max_bytes)
    else:  # the sample or a folder of raw listings: one reading, so the same files, same frame
        df = _load_raw_dir(found.path, chosen, snapshot_at, max_bytes)
        if found.kind == "sample":
            provenance["sample_as_of"] = sample_as_of()
    return record_provenance(df, source=found.name, **provenance)


def _check_endpoints(endpoints: tuple[str, ...] | list[str] | str) -> tuple[str, ...]:
    chosen = (endpoints,) if isinstance(endpoints, str) else tuple(endpoints)
    unknown = [e for e in chosen if e not in ENDPOINTS]
    if unknown or not chosen:
        raise ConfigError(f"endpoints must be a non-empty subset of {ENDPOINTS}, got {chosen!r}")
    return tuple(e for e in ENDPOINTS if e in chosen)


def _load_live(chosen, settings, sort, opts: FetchOptions, snapshot_at):
    from nanogpt_frame._http.cache import ResponseCache
    from nanogpt_frame.catalog.fetch_listings import fetch_listings

    cache, max_age = ResponseCache.for_max_age(opts.max_age)
    listings = fetch_listings(
        chosen,
        settings=settings,
        sort=sort,
        timeout=opts.timeout,
        deadline=opts.deadline,
        retries=opts.retries,
        client=opts.client,
        cache=cache,
        max_age=max_age,
        max_bytes=opts.max_bytes,
    )
    received = snapshot_at or max(listing.received_at for listing in listings.values())
    df = combine_tables({e: listing.table for e, listing in listings.items()}, snapshot_at=received)
    df.attrs["from_cache"] = sorted(e for e, listing in listings.items() if listing.from_cache)
    if settings.authenticated:
        _warn_if_canonical_restricted(df)
    return df


def _warn_if_canonical_restricted(df: pd.DataFrame) -> None:
    """With a key, /v1/models may list only subscription models: say so once per load."""
    by_endpoint = listing_ids(df)
    if not canonical_equals_subscription(by_endpoint):
        return
    canonical = by_endpoint["canonical"]
    paid = len(by_endpoint.get("paid", ()))
    df.attrs["canonical_restricted"] = True
    warnings.warn(
        "with this API key the canonical listing equals the subscription listing "
        f"({len(canonical)} models){f', and {paid} paid models are hidden' if paid else ''}: "
        "the account's 'Also show paid models' setting is off. Load endpoints=('subscription', "
        "'paid') for the full catalog.",
        CatalogWarning,
        stacklevel=3,
    )


def _load_raw_dir(folder: Path, chosen: tuple[str, ...], snapshot_at, max_bytes) -> pd.DataFrame:
    files = {e: folder / f"{e}.json" for e in chosen if (folder / f"{e}.json").is_file()}
    if not files:
        names = ", ".join(f"{e}.json" for e in chosen)
        raise PayloadError(f"{folder} holds none of the listing files {names}")
    return _flatten_files(files, snapshot_at, max_bytes)


def _flatten_files(files: dict[str, Path], snapshot_at, max_bytes) -> pd.DataFrame:
    payloads = {endpoint: read_regular_file(path, max_bytes) for endpoint, path in files.items()}
    try:
        return frames_from_listings(payloads, snapshot_at=snapshot_at)
    except PayloadError as exc:
        problem = f"{exc} ({', '.join(str(p) for p in files.values())})"
    raise PayloadError(problem)


def _only(df: pd.DataFrame, chosen: tuple[str, ...]) -> pd.DataFrame:
    if set(chosen) == set(ENDPOINTS):
        return df
    attrs = df.attrs
    out = df[df["source_endpoint"].isin(chosen)].reset_index(drop=True)
    out.attrs = attrs
    return out
