"""The sample's price history: a few snapshots built on the bundled catalog.

``sample_history()`` applies, in reverse, the invented changes listed in ``data/history.json``
(price cuts and rises, a model added, one retired, one moving into the subscription) so that
history, diffs and usage costing run offline. Illustrative, not NanoGPT's history: labelled so in
``data/README.md``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pandas as pd

from nanogpt_frame.catalog.combine import frames_from_listings
from nanogpt_frame.sample import sample_as_of, sample_dir
from nanogpt_frame.schema import ENDPOINTS

__all__ = ("sample_history",)


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
        listings[move_from]["data"] = [
            m for m in listings[move_from]["data"] if m["id"] != model_id
        ]
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
