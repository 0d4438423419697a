"""The argument parser of ``nanogpt-frame``: commands, options, and checked number types.

Only ``argparse`` is imported, so ``--help`` answers without loading pandas. Numbers are checked
while parsing (a usage error, exit 2), so no command ever sees a NaN timeout or a negative top.
"""

from __future__ import annotations

import argparse
import textwrap

from nanogpt_frame.cli.commands_account import add_account_parsers
from nanogpt_frame.cli.commands_media import add_media_parser
from nanogpt_frame.cli.commands_periods import add_periods_parser
from nanogpt_frame.cli.types import age, rate, seconds, tokens, whole_number

__all__ = ("DISTILLATION_STATUSES", "EXAMPLES", "FORMATS", "PROG", "build_parser")

PROG = "nanogpt-frame"
FORMATS = ("table", "csv", "json")
DEFAULT_OUT = "nanogpt-snapshots"
#: The distillation policy statuses the API serves (``distillationPolicy.status``).
DISTILLATION_STATUSES = ("allowed", "disallowed", "unknown")

EXAMPLES = {
    "summary": "nanogpt-frame summary --sample",
    "rank": "nanogpt-frame rank --sample --require vision,tool_calling --top 5",
    "split": "nanogpt-frame split --sample --by owned_by",
    "quality": "nanogpt-frame quality --sample --format csv > problems.csv",
    "snapshot": "nanogpt-frame snapshot --sample --out ./catalog-history",
    "diff": "nanogpt-frame diff ./catalog-history  # its two latest snapshots\n"
    "         nanogpt-frame diff ./catalog-history --sample  # latest vs the sample",
    "history": "nanogpt-frame history ./catalog-history --model openai/gpt-5.2",
    "routes": "nanogpt-frame routes --sample --distillation allowed",
    "cost": "nanogpt-frame cost usage.csv --history ./catalog-history --freq D",
    "media": "nanogpt-frame media --sample --feed image --resolution 1024x1024",
    "periods": "nanogpt-frame periods ./catalog-history --out periods.parquet",
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Wraps option help to the terminal (argparse does) and keeps examples as written."""


def add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where the catalog comes from (default: the live API)")
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--sample", action="store_true", help="use the bundled sample catalog (no network)"
    )
    which.add_argument(
        "--source", metavar="PATH", help="a folder of raw listing JSON, or a snapshot"
    )
    group.add_argument(
        "--endpoints",
        default="canonical,subscription,paid",
        help="comma-separated listings to load (default: all three)",
    )
    group.add_argument(
        "--max-age",
        type=age,
        default=None,
        metavar="SECONDS",
        help="reuse a cached API response younger than this (default 300; 0: never)",
    )
    group.add_argument(
        "--timeout",
        type=seconds,
        default=30.0,
        metavar="SECONDS",
        help="seconds per HTTP request (default 30)",
    )


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (fits the terminal), csv or json (every column, for pipes)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (cheap: no pandas, no httpx)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="NanoGPT's model catalog as data: rank models by price per capability, "
        "compare subscription and paid, check the catalog, keep a price history.",
        epilog="Example: nanogpt-frame summary --sample",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, more: str = "") -> argparse.ArgumentParser:
        description = textwrap.fill(help_text + (f". {more}" if more else ""), width=78)
        return commands.add_parser(
            name,
            help=help_text,
            description=description,
            epilog=f"Example: {EXAMPLES[name]}",
            formatter_class=_Formatter,
        )

    summary = command("summary", "models per listing and provider, capability coverage, prices")
    add_source_options(summary)
    add_format(summary)

    rank = command(
        "rank",
        "cheapest models that have every required capability",
        "With any token count, models are ranked by that workload's cost.",
    )
    add_source_options(rank)
    add_format(rank)
    rank.add_argument(
        "--require",
        default="",
        metavar="CAPS",
        help="comma-separated capabilities, e.g. vision,tool_calling",
    )
    rank.add_argument(
        "--min-context",
        type=whole_number(0),
        default=None,
        metavar="TOKENS",
        help="minimum context length in tokens",
    )
    rank.add_argument(
        "--top", type=whole_number(1), default=20, metavar="N", help="rows to show (default 20)"
    )
    rank.add_argument(
        "--input-tokens",
        type=tokens,
        default=None,
        metavar="N",
        help="workload: uncached input tokens",
    )
    rank.add_argument(
        "--output-tokens", type=tokens, default=None, metavar="N", help="workload: output tokens"
    )
    rank.add_argument(
        "--cached-tokens",
        type=tokens,
        default=None,
        metavar="N",
        help="workload: cached input tokens (cache-read price where known)",
    )

    split = command("split", "subscription versus paid, per provider")
    add_source_options(split)
    add_format(split)
    split.add_argument("--by", default="owned_by", help="group column (default owned_by)")

    quality = command("quality", "one row per data problem found in the catalog")
    add_source_options(quality)
    add_format(quality)

    snapshot = command("snapshot", "write a Parquet snapshot of the catalog")
    add_source_options(snapshot)
    add_format(snapshot)
    snapshot.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="ROOT",
        help=f"snapshot root: a folder or a URI such as s3://bucket/prefix (default "
        f"./{DEFAULT_OUT})",
    )
    snapshot.add_argument(
        "--force",
        action="store_true",
        help="write even if the catalog lost over half of the latest snapshot's models",
    )
    snapshot.add_argument(
        "--kind",
        choices=("models", "media"),
        default="models",
        help="models (the text listings, default) or media (image, video, audio, embedding "
        "feeds; write them to a root of their own)",
    )

    diff = command(
        "diff",
        "what changed between two catalogs",
        "OLD and NEW snapshot files or roots; a root alone (its two latest snapshots); or OLD "
        "against the current catalog (--sample, --source PATH, or --live for the API).",
    )
    add_source_options(diff)
    add_format(diff)
    diff.add_argument("old", metavar="OLD", help="a snapshot file, or a root (its latest)")
    diff.add_argument("new", metavar="NEW", nargs="?", help="a snapshot file or root")
    diff.add_argument("--live", action="store_true", help="compare OLD with the live catalog")

    history = command(
        "history",
        "price history of one model from a snapshot root",
        "With --sample or --source the current catalog is added as the newest point.",
    )
    add_source_options(history)
    add_format(history)
    history.add_argument("root", metavar="ROOT", nargs="?", help="snapshot root")
    history.add_argument("--model", required=True, metavar="ID", help="model id (exact)")

    routes = command(
        "routes",
        "the cheapest provider route of each model",
        "Routes are fetched one model at a time, evenly spaced at --rate requests per second "
        "(a whole catalog takes about 30 s at 20/s). With --snapshot-out, write a routes "
        "snapshot instead.",
    )
    add_source_options(routes)
    add_format(routes)
    routes.add_argument(
        "--model",
        action="append",
        metavar="ID",
        help="a model id (repeat for more; default: the whole catalog)",
    )
    routes.add_argument(
        "--distillation",
        choices=DISTILLATION_STATUSES,
        help="only routes whose effective distillation policy is this",
    )
    routes.add_argument(
        "--top", type=whole_number(1), default=20, metavar="N", help="rows to show (default 20)"
    )
    routes.add_argument(
        "--rate",
        type=rate,
        default=20.0,
        metavar="PER_SECOND",
        help="requests per second (default 20, at most 25)",
    )
    routes.add_argument("--snapshot-out", metavar="ROOT", help="write a routes snapshot here")
    routes.add_argument(
        "--force",
        action="store_true",
        help="with --snapshot-out: write even if half the models vanished",
    )
    routes.add_argument("--no-progress", action="store_true", help="no progress bar")

    cost = command(
        "cost",
        "what a usage log cost, at the prices in force when each request happened",
        "Prices come from a snapshot root (--history), the sample history (--sample, which "
        "also prices the bundled synthetic log when USAGE is omitted), or one catalog "
        "(--source, or the live API): what the same traffic would cost now.",
    )
    add_source_options(cost)
    add_format(cost)
    cost.add_argument("usage", metavar="USAGE", nargs="?", help="usage log (.csv or .parquet)")
    cost.add_argument("--history", metavar="ROOT", help="snapshot root with the price history")
    cost.add_argument("--routes", metavar="ROOT", help="routes snapshots, for rows with a provider")
    cost.add_argument(
        "--by",
        default="model",
        metavar="COLUMNS",
        help="comma-separated group columns (default model; '' for one total)",
    )
    cost.add_argument("--freq", metavar="PERIOD", help="also group by period: D, W, MS, ...")
    cost.add_argument(
        "--columns",
        metavar="YOURS=NAME,...",
        help="map your column names, e.g. ts=timestamp,engine=model",
    )
    cost.add_argument(
        "--no-subscription",
        action="store_true",
        help="charge list price even where the subscription covered the model",
    )
    cost.add_argument(
        "--input-includes-cached",
        action="store_true",
        help="your input counts include cached tokens (OpenAI style)",
    )
    add_media_parser(commands)
    add_periods_parser(command)
    add_account_parsers(commands)
    return parser
