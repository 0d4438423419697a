"""The ``media`` command: the cheapest image, video, audio or embedding models for a need, or
what a job costs on each; and ``snapshot --kind media``."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from nanogpt_frame.cli.types import age, seconds, whole_number

__all__ = ("add_media_parser", "media_command", "media_snapshot")

EXAMPLE = (
    "nanogpt-frame media --sample --feed image --resolution 1024x1024\n"
    "         nanogpt-frame media --sample --seconds 30 --with-audio"
)
#: Job options -> the feed a job of that kind belongs to when ``--feed`` is not given.
_JOB_FEEDS = {
    "images": "image",
    "seconds": "video",
    "characters": "audio",
    "minutes": "audio",
    "tokens": "embedding",
}


#: Job quantities -> the units that can price them (a speech-to-text job is never priced per
#: music generation).
_FITS = {
    "images": {"image"},
    "seconds": {"second", "video", "generation"},
    "characters": {"thousand_chars", "char_block", "generation"},
    "minutes": {"minute"},
    "tokens": {"million_tokens"},
    "videos": {"video"},
    "frames": {"video"},
}


def _amount(text: str) -> float:
    """A job quantity: a finite number of 0 or more (``1e6`` and ``1_000`` are read)."""
    import math

    try:
        value = float(text.strip().replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number of 0 or more")
    return value


def add_media_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``media`` on the ``nanogpt-frame`` subcommands."""
    from nanogpt_frame.cli.parser import add_format

    media = commands.add_parser(
        "media",
        help="cheapest image, video, audio and embedding models, or what a job costs",
        description=textwrap.fill(
            "The cheapest models of a media feed for a need (--feed, --resolution, "
            "--billable), or, with a job (--images, --seconds, --characters, --minutes, "
            "--tokens), what that job costs on each model of its feed, cheapest first. "
            "Unpriced models are counted, never shown as free.",
            width=78,
        ),
        epilog=f"Example: {EXAMPLE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = media.add_argument_group("where the catalogs come from (default: the live API)")
    which = group.add_mutually_exclusive_group()
    which.add_argument("--sample", action="store_true", help="the bundled media sample")
    which.add_argument("--source", metavar="PATH", help="a folder of feed JSON, or a snapshot")
    group.add_argument("--max-age", type=age, default=None, metavar="SECONDS",
                       help="reuse a cached response younger than this (default 300)")  # fmt: skip
    group.add_argument("--timeout", type=seconds, default=30.0, metavar="SECONDS",
                       help="seconds per HTTP request (default 30)")  # fmt: skip
    add_format(media)
    need = media.add_argument_group("the need")
    need.add_argument("--feed", choices=("image", "video", "audio", "embedding"),
                      help="the feed (default: from the job, else image)")  # fmt: skip
    need.add_argument("--resolution", help="e.g. 1024x1024 (or 1024*1024), 720p, 16:9")
    need.add_argument("--billable", help="the unit: image, video, second, minute, ...")
    need.add_argument("--variant", help="a rendering speed such as turbo")
    audio = need.add_mutually_exclusive_group()
    audio.add_argument("--with-audio", dest="with_audio", action="store_true", default=None)
    audio.add_argument("--without-audio", dest="with_audio", action="store_false")
    job = media.add_argument_group("a job to price (any of)")
    for name, what in (
        ("images", "images to generate"),
        ("seconds", "seconds of video or music"),
        ("characters", "characters of text to speak (or of a music prompt)"),
        ("minutes", "minutes of audio to transcribe"),
        ("tokens", "tokens to embed"),
        ("videos", "videos to generate (default 1)"),
        ("frames", "frames per video (for frame-priced models)"),
    ):
        job.add_argument(f"--{name}", type=_amount, metavar="N", help=what)
    media.add_argument("--top", type=whole_number(1), default=20, metavar="N",
                       help="rows to show (default 20)")  # fmt: skip
    return media


def _load(args: argparse.Namespace):
    from nanogpt_frame.media.load_media import load_media

    if args.sample:
        return load_media(source="sample")
    if args.source:
        return load_media(source=args.source)
    return load_media(max_age=args.max_age, timeout=args.timeout)


def media_command(args: argparse.Namespace) -> int:
    from nanogpt_frame.analysis.media_price_lines import media_prices
    from nanogpt_frame.cli.commands import _emit

    media = _load(args)
    quantities = {n: getattr(args, n) for n in (*_JOB_FEEDS, "videos", "frames")}
    given = {n: v for n, v in quantities.items() if v is not None}
    feed = args.feed or next((_JOB_FEEDS[n] for n in _JOB_FEEDS if n in given), "image")
    prices = media_prices(media)
    if given:
        table = _job_costs(media, feed, given, args)
    else:
        from nanogpt_frame.analysis.media_cheapest import cheapest_media

        filters = {} if args.variant is None else {"variant": args.variant}
        if args.with_audio is not None:
            filters["variant"] = "with_audio" if args.with_audio else "without_audio"
        table = cheapest_media(
            prices, feed=feed, billable=args.billable, resolution=args.resolution, **filters
        )
        table = table[["rank", "id", "billable", "resolution", "variant", "duration_seconds",
                       "price_usd", "minimum_usd", "price_key"]]  # fmt: skip
    _emit(
        table.head(args.top),
        args.format,
        drop=("price_key", "minimum_usd", "duration_seconds", "variant", "units", "reason"),
        shrink=("id", "reason"),
    )  # the frame's own column names in every format (see cli/output.py)
    return 0


def _job_costs(media, feed: str, given: dict[str, float], args: argparse.Namespace):
    import pandas as pd

    from nanogpt_frame.analysis.media_jobs import media_cost
    from nanogpt_frame.analysis.media_price_lines import media_prices

    lines = media_prices(media)
    fits = set().union(*(_FITS[name] for name in given))
    lines = lines[(lines["feed"] == feed) & lines["billable"].isin(fits)]
    ids = lines["id"].drop_duplicates().tolist()
    job = {**given, "resolution": args.resolution, "with_audio": args.with_audio,
           "variant": args.variant, "feed": feed}  # fmt: skip
    jobs = pd.DataFrame([{"model": m, **job} for m in ids])
    if jobs.empty:
        return pd.DataFrame(columns=["rank", "id", "cost"])
    costed = media_cost(jobs, media)
    priced = costed[costed["cost"].notna()].sort_values(["cost", "model"], kind="stable")
    unpriced = len(costed) - len(priced)
    if unpriced:
        from nanogpt_frame.cli.output import say

        hint = " (see --format csv for each reason)" if args.format == "table" else ""
        say("note", f"{unpriced} of {len(costed)} {feed} models cannot price this job{hint}")
    out = pd.concat([priced, costed[costed["cost"].isna()]]) if args.format != "table" else priced
    table = pd.DataFrame(
        {
            "rank": out["cost"].rank(method="min").astype("Int64"),
            "id": out["model"],
            "billable": out["billable"],
            "line_resolution": out["line_resolution"],
            "line_variant": out["line_variant"],
            "price_usd": out["price_usd"],
            "units": out["units"],
            "cost": out["cost"],
            "reason": out["unpriced_reason"],
        }
    )
    if args.format == "table":
        table = table.drop(columns="reason")
    return table.reset_index(drop=True)


def media_snapshot(args: argparse.Namespace) -> int:
    """``snapshot --kind media``: write a media snapshot of the feeds."""
    import json

    from nanogpt_frame.cli.output import one_line
    from nanogpt_frame.snapshots.write import write_snapshot

    media = _load(args)
    path = write_snapshot(media, args.out, force=args.force)
    rows = {str(k): int(v) for k, v in media.groupby("feed", sort=False).size().items()}
    if args.format == "json":
        print(json.dumps({"path": path, "rows": rows}))
        return 0
    print(one_line(f"wrote {path}"), file=sys.stderr if args.format == "csv" else sys.stdout)
    print("feed,rows" if args.format == "csv" else "feed       rows")
    for feed, count in rows.items():
        print(f"{feed},{count}" if args.format == "csv" else f"{feed:<10} {count:>4}")
    return 0
