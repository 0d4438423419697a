"""Presentation for the command line: frames to tables that fit the terminal, CSV or JSON.

One rule for names: every format shows the frame's column names (``Layout.headers``, when a
command gives any, renames the column in every format alike), so what a table shows is what a
script reads from ``--format csv`` or ``json``.

Tables fit the terminal's width (``COLUMNS`` or the real size; 80 when unknown): headers wrap
after ``_`` where the values are narrower, wrapping text breaks between words (or after ``/``,
``-``, ``_``, ``,``), the least important columns are left out, long text is shortened with
``…``, and the last line names every hidden column in full. Numbers read as money: at most 4
decimals from 1 up, 4 significant digits below 1, decimal points aligned, no ``1e-05`` unless
below a millionth; trailing zeros are kept only where rounding dropped digits.

CSV and JSON carry every column at the frame's precision: prices and other numbers to 9
significant digits, costs to 1e-12 USD, never binary noise; counts stay integers, unknown is
empty (CSV) or ``null`` (JSON), numbers are JSON numbers. No computing here.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from nanogpt_frame.values import round9

__all__ = (
    "Layout",
    "is_cost_column",
    "machine_frame",
    "number_text",
    "one_line",
    "render",
    "render_many_json",
    "terminal_width",
    "wrap_text",
)

ELLIPSIS = "…"
_MIN_TEXT = 10
_SOFT_TEXT = 24
_WRAP_TEXT = 30
_TINY = 1e-6  # below this (and above 0) a number is shown as 1.23e-07
_BREAK_AFTER = re.compile(r"(?<=[/_,\-])")  # where a word too long for its line may break
_COST_WORDS = ("cost", "spend", "value", "usd")


def terminal_width() -> int:
    """The terminal's width in characters (``COLUMNS`` wins), 80 when it cannot be told."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


class Layout:
    """How a table shrinks to fit: columns to drop first, text columns that may be shortened.

    Args:
        drop: columns that may be left out, least important first.
        shrink: text columns that may be shortened, the first most willingly.
        headers: new names for columns, used alike in every format (table, CSV, JSON).
        wrap: shrinkable text columns whose long values wrap onto more lines instead of being
            cut with ``…``.
        keep_whole: leave columns out before shortening any text (ids stay copyable).
        show: the columns a table shows (default all); the others are named in its last line,
            and CSV/JSON carry them all.
    """

    def __init__(
        self,
        drop: Sequence[str] = (),
        shrink: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
        wrap: Sequence[str] = (),
        keep_whole: bool = False,
        show: Sequence[str] | None = None,
    ):
        self.drop = tuple(drop)
        self.shrink = tuple(shrink)
        self.headers = dict(headers or {})
        self.wrap = tuple(wrap)
        self.keep_whole = keep_whole
        self.show = None if show is None else tuple(show)


def number_text(value: float) -> str:
    """A number as a table shows it (money-friendly, never ``1e-05`` unless below a millionth).

    >>> [number_text(v) for v in (0.0275, 0.10004925, 1312.5, 14.522910246, 3e-5, 2e-9, 148.0)]
    ['0.0275', '0.1000', '1312.5', '14.5229', '0.00003', '2e-09', '148']
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    size = abs(value)
    if size >= 1e15 or size < _TINY:
        return f"{value:.3g}"
    decimals = 4 if size >= 1 else 3 - math.floor(math.log10(size))
    exact = Decimal(f"{value:.9g}")  # the frame's precision: binary noise is not a digit
    shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{shown:f}"
    if "." in text and shown == exact:  # nothing lost: no trailing zeros
        text = text.rstrip("0").rstrip(".")
    return text


def _cell(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return "-"
    if isinstance(value, float):
        return "-" if math.isnan(value) else number_text(value)
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_convert("UTC")
        return value.strftime("%Y-%m-%d %H:%M")
    return " ".join(str(value).split())  # one line per row, whatever the text held


def _aligned(cells: list[str]) -> list[str]:
    """Numbers of one column with their decimal points in line."""
    parts = [c.partition(".") for c in cells]
    whole = max(len(p[0]) for p in parts)
    fraction = max(len(p[1] + p[2]) for p in parts)
    return [(p[0].rjust(whole) + (p[1] + p[2]).ljust(fraction)) for p in parts]


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def wrap_text(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width``: breaks between words, or after ``/ - _ ,`` in a
    word longer than a line; only a piece longer than a whole line is cut.

    >>> wrap_text("differs only by case from nousresearch/hermes-4-70b", 21)
    ['differs only by case', 'from nousresearch/', 'hermes-4-70b']
    """
    tokens: list[tuple[str, str]] = []  # (glue before it, piece)
    for word in text.split():
        pieces = [word] if len(word) <= width else [p for p in _BREAK_AFTER.split(word) if p]
        glue = " "
        for piece in pieces:
            while len(piece) > width:  # nowhere to break: cut it
                tokens.append((glue, piece[:width]))
                glue, piece = "", piece[width:]
            tokens.append((glue, piece))
            glue = ""
    lines: list[str] = []
    current = ""
    for glue, piece in tokens:
        if current and len(current) + len(glue) + len(piece) <= width:
            current += glue + piece
        else:
            if current:
                lines.append(current)
            current = piece
    return [*lines, current] if current or not lines else lines


def _header_lines(header: str, width: int) -> list[str]:
    """A header over lines of ``width``, broken after ``_`` (``price_`` / ``completion``)."""
    if len(header) <= width:
        return [header]
    lines: list[str] = []
    for piece in (p for p in re.split(r"(?<=_)", header) if p):
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines


def _header_floor(header: str) -> int:
    return max(len(p) for p in re.split(r"(?<=_)", header) if p)


def _fit(cells: dict[str, list[str]], headers: dict[str, str], layout: Layout, width: int):
    """Narrow and drop columns until the table fits ``width``; returns widths and hidden.

    What loses nothing goes first: wrapping columns narrow, then headers wider than their
    values wrap after ``_``. Then text is shortened (the widest shrinkable column first, down
    to a comfortable ``_SOFT_TEXT``), then columns are left out in ``layout.drop`` order, then
    text is shortened down to ``_MIN_TEXT``.
    """
    values = {c: max(map(len, cells[c]), default=0) for c in cells}
    w = {c: max(len(headers[c]), values[c]) for c in cells}

    def total() -> int:
        return sum(w.values()) + 2 * (len(w) - 1)

    def floor(c: str) -> int:
        return max(_header_floor(headers[c]), 1)

    def shrink(least: int, columns: Sequence[str] = layout.shrink) -> None:
        while total() > width:
            movable = [c for c in columns if c in w and w[c] > max(least, floor(c))]
            if not movable:
                return
            widest = max(movable, key=lambda c: w[c])
            w[widest] -= 1

    def wrap_headers() -> None:
        for c in sorted(w, key=lambda c: w[c] - max(values[c], floor(c)), reverse=True):
            if total() <= width:
                return
            w[c] = min(w[c], max(values[c], floor(c)))

    hidden: list[str] = []
    shrink(_WRAP_TEXT, layout.wrap)  # wrapping loses nothing: those columns give way first
    wrap_headers()
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


def _note(hidden: list[str], width: int) -> list[str]:
    """The last line(s): every hidden column named in full, wrapped between names."""
    count = f"{len(hidden)} more column{'s' if len(hidden) > 1 else ''}"
    text = f"({count} with --format csv or json: {', '.join(hidden)})"
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _table(df: pd.DataFrame, layout: Layout, width: int, columns: Sequence[str] = ()) -> str:
    """``df`` as a table; ``columns`` (the whole frame's, in order) says what else is hidden."""
    if df.empty:
        return "(none)\n"
    headers = {c: str(c) for c in df.columns}
    numeric = {c for c in df.columns if _is_number(df[c])}
    cells = {c: [_cell(v) for v in df[c].astype(object)] for c in df.columns}
    for c in numeric:
        cells[c] = _aligned(cells[c])
    w, _ = _fit(cells, headers, layout, width)

    def lines(texts: dict[str, str], header: bool = False) -> list[str]:
        pieces = {}
        for column in cells:
            text = texts[column]
            if header:
                pieces[column] = _header_lines(text, w[column])
            elif column in layout.wrap and len(text) > w[column]:
                pieces[column] = wrap_text(text, w[column]) or [""]
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

    rows = lines({c: headers[c] for c in cells}, header=True)
    for i in range(len(df)):
        rows += lines({c: cells[c][i] for c in cells})
    gone = [c for c in (columns or df.columns) if c not in cells]
    if gone:
        rows += _note(gone, width)
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


def is_cost_column(name: str) -> bool:
    """Whether a column holds USD amounts spent (rounded to 1e-12 USD) rather than prices.

    >>> [is_cost_column(c) for c in ("list_cost", "workload_cost_usd", "price_usd")]
    [True, True, False]
    """
    lowered = str(name).lower()
    return "price" not in lowered and any(word in lowered for word in _COST_WORDS)


def _rounded(values: np.ndarray, cost: bool) -> np.ndarray:
    if not cost:
        return round9(values)
    out = np.round(values, 12)
    return np.array([float(f"{v:.15g}") for v in out.tolist()], dtype=np.float64)


def machine_frame(df: pd.DataFrame, *, costs: Sequence[str] | None = None) -> pd.DataFrame:
    """``df`` at the frame's precision for CSV/JSON: floats without binary noise.

    Costs (``costs``, default the columns ``is_cost_column`` names) are rounded to 1e-12 USD,
    every other float to 9 significant digits; integers, text and times are left as they are.

    >>> out = machine_frame(pd.DataFrame({"price": [0.7350000000000001], "cost": [1.695396188001]}))
    >>> print(out.to_csv(index=False), end="")
    price,cost
    0.735,1.695396188001
    """
    out = df.copy()
    for name in df.columns:
        column = df[name]
        if not pd.api.types.is_float_dtype(column.dtype):
            continue
        values = column.astype("float64").to_numpy(na_value=np.nan)
        cost = is_cost_column(name) if costs is None else name in costs
        out[name] = _rounded(values, cost)
    return out


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
    df = machine_frame(df)
    columns = list(df.columns)
    return [
        {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
        for row in df.astype(object).itertuples(index=False, name=None)
    ]


def _renamed(layout: Layout) -> Layout:
    def name(c: str) -> str:
        return layout.headers.get(c, c)

    return Layout(
        drop=[name(c) for c in layout.drop],
        shrink=[name(c) for c in layout.shrink],
        wrap=[name(c) for c in layout.wrap],
        keep_whole=layout.keep_whole,
        show=None if layout.show is None else [name(c) for c in layout.show],
    )


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
    layout = layout or Layout()
    df = table.to_frame() if isinstance(table, pd.Series) else table
    if layout.headers:  # one name in every format: the layout's names follow
        df, layout = df.rename(columns=layout.headers), _renamed(layout)
    if fmt == "csv":
        return machine_frame(df).to_csv(index=False)
    if fmt == "json":
        return json.dumps(records(df), ensure_ascii=False) + "\n"
    heading = f"{title}\n{'-' * len(title)}\n" if title else ""
    shown = df if layout.show is None else df[[c for c in df.columns if c in layout.show]]
    body = _table(shown, layout, width or terminal_width(), list(df.columns))
    return f"{heading}{body}\n"


def render_many_json(tables: dict[str, pd.DataFrame]) -> str:
    """Several named tables as one JSON object of record lists."""
    return (
        json.dumps({name: records(t) for name, t in tables.items()}, indent=1, ensure_ascii=False)
        + "\n"
    )


def say(kind: str, text: str) -> None:
    r"""One message to stderr (``nanogpt-frame: warning: ...``), wrapped to the terminal's width.

    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     say("note", "a short note")
    >>> err.getvalue()
    'nanogpt-frame: note: a short note\n'
    """
    words = " ".join(f"nanogpt-frame: {kind}: {text}".split())
    width = terminal_width()
    lines = wrap_text(words, width)
    if len(lines) > 1:  # continuation lines indented under the first
        lines = [lines[0], *("    " + line for line in wrap_text(" ".join(lines[1:]), width - 4))]
    print("\n".join(lines), file=sys.stderr)
