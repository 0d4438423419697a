"""The bundled sample: where its files are (``data/`` in a checkout, ``_sample`` installed).

Every folder may use it: the catalog (``catalog.sample_history`` builds the sample's small price
history on it), the routes, the synthetic usage log (``sample_usage``). None of it is NanoGPT's
live data; ``data/README.md`` says what is real and what is illustrative.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from nanogpt_frame.errors import PayloadError

__all__ = ("sample_as_of", "sample_dir", "sample_responses_path", "sample_usage")


def sample_dir() -> Path:
    """Folder of the bundled sample (inside the installed package, or ``data/`` in a checkout)."""
    here = Path(__file__).resolve().parent
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


def sample_usage() -> pd.DataFrame:
    """The synthetic request log of the sample (``data/usage.csv``): one row per request.

    >>> usage = sample_usage()
    >>> list(usage.columns)[:3]
    ['timestamp', 'model', 'input_tokens']
    """
    return pd.read_csv(sample_dir() / "usage.csv", dtype={"model": "string", "provider": "string"})


def sample_responses_path() -> Path:
    """The synthetic responses log of the sample (``data/account/responses.jsonl``): logged API
    responses with their ``x_nanogpt_pricing``, for ``read_responses`` and ``reconcile``.

    >>> sample_responses_path().name
    'responses.jsonl'
    """
    return sample_dir() / "account" / "responses.jsonl"
