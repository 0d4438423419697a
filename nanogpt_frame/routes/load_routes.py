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

from nanogpt_frame.errors import CatalogWarning, ConfigError, PayloadError
from nanogpt_frame.routes.flatten_routes import route_problem, routes_frame
from nanogpt_frame.schema import SCHEMA_VERSION, table_kind

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("load_routes",)


def _ids_and_policies(models: Any) -> tuple[list[str] | None, dict[str, Any]]:
    """Distinct ids (order kept) and each model's distillation status, from what was given."""
    if models is None:
        return None, {}
    if isinstance(models, pd.DataFrame):
        if table_kind(models.columns) != "models":
            raise ConfigError("models must be a models frame (from load()) or an iterable of ids")
        from nanogpt_frame.schema import unique_models

        one = unique_models(models)
        status = one["distillation_status"].astype(object).where(one["distillation_status"].notna())
        return list(dict.fromkeys(models["id"].astype(str))), dict(
            zip(one["id"], status, strict=True)
        )
    if isinstance(models, str):
        models = [models]
    ids = [str(m) for m in models]
    if not all(ids):
        raise ConfigError("model ids must be non-empty strings")
    return list(dict.fromkeys(ids)), {}


def load_routes(
    models: pd.DataFrame | Iterable[str] | str | None = None,
    *,
    source: str | os.PathLike[str] = "live",
    api_key: str | None = None,
    base_url: str | None = None,
    max_age: float | None = None,
    rate: float = 20.0,
    progress: bool | None = None,
    client: httpx.Client | None = None,
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    snapshot_at: Any = None,
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
        rate: requests per second, at most 25 (the API's limit); requests are spaced evenly.
        progress: a progress bar (done/failed); ``None`` shows it only on a terminal or in a
            notebook.
        deadline: seconds for the whole fetch (default: what ``rate`` needs, plus slack).
        snapshot_at: override the receive time recorded in ``snapshot_at``.

    Returns:
        One row per (model, provider); ``df.attrs["failed"]`` maps each model whose request
        failed to the server's message (also named in a ``CatalogWarning``).

    Raises:
        ConfigError: ``rate`` above 25, or ``models`` that are not a models frame or ids.
        FetchError: no route could be fetched because the network is down.
        PayloadError, SnapshotError: a file or snapshot that is not routes data.

    >>> import nanogpt_frame as nf
    >>> routes = load_routes(source="sample")
    >>> routes.attrs["source"], routes["model_id"].nunique() >= 20
    ('sample', True)
    """
    from nanogpt_frame._http.pacing import MAX_RATE

    if not (isinstance(rate, (int, float)) and 0 < rate <= MAX_RATE):
        raise ConfigError(f"rate must be above 0 and at most {MAX_RATE:g} requests/s, not {rate!r}")
    ids, policies = _ids_and_policies(models)
    text = os.fspath(source) if not isinstance(source, str) else source
    provenance: dict[str, Any] = {"base_url": None, "authenticated": False}
    if text == "live":
        fetch = {
            "rate": rate,
            "progress": progress,
            "timeout": timeout,
            "deadline": deadline,
            "retries": retries,
            "client": client,
        }
        df, provenance = _live(ids, policies, api_key, base_url, max_age, snapshot_at, fetch)
    elif text == "sample":
        from nanogpt_frame.catalog.load_catalog import load
        from nanogpt_frame.sample import sample_as_of, sample_dir

        if not policies:
            _, policies = _ids_and_policies(load("sample", endpoints="canonical"))
        df = _from_files(sample_dir() / "routes.json", ids, policies, snapshot_at)
        provenance["sample_as_of"] = sample_as_of()
    else:
        df = _from_path(text, ids, policies, snapshot_at)
        if df.attrs.get("source") == "snapshot":
            return df
    return _finish(df, text, provenance)


def _live(ids, policies, api_key, base_url, max_age, snapshot_at, fetch: dict[str, Any]):
    from nanogpt_frame._http.cache import ResponseCache
    from nanogpt_frame.catalog.load_catalog import load
    from nanogpt_frame.routes.fetch_routes import fetch_routes
    from nanogpt_frame.settings import Settings

    settings = Settings.from_env(api_key=api_key, base_url=base_url)
    if ids is None:  # every model of a fresh canonical listing
        catalog = load(
            endpoints="canonical",
            api_key=api_key,
            base_url=base_url,
            client=fetch["client"],
            timeout=fetch["timeout"],
            max_age=max_age,
        )
        ids, policies = _ids_and_policies(catalog)
    cache, max_age = ResponseCache.for_max_age(max_age)
    replies = fetch_routes(
        ids, settings=settings, cache=cache, max_age=max_age, validate=route_problem, **fetch
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
