"""What each ``nanogpt-frame`` command does: load, call the library, print. Parsing is in cli.py.

Every heavy import happens inside a handler, so importing this module stays cheap.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from nanogpt_frame.cli.commands_account import ACCOUNT_HANDLERS

__all__ = ("HANDLERS",)


def _load(args: argparse.Namespace):
    from nanogpt_frame.catalog.load_catalog import load

    endpoints = tuple(e.strip() for e in args.endpoints.split(",") if e.strip())
    if args.sample:
        return load("sample", endpoints=endpoints)
    if args.source:
        return load(args.source, endpoints=endpoints)
    return load("live", endpoints=endpoints, max_age=args.max_age, timeout=args.timeout)


def _emit(table: Any, fmt: str, *, title: str | None = None, **layout: Any) -> None:
    from nanogpt_frame.cli.output import Layout, render

    sys.stdout.write(render(table, fmt, title=title, layout=Layout(**layout)))


def _summary(args: argparse.Namespace) -> int:
    import pandas as pd

    from nanogpt_frame.analysis.catalog_summary import catalog_summary

    tables = catalog_summary(_load(args))
    if args.format == "json":
        from nanogpt_frame.cli.output import render_many_json

        sys.stdout.write(render_many_json(tables))
    elif args.format == "csv":  # one table: long form, a section column says which part
        long = pd.concat([t.assign(section=name) for name, t in tables.items()], ignore_index=True)
        _emit(long[["section", *(c for c in long.columns if c != "section")]], "csv")
    else:
        for title, table in tables.items():
            _emit(table, "table", title=title, shrink=table.columns[:1])
    return 0


def _rank(args: argparse.Namespace) -> int:
    from nanogpt_frame.analysis.ranking import rank_models

    volumes = {
        "input_tokens": args.input_tokens,
        "output_tokens": args.output_tokens,
        "cached_tokens": args.cached_tokens,
    }
    workload = None  # any token count given ranks by that workload's cost
    if any(v is not None for v in volumes.values()):
        workload = {name: v or 0 for name, v in volumes.items()}
    require = [c.strip() for c in args.require.split(",") if c.strip()]
    ranked = rank_models(
        _load(args), require=require, min_context=args.min_context, workload=workload
    )
    price = ranked.columns[1]
    columns = [
        "rank",
        price,
        "id",
        "owned_by",
        "in_subscription",
        "price_prompt",
        "price_completion",
        "context_length",
    ]
    _emit(
        ranked[columns].head(args.top),
        args.format,
        drop=("owned_by", "in_subscription", "context_length", "price_completion", "price_prompt"),
        shrink=("id",),
        keep_whole=True,
        headers={
            price: "price" if price == "blended_price" else "cost_usd",
            "in_subscription": "in_sub",
            "context_length": "context",
            "price_prompt": "prompt",
            "price_completion": "completion",
        },
    )
    return 0


def _split(args: argparse.Namespace) -> int:
    from nanogpt_frame.analysis.subscription import subscription_summary

    table = subscription_summary(_load(args), by=args.by)
    if args.format == "table":  # the essentials fit a terminal; csv/json carry every column
        table = table[
            [
                args.by,
                "models_subscription",
                "models_paid",
                "share_in_subscription",
                "median_blended_subscription",
                "median_blended_paid",
                "list_value_subscription",
            ]
        ]
    _emit(
        table,
        args.format,
        drop=("list_value_subscription",),
        shrink=(args.by,),
        headers={
            "models_subscription": "sub",
            "models_paid": "paid",
            "share_in_subscription": "share_sub",
            "median_blended_subscription": "median_sub",
            "median_blended_paid": "median_paid",
            "list_value_subscription": "sub_list_value",
        },
    )
    return 0


def _quality(args: argparse.Namespace) -> int:
    from nanogpt_frame.analysis.quality import quality_report

    _emit(
        quality_report(_load(args)),
        args.format,
        drop=("source_endpoint",),
        shrink=("message", "id"),
        wrap=("message", "id"),
        headers={"source_endpoint": "listing"},
    )
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    import pandas as pd

    from nanogpt_frame.snapshots.write import write_snapshot

    df = _load(args)
    path = write_snapshot(df, args.out, force=args.force)
    rows = df.groupby("source_endpoint", sort=False).size()
    table = pd.DataFrame({"listing": rows.index, "rows": rows.to_numpy()})
    if args.format == "json":
        import json

        print(json.dumps({"path": path, "rows": {k: int(v) for k, v in rows.items()}}))
        return 0
    from nanogpt_frame.cli.output import one_line

    print(one_line(f"wrote {path}"), file=sys.stderr if args.format == "csv" else sys.stdout)
    _emit(table, args.format)
    return 0


def _snapshot_path(path: str) -> str:
    """A snapshot file as given, or the newest snapshot under a folder (a missing path fails)."""
    from pathlib import Path

    from nanogpt_frame.errors import SnapshotError
    from nanogpt_frame.snapshots.read import latest_snapshots

    if "://" in path:
        return path if path.split("?", 1)[0].endswith(".parquet") else latest_snapshots(path, 1)[-1]
    if Path(path).is_dir():
        return latest_snapshots(path, 1)[-1]
    if not Path(path).exists():
        raise SnapshotError(f"{path!r} does not exist")
    return path


def _current_requested(args: argparse.Namespace) -> bool:
    return bool(args.sample or args.source or getattr(args, "live", False))


def _diff(args: argparse.Namespace) -> int:
    from pathlib import Path

    import pandas as pd

    from nanogpt_frame.analysis.diff import diff
    from nanogpt_frame.errors import ConfigError
    from nanogpt_frame.snapshots.read import latest_snapshots, read_snapshot_file

    if args.new is not None:
        old, new = _snapshot_path(args.old), _snapshot_path(args.new)
        label = new
    elif _current_requested(args):
        old, new = _snapshot_path(args.old), _load(args)
        label = new.attrs.get("source", "current catalog")
    elif "://" not in args.old and Path(args.old).is_file():
        raise ConfigError(
            f"{args.old!r} is one snapshot file: name NEW too, or compare it with the current "
            "catalog (--sample, --source PATH or --live)"
        )
    else:
        old, new = latest_snapshots(args.old, 2)
        label = new
    if args.format == "table":
        from nanogpt_frame.cli.output import one_line

        print(one_line(f"{old} -> {label}"))
    frames = [
        side if isinstance(side, pd.DataFrame) else read_snapshot_file(side) for side in (old, new)
    ]
    _emit(
        diff(*frames),
        args.format,
        drop=("review", "relative_change"),
        shrink=("id", "old", "new"),
        headers={"relative_change": "change_%"},
    )
    return 0


def _history(args: argparse.Namespace) -> int:
    import pandas as pd

    from nanogpt_frame.analysis.timeline import price_history
    from nanogpt_frame.errors import ConfigError
    from nanogpt_frame.snapshots.read import read_snapshots

    if args.root is None and not _current_requested(args):
        raise ConfigError("name a snapshot ROOT, or use --sample/--source for the current catalog")
    parts, current = [], None
    if args.root is not None:
        parts.append(read_snapshots(args.root, ids=[args.model]))
    if _current_requested(args):
        current = _load(args)
        parts.append(current[current["id"] == args.model])
    history = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if history.empty:  # only now read every id, for a case-insensitive suggestion
        everyone = set() if current is None else set(current["id"])
        if args.root is not None:
            everyone |= set(read_snapshots(args.root, columns=["id"])["id"])
        close = sorted(i for i in everyone if i.lower() == args.model.lower())
        hint = f"; ids are case-sensitive: did you mean {close[0]!r}?" if close else ""
        where = args.root or "the current catalog"
        raise ConfigError(f"model {args.model!r} is in no snapshot under {where}{hint}")
    table = price_history(history, args.model)
    if args.format == "table":
        table = table[
            [
                "valid_from",
                "valid_to",
                "last_seen",
                "current",
                "price_prompt",
                "price_completion",
                "price_cache_read",
                "price_cache_write",
            ]
        ]
    _emit(
        table,
        args.format,
        drop=("price_cache_write", "last_seen", "price_cache_read"),
        headers={
            "price_prompt": "prompt",
            "price_completion": "completion",
            "price_cache_read": "cache_read",
            "price_cache_write": "cache_write",
        },
    )
    return 0


def _routes(args: argparse.Namespace) -> int:
    from nanogpt_frame.cli.commands_routes import routes_command

    return routes_command(args)


def _cost(args: argparse.Namespace) -> int:
    from nanogpt_frame.cli.commands_cost import cost_command

    return cost_command(args)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "snapshot": _snapshot,
    "diff": _diff,
    "history": _history,
    "summary": _summary,
    "rank": _rank,
    "split": _split,
    "quality": _quality,
    "routes": _routes,
    "cost": _cost,
    **ACCOUNT_HANDLERS,
}
