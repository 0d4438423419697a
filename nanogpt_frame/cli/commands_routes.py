"""The ``routes`` command: the cheapest provider route per model, or a routes snapshot."""

from __future__ import annotations

import argparse
import sys
import warnings

__all__ = ("routes_command",)


def routes_command(args: argparse.Namespace) -> int:
    from nanogpt_frame.cli.commands import _emit
    from nanogpt_frame.routes.load_routes import load_routes

    source = "sample" if args.sample else (args.source or "live")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        routes = load_routes(
            args.model or None,
            source=source,
            rate=args.rate,
            max_age=args.max_age,
            timeout=args.timeout,
            progress=False if args.no_progress else None,
        )
    _refuse_unknown_models(args.model or (), routes, source)
    for warning in caught:  # no error: the library's warnings reach the user as they were
        warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    if args.snapshot_out:
        return _snapshot(routes, args)
    from nanogpt_frame.analysis.route_prices import cheapest_routes

    best = cheapest_routes(routes, distillation=args.distillation)
    none = sorted(set(args.model or ()) - set(best["model_id"]) - set(routes.attrs["failed"]))
    if none:
        from nanogpt_frame.cli.output import say

        say("note", f"no available, priced route for {', '.join(none)}")
    best = best.head(args.top)
    _emit(
        best,
        args.format,
        drop=(
            "quantization",
            "default_price_prompt",
            "default_price_completion",
            "price_prompt",
            "price_completion",
            "routes_available",
            "default_blended_price",
            "markup_blended",
            "effective_distillation_status",
        ),
        shrink=("model_id",),
        keep_whole=True,
    )
    return 0


def _refuse_unknown_models(asked, routes, source: str) -> None:
    """A ``--model`` that no route response has (a typo, an id not served) is an error."""
    from nanogpt_frame.errors import ConfigError

    unknown = [m for m in dict.fromkeys(asked) if m not in set(routes["model_id"].astype(str))]
    if not unknown:
        return
    failed = routes.attrs.get("failed", {})
    shown = "; ".join(f"{m!r} ({failed.get(m, 'no route response')})" for m in unknown[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    known = set(failed) | set(routes["model_id"].astype(str))
    close = sorted(k for k in known if k.lower() == unknown[0].lower() and k != unknown[0])
    hint = f"; ids are case-sensitive: did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"no routes for {len(unknown)} model id(s) in {source}: {shown}{more}; check the id "
        f"(`nanogpt-frame rank` lists them){hint}"
    )


def _snapshot(routes, args: argparse.Namespace) -> int:
    import json

    from nanogpt_frame.cli.output import one_line
    from nanogpt_frame.snapshots.write import write_snapshot

    path = write_snapshot(routes, args.snapshot_out, force=args.force)
    summary = {
        "path": path,
        "models": int(routes["model_id"].nunique()),
        "routes": int(routes["provider"].notna().sum()),
        "failed": len(routes.attrs.get("failed", {})),
    }
    if args.format == "json":
        print(json.dumps(summary))
    elif args.format == "csv":
        print(one_line(f"wrote {path}"), file=sys.stderr)
        print("models,routes,failed")
        print(f"{summary['models']},{summary['routes']},{summary['failed']}")
    else:
        print(one_line(f"wrote {path}"))
        print(f"{summary['models']} models, {summary['routes']} routes, {summary['failed']} failed")
    return 0
