"""The bundled sample: where its files are, and the small price history and usage log built on it.

The sample catalog is one load (``data/*.json``). ``sample_history()`` turns it into a history
of a few snapshots by applying the invented changes listed in ``data/history.json`` (price cuts
and rises, a model added, one retired, one moving into the subscription), so history, diffs and
usage costing run offline. ``sample_usage()`` is a synthetic request log over the same span.
Neither is NanoGPT's data: both are labelled so in ``data/README.md``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import PayloadError
from ..frame.combine import frames_from_listings
from ..frame.schema import ENDPOINTS

__all__ = ("sample_as_of", "sample_dir", "sample_history", "sample_usage")


def sample_dir() -> Path:
    """Folder of the bundled sample (inside the installed package, or ``data/`` in a checkout)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_sample", here.parent / "data"):
        if (candidate / "canonical.json").is_file():
            return candidate
    raise PayloadError("the bundled sample catalog is missing from this installation")


def sample_as_of() -> str | None:
    """The sample catalog's as-of date (``YYYY-MM-DD``) from its manifest."""
    try:
        manifest = json.loads((sample_dir() / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return manifest.get("as_of") if isinstance(manifest, dict) else None


@cache
def _raw() -> tuple[dict[str, Any], dict[str, Any]]:
    folder = sample_dir()
    listings = {e: json.loads((folder / f"{e}.json").read_text("utf-8")) for e in ENDPOINTS}
    plan = json.loads((folder / "history.json").read_text("utf-8"))
    return listings, plan


def _apply(listings: dict[str, Any], change: dict[str, Any]) -> None:
    """One invented change, applied to the raw listings as the API would have served them."""
    model_id = change["id"]
    if change.get("remove"):
        for endpoint in ENDPOINTS:
            data = listings[endpoint]["data"]
            data[:] = [m for m in data if m["id"] != model_id]
        return
    if "record" in change:  # a model that existed then
        listings["canonical"]["data"].append(copy.deepcopy(change["record"]))
        side = "subscription" if change.get("subscription") else "paid"
        listings[side]["data"].append(copy.deepcopy(change["record"]))
        return
    for endpoint in ENDPOINTS:
        for record in listings[endpoint]["data"]:
            if record["id"] == model_id:
                record.setdefault("pricing", {}).update(change.get("pricing", {}))
    if "subscription" in change:  # membership moves between the two listings
        move_to = "subscription" if change["subscription"] else "paid"
        move_from = "paid" if change["subscription"] else "subscription"
        moving = [m for m in listings[move_from]["data"] if m["id"] == model_id]
        listings[move_from]["data"] = [m for m in listings[move_from]["data"]
                                       if m["id"] != model_id]
        listings[move_to]["data"].extend(moving)


def sample_history() -> pd.DataFrame:
    """A small price history on the sample: one models frame holding a few snapshots.

    The newest snapshot is the sample catalog itself; each older one undoes the invented
    changes of ``data/history.json`` that came after it. Illustrative, not NanoGPT's history.

    >>> history = sample_history()
    >>> history["snapshot_at"].nunique() >= 3
    True
    """
    listings, plan = _raw()
    frames = []
    for snapshot in plan["snapshots"]:
        state = copy.deepcopy(listings)
        # undo, newest first, every change made after this snapshot
        undo = [c for c in plan["before"] if c["until"] > snapshot["at"]]
        for change in sorted(undo, key=lambda c: c["until"], reverse=True):
            _apply(state, change)
        frame = frames_from_listings(state, snapshot_at=snapshot["at"])
        frames.append(frame)
    history = pd.concat(frames, ignore_index=True)
    history.attrs = {"source": "sample history", "sample_as_of": sample_as_of()}
    return history


def sample_usage() -> pd.DataFrame:
    """The synthetic request log of the sample (``data/usage.csv``): one row per request.

    >>> usage = sample_usage()
    >>> list(usage.columns)[:3]
    ['timestamp', 'model', 'input_tokens']
    """
    return pd.read_csv(sample_dir() / "usage.csv", dtype={"model": "string", "provider": "string"})
