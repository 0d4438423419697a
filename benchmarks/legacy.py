"""The diff of release 0.1 (per-cell reads), kept to measure the new one against it in one run.

It shares the value-to-text rule with the current ``diff`` (imported), so both report the same.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from nanogpt_frame.analysis.diff import DIFF_FIELDS, REVIEW_THRESHOLD, _text
from nanogpt_frame.schema import PRICE_COLUMNS, require_columns, unique_models

_NUMERIC = frozenset((*PRICE_COLUMNS, "context_length", "max_output_tokens"))


def legacy_diff(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """What changed between two catalogs, one row per change.

    ``change`` is ``added``, ``removed`` or ``changed``; for ``changed`` rows ``field`` names the
    field (prices, limits, capabilities, distillation status, subscription membership; see
    ``DIFF_FIELDS``), ``old`` and ``new`` hold the values as text, ``relative_change`` is
    ``(new - old) / old`` for numbers, and ``review`` flags large moves (more than 50%, or a price
    appearing or disappearing). Each model counts once per catalog; ids are compared exactly.

    Args:
        old, new: models frames, or paths to snapshot files.

    >>> import nanogpt_frame as nf
    >>> diff(nf.load("sample"), nf.load("sample")).empty
    True
    """
    if not isinstance(old, pd.DataFrame):
        from .snapshots import read_snapshot_file

        old = read_snapshot_file(old)
    if not isinstance(new, pd.DataFrame):
        from .snapshots import read_snapshot_file

        new = read_snapshot_file(new)
    require_columns(old, ("id", *DIFF_FIELDS), what="diff")
    require_columns(new, ("id", *DIFF_FIELDS), what="diff")
    before = unique_models(old).set_index("id")
    after = unique_models(new).set_index("id")
    rows: list[dict[str, Any]] = []
    for model_id in sorted(set(after.index) - set(before.index)):
        rows.append({"change": "added", "id": model_id})
    for model_id in sorted(set(before.index) - set(after.index)):
        rows.append({"change": "removed", "id": model_id})
    common = sorted(set(before.index) & set(after.index))
    # Positional alignment: the two frames' id dtypes need not match (str, string, object).
    a = before.loc[common, list(DIFF_FIELDS)].reset_index(drop=True)
    b = after.loc[common, list(DIFF_FIELDS)].reset_index(drop=True)
    for field in DIFF_FIELDS:
        x, y = a[field], b[field]
        moved = ((x != y).fillna(False).astype(bool)) | (x.isna() != y.isna())
        for i in moved.to_numpy().nonzero()[0]:
            model_id, ov, nv = common[i], x.iat[i], y.iat[i]
            ov = None if pd.isna(ov) else ov
            nv = None if pd.isna(nv) else nv
            relative = None
            review = False
            if field in _NUMERIC:
                if ov is not None and nv is not None and ov != 0:
                    relative = (float(nv) - float(ov)) / float(ov)
                    review = abs(relative) > REVIEW_THRESHOLD
                elif field in PRICE_COLUMNS:
                    review = True  # a price appeared, disappeared or left zero
            rows.append(
                {
                    "change": "changed",
                    "id": model_id,
                    "field": field,
                    "old": _text(ov),
                    "new": _text(nv),
                    "relative_change": relative,
                    "review": review,
                }
            )
    out = pd.DataFrame(
        rows, columns=["change", "id", "field", "old", "new", "relative_change", "review"]
    )
    out["review"] = out["review"].fillna(False).astype(bool)
    out["relative_change"] = out["relative_change"].astype("float64")
    order = {"added": 0, "removed": 1, "changed": 2}
    out = out.sort_values(
        ["change", "id", "field"],
        key=lambda s: s.map(order) if s.name == "change" else s,
        kind="stable",
    )
    return out.astype(
        {c: "string[pyarrow]" for c in ("change", "id", "field", "old", "new")}
    ).reset_index(drop=True)
