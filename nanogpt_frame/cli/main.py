"""The ``nanogpt-frame`` command line. Parsing is here; the work is done by the library.

Only ``argparse`` is imported to build the parser, so ``--help`` answers without loading pandas.
Expected failures print one line to stderr and exit 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from .commands import HANDLERS

__all__ = ("FORMATS", "HANDLERS", "build_parser", "cli_logic", "main")

PROG = "nanogpt-frame"
FORMATS = ("table", "csv", "json")

EXAMPLES = {
    "summary": "nanogpt-frame summary --sample",
    "rank": "nanogpt-frame rank --sample --require vision,tool_calling --min-context 128000",
    "split": "nanogpt-frame split --sample --by owned_by",
    "quality": "nanogpt-frame quality --sample --format csv > problems.csv",
    "snapshot": "nanogpt-frame snapshot --sample --out ./catalog-history",
    "diff": "nanogpt-frame diff ./catalog-history            # the two latest snapshots\n"
    "         nanogpt-frame diff ./catalog-history --sample   # latest snapshot vs the sample",
    "history": "nanogpt-frame history ./catalog-history --model openai/gpt-5.2",
}


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where the catalog comes from (default: the live API)")
    group.add_argument(
        "--sample", action="store_true", help="use the bundled sample catalog (no network)"
    )
    group.add_argument(
        "--source",
        metavar="PATH",
        help="a folder of raw listing JSON, or a snapshot file or folder",
    )
    group.add_argument(
        "--endpoints",
        default="canonical,subscription,paid",
        help="comma-separated listings to load (default: all three)",
    )
    group.add_argument(
        "--max-age",
        type=float,
        default=None,
        metavar="SECONDS",
        help="reuse a cached API response younger than this (default 300; 0: never)",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds per HTTP request (default 30)",
    )


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (aligned for a terminal), csv or json (for pipes)",
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

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"Example: {EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return sub

    summary = command("summary", "models per listing and provider, capability coverage, prices")
    _add_source_options(summary)
    _add_format(summary)

    rank = command("rank", "cheapest models that have every required capability")
    _add_source_options(rank)
    _add_format(rank)
    rank.add_argument(
        "--require",
        default="",
        metavar="CAPS",
        help="comma-separated capabilities, e.g. vision,tool_calling",
    )
    rank.add_argument(
        "--min-context",
        type=int,
        default=None,
        metavar="TOKENS",
        help="minimum context length in tokens",
    )
    rank.add_argument("--top", type=int, default=20, metavar="N", help="rows to show (default 20)")
    rank.add_argument(
        "--input-tokens",
        type=float,
        default=None,
        metavar="N",
        help="workload: input tokens (rank by the workload's cost)",
    )
    rank.add_argument(
        "--output-tokens", type=float, default=0.0, metavar="N", help="workload: output tokens"
    )
    rank.add_argument(
        "--cached-tokens",
        type=float,
        default=0.0,
        metavar="N",
        help="workload: cached input tokens (priced at cache-read where known)",
    )

    split = command("split", "subscription versus paid, per provider")
    _add_source_options(split)
    _add_format(split)
    split.add_argument("--by", default="owned_by", help="group column (default owned_by)")

    quality = command("quality", "one row per data problem found in the catalog")
    _add_source_options(quality)
    _add_format(quality)

    snapshot = command("snapshot", "write a Parquet snapshot of the catalog")
    _add_source_options(snapshot)
    _add_format(snapshot)
    snapshot.add_argument(
        "--out",
        default="nanogpt-snapshots",
        metavar="ROOT",
        help="snapshot root: a folder or a URI such as s3://bucket/prefix",
    )

    diff = command(
        "diff",
        "what changed between two catalogs: OLD and NEW snapshot files; a root alone (its two "
        "latest snapshots); or OLD against the current catalog (--sample, --source or live with "
        "--live)",
    )
    _add_source_options(diff)
    _add_format(diff)
    diff.add_argument("old", metavar="OLD", help="a snapshot file, or a root (its latest)")
    diff.add_argument("new", metavar="NEW", nargs="?", help="a snapshot file or root")
    diff.add_argument("--live", action="store_true", help="compare OLD with the live catalog")

    history = command(
        "history",
        "price history of one model from a snapshot root; with --sample or --source the current "
        "catalog is added as the newest point",
    )
    _add_source_options(history)
    _add_format(history)
    history.add_argument("root", metavar="ROOT", nargs="?", help="snapshot root")
    history.add_argument("--model", required=True, metavar="ID", help="model id (exact)")
    return parser


def cli_logic(argv: Sequence[str] | None = None) -> int:
    """Run the command line in-process and return the exit code (what tests call)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from .._version import package_version

        print(f"{PROG} {package_version()}")
        return 0
    if not args.command:
        parser.print_help()
        return 2
    from ..errors import NanoGPTError

    handler = HANDLERS[args.command]
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return handler(args)
        except NanoGPTError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 1
        except BrokenPipeError:
            return 0


def main() -> None:  # pragma: no cover - thin wrapper
    try:
        sys.exit(cli_logic())
    except KeyboardInterrupt:
        sys.exit(130)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    main()
