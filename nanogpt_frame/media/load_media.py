"""``load_media()``: the media frame from the live API, the bundled sample, raw JSON or a
media snapshot."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nanogpt_frame._http.client import MAX_BODY_BYTES
from nanogpt_frame.errors import ConfigError, PayloadError
from nanogpt_frame.media.flatten_media import feed_part, media_frame, parse_feed
from nanogpt_frame.schema import MEDIA_FEEDS, SCHEMA_VERSION, table_kind

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ("load_media", "media_sample_dir")


def media_sample_dir() -> Path:
    """The bundled media sample: ``media/`` beside the text catalog's sample files."""
    from nanogpt_frame.sample import sample_dir

    return sample_dir() / "media"


def load_media(
    feeds: Iterable[str] | str = MEDIA_FEEDS,
    *,
    source: str | os.PathLike[str] = "live",
    api_key: str | None = None,
    base_url: str | None = None,
    max_age: float | None = None,
    client: httpx.Client | None = None,
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    snapshot_at: Any = None,
    max_bytes: int = MAX_BODY_BYTES,
) -> pd.DataFrame:
    """NanoGPT's image, video, audio and embedding catalogs as one typed frame.

    Args:
        feeds: which feeds, any of ``image``, ``video``, ``audio``, ``embedding``.
        source: ``"live"`` (the four feeds fetched concurrently), ``"sample"`` (the bundled
            feeds), a folder of raw feed JSON (``image.json``, ``video.json``, ``audio.json``,
            ``embedding.json``), or a media snapshot file or root (its latest).
        api_key: the key (else ``NANOGPT_API_KEY``); sent as a Bearer header, stored nowhere.
        base_url: the API root (else ``NANOGPT_BASE_URL``, else ``https://nano-gpt.com/api``).
        max_age: reuse a cached response younger than this many seconds (default 300; 0: never).
        client: an ``httpx.Client`` to use instead of a new one.
        timeout: seconds per request.
        deadline: overall seconds for the fetch, retries included (default ``2 * timeout``).
        retries: retries per feed on 408/429/5xx and timeouts (never on other 4xx).
        snapshot_at: override the receive time recorded in ``snapshot_at``.
        max_bytes: the largest response body or feed file read (default 256 MiB).

    Returns:
        One row per (feed, model); ``attrs`` holds provenance (never the key) and each feed's
        ``meta``. ``media_prices(df)`` turns it into one row per price.

    Raises:
        FetchError, RateLimitError: the API could not be reached or refused.
        PayloadError: a response or file is not a media feed.
        SnapshotError: a snapshot that cannot be read.
        ConfigError: an unknown feed, or a source that is not a path.

    >>> media = load_media(source="sample")
    >>> sorted(media["feed"].unique())
    ['audio', 'embedding', 'image', 'video']
    """
    chosen = _check_feeds(feeds)
    text = os.fspath(source) if not isinstance(source, str) else source
    provenance: dict[str, Any] = {"base_url": None, "authenticated": False}
    if text == "live":
        from nanogpt_frame._http.cache import ResponseCache
        from nanogpt_frame.media.fetch_media import fetch_media
        from nanogpt_frame.settings import Settings

        settings = Settings.from_env(api_key=api_key, base_url=base_url)
        cache, max_age = ResponseCache.for_max_age(max_age)
        replies = fetch_media(
            chosen,
            settings=settings,
            parse=feed_part,
            timeout=timeout,
            deadline=deadline,
            retries=retries,
            client=client,
            cache=cache,
            max_age=max_age,
            max_bytes=max_bytes,
        )
        received = snapshot_at or max(r.received_at for r in replies.values())
        df = media_frame({f: r.payload for f, r in replies.items()}, snapshot_at=received)
        df.attrs["from_cache"] = sorted(f for f, r in replies.items() if r.from_cache)
        provenance = {"base_url": settings.base_url, "authenticated": settings.authenticated}
    elif text == "sample":
        from nanogpt_frame.sample import sample_as_of

        df = _from_folder(media_sample_dir(), chosen, snapshot_at or sample_as_of(), max_bytes)
        provenance["sample_as_of"] = sample_as_of()
    else:
        df = _from_path(text, chosen, snapshot_at, max_bytes)
        if df.attrs.get("source") == "snapshot":
            return df
    return _finish(df, text, provenance)


def _check_feeds(feeds: Iterable[str] | str) -> tuple[str, ...]:
    chosen = (feeds,) if isinstance(feeds, str) else tuple(feeds)
    unknown = [f for f in chosen if f not in MEDIA_FEEDS]
    if unknown or not chosen:
        raise ConfigError(f"feeds must be a non-empty subset of {MEDIA_FEEDS}, got {chosen!r}")
    return tuple(f for f in MEDIA_FEEDS if f in chosen)


def _from_folder(folder: Path, chosen: tuple[str, ...], snapshot_at, max_bytes) -> pd.DataFrame:
    from nanogpt_frame.fileio import read_regular_file

    files = {f: folder / f"{f}.json" for f in chosen if (folder / f"{f}.json").is_file()}
    if not files:
        names = ", ".join(f"{f}.json" for f in chosen)
        raise PayloadError(f"{folder} holds none of the media feed files {names}")
    payloads = {}
    for feed, path in files.items():
        payloads[feed] = parse_feed(read_regular_file(path, max_bytes), str(path))
    return media_frame(payloads, snapshot_at=snapshot_at)


def _from_path(text: str, chosen: tuple[str, ...], snapshot_at, max_bytes) -> pd.DataFrame:
    from nanogpt_frame.snapshots.read import read_latest_snapshot, read_snapshot_file

    if "://" in text:
        is_file = text.split("?", 1)[0].endswith(".parquet")
        df = (read_snapshot_file if is_file else read_latest_snapshot)(text)
    else:
        path = Path(text)
        if not path.exists():
            raise ConfigError(f"source {text!r} is not 'live', 'sample' or an existing path")
        if path.is_dir() and any((path / f"{f}.json").is_file() for f in MEDIA_FEEDS):
            return _from_folder(path, chosen, snapshot_at, max_bytes)
        if path.is_file() and path.suffix == ".json":
            feed = next((f for f in MEDIA_FEEDS if path.name.startswith(f)), None)
            if feed is None:
                raise ConfigError(f"{text!r}: name a feed file image.json, video.json, ...")
            return _from_folder(path.parent, (feed,), snapshot_at, max_bytes)
        df = read_snapshot_file(path) if path.suffix == ".parquet" else read_latest_snapshot(path)
    kind = table_kind(df.columns)
    if kind != "media":
        raise PayloadError(f"{text!r} holds {kind} snapshots, not media snapshots")
    if set(chosen) != set(MEDIA_FEEDS):
        attrs = df.attrs
        df = df[df["feed"].isin(chosen)].reset_index(drop=True)
        df.attrs = attrs
    return df


def _finish(df: pd.DataFrame, source: str, provenance: dict[str, Any]) -> pd.DataFrame:
    from nanogpt_frame._version import package_version

    stamps = df["snapshot_at"]
    fetched = stamps.iloc[0] if len(stamps) else pd.Timestamp(datetime.now(UTC))
    df.attrs.update(
        {
            "source": source,
            **provenance,
            "fetched_at": fetched.isoformat(),
            "package_version": package_version(),
            "schema_version": SCHEMA_VERSION,
            "table": "media",
        }
    )
    return df
