"""The ``spend`` and ``reconcile`` commands: what the account paid, and against what it should.

``add_account_parsers`` registers both (``cli/parser.py`` calls it once); the handlers import
pandas and the library only when they run, so ``--help`` stays cheap.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

__all__ = ("ACCOUNT_HANDLERS", "add_account_parsers", "reconcile_command", "spend_command")

EXAMPLES = {
    "spend": "nanogpt-frame spend --from 2026-07-01 --to 2026-07-31\n"
    "         nanogpt-frame spend --sample  # the synthetic usage answer",
    "reconcile": "nanogpt-frame reconcile responses.jsonl --history ./catalog-history\n"
    "         nanogpt-frame reconcile --sample --spend  # against the usage API",
}


def _parser(commands: Any, name: str, help_text: str, more: str) -> argparse.ArgumentParser:
    from nanogpt_frame.cli.parser import add_format

    parser = commands.add_parser(
        name,
        help=help_text,
        description=textwrap.fill(f"{help_text}. {more}", width=78),
        epilog=f"Example: {EXAMPLES[name]}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_format(parser)
    return parser


def _range_options(parser: argparse.ArgumentParser) -> None:
    from nanogpt_frame.cli.types import age, seconds

    parser.add_argument("--from", dest="start", metavar="DAY", help="first UTC day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="DAY", help="last UTC day, included")
    parser.add_argument(
        "--max-age",
        type=age,
        default=None,
        metavar="SECONDS",
        help="reuse a cached usage answer younger than this (default 300; 0: never)",
    )
    parser.add_argument(
        "--timeout", type=seconds, default=30.0, metavar="SECONDS", help="seconds per request"
    )


def add_account_parsers(commands: Any) -> None:
    """Add ``spend`` and ``reconcile`` to the ``nanogpt-frame`` subcommands."""
    from nanogpt_frame.cli.types import seconds

    spend = _parser(
        commands,
        "spend",
        "what the account spent per day and model, as NanoGPT counted it",
        "Reads GET /v1/usage with NANOGPT_API_KEY (the last 30 days by default; at most 366 "
        "days, none in the future), or the bundled synthetic answer with --sample.",
    )
    spend.add_argument(
        "--sample", action="store_true", help="the bundled synthetic usage answer (no network)"
    )
    _range_options(spend)

    reconcile = _parser(
        commands,
        "reconcile",
        "what logged traffic should have cost against what NanoGPT billed",
        "LOG is a JSON Lines file of logged API responses (.gz too). Expected costs come from "
        "--history (a snapshot root) or the sample history (--sample, which also reads the "
        "bundled log when LOG is omitted); the bill from each response's x_nanogpt_pricing, "
        "or with --spend from the usage API.",
    )
    reconcile.add_argument("log", metavar="LOG", nargs="?", help="logged responses (.jsonl)")
    reconcile.add_argument("--history", metavar="ROOT", help="snapshot root with the prices")
    reconcile.add_argument(
        "--sample", action="store_true", help="the sample history (and log, and usage answer)"
    )
    reconcile.add_argument(
        "--routes",
        metavar="ROOT",
        help="routes snapshots (or raw route JSON), for requests that chose a provider; "
        "--sample uses the sample's",
    )
    reconcile.add_argument(
        "--spend", action="store_true", help="compare with the usage API's spend per day"
    )
    reconcile.add_argument(
        "--by", default="day,model", metavar="COLUMNS", help="group columns (default day,model)"
    )
    reconcile.add_argument(
        "--tolerance",
        type=seconds,  # a finite positive number
        default=0.01,
        metavar="SHARE",
        help="relative difference still called a match (default 0.01)",
    )
    reconcile.add_argument(
        "--all", action="store_true", help="table: every group, not only the mismatches"
    )
    _range_options(reconcile)


def _spend(args: argparse.Namespace) -> Any:
    """The usage API's answer; its warnings (missing rollup days) printed as one line each."""
    import warnings

    from nanogpt_frame.account.load_account_usage import load_account_usage

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        df = load_account_usage(
            args.start,
            args.end,
            source="sample" if args.sample else "live",
            max_age=args.max_age,
            timeout=args.timeout,
        )
    for warning in said:
        from nanogpt_frame.cli.output import say

        say("warning", str(warning.message))
    return df


def _write(text: str) -> None:
    sys.stdout.write(text)


def _with_note_last(table: str, lines: list[str]) -> str:
    """``table`` (a rendered table) with ``lines`` inserted before its last line(s) naming the
    hidden columns, so that note stays the output's last word."""
    import re

    body = table.rstrip("\n")
    found = re.search(r"\n(\(\d+ more columns? with --format csv or json:[^)]*\))$", body)
    note = found.group(1) if found else ""
    body = body[: found.start()] if found else body
    extra = "".join(f"{line}\n" for line in lines)
    return f"{body}\n\n{extra}" + (f"\n{note}\n" if note else "")


def spend_command(args: argparse.Namespace) -> int:
    from nanogpt_frame.cli.output import Layout, number_text, render, terminal_width

    df = _spend(args)
    if args.format != "table":  # the frame, under its own names, at its own precision
        _write(render(df, args.format))
        return 0
    layout = Layout(
        show=("day", "model", "requests", "cost_usd", "refunded_usd", "net_cost_usd"),
        drop=("refunded_usd",),
        shrink=("model",),
    )
    sums = {c: float(df[c].sum()) for c in ("cost_usd", "refunded_usd", "net_cost_usd")}
    text = (
        f"spend {df.attrs.get('from')} to {df.attrs.get('to')}: {int(df['requests'].sum())} "
        f"requests, cost {number_text(round(sums['cost_usd'], 12))} USD, refunded "
        f"{number_text(round(sums['refunded_usd'], 12))}, net "
        f"{number_text(round(sums['net_cost_usd'], 12))} (the rows' sums)."
    )
    missing = df.attrs.get("missing_rollup_days") or []
    if missing:
        text += f" Not counted yet (missing rollup days): {', '.join(missing)}."
    lines = textwrap.wrap(text, terminal_width())
    _write(_with_note_last(render(df, "table", layout=layout), lines))
    return 0


def _log(args: argparse.Namespace) -> Any:
    from nanogpt_frame.errors import ConfigError
    from nanogpt_frame.usage.read_responses import read_responses

    if args.log is not None:
        return read_responses(args.log)
    if not args.sample:
        raise ConfigError("name a log of API responses (.jsonl), or use --sample")
    from nanogpt_frame.sample import sample_responses_path

    return read_responses(sample_responses_path())


def _prices(args: argparse.Namespace) -> Any:
    from nanogpt_frame.errors import ConfigError

    if args.history:
        from nanogpt_frame.snapshots.read import read_snapshots

        return read_snapshots(args.history, kind="models")
    if args.sample:
        from nanogpt_frame.catalog.sample_history import sample_history

        return sample_history()
    raise ConfigError("name the price history with --history ROOT (or use --sample)")


def _routes(args: argparse.Namespace) -> Any:
    """``--routes`` as given; with ``--sample`` and none, the sample's routes (as ``cost``)."""
    if args.routes is not None:
        return args.routes
    if args.sample:
        from nanogpt_frame.routes.load_routes import load_routes

        return load_routes(source="sample")
    return None


def reconcile_command(args: argparse.Namespace) -> int:
    from nanogpt_frame.cli.output import Layout, render, terminal_width
    from nanogpt_frame.usage.cost_usage import cost_usage
    from nanogpt_frame.usage.reconcile import reconcile

    log = _log(args)
    history = _prices(args)
    costed = cost_usage(log, history, routes=_routes(args))
    by = [c.strip() for c in args.by.split(",") if c.strip()]
    billed = _spend(args) if args.spend else None
    out = reconcile(costed, billed, by=by, tolerance=args.tolerance, models=history)
    if args.format != "table":
        _write(render(out, args.format))
        return 0
    shown = out if args.all else out[out["status"] != "match"]
    shown = shown.reset_index(drop=True)
    layout = Layout(
        show=(*by, "status", "expected_usd", "billed_usd", "difference_usd"),
        shrink=("model",),
    )
    width = terminal_width()
    lines: list[str] = []
    for row in shown.to_dict("records"):
        keys = " ".join(str(row[k]) for k in by)
        lines += textwrap.wrap(
            f"{keys} ({row['status']}): {row['explanation']}",
            width=width,
            subsequent_indent="    ",
        )
    if lines:
        lines.append("")
    totals = out.attrs["totals"]
    counts = ", ".join(f"{n} {s}" for s, n in totals["by_status"].items())
    lines += textwrap.wrap(
        f"{totals['requests']} requests in {totals['groups']} groups: {counts}. Compared "
        f"groups: expected {totals['compared_expected_usd']:.6f}, billed "
        f"{totals['compared_billed_usd']:.6f}, difference {totals['difference_usd']:+.6f} "
        f"USD. Log lines skipped (not responses): {log.attrs.get('skipped', 0)}."
        + ("" if args.all else " Matching groups hidden (--all shows them)."),
        width=width,
    )
    _write(_with_note_last(render(shown, "table", layout=layout), lines))
    return 0


#: The handlers of the commands above (``cli/commands.py`` adds them to ``HANDLERS``).
ACCOUNT_HANDLERS = {"spend": spend_command, "reconcile": reconcile_command}
