"""Property tests: the flattener takes any JSON in any field and returns a frame or PayloadError."""

from __future__ import annotations

import json
import math
import os
import warnings

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame.schema import PRICE_COLUMNS

_text = st.text(alphabet=st.characters(codec=None), max_size=12)  # lone surrogates included
_leaf = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | _text
_json = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_text, inner, max_size=3), max_leaves=8)  # fmt: skip
_FIELDS = ["id", "name", "created", "context_length", "max_output_tokens", "capabilities",
           "pricing", "architecture", "cost_estimate", "subscription", "distillationPolicy",
           "reasoning_efforts", "open_weights", "icon_url"]  # fmt: skip
_pricing = st.dictionaries(
    st.sampled_from(["prompt", "completion", "cacheReadInputPer1kTokens",
                     "cacheWriteInputPer1kTokens", "currency", "note"]), _json)  # fmt: skip
_model = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=8) | _json},
    optional={**{f: _json for f in _FIELDS[1:]}, "pricing": _pricing | _json},
)
_listing = st.fixed_dictionaries({"data": st.lists(_model | _json, max_size=6)})


def _strict(text: str):
    def refuse(token):
        raise ValueError(token)

    return json.loads(text, parse_constant=refuse)


@settings(
    max_examples=int(os.environ.get("NANOGPT_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(payload=_listing, as_bytes=st.booleans())
def test_any_json_gives_a_frame_or_a_payload_error(payload, as_bytes):
    if as_bytes:
        try:
            raw = json.dumps(payload).encode("utf-8", "surrogatepass")
        except (ValueError, TypeError):
            return
        payload = raw
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nf.CatalogWarning)
        try:
            df = nf.frame_from_payload(payload, source_endpoint="canonical",
                                       snapshot_at="2026-08-24")  # fmt: skip
        except nf.PayloadError:
            return
    items = payload if isinstance(payload, dict) else json.loads(payload)
    skipped = sum(df.attrs.get("skipped_items", {}).values())
    assert len(df) + skipped == len(items["data"])
    for column in PRICE_COLUMNS:
        prices = df[column].dropna()
        assert (prices >= 0).all() and prices.map(math.isfinite).all()
    for column in [c for c in df.columns if c.startswith("cap_")] + ["open_weights"]:
        assert set(df[column].dropna().unique()) <= {True, False}
    for text in df["extra_json"].dropna():
        _strict(text)  # standard JSON, no NaN/Infinity tokens
    for text in pd.concat([df["extra_json"], df["cost_estimate"], df["name"]]).dropna():
        text.encode("utf-8")  # valid Unicode (a served string estimate is kept as served)
    import pyarrow as pa

    pa.Table.from_pandas(df)  # every value converts to Arrow
