"""``read_usage()``: a usage log from a CSV (optionally gzipped) or Parquet file."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pandas as pd

from nanogpt_frame.errors import PayloadError

__all__ = ("read_usage",)


def read_usage(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A usage log from a CSV or Parquet file (by its suffix); ids are read as text.

    Raises:
        PayloadError: the file is missing, unreadable (a truncated or corrupt .csv.gz too),
            has two columns of one name, or is neither CSV nor Parquet.
    """
    path = Path(path)
    problem = None
    if not path.is_file():
        raise PayloadError(f"usage file {str(path)!r} does not exist or is not a file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if path.suffix.lower() in (".csv", ".txt", ".gz"):
            header = pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0].tolist()
            twice = sorted({str(name) for name in header if header.count(name) > 1})
            if twice:  # pandas would rename the second one "name.1" and it would be ignored
                problem = f"usage file {str(path)!r} has several columns named {twice}"
            else:
                return pd.read_csv(path, dtype={"model": "string", "provider": "string"})
    except (OSError, EOFError, zlib.error, ValueError, UnicodeDecodeError) as exc:
        # a truncated or corrupt .csv.gz raises EOFError, gzip.BadGzipFile or zlib.error
        problem = f"cannot read usage file {str(path)!r}: {exc}"
    else:
        problem = problem or f"usage file {str(path)!r} is neither .csv nor .parquet"
    raise PayloadError(problem)
