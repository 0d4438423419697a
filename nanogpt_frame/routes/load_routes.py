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
from nanogpt_frame.schema import SCHEMA_VERSION, table_kind

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("load_routes",)


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
            model), or a routes snapshot file or root (its latest).
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
        PayloadError, SnapshotError: a file or snapshot that is not routes data.

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
    text = os.fspath(source) if not isinstance(source, str) else source
    provenance: dict[str, Any] = {"base_url": None, "authenticated": False}
    if text == "live":
        df, provenance = _live(ids, policies, api_key, base_url, snapshot_at, opts, progress)
    elif text == "sample":
        from nanogpt_frame.catalog.load_catalog import load
        from nanogpt_frame.sample import sample_as_of, sample_dir

        if not policies:
            _, policies, _ = _ids_and_policies(load("sample", endpoints="canonical"))
        df = _from_files(sample_dir() / "routes.json", ids, policies, snapshot_at)
        provenance["sample_as_of"] = sample_as_of()
    else:
        df = _from_path(text, ids, policies, snapshot_at)
        if df.attrs.get("source") == "snapshot":
            return _with_skipped(df, skipped, warn=True)
    return _finish(_with_skipped(df, skipped), text, provenance)


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


def _from_path(text: str, ids, policies, snapshot_at) -> pd.DataFrame:
    from nanogpt_frame.snapshots.read import read_latest_snapshot, read_snapshot_file

    if "://" in text:
        is_file = text.split("?", 1)[0].endswith(".parquet")
        df = (read_snapshot_file if is_file else read_latest_snapshot)(text)
    else:
        path = Path(text)
        if not path.exists():
            raise ConfigError(f"source {text!r} is not 'live', 'sample' or an existing path")
        if path.suffix == ".parquet":
            df = read_snapshot_file(path)
        elif (
            path.is_dir() and not (path / "routes.json").is_file() and not any(path.glob("*.json"))
        ):
            df = read_latest_snapshot(path)
        else:
            return _from_files(path, ids, policies, snapshot_at)
    if table_kind(df.columns) != "routes":
        raise PayloadError(f"{text!r} holds models snapshots, not routes snapshots")
    if ids is not None:
        df = df[df["model_id"].isin(ids)].reset_index(drop=True)
    return df


def _finish(df: pd.DataFrame, source: str, provenance: dict[str, Any]) -> pd.DataFrame:
    from nanogpt_frame._version import package_version

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
    stamps = df["snapshot_at"]
    df.attrs.update(
        {
            "source": source,
            **provenance,
            "fetched_at": stamps.iloc[0].isoformat() if len(stamps) else None,
            "package_version": package_version(),
            "schema_version": SCHEMA_VERSION,
            "table": "routes",
        }
    )
    return df
