"""Pure flattening of provider-route responses (``/models/{id}/providers``) to the routes frame.

One row per (model, provider); a model that answered with no provider keeps one row with
``provider`` ``<NA>``, so its default price and ``supportsProviderSelection`` are not lost.
Route prices arrive per 1K tokens and become per 1M (x1000, 9 significant digits); unknown stays
``<NA>``; unreadable values are recorded under ``extra_json["_invalid"]``; unknown fields are
kept in ``extra_json``. No I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from nanogpt_frame import values as R
from nanogpt_frame.schema import ROUTE_COLUMN_NAMES, routes_arrow_schema
from nanogpt_frame.values import gc_paused, repair_text

__all__ = ("ROUTE_PRICE_SCALE", "route_problem", "routes_frame")

#: Route prices are served per 1K tokens; the frame holds USD per 1M.
ROUTE_PRICE_SCALE = 1000.0
_TOP = frozenset(
    {"canonicalId", "displayName", "supportsProviderSelection", "defaultPrice", "providers"}
)
_PRICE = frozenset({"inputPer1kTokens", "outputPer1kTokens"})
_ROUTE = frozenset(
    {
        "provider",
        "available",
        "pricing",
        "quantization",
        "supportsPromptCaching",
        "distillationPolicy",
    }
)
_POLICY = ("status", "label", "basis", "sourceUrl", "note")
_POLICY_COLUMNS = (
    "distillation_status",
    "distillation_label",
    "distillation_basis",
    "distillation_source_url",
    "distillation_note",
)


def _parse(payload: Any) -> tuple[dict[str, Any] | None, str | None]:
    """(response, None) or (None, why it is not a routes response)."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        payload = bytes(payload).decode("utf-8", errors="surrogateescape")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            return None, "the response is not JSON"
    if not isinstance(payload, dict):
        return None, f"the response is a {type(payload).__name__}, not an object"
    providers = payload.get("providers")
    if providers is not None and not isinstance(providers, list):
        return None, "'providers' is not a list"
    return payload, None


def route_problem(body: Any) -> str | None:
    """Why a body is not a routes response (the check ``routes_frame`` makes), or ``None``.

    >>> route_problem(b'{"providers": []}') is None, route_problem(b"[1]")
    (True, 'the response is a list, not an object')
    """
    return _parse(body)[1]


def _unknown(section: Any, known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in section.items() if k not in known} if isinstance(section, dict) else {}


def routes_frame(
    responses: Mapping[str, Any],
    *,
    snapshot_at: datetime | pd.Timestamp | str | None = None,
    policies: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The routes frame from route responses keyed by the model id that was asked for.

    Args:
        responses: ``{model_id: response}``, each a dict, bytes or str as served.
        snapshot_at: when the responses were received (now, UTC, when omitted).
        policies: ``{model_id: distillation status}`` from the catalog; where a route serves no
            policy status, ``effective_distillation_status`` falls back to it.

    Returns:
        Every routes-frame column with its type. Responses that are not route responses are
        left out and named, with the reason, in ``df.attrs["failed"]``.

    >>> df = routes_frame({"moonshotai/kimi-k2.6": {"canonicalId": "moonshotai/kimi-k2.6",
    ...     "supportsProviderSelection": True,
    ...     "defaultPrice": {"inputPer1kTokens": 0.0004, "outputPer1kTokens": 0.00175},
    ...     "providers": [{"provider": "fireworks", "available": True,
    ...                    "pricing": {"inputPer1kTokens": 0.00042,
    ...                                "outputPer1kTokens": 0.0018375}}]}},
    ...     snapshot_at="2026-08-24")
    >>> df.loc[0, ["provider", "default_price_prompt", "price_prompt", "price_completion"]].tolist()
    ['fireworks', 0.4, 0.42, 1.8375]
    """
    from nanogpt_frame.schema import as_snapshot_time

    stamp = as_snapshot_time(snapshot_at)
    failed: dict[str, str] = {}
    rows: list[tuple[str, dict[str, Any], dict[str, Any]]] = []  # (model id, response, route)
    with gc_paused():
        for model_id, payload in responses.items():
            response, problem = _parse(payload)
            if response is None:
                failed[str(model_id)] = problem or "not a routes response"
                continue
            routes = response.get("providers") or []
            if not routes:
                rows.append((str(model_id), response, {}))
            for route in routes:  # a route that is not an object is recorded as unreadable
                rows.append((str(model_id), response, route))
        try:
            df = _frame(rows, stamp, policies or {})
        except UnicodeEncodeError:  # text that is not Unicode: escape it, record it, go on
            repaired, repairs = repair_text([[m, r, p] for m, r, p in rows])
            rows = [tuple(item) for item in repaired]
            df = _frame(rows, stamp, policies or {}, repairs)
    df.attrs = {"failed": failed}
    return df


def _frame(
    rows: list[tuple[str, dict[str, Any], dict[str, Any]]],
    stamp: pd.Timestamp,
    policies: Mapping[str, Any],
    repairs: dict[int, dict[str, str]] | None = None,
) -> pd.DataFrame:
    import pyarrow as pa

    invalid = R.Invalid()
    for row, found in (repairs or {}).items():
        for path, text in found.items():
            invalid.mark(row, path, text)
    model_ids = [m for m, _, _ in rows]
    tops = [r for _, r, _ in rows]
    routes = R.sections([p for _, _, p in rows], "providers[]", invalid)
    defaults = R.sections([t.get("defaultPrice") for t in tops], "defaultPrice", invalid)
    pricing = R.sections([p.get("pricing") for p in routes], "pricing", invalid)
    policy = R.sections(
        [p.get("distillationPolicy") for p in routes], "distillationPolicy", invalid
    )
    col: dict[str, Any] = {
        "snapshot_at": np.full(len(rows), stamp.value // 1000, dtype=np.int64),
        "model_id": model_ids,
        "canonical_id": R.strings([t.get("canonicalId") for t in tops], "canonicalId", invalid),
        "display_name": R.strings([t.get("displayName") for t in tops], "displayName", invalid),
        "supports_provider_selection": R.flags(
            [t.get("supportsProviderSelection") for t in tops], "supportsProviderSelection", invalid
        ),
        "default_price_prompt": R.prices(
            [d.get("inputPer1kTokens") for d in defaults],
            "defaultPrice.inputPer1kTokens",
            invalid,
            ROUTE_PRICE_SCALE,
        ),
        "default_price_completion": R.prices(
            [d.get("outputPer1kTokens") for d in defaults],
            "defaultPrice.outputPer1kTokens",
            invalid,
            ROUTE_PRICE_SCALE,
        ),
        "provider": R.strings([p.get("provider") for p in routes], "provider", invalid),
        "available": R.flags([p.get("available") for p in routes], "available", invalid),
        "price_prompt": R.prices(
            [s.get("inputPer1kTokens") for s in pricing],
            "pricing.inputPer1kTokens",
            invalid,
            ROUTE_PRICE_SCALE,
        ),
        "price_completion": R.prices(
            [s.get("outputPer1kTokens") for s in pricing],
            "pricing.outputPer1kTokens",
            invalid,
            ROUTE_PRICE_SCALE,
        ),
        "quantization": R.strings([p.get("quantization") for p in routes], "quantization", invalid),
        "supports_prompt_caching": R.flags(
            [p.get("supportsPromptCaching") for p in routes], "supportsPromptCaching", invalid
        ),
    }
    for key, column in zip(_POLICY, _POLICY_COLUMNS, strict=True):
        col[column] = R.strings([s.get(key) for s in policy], f"distillationPolicy.{key}", invalid)
    served = col["distillation_status"]
    served = served.to_pylist() if isinstance(served, pa.Array) else served
    fallback = [policies.get(m) for m in model_ids]
    col["effective_distillation_status"] = [
        own if isinstance(own, str) else (other if isinstance(other, str) else None)
        for own, other in zip(served, fallback, strict=True)
    ]
    col["extra_json"] = _extras(tops, routes, defaults, pricing, policy, invalid)
    arrays = []
    for field in routes_arrow_schema():
        values = col[field.name]
        if isinstance(values, pa.Array):
            arrays.append(values)
        elif isinstance(values, np.ndarray) and values.dtype.kind == "f":
            arrays.append(pa.array(values, mask=np.isnan(values), type=field.type))
        elif isinstance(values, np.ndarray):
            arrays.append(pa.array(values, type=pa.int64()).cast(field.type))
        else:
            arrays.append(pa.array(values, type=field.type))
    table = pa.Table.from_arrays(arrays, schema=routes_arrow_schema())
    df = table.to_pandas(types_mapper=pd.ArrowDtype)
    assert tuple(df.columns) == ROUTE_COLUMN_NAMES
    return df


def _extras(tops, routes, defaults, pricing, policy, invalid: R.Invalid) -> list[str | None]:
    encode = R.Encoder()
    out: list[str | None] = []
    for i, (top, route) in enumerate(zip(tops, routes, strict=True)):
        extra: dict[str, Any] = _unknown(route, _ROUTE)
        response = _unknown(top, _TOP)
        if response:
            extra["response"] = response
        for name, section, known in (
            ("defaultPrice", defaults[i], _PRICE),
            ("pricing", pricing[i], _PRICE),
            ("distillationPolicy", policy[i], frozenset(_POLICY)),
        ):
            unknown = _unknown(section, known)
            if unknown:
                extra[name] = unknown
        if i in invalid.rows:
            extra["_invalid"] = invalid.rows[i]
        out.append(encode(extra) if extra else None)
    return out
