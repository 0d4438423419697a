"""``match_labels()``: the usage API's model labels to catalog ids, said plainly. Pure.

The usage API names a model by its public label ("GPT-4.1 mini"), not its id, and variants that
share a label may be merged into one bucket. A label matches the ids whose ``name`` equals it
exactly, else case- and space-insensitively; several ids are ``ambiguous`` (kept as a group,
never one picked), no id is ``none``. Nothing is merged silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from nanogpt_frame.errors import ConfigError

__all__ = ("label_key", "match_labels", "model_names")


def label_key(text: str) -> str:
    """A label as compared when no exact match exists: case-folded, without whitespace.

    >>> label_key(" GPT-4.1  Mini ") == label_key("gpt-4.1 mini")
    True
    """
    return "".join(str(text).split()).casefold()


def model_names(models: pd.DataFrame) -> pd.DataFrame:
    """Distinct ``(id, name)`` pairs of a models frame or history (old names count too)."""
    if not isinstance(models, pd.DataFrame) or not {"id", "name"} <= set(models.columns):
        raise ConfigError("models must be a models frame or history with 'id' and 'name'")
    pairs = models[["id", "name"]].dropna().astype(str).drop_duplicates()
    return pairs.sort_values(["id", "name"], kind="stable").reset_index(drop=True)


def _labels(usage: Any) -> list[str]:
    if isinstance(usage, pd.DataFrame):
        if "model" not in usage.columns:
            raise ConfigError("usage must have a 'model' column of labels (load_account_usage)")
        values = usage["model"]
    elif isinstance(usage, str):
        values = pd.Series([usage])
    elif isinstance(usage, Iterable):
        values = pd.Series(list(usage), dtype=object)
    else:
        raise ConfigError("usage must be an account-usage frame or an iterable of labels")
    return list(dict.fromkeys(str(v) for v in values.dropna()))


def match_labels(usage: pd.DataFrame | Iterable[str], models: pd.DataFrame) -> pd.DataFrame:
    """Per usage label, the catalog ids whose ``name`` matches it, and how.

    Args:
        usage: an account-usage frame (its ``model`` labels) or an iterable of labels.
        models: a models frame or a history (every name an id has had counts).

    Returns:
        One row per distinct label, in order of appearance: ``label``, ``id`` (the one id
        when exactly one matches, else ``<NA>``), ``ids`` (every matching id, joined with
        ``", "``), ``candidates`` (how many), ``match`` (``exact``, ``normalized``,
        ``ambiguous`` or ``none``) and ``explanation``.

    >>> models = pd.DataFrame({"id": ["openai/gpt-4.1-mini", "a/x", "a/x:thinking"],
    ...                        "name": ["GPT-4.1 mini", "X", "X"]})
    >>> match_labels(["GPT-4.1 mini", "gpt-4.1  MINI", "X", "Y"], models)["match"].tolist()
    ['exact', 'normalized', 'ambiguous', 'none']
    """
    pairs = model_names(models)
    exact: dict[str, list[str]] = {}
    loose: dict[str, list[str]] = {}
    for model_id, name in zip(pairs["id"], pairs["name"], strict=True):
        exact.setdefault(name, []).append(model_id)
        loose.setdefault(label_key(name), []).append(model_id)
    rows = []
    for label in _labels(usage):
        ids = sorted(set(exact.get(label, [])))
        how = "exact"
        if not ids:
            ids = sorted(set(loose.get(label_key(label), [])))
            how = "normalized"
        if len(ids) > 1:
            note = (
                f"{len(ids)} catalog ids are named {label!r} ({', '.join(ids)}): the usage API "
                "merges them into one label; reconcile keeps them together"
            )
            how = "ambiguous"
        elif not ids:
            how = "none"
            note = f"no catalog model is named {label!r}, even ignoring case and spaces"
        elif how == "exact":
            note = f"the catalog names {ids[0]} exactly {label!r}"
        else:
            note = f"{ids[0]} is named like {label!r} but for case or spaces"
        rows.append(
            {
                "label": label,
                "id": ids[0] if len(ids) == 1 else None,
                "ids": ", ".join(ids) if ids else None,
                "candidates": len(ids),
                "match": how,
                "explanation": note,
            }
        )
    out = pd.DataFrame(rows, columns=["label", "id", "ids", "candidates", "match", "explanation"])
    return out.astype(
        {
            "label": "string[pyarrow]",
            "id": "string[pyarrow]",
            "ids": "string[pyarrow]",
            "candidates": "int64[pyarrow]",
            "match": "string[pyarrow]",
            "explanation": "string[pyarrow]",
        }
    )
