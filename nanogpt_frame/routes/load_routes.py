"""``load_routes()``: the provider-routes frame from the API, the sample, files or a snapshot."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pandas as pd

from nanogpt_frame._http.options import FetchOptions, resolve_options
from nanogpt_frame.errors import CatalogWarning, ConfigError, PayloadError
from nanogpt_frame.routes.flatten_routes import route_problem, routes_frame
from nanogpt_frame.schema import table_kind
from nanogpt_frame.snapshots.provenance import record_provenance
from nanogpt_frame.snapshots.source import (
    ROUTE_FILES,
    SNAPSHOT_KINDS,
    classify_source,
    read_latest,
)

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("load_routes",)

#: The catalog beside per-id route files (its policies, see ``_policies_beside``), not a route.
_NOT_ROUTES = ("canonical.json",)


def _ids_and_policies(models: Any) -> tuple[list[str] | None, dict[str, Any], dict[str, str]]:
    """Distinct ids (order kept), each model's distillation status, and the entries that are
    not model ids (``<NA>``, ``None``, NaN, empty: skipped, each named with why)."""
    from nanogpt_frame.routes.fetch_routes import id_problem

    if models is None:
        return None, {}, {}
    policies: dict[str, Any] = {}
    if isinstance(models, pd.DataFrame):
        if table_kind(models.columns) != "models":
            raise ConfigError("models must be a models frame (from load()) or an iterable of ids")
        from nanogpt_frame.schema import unique_models

        given = models["id"].astype(object).where(models["id"].notna(), None).tolist()
        known = models[models["id"].notna() & (models["id"].astype(object) != "")]
        one = unique_models(known)
        status = one["distillation_status"].astype(object).where(one["distillation_status"].notna())
        policies = dict(zip(one["id"], status, strict=True))
    elif isinstance(models, str):
        given = [models]
    else:
        try:
            given = list(models)
        except TypeError:
            raise ConfigError(
                "models must be a models frame (from load()), an iterable of ids or one id"
            ) from None
    ids: dict[str, None] = {}
    skipped: dict[str, str] = {}
    for position, model_id in enumerate(given, 1):
        problem = id_problem(model_id)
        if problem is None:
            ids.setdefault(model_id, None)
        else:
            skipped[f"entry {position} ({model_id!r})"] = problem
    return list(ids), policies, skipped


def load_routes(
    models: pd.DataFrame | Iterable[str] | str | None = None,
    *,
    source: str | os.PathLike[str] = "live",
    api_key: str | None = None,
    base_url: str | None = None,
    max_age: float | None = None,
    rate: float | None = None,
    progress: bool | None = None,
    client: httpx.Client | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
    retries: int | None = None,
    snapshot_at: Any = None,
    options: FetchOptions | None = None,
) -> pd.DataFrame:
    """The provider routes of models: each route's price and distillation policy, as a frame.

    Args:
        models: a models frame (its distinct ids; its distillation policies are the fallback of
            ``effective_distillation_status``), an iterable of ids, or ``None`` (every id of a
            fresh canonical listing, or of the sample).
        source: ``"live"``, ``"sample"`` (bundled route responses), a folder of raw route JSON
            (``routes.json`` mapping ids to responses, or one ``<url-encoded id>.json`` per
            model), such a ``routes.json``, or a routes snapshot file, root or day folder (its
            latest), local or a URI: the rule of ``load`` (``snapshots.source``). Raw route files
            take the policies of a ``canonical.json`` beside them when ``models`` gives none,
            so the sample and a copy of its files give the same frame.
        api_key, base_url, client, timeout, retries: as for ``load``.
        max_age: reuse cached responses younger than this many seconds (default 300; 0: never).
        rate: requests per second, at most 25 (the API's limit; default 20); requests are
            spaced evenly.
        progress: a progress bar (done/failed); ``None`` shows it only on a terminal or in a
            notebook.
        deadline: seconds for the whole fetch, the canonical listing it may need included
            (default: what ``rate`` needs, plus slack); the call returns by then and no worker
            thread outlives it.
        snapshot_at: override the receive time recorded in ``snapshot_at``.
        options: a ``FetchOptions`` grouping ``timeout``, ``deadline``, ``retries``,
            ``max_age``, ``client``, ``max_bytes`` and ``rate``; a keyword given here as well
            (not ``None``) wins over its field.

    Returns:
        One row per (model, provider), in the order the ids were given;
        ``df.attrs["failed"]`` maps each model whose request failed to the server's message,
        and each entry that is not an id (``<NA>``, ``None``, NaN, empty) to why it was
        skipped (all also named in a ``CatalogWarning``).

    Raises:
        ConfigError: ``rate`` above 25, a ``timeout``/``deadline``/``rate`` that is not a
            finite positive number, or ``models`` that are not a models frame or ids.
        FetchError: no route could be fetched because the network is down.
        PayloadError, SnapshotError: a file or snapshot that is not routes data (a models
            snapshot root or file says so, and where it goes instead).

    >>> import nanogpt_frame as nf
    >>> routes = load_routes(source="sample")
    >>> routes.attrs["source"], routes["model_id"].nunique() >= 20
    ('sample', True)
    """
    opts = resolve_options(
        options,
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        max_age=max_age,
        client=client,
        rate=rate,
    )
    ids, policies, skipped = _ids_and_policies(models)
    found = classify_source(source, raw_names=ROUTE_FILES)
    provenance: dict[str, Any] = {"base_url": None, "authenticated": False}
    if found.kind == "live":
        df, provenance = _live(ids, policies, api_key, base_url, snapshot_at, opts, progress)
    elif found.kind in SNAPSHOT_KINDS:  # its stored provenance, in attrs already
        df = read_latest(found, "routes")
        df.attrs.setdefault("failed", {})  # no request failed: none was made
        if ids is not None:
            df = df[df["model_id"].isin(ids)].reset_index(drop=True)
        return _with_skipped(df, skipped, warn=True)
    else:  # the sample or raw route files: one reading, so the same files give the same frame
        folder = found.path if found.path.is_dir() else found.path.parent
        df = _from_files(found.path, ids, policies or _policies_beside(folder), snapshot_at)
        if found.kind == "sample":
            from nanogpt_frame.sample import sample_as_of

            provenance["sample_as_of"] = sample_as_of()
    return _finish(_with_skipped(df, skipped), found.name, provenance)


def _policies_beside(folder: Path) -> dict[str, Any]:
    """The distillation policies of the ``canonical.json`` listing beside the route files.

    Route files without a models frame take their catalog's policies from there, the sample as
    any other folder; without one, routes carry only their own policies.
    """
    listing = folder / "canonical.json"
    if not listing.is_file():
        return {}
    from nanogpt_frame.catalog.load_catalog import load

    return _ids_and_policies(load(listing, endpoints="canonical"))[1]


def _with_skipped(df: pd.DataFrame, skipped: dict[str, str], *, warn: bool = False):
    """``df`` with the entries that were not ids first in ``attrs["failed"]``."""
    if skipped:
        df.attrs["failed"] = {**skipped, **df.attrs.get("failed", {})}
        if warn:
            warnings.warn(
                f"skipped {len(skipped)} entr(ies) that are not model ids: "
                + "; ".join(f"{k}: {v}" for k, v in list(skipped.items())[:5]),
                CatalogWarning,
                stacklevel=3,
            )
    return df


def _live(ids, policies, api_key, base_url, snapshot_at, opts: FetchOptions, progress):
    import time

    from nanogpt_frame._http.cache import ResponseCache
    from nanogpt_frame.catalog.load_catalog import load
    from nanogpt_frame.routes.fetch_routes import fetch_routes
    from nanogpt_frame.settings import Settings

    settings = Settings.from_env(api_key=api_key, base_url=base_url)
    started = time.monotonic()
    if ids is None:  # every model of a fresh canonical listing
        catalog = load(endpoints="canonical", api_key=api_key, base_url=base_url, options=opts)
        ids, policies, _ = _ids_and_policies(catalog)
    deadline = opts.deadline
    if deadline is not None:  # one deadline for the listing and the routes together
        deadline = max(0.001, deadline - (time.monotonic() - started))
    cache, max_age = ResponseCache.for_max_age(opts.max_age)
    replies = fetch_routes(
        ids,
        settings=settings,
        rate=opts.rate,
        timeout=opts.timeout,
        deadline=deadline,
        retries=opts.retries,
        client=opts.client,
        cache=cache,
        max_age=max_age,
        progress=progress,
        max_bytes=opts.max_bytes,
        validate=route_problem,
    )
    df = routes_frame(
        replies.bodies, snapshot_at=snapshot_at or replies.received_at, policies=policies
    )
    df.attrs["failed"] = {**replies.failed, **df.attrs.get("failed", {})}
    df.attrs["from_cache"] = replies.from_cache
    return df, {"base_url": settings.base_url, "authenticated": settings.authenticated}


def _from_files(path: Path, ids, policies, snapshot_at) -> pd.DataFrame:
    from nanogpt_frame._http.client import MAX_BODY_BYTES
    from nanogpt_frame.fileio import read_regular_file

    if path.is_dir():
        mapping_file = path / "routes.json"
        if mapping_file.is_file():
            return _from_files(mapping_file, ids, policies, snapshot_at)
        responses = {
            unquote(p.stem): read_regular_file(p, MAX_BODY_BYTES)
            for p in sorted(path.glob("*.json"))
            if p.name not in _NOT_ROUTES
        }
        if not responses:
            raise PayloadError(f"{path} holds no route responses (routes.json or <id>.json)")
    else:
        raw = read_regular_file(path, MAX_BODY_BYTES)
        try:
            responses = json.loads(raw)
        except (ValueError, RecursionError):
            responses = None
        if not isinstance(responses, dict):
            raise PayloadError(f"{path} is not a JSON object mapping model ids to route responses")
    failed = {}
    if ids is not None:
        failed = {m: "no route response for this id here" for m in ids if m not in responses}
        responses = {m: responses[m] for m in ids if m in responses}
    df = routes_frame(responses, snapshot_at=snapshot_at or _stamp_of(path), policies=policies)
    df.attrs["failed"] = {**failed, **df.attrs.get("failed", {})}
    return df


def _stamp_of(path: Path) -> str | None:
    """The sample's as-of date for its bundled routes; now for other files."""
    manifest = path.parent / "manifest.json"
    if path.name == "routes.json" and manifest.is_file():
        try:
            return json.loads(manifest.read_text("utf-8"))["as_of"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
    return None


def _finish(df: pd.DataFrame, source: str, provenance: dict[str, Any]) -> pd.DataFrame:
    failed = df.attrs.get("failed", {})
    if failed:
        names = list(failed)
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        warnings.warn(
            f"no routes for {len(names)} model(s): "
            + "; ".join(f"{m}: {failed[m]}" for m in names[:5])
            + more,
            CatalogWarning,
            stacklevel=3,
        )
    return record_provenance(df, source=source, table="routes", **provenance)
