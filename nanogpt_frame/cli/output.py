"""Presentation for the command line: frames to tables that fit the terminal, CSV or JSON.

Tables fit the terminal's width (``COLUMNS`` or the real size; 80 when unknown): the least
important columns are left out first, then long text is shortened with ``…``, and a last line
says what was hidden. CSV and JSON always carry every column and full values. No computing here.
"""

from __future__ import annotations

import json
import math
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

__all__ = ("Layout", "one_line", "render", "render_many_json", "terminal_width")

ELLIPSIS = "…"
_MIN_TEXT = 10
_SOFT_TEXT = 24
_WRAP_TEXT = 30


def terminal_width() -> int:
    """The terminal's width in characters (``COLUMNS`` wins), 80 when it cannot be told."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


class Layout:
    """How a table shrinks to fit: columns to drop first, text columns that may be shortened,
    and shorter headers for the terminal (CSV/JSON keep the real names).

    Args:
        drop: columns that may be left out, least important first.
        shrink: text columns that may be shortened, the first most willingly.
        headers: terminal-only header names.
        wrap: shrinkable text columns whose long values wrap onto more lines instead of being
            cut with ``…``.
        keep_whole: leave columns out before shortening any text (ids stay copyable).
    """

    def __init__(
        self,
        drop: Sequence[str] = (),
        shrink: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
        wrap: Sequence[str] = (),
        keep_whole: bool = False,
    ):
        self.drop = tuple(drop)
        self.shrink = tuple(shrink)
        self.headers = dict(headers or {})
        self.wrap = tuple(wrap)
        self.keep_whole = keep_whole


def _cell(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.6g}" if abs(value) < 1e15 else f"{value:.6e}"
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_convert("UTC")
        return value.strftime("%Y-%m-%d %H:%M")
    return " ".join(str(value).split())  # one line per row, whatever the text held


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def _fit(cells: dict[str, list[str]], headers: dict[str, str], layout: Layout, width: int):
    """Shorten and drop columns until the table fits ``width``; returns widths and hidden.

    Wrapping columns narrow first (nothing is lost), then text is shortened (the widest
    shrinkable column first, down to a comfortable ``_SOFT_TEXT``), then columns are left out in
    ``layout.drop`` order, then text is shortened down to ``_MIN_TEXT``.
    """
    w = {c: max([len(headers[c]), *map(len, cells[c])]) for c in cells}

    def total() -> int:
        return sum(w.values()) + 2 * (len(w) - 1)

    def shrink(floor: int, columns: Sequence[str] = layout.shrink) -> None:
        while total() > width:
            movable = [c for c in columns if c in w and w[c] > max(floor, len(headers[c]))]
            if not movable:
                return
            widest = max(movable, key=lambda c: w[c])
            w[widest] -= 1

    hidden: list[str] = []
    shrink(_WRAP_TEXT, layout.wrap)  # wrapping loses nothing: those columns give way first
    if not layout.keep_whole:
        shrink(_SOFT_TEXT)
    for column in layout.drop:
        if total() <= width:
            break
        if column in cells and len(cells) > 1:
            del cells[column], w[column]
            hidden.append(column)
    shrink(_MIN_TEXT)
    return w, hidden


def _table(df: pd.DataFrame, layout: Layout, width: int) -> str:
    if df.empty:
        return "(none)\n"
    headers = {c: layout.headers.get(c, c) for c in df.columns}
    numeric = {c for c in df.columns if _is_number(df[c])}
    cells = {c: [_cell(v) for v in df[c].astype(object)] for c in df.columns}
    w, hidden = _fit(cells, headers, layout, width)

    def lines(values: dict[str, str]) -> list[str]:
        pieces = {}
        for column in cells:
            text = values[column]
            if column in layout.wrap and len(text) > w[column]:
                pieces[column] = textwrap.wrap(text, w[column], break_long_words=True) or [""]
            elif len(text) > w[column]:
                pieces[column] = [text[: w[column] - 1] + ELLIPSIS]
            else:
                pieces[column] = [text]
        out = []
        for i in range(max(map(len, pieces.values()))):
            parts = []
            for column in cells:
                text = pieces[column][i] if i < len(pieces[column]) else ""
                fill = text.rjust if column in numeric else text.ljust
                parts.append(fill(w[column]))
            out.append("  ".join(parts).rstrip())
        return out

    rows = lines({c: headers[c] for c in cells})
    for i in range(len(df)):
        rows += lines({c: cells[c][i] for c in cells})
    if hidden:
        note = f"({len(hidden)} more column(s) with --format csv or json: {', '.join(hidden)})"
        rows.append(note if len(note) <= width else note[: width - 2] + ELLIPSIS + ")")
    return "\n".join(rows) + "\n"


def one_line(text: str, width: int | None = None) -> str:
    """``text`` on one line of at most ``width`` characters, cut in the middle with ``…``.

    Paths keep their ends (where the file name is): ``/tmp/…/20260802T000000000000Z.parquet``.

    >>> one_line("/very/long/folder/name/snapshot.parquet", 24)
    '/very/long…pshot.parquet'
    """
    width = width or terminal_width()
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    keep = width - 1
    head = keep // 2 - 1
    return text[:head] + ELLIPSIS + text[len(text) - (keep - head) :]


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _json_value(value.item())
    return value


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-ready dicts (ISO times with microseconds, ``None`` for unknown)."""
    columns = list(df.columns)
    return [
        {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        for row in df.astype(object).itertuples(index=False, name=None)
    ]


def render(
    table: pd.DataFrame | pd.Series,
    fmt: str,
    *,
    title: str | None = None,
    layout: Layout | None = None,
    width: int | None = None,
) -> str:
    """A frame as ``table`` (fits the terminal), ``csv`` or ``json`` (records) text.

    >>> print(render(pd.DataFrame({"id": ["a/very-long-model-id"], "price": [1.5]}), "table",
    ...              layout=Layout(shrink=["id"]), width=20), end="")
    id             price
    a/very-long-…    1.5
    <BLANKLINE>
    """
    df = table.to_frame() if isinstance(table, pd.Series) else table
    if fmt == "csv":
        return df.to_csv(index=False)
    if fmt == "json":
        return json.dumps(records(df), ensure_ascii=False) + "\n"
    heading = f"{title}\n{'-' * len(title)}\n" if title else ""
    return f"{heading}{_table(df, layout or Layout(), width or terminal_width())}\n"


def render_many_json(tables: dict[str, pd.DataFrame]) -> str:
    """Several named tables as one JSON object of record lists."""
    return (
        json.dumps({name: records(t) for name, t in tables.items()}, indent=1, ensure_ascii=False)
        + "\n"
    )
