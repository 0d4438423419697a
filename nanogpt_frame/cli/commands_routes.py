"""The ``routes`` command: the cheapest provider route per model, or a routes snapshot."""

from __future__ import annotations

import argparse
import sys

__all__ = ("routes_command",)


def routes_command(args: argparse.Namespace) -> int:
    from nanogpt_frame.cli.commands import _emit
    from nanogpt_frame.routes.load_routes import load_routes

    source = "sample" if args.sample else (args.source or "live")
    routes = load_routes(
        args.model or None,
        source=source,
        rate=args.rate,
        max_age=args.max_age,
        timeout=args.timeout,
        progress=False if args.no_progress else None,
    )
    if args.snapshot_out:
        return _snapshot(routes, args)
    from nanogpt_frame.analysis.route_prices import cheapest_routes

    best = cheapest_routes(routes, distillation=args.distillation)
    none = sorted(set(args.model or ()) - set(best["model_id"]) - set(routes.attrs["failed"]))
    if none:
        print(
            f"nanogpt-frame: note: no available, priced route for {', '.join(none)}",
            file=sys.stderr,
        )
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
        headers={
            "effective_distillation_status": "distillation",
            "blended_price": "price",
            "default_blended_price": "default",
            "markup_blended": "markup",
            "routes_available": "routes",
            "price_prompt": "prompt",
            "price_completion": "completion",
            "default_price_prompt": "default_prompt",
            "default_price_completion": "default_completion",
        },
    )
    return 0


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
