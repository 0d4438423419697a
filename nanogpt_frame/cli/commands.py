"""What each ``nanogpt-frame`` command does: load, call the library, print. Parsing is in cli.py.

Every heavy import happens inside a handler, so importing this module stays cheap.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from nanogpt_frame.cli.commands_account import ACCOUNT_HANDLERS
from nanogpt_frame.cli.commands_media import media_command
from nanogpt_frame.cli.commands_periods import periods_command

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
        counts = {  # a count missing from some sections is <NA> there, still an integer
            c
            for t in tables.values()
            for c in t.columns
            if pd.api.types.is_integer_dtype(t[c].dtype)
        }
        for column in counts:
            long[column] = long[column].astype("Int64")
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
    )
    return 0


def _split(args: argparse.Namespace) -> int:
    from nanogpt_frame.analysis.subscription import subscription_summary

    table = subscription_summary(_load(args), by=args.by)
    _emit(  # the essentials fit a terminal; the last line names the rest (csv/json: all)
        table,
        args.format,
        show=(
            args.by,
            "models_subscription",
            "models_paid",
            "share_in_subscription",
            "median_blended_subscription",
            "median_blended_paid",
            "list_value_subscription",
        ),
        drop=("list_value_subscription",),
        shrink=(args.by,),
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
    )
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    import pandas as pd

    if getattr(args, "kind", "models") == "media":
        from nanogpt_frame.cli.commands_media import media_snapshot

        return media_snapshot(args)

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
    """A snapshot file as given, or the newest snapshot of a root or day folder (the one rule)."""
    from nanogpt_frame.errors import ConfigError, SnapshotError
    from nanogpt_frame.snapshots.read import latest_snapshots
    from nanogpt_frame.snapshots.source import classify_source

    try:
        found = classify_source(path)
    except ConfigError:
        raise SnapshotError(f"{path!r} does not exist") from None
    if found.kind == "snapshot_root":
        return latest_snapshots(found.location, 1, day=found.day)[-1]
    if found.kind in ("live", "sample"):
        raise SnapshotError(f"{path!r} is not a snapshot file or root")
    return path


def _current_requested(args: argparse.Namespace) -> bool:
    return bool(args.sample or args.source or getattr(args, "live", False))


def _diff(args: argparse.Namespace) -> int:
    import pandas as pd

    from nanogpt_frame.analysis.diff import diff
    from nanogpt_frame.errors import ConfigError
    from nanogpt_frame.snapshots.read import latest_snapshots, read_snapshot_file
    from nanogpt_frame.snapshots.source import classify_source

    if args.new is not None:
        old, new = _snapshot_path(args.old), _snapshot_path(args.new)
        label = new
    elif _current_requested(args):
        old, new = _snapshot_path(args.old), _load(args)
        label = new.attrs.get("source", "current catalog")
    elif classify_source(args.old).kind in ("snapshot_file", "raw_file"):
        raise ConfigError(
            f"{args.old!r} is one snapshot file: name NEW too, or compare it with the current "
            "catalog (--sample, --source PATH or --live)"
        )
    else:
        found = classify_source(args.old)
        old, new = latest_snapshots(found.location, 2, day=found.day)
        label = new
    if args.format == "table":
        from nanogpt_frame.cli.output import one_line

        print(one_line(f"{old} -> {label}"))
    frames = [
        side if isinstance(side, pd.DataFrame) else read_snapshot_file(side) for side in (old, new)
    ]
    _emit(
        _diff_output(diff(*frames), frames, typed=args.format != "table"),
        args.format,
        drop=("review", "change_%"),
        shrink=("id", "old", "new"),
    )
    return 0


def _diff_output(changes: Any, frames: list[Any], *, typed: bool) -> Any:
    """The diff as every format shows it: ``change_%`` (percent) instead of the fraction
    ``relative_change``; with ``typed``, ``old``/``new`` of numeric and boolean fields as
    numbers and booleans (for CSV/JSON), else the frame's text."""
    import numpy as np
    import pandas as pd

    from nanogpt_frame.values import round9

    fraction = changes["relative_change"].astype("float64").to_numpy(na_value=np.nan)
    out = changes.drop(columns="relative_change")
    out.insert(list(changes.columns).index("relative_change"), "change_%", round9(fraction * 100))
    if not typed:
        return out
    kinds = {}
    for field in out["field"].dropna().unique():
        dtypes = [f[field].dtype for f in frames if field in f.columns]
        if dtypes and all(pd.api.types.is_bool_dtype(d) for d in dtypes):
            kinds[field] = "bool"
        elif dtypes and all(pd.api.types.is_numeric_dtype(d) for d in dtypes):
            kinds[field] = "number"
    for side in ("old", "new"):
        values = [
            _typed(text, kinds.get(field))
            for field, text in zip(
                out["field"].astype(object), out[side].astype(object), strict=True
            )
        ]
        out[side] = pd.Series(values, index=out.index, dtype=object)  # ints stay ints
    return out


def _typed(text: Any, kind: str | None) -> Any:
    """One ``old``/``new`` text of ``diff`` as the value it spells (``"400000"`` -> 400000)."""
    import pandas as pd

    if text is None or text is pd.NA:
        return None
    if kind == "bool":
        return {"true": True, "false": False}.get(text, text)
    if kind == "number":
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    return text


def _history(args: argparse.Namespace) -> int:
    import pandas as pd

    from nanogpt_frame.analysis.timeline import price_history
    from nanogpt_frame.errors import ConfigError
    from nanogpt_frame.snapshots.read import read_snapshots
    from nanogpt_frame.snapshots.source import classify_source, require_table

    if args.root is None and not _current_requested(args):
        raise ConfigError("name a snapshot ROOT, or use --sample/--source for the current catalog")
    parts, current = [], None
    root = None if args.root is None else classify_source(args.root)
    if root is not None:
        require_table(root, "models")
        day = root.day  # a day folder: only that day's snapshots
        parts.append(read_snapshots(root.location, since=day, until=day, ids=[args.model]))
    if _current_requested(args):
        current = _load(args)
        parts.append(current[current["id"] == args.model])
    history = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if history.empty:  # only now read every id, for a case-insensitive suggestion
        everyone = set() if current is None else set(current["id"])
        if root is not None:
            ids = read_snapshots(root.location, since=root.day, until=root.day, columns=["id"])
            everyone |= set(ids["id"])
        close = sorted(i for i in everyone if i.lower() == args.model.lower())
        hint = f"; ids are case-sensitive: did you mean {close[0]!r}?" if close else ""
        where = args.root or "the current catalog"
        raise ConfigError(f"model {args.model!r} is in no snapshot under {where}{hint}")
    table = price_history(history, args.model)
    _emit(
        table,
        args.format,
        show=(
            "valid_from",
            "valid_to",
            "last_seen",
            "current",
            "price_prompt",
            "price_completion",
            "price_cache_read",
            "price_cache_write",
        ),
        drop=("price_cache_write", "last_seen", "price_cache_read"),
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
    "media": media_command,
    "periods": periods_command,
    **ACCOUNT_HANDLERS,
}
