"""The ``cost`` command: a usage log priced at the prices in force when each request happened."""

from __future__ import annotations

import argparse

__all__ = ("cost_command", "parse_columns")

_USAGE_NAMES = (
    "timestamp",
    "model",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "provider",
)


def parse_columns(text: str | None) -> dict[str, str]:
    """``"ts=timestamp,engine=model"`` (either order) as ``{"timestamp": "ts", "model": ...}``."""
    from nanogpt_frame.errors import ConfigError

    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in (text or "").split(","))):
        left, sep, right = (s.strip() for s in pair.partition("="))
        if not sep or not left or not right:
            raise ConfigError(f"--columns takes YOURS=NAME pairs, not {pair!r}")
        if right in _USAGE_NAMES:
            mapping[right] = left
        elif left in _USAGE_NAMES:
            mapping[left] = right
        else:
            raise ConfigError(f"--columns {pair!r} names none of {', '.join(_USAGE_NAMES)}")
    return mapping


def cost_command(args: argparse.Namespace) -> int:
    from nanogpt_frame.cli.commands import _emit, _load
    from nanogpt_frame.errors import ConfigError
    from nanogpt_frame.usage.cost_usage import cost_usage
    from nanogpt_frame.usage.summaries import usage_summary

    if args.usage is None and not args.sample:
        raise ConfigError("name a usage file (CSV or Parquet), or use --sample for the bundled log")
    if args.usage is None:
        from nanogpt_frame.sample import sample_usage

        usage = sample_usage()
    else:
        usage = args.usage
    if args.history:
        prices = args.history  # the library refuses a routes root or an empty one
    elif args.sample:
        prices = "sample"
    else:
        prices = _load(args)  # one catalog: what the same traffic would cost now
    routes = args.routes
    if routes is None and args.sample:  # the sample's route responses price its provider rows
        from nanogpt_frame.routes.load_routes import load_routes

        routes = load_routes(source="sample")
    costed = cost_usage(
        usage,
        prices,
        routes=routes,
        columns=parse_columns(args.columns),
        subscription=not args.no_subscription,
        input_includes_cached=args.input_includes_cached or None,  # absent flag: implied by names
    )
    by = [c.strip() for c in args.by.split(",") if c.strip()]
    summary = usage_summary(costed, by=by, freq=args.freq)
    if args.format == "table":
        summary = summary.sort_values(
            [c for c in ("period",) if c in summary] + ["cost"],
            ascending=[True] * ("period" in summary) + [False],
        )
    _emit(
        summary,
        args.format,
        drop=(
            "cache_write_tokens",
            "cached_tokens",
            "input_tokens",
            "output_tokens",
            "unpriced_requests",
        ),
        shrink=tuple(by),
        keep_whole=True,
    )
    return 0
