"""What media jobs cost (``media_cost``). Pure.

Job rules (``media_cost``), one job per row: images x the line for the job's resolution (else
``default``, else ``auto``, else unpriced); a per-video price covers its ``duration_seconds``
per video; per-second prices x seconds (with the resolution's line); per-minute x minutes;
``thousand_chars`` x characters / 1000; ``char_block`` x ceil(characters / block size);
per-generation x 1 per job; ``million_tokens`` x tokens / 1e6; a served frame multiplier applies
above its frame threshold; then ``max(cost, minimum_usd)``. A job no line prices exactly is
unpriced (``cost`` ``<NA>`` with ``unpriced_reason``), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from nanogpt_frame.analysis.media_price_lines import media_prices
from nanogpt_frame.errors import ConfigError
from nanogpt_frame.schema import (
    MEDIA_PRICE_COLUMN_NAMES,
    normal_resolution,
    table_kind,
)

__all__ = ("JOB_COLUMNS", "media_cost", "pick_resolution", "price_table")

#: What a job may say it used; ``model`` is required. ``feed`` picks a feed when an id is in two,
#: ``videos`` counts videos (default 1), ``frames`` is checked against a frame threshold,
#: ``variant`` picks a rendering speed.
JOB_COLUMNS = (
    "model",
    "feed",
    "images",
    "resolution",
    "seconds",
    "characters",
    "minutes",
    "tokens",
    "with_audio",
    "videos",
    "frames",
    "variant",
)
_QUANTITIES = ("images", "seconds", "characters", "minutes", "tokens", "videos", "frames")
_FALLBACK = ("default", "auto")
_OUT = (
    "feed",
    "billable",
    "line_resolution",
    "line_variant",
    "line_duration_seconds",
    "price_usd",
    "units",
    "minimum_usd",
    "frame_multiplier",
    "cost",
    "unpriced_reason",
)


def price_table(prices: pd.DataFrame) -> pd.DataFrame:
    """The price lines to use: a media frame is read into lines; a history keeps its latest."""
    if not isinstance(prices, pd.DataFrame):
        raise ConfigError("prices must be a media frame (load_media) or its media_prices table")
    if table_kind(prices.columns) == "media":
        prices = media_prices(prices)
    missing = [c for c in MEDIA_PRICE_COLUMN_NAMES if c not in prices.columns]
    if missing:
        raise ConfigError(f"prices must be a media_prices table; missing columns {missing}")
    attrs = prices.attrs
    if prices["snapshot_at"].nunique() > 1:  # a history: each model's latest snapshot
        latest = prices.groupby(["feed", "id"])["snapshot_at"].transform("max")
        prices = prices[prices["snapshot_at"] == latest]
    prices = prices.reset_index(drop=True)
    prices.attrs = attrs
    return prices


def pick_resolution(lines: pd.DataFrame, wanted: str | None, default: str | None):
    """The lines for a resolution: exact, else ``default``, else ``auto``; or a reason."""
    served = lines["resolution"]
    if served.isna().all():
        return lines, None
    for label in (wanted or default, *_FALLBACK):
        if label is None:
            continue
        hit = lines[served == label]
        if len(hit):
            return hit, None
    listed = ", ".join(sorted(set(served.dropna())))
    if wanted is None:
        return None, f"resolution needed (priced: {listed})"
    return None, f"no price for resolution {wanted} (priced: {listed})"


def _pick_variant(lines: pd.DataFrame, job: Mapping[str, Any]):
    variants = lines["variant"]
    if variants.isna().all():
        return lines, None
    audio = job.get("with_audio")
    if variants.isin(["with_audio", "without_audio"]).any():
        if audio is None:
            return None, "with_audio needed: this model prices audio on and off"
        return lines[variants == ("with_audio" if audio else "without_audio")], None
    wanted = job.get("variant")
    if wanted is None:
        plain = lines[variants.isna()]
        if len(plain):
            return plain, None
        return None, f"variant needed ({', '.join(sorted(set(variants.dropna())))})"
    hit = lines[variants == wanted]
    return (hit, None) if len(hit) else (None, f"no price for variant {wanted}")


def _one(lines: pd.DataFrame) -> tuple[pd.Series | None, str | None]:
    prices = lines["price_usd"]
    if prices.isna().any():
        shapes = ", ".join(sorted(set(lines["shape"].dropna())))
        return None, f"price unknown (shape {shapes})"
    if prices.nunique() > 1:
        keys = ", ".join(map(str, lines["price_key"]))
        return None, f"several prices match this job ({keys})"
    return lines.iloc[0], None


def _value(job: Mapping[str, Any], name: str) -> Any:
    value = job.get(name)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _billable_for(job: Mapping[str, Any], billables: set[str]) -> tuple[str | None, str | None]:
    """Which billable prices this job (from what it used), or why none does."""
    if "generation" in billables:
        return "generation", None
    wants = [
        ("images", ("image",)),
        ("seconds", ("second", "video")),
        ("minutes", ("minute",)),
        ("characters", ("thousand_chars", "char_block")),
        ("tokens", ("million_tokens",)),
        ("videos", ("video",)),
    ]
    used = [name for name, _ in wants if _value(job, name) is not None]
    for name, options in wants:
        if name in used:
            hit = [b for b in options if b in billables]
            if hit:
                return hit[0], None
    if "video" in billables and not (used and used != ["videos"]):
        return "video", None  # a per-video price prices a job of one video (or ``videos``)
    if not billables:
        return None, "no price served for this model"
    what = ", ".join(used) or "nothing"
    return None, f"priced per {', '.join(sorted(billables))}; the job gives {what}"


def _cost_one(job: Mapping[str, Any], lines: pd.DataFrame, settings: dict[str, Any]) -> dict:
    out: dict[str, Any] = dict.fromkeys(_OUT)
    known = lines[lines["billable"].notna()]
    billable, reason = _billable_for(job, set(known["billable"]))
    if billable is None:
        unknown = lines[lines["billable"].isna()]
        if len(unknown) and not len(known):
            reason = f"price unknown (shape {', '.join(sorted(set(unknown['shape'])))})"
        out["unpriced_reason"] = reason
        return out
    out["billable"] = billable
    chosen = known[known["billable"] == billable]
    chosen, reason = _pick_variant(chosen, job)
    if chosen is not None:
        wanted = normal_resolution(_value(job, "resolution"))
        chosen, reason = pick_resolution(chosen, wanted, settings.get("default_resolution"))
    seconds = _value(job, "seconds")
    if chosen is not None and billable == "video" and chosen["duration_seconds"].notna().any():
        chosen, reason, videos = _by_duration(chosen, seconds, settings, _value(job, "videos"))
    else:
        videos = _value(job, "videos")
    if chosen is None:
        out["unpriced_reason"] = reason
        return out
    line, reason = _one(chosen)
    if line is None:
        out["unpriced_reason"] = reason
        return out
    price = float(line["price_usd"])
    units, reason = _units(billable, job, line, videos)
    out.update(
        line_resolution=line["resolution"],
        line_variant=line["variant"],
        line_duration_seconds=line["duration_seconds"],
        price_usd=price,
        minimum_usd=line["minimum_usd"],
    )
    if units is None:
        out["unpriced_reason"] = reason
        return out
    multiplier = None
    if settings.get("frame_multiplier") is not None:
        multiplier = 1.0
        frames, threshold = _value(job, "frames"), settings.get("frame_threshold")
        if frames is not None and threshold is not None and float(frames) > threshold:
            multiplier = settings["frame_multiplier"]
        elif frames is None and threshold is not None:
            out["unpriced_reason"] = (
                f"frames needed: the price is x{settings['frame_multiplier']:g} above "
                f"{threshold:g} frames"
            )
            out["units"] = units
            return out
    out["units"] = units
    out["frame_multiplier"] = multiplier
    cost = units * price * (1.0 if multiplier is None else multiplier)
    minimum = line["minimum_usd"]
    if minimum is not None and minimum is not pd.NA and not pd.isna(minimum):
        cost = max(cost, float(minimum))
    out["cost"] = round(cost, 12)
    return out


def _by_duration(chosen: pd.DataFrame, seconds: Any, settings: dict[str, Any], videos: Any):
    """Per-video lines covering a duration: the line for the job's seconds, or (one duration
    served) enough videos to cover them."""
    durations = chosen["duration_seconds"]
    if seconds is None:
        default = settings.get("default_duration")
        if default is not None and (durations == default).any():
            return chosen[durations == default], None, videos
        if durations.nunique() == 1:
            return chosen, None, videos
        listed = ", ".join(f"{d:g}" for d in sorted(set(durations.dropna())))
        return None, f"seconds needed (priced durations: {listed} s)", videos
    seconds = float(seconds)
    exact = chosen[durations == seconds]
    if len(exact):
        return exact, None, videos
    if durations.nunique() == 1:
        covers = float(durations.iloc[0])
        count = math.ceil(seconds / covers - 1e-9) * (1 if videos is None else float(videos))
        return chosen, None, count
    listed = ", ".join(f"{d:g}" for d in sorted(set(durations.dropna())))
    return None, f"no price for a {seconds:g} s video (priced durations: {listed} s)", videos


def _units(billable: str, job: Mapping[str, Any], line: pd.Series, videos: Any):
    if billable == "generation":
        return 1.0, None
    if billable == "video":
        return (1.0 if videos is None else float(videos)), None
    need = {
        "image": "images",
        "second": "seconds",
        "minute": "minutes",
        "thousand_chars": "characters",
        "char_block": "characters",
        "million_tokens": "tokens",
    }[billable]
    amount = _value(job, need)
    if amount is None:
        return None, f"{need} needed (priced per {billable})"
    amount = float(amount)
    if billable == "thousand_chars":
        return amount / 1000, None
    if billable == "char_block":
        size = line["unit_size"]
        if size is None or pd.isna(size) or size <= 0:
            return None, "block size unknown"
        return float(math.ceil(amount / float(size))), None
    if billable == "million_tokens":
        return amount / 1e6, None
    return amount, None


def _jobs(jobs: Any) -> pd.DataFrame:
    if isinstance(jobs, Mapping):
        jobs = [jobs]
    frame = jobs if isinstance(jobs, pd.DataFrame) else pd.DataFrame(list(jobs))
    if "model" not in frame.columns:
        raise ConfigError(f"media jobs need a 'model' column; got {list(frame.columns)}")
    for name in _QUANTITIES:
        if name not in frame.columns:
            continue
        numbers = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        bad = numbers.notna() & ~((numbers >= 0) & numbers.map(math.isfinite))
        bad |= frame[name].notna() & numbers.isna()
        if bad.any():
            row = bad[bad].index[0]
            raise ConfigError(
                f"job {row!r}: {name} must be a non-negative number, not {frame.at[row, name]!r}"
            )
    return frame


def media_cost(
    jobs: pd.DataFrame | Iterable[Mapping[str, Any]], prices: pd.DataFrame
) -> pd.DataFrame:
    """What media jobs cost, one row per job, by the job rules of the module docstring.

    Args:
        jobs: rows with ``model`` and what each job used: ``images``, ``resolution``,
            ``seconds``, ``characters``, ``minutes``, ``tokens``, ``with_audio``; optionally
            ``feed``, ``videos``, ``frames``, ``variant`` (a rendering speed).
        prices: a media frame (``load_media``), a media history, or ``media_prices`` of one.

    Returns:
        The jobs, in order and with their index, then ``feed``, ``billable``,
        ``line_resolution``, ``line_variant``, ``line_duration_seconds`` (the line used),
        ``price_usd``, ``units``, ``minimum_usd``, ``frame_multiplier``, ``cost`` (USD, to
        1e-12) and ``unpriced_reason`` (``<NA>`` when priced).

    Raises:
        ConfigError: no ``model`` column, a negative or unreadable quantity, or ``prices``
            that are not media prices.

    >>> import nanogpt_frame as nf
    >>> media = nf.load_media(source="sample")
    >>> media_cost([{"model": "qwen-image", "images": 100, "resolution": "1024x1024"}],
    ...            media)["cost"].tolist()
    [0.5]
    """
    frame = _jobs(jobs)
    table = price_table(prices)
    rules: dict[str, dict[str, dict[str, Any]]] | None = table.attrs.get("rules")
    groups: dict[tuple[str, str], pd.DataFrame] = {
        (str(feed), str(model)): part
        for (feed, model), part in table.groupby(["feed", "id"], sort=False)
    }
    by_id: dict[str, list[str]] = {}
    for feed_name, model_id in groups:
        by_id.setdefault(model_id, []).append(feed_name)
    rows = []
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in row.items()}
        for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]
    for job in records:
        model = job.get("model")
        feeds = by_id.get(model, []) if isinstance(model, str) else []
        if job.get("feed") is not None:
            feeds = [f for f in feeds if f == job["feed"]]
        if not feeds:
            rows.append({**dict.fromkeys(_OUT), "unpriced_reason": "unknown model"})
            continue
        if len(feeds) > 1:
            rows.append({**dict.fromkeys(_OUT), "unpriced_reason": f"in feeds {feeds}: give feed"})
            continue
        key = (feeds[0], str(model))
        lines = groups[key]
        if rules is None:  # a price table that lost its rules: a frame rule may be unseen
            settings: dict[str, Any] = {}
            if (lines["shape"] == "per_resolution").any():
                rows.append({**dict.fromkeys(_OUT), "feed": key[0], "unpriced_reason":
                             "frame rule unknown: pass the media frame (load_media), not a "
                             "price table without its attrs"})  # fmt: skip
                continue
        else:
            settings = rules.get(key[0], {}).get(key[1], {})
        result = _cost_one(job, lines, settings)
        result["feed"] = feeds[0]
        rows.append(result)
    out = pd.DataFrame(rows, index=frame.index, columns=list(_OUT))
    costed = frame.copy()
    for name in _OUT:
        costed[name] = out[name]
    for name in (
        "price_usd",
        "units",
        "minimum_usd",
        "frame_multiplier",
        "cost",
        "line_duration_seconds",
    ):
        costed[name] = pd.to_numeric(costed[name], errors="coerce").astype("float64[pyarrow]")
    for name in ("feed", "billable", "line_resolution", "line_variant", "unpriced_reason"):
        costed[name] = costed[name].astype("string[pyarrow]")
    return costed
