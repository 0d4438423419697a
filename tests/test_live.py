"""Against the real API. Off by default: run with ``-m live`` and ``NANOGPT_LIVE=1``."""

from __future__ import annotations

import os

import pytest

import nanogpt_frame as nf

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(os.environ.get("NANOGPT_LIVE") != "1", reason="set NANOGPT_LIVE=1"),
]


def test_live_catalog_has_the_contract_columns():
    df = nf.load(max_age=0)
    assert set(df["source_endpoint"]) == {"canonical", "subscription", "paid"}
    assert df["id"].notna().all() and len(df) > 100
    assert (df["price_prompt"].dropna() >= 0).all()
