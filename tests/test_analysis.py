"""Analysis helpers on hand-built catalogs with known answers, and their properties on the sample."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import nanogpt_frame as nf
from nanogpt_frame.analysis.subscription import listing_consistency, subscription_coverage
from nanogpt_frame.catalog.combine import frames_from_listings
from nanogpt_frame.catalog.flatten import empty_frame
from nanogpt_frame.errors import CatalogWarning
from tests.conftest import listing

STAMP = "2026-08-24T00:00:00Z"


def m(mid, prompt, completion, *, caps="", ctx=128_000, out=None, **extra):
    """A model record: caps as letters V R T S (vision, reasoning, tool_calling, structured)."""
    names = {"V": "vision", "R": "reasoning", "T": "tool_calling", "S": "structured_output"}
    record = {
        "id": mid,
        "name": extra.pop("name", mid),
        "owned_by": extra.pop("owned_by", mid.split("/")[0]),
        "context_length": ctx,
        "max_output_tokens": out,
        "capabilities": {v: k in caps for k, v in names.items()},
        "pricing": {"prompt": prompt, "completion": completion},
    }
    if "cache_read" in extra:  # per 1M here; served per 1K
        record["pricing"]["cacheReadInputPer1kTokens"] = extra.pop("cache_read") / 1000
    if "pricing_note" in extra:
        record["pricing"] = {"currency": "USD", "note": extra.pop("pricing_note")}
    record.update(extra)
    return record


def catalog(canonical, subscription=None, paid=None, snapshot_at=STAMP) -> pd.DataFrame:
    listings = {"canonical": listing(*canonical)}
    if subscription is not None:
        listings["subscription"] = listing(*subscription)
    if paid is not None:
        listings["paid"] = listing(*paid)
    return frames_from_listings(listings, snapshot_at=snapshot_at)


@pytest.fixture(scope="module")
def sample():
    return nf.load("sample")


# ---- prices ----------------------------------------------------------------------------------


def test_blended_price_weights_and_unknowns():
    df = catalog([m("a/x", 1.0, 5.0), m("a/y", None, 5.0)])
    assert nf.blended_price(df).tolist()[0] == 2.0
    assert pd.isna(nf.blended_price(df).iloc[1])
    assert nf.blended_price(df, input_weight=1, output_weight=1).iloc[0] == 3.0
    assert nf.blended_price(df, input_weight=0, output_weight=1).iloc[0] == 5.0
    with pytest.raises(nf.ConfigError):
        nf.blended_price(df, input_weight=0, output_weight=0)


def test_workload_cost_uses_cache_prices_where_known():
    cached = m("a/c", 3.0, 15.0, pricing={"prompt": 3.0, "completion": 15.0,
                                           "cacheReadInputPer1kTokens": 0.0003})  # fmt: skip
    df = catalog([cached, m("a/n", 3.0, 15.0)])
    cost = nf.workload_cost(df, input_tokens=2e6, output_tokens=5e5, cached_tokens=1e6)
    assert cost.tolist() == pytest.approx([6 + 7.5 + 0.3, 6 + 7.5 + 3.0])
    assert cost.name == "workload_cost_usd"
    with pytest.raises(nf.ConfigError):
        nf.workload_cost(df, input_tokens=-1)
    with pytest.raises(nf.ConfigError):
        nf.workload_cost(df, {"inputs": 3})


def test_workload_cost_ignores_prices_it_does_not_need():
    df = catalog([m("a/x", 2.0, None)])
    assert nf.workload_cost(df, input_tokens=1e6).tolist() == [2.0]
    assert pd.isna(nf.workload_cost(df, input_tokens=1e6, output_tokens=1).iloc[0])


# ---- rankings --------------------------------------------------------------------------------


def test_rank_models_filters_sorts_and_ties():
    df = catalog([
        m("v/dear", 10, 10, caps="VT"),
        m("v/tie-b", 1, 1, caps="VTR"),
        m("v/tie-a", 1, 1, caps="VT"),
        m("v/no-tools", 0.1, 0.1, caps="V"),
        m("v/unknown-price", None, None, caps="VT"),
        m("v/unknown-flag", 0.01, 0.01, caps="", capabilities={"vision": True}),
        m("auto-model", 0, 0, caps="VT"),
    ])  # fmt: skip
    ranked = nf.rank_models(df, require=("vision", "tool_calling"))
    assert ranked["id"].tolist() == ["v/tie-a", "v/tie-b", "v/dear", "v/unknown-price"]
    assert ranked["rank"].tolist()[:3] == [1, 1, 3]
    assert pd.isna(ranked["rank"].iloc[3])
    dropped = nf.rank_models(df, require="vision,tool_calling", unknown_price="drop")
    assert "v/unknown-price" not in set(dropped["id"])
    assert "auto-model" in set(nf.rank_models(df, require="vision", include_routers=True)["id"])


def test_rank_models_min_context_and_workload():
    df = catalog([
        m("c/short", 0.1, 0.1, ctx=8_000),
        m("c/long", 1, 1, ctx=1_000_000),
        m("c/unknown", 0.5, 0.5, ctx=None),
        m("c/output-heavy", 0.2, 20, ctx=1_000_000),
    ])  # fmt: skip
    assert nf.rank_models(df, min_context=100_000)["id"].tolist() == ["c/long", "c/output-heavy"]
    by_input = nf.rank_models(df, min_context=100_000, workload={"input_tokens": 1e6})
    assert by_input["id"].tolist() == ["c/output-heavy", "c/long"]
    assert by_input.columns[1] == "workload_cost_usd"


def test_rank_models_counts_each_model_once_across_listings(sample):
    ranked = nf.rank_models(sample, require=("vision", "tool_calling"))
    assert ranked["id"].is_unique
    assert (ranked["cap_vision"] == True).all() and (ranked["cap_tool_calling"] == True).all()  # noqa: E712
    prices = ranked["blended_price"].dropna().astype(float)
    assert prices.is_monotonic_increasing
    assert ranked["blended_price"].notna().iloc[: len(prices)].all()  # unknown prices last


def test_rank_models_unknown_capability_is_a_clear_error():
    with pytest.raises(nf.ConfigError, match="unknown capability 'telepathy'"):
        nf.rank_models(catalog([m("a/x", 1, 1)]), require=("telepathy",))


def test_rank_models_on_a_frame_without_model_columns():
    with pytest.raises(nf.ConfigError, match="missing columns"):
        nf.rank_models(pd.DataFrame({"x": [1]}))


def test_empty_frame_everywhere():
    empty = empty_frame()
    assert nf.rank_models(empty).empty
    assert nf.pareto_frontier(empty).empty
    assert len(nf.price_per_capability(empty)) == 8
    assert nf.value_ranking(empty).empty
    assert nf.quality_report(empty).empty
    assert nf.blended_price(empty).empty


def test_price_per_capability_known_answer():
    df = catalog([
        m("p/v1", 1, 1, caps="V"),
        m("p/v2", 3, 3, caps="V"),
        m("p/n1", 1, 1, caps=""),
        m("p/nan", None, None, caps="V"),
        m("p/unk", 1, 1, capabilities={}),
    ])  # fmt: skip
    table = nf.price_per_capability(df).set_index("capability")
    vision = table.loc["vision"]
    assert (vision["models_with"], vision["models_without"], vision["models_unknown"]) == (3, 1, 1)
    assert vision["cheapest_id"] == "p/v1" and vision["cheapest_price"] == 1.0
    assert vision["median_price"] == 2.0 and vision["median_price_without"] == 1.0
    assert vision["premium"] == 2.0
    assert math.isnan(table.loc["pdf_upload", "median_price"])


def test_value_ranking_definition():
    df = catalog([m("q/a", 1, 1, caps="VT", ctx=8192), m("q/b", 1, 1, caps="VT", ctx=32768)])
    ranked = nf.value_ranking(df)
    assert ranked["id"].tolist() == ["q/b", "q/a"]
    assert ranked["points"].tolist() == [4.0, 2.0]  # 2 caps + log2(32768/8192); 2 caps + 0
    assert ranked["price_per_point"].tolist() == [0.25, 0.5]


# ---- frontier --------------------------------------------------------------------------------


def test_pareto_frontier_known_answer():
    df = catalog([
        m("f/cheap", 0.1, 0.1, caps="", ctx=8_000),
        m("f/mid", 1, 1, caps="VT", ctx=128_000),
        m("f/dominated", 2, 2, caps="V", ctx=64_000),  # mid beats it on all three
        m("f/twin", 1, 1, caps="VT", ctx=128_000),  # equal to mid: neither dominates
        m("f/big", 5, 5, caps="VRTS", ctx=1_000_000),
        m("f/nan", None, 1, caps="VRTS", ctx=2_000_000),  # no price: not a candidate
    ])  # fmt: skip
    front = nf.pareto_frontier(df)
    assert front["id"].tolist() == ["f/cheap", "f/mid", "f/twin", "f/big"]
    full = nf.pareto_frontier(df, keep_dominated=True).set_index("id")
    assert full.loc["f/dominated", "dominated_by"] == "f/mid"  # cheapest dominator, then by id
    assert not full.loc["f/dominated", "on_frontier"]
    assert "f/nan" not in full.index
    assert full.loc["f/mid", "dominates"] == 1


def test_pareto_frontier_required_capability():
    df = catalog(
        [m("r/a", 0.1, 0.1, caps="V"), m("r/b", 1, 1, caps="VR"), m("r/c", 2, 2, caps="R")]
    )
    assert nf.pareto_frontier(df, require=("reasoning",))["id"].tolist() == ["r/b"]


def test_pareto_frontier_properties_on_the_sample(sample):
    full = nf.pareto_frontier(sample, keep_dominated=True)
    front = full[full["on_frontier"]]
    assert 0 < len(front) < len(full) and full["id"].is_unique
    p, c, x = (front[k].to_numpy(dtype=float) for k in ("price", "capabilities", "context"))
    for i in range(len(front)):  # no frontier member is dominated by any candidate
        weakly = (
            (full["price"] <= p[i]) & (full["capabilities"] >= c[i]) & (full["context"] >= x[i])
        )
        strictly = (full["price"] < p[i]) | (full["capabilities"] > c[i]) | (full["context"] > x[i])
        assert not (weakly & strictly).any()
    lookup = full.set_index("id")
    for row in full[~full["on_frontier"]].itertuples():  # every other model names a dominator
        dom = lookup.loc[row.dominated_by]
        assert dom.price <= row.price and dom.capabilities >= row.capabilities
        assert dom.context >= row.context


# ---- subscription ----------------------------------------------------------------------------


def test_split_from_listings_and_from_flags():
    a, b, c = m("s/a", 1, 1), m("s/b", 2, 2), m("s/c", 3, 3)
    df = catalog([a, b, c], subscription=[a], paid=[b, c])
    sub, paid = nf.split_subscription(df)
    assert sub["id"].tolist() == ["s/a"] and paid["id"].tolist() == ["s/b", "s/c"]
    flagged = catalog([{**a, "subscription": {"included": True}},
                       {**b, "subscription": {"included": False}}])  # fmt: skip
    sub, paid = nf.split_subscription(flagged)
    assert sub["id"].tolist() == ["s/a"] and paid["id"].tolist() == ["s/b"]


def test_split_that_cannot_tell_is_a_clear_error():
    with pytest.raises(nf.ConfigError, match="subscription' and 'paid'"):
        nf.split_subscription(catalog([m("s/a", 1, 1)]))


def test_split_warns_about_models_it_cannot_place():
    df = catalog([{**m("s/a", 1, 1), "subscription": {"included": True}}, m("s/b", 1, 1)])
    with pytest.warns(CatalogWarning, match="1 model"):
        sub, paid = nf.split_subscription(df)
    assert sub["id"].tolist() == ["s/a"] and paid.empty


def test_split_matches_the_sample_listings(sample):
    sub, paid = nf.split_subscription(sample)
    listed = {e: set(g) for e, g in sample.groupby("source_endpoint")["id"]}
    assert set(sub["id"]) == listed["subscription"] and set(paid["id"]) == listed["paid"]
    assert set(sub["id"]).isdisjoint(paid["id"])


def test_subscription_summary_known_answer():
    a = m("x/a", 1, 1, caps="V")
    b = m("x/b", 3, 3, caps="VT")
    c = m("y/c", 2, 2)
    df = catalog([a, b, c], subscription=[a], paid=[b, c])
    table = nf.subscription_summary(df).set_index("owned_by")
    assert table.loc["x", "models_subscription"] == 1 and table.loc["x", "models_paid"] == 1
    assert table.loc["x", "share_in_subscription"] == 0.5
    assert table.loc["x", "median_blended_subscription"] == 1.0
    assert table.loc["(all)", "median_blended_paid"] == 2.5
    assert table.loc["(all)", "list_value_subscription"] == 1.0
    assert table.loc["x", "vision_share_paid"] == 1.0
    coverage = subscription_coverage(df).set_index("capability")
    assert coverage.loc["tool_calling", "share_paid"] == 0.5


def test_listing_consistency_names_every_disagreement():
    a, b, c, d, e = (m(f"l/{n}", 1, 1) for n in "abcde")
    df = catalog([a, b, c], subscription=[a, d, b], paid=[b, e])
    got = set(map(tuple, listing_consistency(df)[["id", "problem"]].values.tolist()))
    assert got == {
        ("l/b", "in_subscription_and_paid"),
        ("l/d", "subscription_not_in_canonical"),
        ("l/e", "paid_not_in_canonical"),
        ("l/c", "canonical_in_neither"),
    }


# ---- quality ---------------------------------------------------------------------------------


def test_quality_report_names_every_problem():
    df = catalog([
        m("q/neg", -1, 2),
        m("q/negstr", 1, "-2.5"),
        m("q/text", "cheap", 2),
        m("q/over", 1, 1, ctx=16_384, out=32_768),
        m("Q/Case", 1, 1),
        m("q/case", 1, 1),
        m("q/zero", 0, 0),
        m("auto-model", 0, 0),
        m("q/missing", None, 1),
        m("q/cheap1", 0.5, 0.5), m("q/cheap2", 0.4, 0.6), m("q/cheap3", 0.3, 0.3),
        m("q/cheap4", 0.2, 0.2), m("q/cheap5", 0.1, 0.1),
        m("anthropic/claude-opus-4.6", 5, 25, name="Claude Opus 4.5"),
        m("q/extra", 1, 1, providers=["x"]),  # open_weights is a column since schema 2
        m("q/dup", 1, 1), m("q/dup", 1, 1),
    ])  # fmt: skip
    report = nf.quality_report(df)
    found = set(zip(report["rule"], report["id"].astype(object), strict=True))
    expected = {
        ("price_negative", "q/neg"),
        ("price_negative", "q/negstr"),
        ("price_unreadable", "q/text"),
        ("output_exceeds_context", "q/over"),
        ("id_case_pair", "Q/Case"),
        ("id_case_pair", "q/case"),
        ("price_zero", "q/zero"),
        ("price_missing", "q/missing"),
        ("name_version_mismatch", "anthropic/claude-opus-4.6"),
        ("unknown_fields", "q/extra"),
        ("duplicate_id", "q/dup"),
    }
    assert expected <= found
    assert ("price_zero", "auto-model") not in found  # routers list 0 / 0 on purpose
    assert ("price_missing", "q/neg") not in found  # reported once, as negative
    assert list(report.columns) == ["severity", "rule", "id", "source_endpoint", "message"]
    assert report["message"].notna().all()
    assert list(report["severity"].cat.categories) == ["error", "warning", "info"]


def test_quality_report_flags_unit_slips_not_expensive_models():
    """Research tiers, routers and utilities are real; only slips are errors (issue 11)."""
    family = [m(f"fam/base:{v}", 1, 4) for v in ("low", "medium", "high")]
    models = [
        m("linkup-research-high", 787.5, 787.5), m("linkup-research-xhigh", 1312.5, 1312.5),
        m("auto-model", 0, 0), m("nano-gpt-help", 0, 0), m("claw-medium", 0, 0),
        m("cheap/a", 0.1, 0.2), m("cheap/b", 0.2, 0.4), m("cheap/c", 0.3, 0.3),
        m("slip/cache", 2, 8, cache_read=2000), m("slip/ratio", 0.002, 6),
        *family, m("fam/base:max", 1000, 4000), m("jump/x", 3, 3),
        m("varies", None, None, pricing_note="varies_by_modality"),
    ]  # fmt: skip
    old = catalog([*models[:-2], m("jump/x", 0.003, 3)], snapshot_at="2026-08-01T00:00:00Z")
    new = catalog(models, snapshot_at="2026-08-02T00:00:00Z")
    report = nf.quality_report(pd.concat([old, new], ignore_index=True))
    errors = set(zip(*report[report["severity"] == "error"][["rule", "id"]].T.values, strict=True))
    assert errors == {
        ("price_unit_slip", "slip/cache"),
        ("price_unit_slip", "slip/ratio"),
        ("price_unit_slip", "fam/base:max"),
        ("price_jump", "jump/x"),
    }
    rows = set(zip(report["rule"], report["id"].astype(object), strict=True))
    assert ("price_varies_by_modality", "varies") in rows
    assert not {r for r in rows if r[1] in {"varies", "nano-gpt-help", "claw-medium"}} - {
        ("price_varies_by_modality", "varies")}  # fmt: skip


def test_quality_report_on_the_sample(sample):
    report = nf.quality_report(sample)
    canonical = sample[sample["source_endpoint"] == "canonical"]
    lowered = canonical["id"].str.lower()
    case_ids = set(canonical.loc[lowered.duplicated(keep=False), "id"])
    assert len(case_ids) >= 4
    assert set(report.loc[report["rule"] == "id_case_pair", "id"]) == case_ids
    over = sample[(sample["max_output_tokens"] > sample["context_length"]).fillna(False)]
    assert set(report.loc[report["rule"] == "output_exceeds_context", "id"]) == set(over["id"])
    assert "created_not_release_date" in set(report["rule"])
    assert not {"in_subscription_and_paid", "canonical_in_neither"} & set(report["rule"])


def test_quality_report_reads_load_attrs():
    df = catalog([m("a/x", 1, 1)], subscription=[m("a/x", 1, 1)], paid=[m("a/y", 2, 2)])
    df.attrs.update({"authenticated": True, "skipped_items": {"paid": 2}})
    rules = set(nf.quality_report(df)["rule"])
    assert {"canonical_equals_subscription", "malformed_items_skipped"} <= rules


def test_one_listing_only():
    df = nf.load("sample", endpoints="paid")
    assert nf.rank_models(df)["id"].is_unique
    assert not nf.pareto_frontier(df).empty
    sub, paid = nf.split_subscription(df)
    assert sub.empty and len(paid) == len(df)
    assert listing_consistency(df).empty
