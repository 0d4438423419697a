"""Presentation for the command line: frames to aligned tables, CSV or JSON. No computing."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ("render", "render_many_json")


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column].dtype):
            out[column] = out[column].round(6)
    return out


def render(table: pd.DataFrame | pd.Series, fmt: str, *, title: str | None = None) -> str:
    """A frame as ``table`` (aligned, for a terminal), ``csv`` or ``json`` (records) text."""
    df = table.to_frame() if isinstance(table, pd.Series) else table
    df = _plain(df)
    if fmt == "csv":
        return df.to_csv(index=False)
    if fmt == "json":
        return df.to_json(orient="records", date_format="iso", force_ascii=False) + "\n"
    if len(df):
        shown = df.copy()
        for column in shown.columns:  # "-" for unknown, whatever the dtype
            if pd.api.types.is_float_dtype(shown[column].dtype):
                shown[column] = shown[column].astype("float64")  # NaN prints as na_rep
            else:
                values = shown[column].astype(object)
                shown[column] = values.where(shown[column].notna(), "-")
        body = shown.to_string(index=False, na_rep="-", max_colwidth=90)
    else:
        body = "(none)"
    heading = f"{title}\n{'-' * len(title)}\n" if title else ""
    return f"{heading}{body}\n\n"


def render_many_json(tables: dict[str, pd.DataFrame]) -> str:
    """Several named tables as one JSON object of record lists."""
    out: dict[str, Any] = {
        name: json.loads(_plain(t).to_json(orient="records", date_format="iso"))
        for name, t in tables.items()
    }
    return json.dumps(out, indent=1, ensure_ascii=False) + "\n"
