"""The ``periods`` command: the price-period table (what every engine joins against), for BI."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ("add_periods_parser", "periods_command")


def add_periods_parser(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Register ``periods`` with the parser's ``command`` helper."""
    from nanogpt_frame.cli.parser import add_format, add_source_options

    periods = command(
        "periods",
        "the half-open price periods of every model, for joining usage in SQL or a BI tool",
        "From a snapshot ROOT (--sample: the sample history; --source: one catalog). With "
        "--out, write Parquet and print where; join with timestamp >= valid_from AND "
        "(timestamp < valid_to OR valid_to IS NULL).",
    )
    add_source_options(periods)
    add_format(periods)
    periods.add_argument("root", metavar="ROOT", nargs="?", help="snapshot root")
    periods.add_argument("--out", metavar="PATH", help="write the table to this Parquet file")


def periods_command(args: argparse.Namespace) -> int:
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    from nanogpt_frame.cli.commands import _emit, _load
    from nanogpt_frame.errors import ConfigError
    from nanogpt_frame.fileio import atomic_write
    from nanogpt_frame.usage.price_periods import price_periods

    if args.root is not None:
        history = args.root
    elif args.sample:
        history = "sample"
    elif args.source:
        history = _load(args)
    else:
        raise ConfigError("name a snapshot ROOT, or use --sample or --source")
    table = price_periods(history)
    if args.out is None:
        _emit(
            table,
            args.format,
            drop=("first_listed", "price_cache_write", "price_cache_read", "in_subscription"),
            shrink=("id",),
            headers={
                "price_prompt": "prompt",
                "price_completion": "completion",
                "price_cache_read": "cache_read",
                "price_cache_write": "cache_write",
                "in_subscription": "sub",
            },
        )
        return 0
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    atomic_write(args.out, lambda handle: pq.write_table(arrow, handle, compression="zstd"))
    sys.stdout.write(f"{args.out}: {len(table):,} periods of {table['id'].nunique():,} models\n")
    return 0
