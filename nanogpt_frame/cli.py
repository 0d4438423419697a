"""The ``nanogpt-frame`` command line. Parsing is here; the work is done by the library.

Only ``argparse`` is imported to build the parser, so ``--help`` answers without loading pandas.
Expected failures print one line to stderr and exit 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ("build_parser", "cli_logic", "main")

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
        from ._version import package_version

        print(f"{PROG} {package_version()}")
        return 0
    if not args.command:
        parser.print_help()
        return 2
    from .errors import NanoGPTError

    handler: Callable[[argparse.Namespace], int] = HANDLERS[args.command]
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


# ---- handlers -------------------------------------------------------------------------------


def _load(args: argparse.Namespace):
    from .loader import load

    endpoints = tuple(e.strip() for e in args.endpoints.split(",") if e.strip())
    if args.sample:
        return load("sample", endpoints=endpoints)
    if args.source:
        return load(args.source, endpoints=endpoints)
    return load("live", endpoints=endpoints, max_age=args.max_age, timeout=args.timeout)


def _emit(table: Any, fmt: str, *, title: str | None = None) -> None:
    from .output import render

    sys.stdout.write(render(table, fmt, title=title))


def _summary(args: argparse.Namespace) -> int:
    from .summary import catalog_summary

    tables = catalog_summary(_load(args))
    if args.format == "json":
        from .output import render_many_json

        sys.stdout.write(render_many_json(tables))
        return 0
    for title, table in tables.items():
        _emit(table, args.format, title=title)
    return 0


def _rank(args: argparse.Namespace) -> int:
    from .ranking import rank_models

    workload = None
    if args.input_tokens is not None:
        workload = {
            "input_tokens": args.input_tokens,
            "output_tokens": args.output_tokens,
            "cached_tokens": args.cached_tokens,
        }
    require = [c.strip() for c in args.require.split(",") if c.strip()]
    ranked = rank_models(_load(args), require=require, min_context=args.min_context,
                         workload=workload)  # fmt: skip
    price = ranked.columns[1]
    columns = ["rank", price, "id", "owned_by", "in_subscription", "price_prompt",
               "price_completion", "context_length"]  # fmt: skip
    _emit(ranked[columns].head(args.top), args.format)
    return 0


def _split(args: argparse.Namespace) -> int:
    from .subscription import subscription_summary

    table = subscription_summary(_load(args), by=args.by)
    if args.format == "table":  # the essentials fit a terminal; csv/json carry every column
        table = table[[args.by, "models_subscription", "models_paid", "share_in_subscription",
                       "median_blended_subscription", "median_blended_paid",
                       "list_value_subscription"]]  # fmt: skip
    _emit(table, args.format)
    return 0


def _quality(args: argparse.Namespace) -> int:
    from .quality import quality_report

    _emit(quality_report(_load(args)), args.format)
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    import pandas as pd

    from .snapshots import write_snapshot

    df = _load(args)
    path = write_snapshot(df, args.out)
    rows = df.groupby("source_endpoint", sort=False).size()
    table = pd.DataFrame({"listing": rows.index, "rows": rows.to_numpy()})
    if args.format == "json":
        import json

        print(json.dumps({"path": path, "rows": {k: int(v) for k, v in rows.items()}}))
        return 0
    print(f"wrote {path}", file=sys.stderr if args.format == "csv" else sys.stdout)
    _emit(table, args.format)
    return 0


def _snapshot_path(path: str) -> str:
    """A snapshot file as given, or the newest snapshot under a folder."""
    from pathlib import Path

    from .snapshots import latest_snapshots

    if "://" not in path and Path(path).is_dir():
        return latest_snapshots(path, 1)[-1]
    return path


def _current_requested(args: argparse.Namespace) -> bool:
    return bool(args.sample or args.source or getattr(args, "live", False))


def _diff(args: argparse.Namespace) -> int:
    from .history import diff
    from .snapshots import latest_snapshots

    if args.new is not None:
        old, new = _snapshot_path(args.old), _snapshot_path(args.new)
        label = new
    elif _current_requested(args):
        old, new = _snapshot_path(args.old), _load(args)
        label = new.attrs.get("source", "current catalog")
    else:
        old, new = latest_snapshots(args.old, 2)
        label = new
    if args.format == "table":
        print(f"{old} -> {label}")
    _emit(diff(old, new), args.format)
    return 0


def _history(args: argparse.Namespace) -> int:
    import pandas as pd

    from .errors import ConfigError
    from .history import price_history
    from .snapshots import read_snapshots

    if args.root is None and not _current_requested(args):
        raise ConfigError("name a snapshot ROOT, or use --sample/--source for the current catalog")
    parts, everyone = [], []
    if args.root is not None:
        parts.append(read_snapshots(args.root, ids=[args.model]))
        everyone += read_snapshots(args.root, columns=["id"])["id"].unique().tolist()
    if _current_requested(args):
        current = _load(args)
        parts.append(current[current["id"] == args.model])
        everyone += current["id"].unique().tolist()
    history = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if history.empty:
        close = sorted({i for i in everyone if i.lower() == args.model.lower()})
        hint = f"; ids are case-sensitive: did you mean {close[0]!r}?" if close else ""
        where = args.root or "the current catalog"
        raise ConfigError(f"model {args.model!r} is in no snapshot under {where}{hint}")
    table = price_history(history, args.model)
    if args.format == "table":
        table = table[["valid_from", "valid_to", "last_seen", "current", "price_prompt",
                       "price_completion", "price_cache_read", "price_cache_write"]]  # fmt: skip
    _emit(table, args.format)
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "snapshot": _snapshot,
    "diff": _diff,
    "history": _history,
    "summary": _summary,
    "rank": _rank,
    "split": _split,
    "quality": _quality,
}

if __name__ == "__main__":  # pragma: no cover
    main()
