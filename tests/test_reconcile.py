"""Known answers for read_responses (each shape, both cache conventions), match_labels and
reconcile (each status), and the sample: reconcile finds exactly the planted discrepancies."""

from __future__ import annotations

import gzip
import json
import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame.errors import CatalogWarning, ConfigError, PayloadError
from nanogpt_frame.sample import sample_responses_path

STAMP = 1784505600  # 2026-07-20T00:00:00Z


def openai(prompt=1000, cached=800, completion=50, **pricing):
    body = {"id": "chatcmpl-1", "object": "chat.completion", "created": STAMP,
            "model": "openai/gpt-5.2",
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "prompt_tokens_details": {"cached_tokens": cached},
                      "completion_tokens_details": {"reasoning_tokens": 7}}}  # fmt: skip
    if pricing:
        body["x_nanogpt_pricing"] = pricing
    return body


def anthropic(**pricing):
    body = {"id": "msg_1", "type": "message", "model": "claude-sonnet-4-5-20250929",
            "usage": {"input_tokens": 200, "output_tokens": 50, "cache_read_input_tokens": 800,
                      "cache_creation_input_tokens": 100}}  # fmt: skip
    if pricing:
        body["x_nanogpt_pricing"] = pricing
    return {"ts": "2026-07-20T10:00:00Z", "response": body}


def tokens(df, i=0):
    return [int(df[c].iloc[i]) for c in
            ("input_tokens", "cached_tokens", "cache_write_tokens", "output_tokens")]  # fmt: skip


# ---- read_responses -----------------------------------------------------------------------------


def test_openai_prompt_tokens_include_the_cached_ones():
    df = nf.read_responses([openai(cost=0.0042, amount=0.0042, paymentSource="USD")])
    assert tokens(df) == [200, 800, 0, 50]  # 1000 prompt = 200 uncached + 800 cached
    assert int(df["reasoning_tokens"].iloc[0]) == 7 and df["response_shape"].iloc[0] == "openai"
    assert df["billed_usd"].iloc[0] == 0.0042 and df["payment_source"].iloc[0] == "USD"
    assert df["timestamp"].iloc[0] == pd.Timestamp("2026-07-20", tz="UTC")
    assert df["request_id"].iloc[0] == "chatcmpl-1"


def test_anthropic_input_tokens_exclude_cache_reads_and_writes():
    df = nf.read_responses([anthropic(cost="0.01")])
    assert tokens(df) == [200, 800, 100, 50]  # input_tokens as it stands: uncached
    assert df["response_shape"].iloc[0] == "anthropic" and df["billed_usd"].iloc[0] == 0.01
    assert df["timestamp"].iloc[0] == pd.Timestamp("2026-07-20T10:00:00Z")


def test_the_two_conventions_cost_the_same_traffic_the_same():
    same = [openai(prompt=1100, cached=800), anthropic()]
    same[0]["usage"]["prompt_tokens_details"]["cache_write_tokens"] = 100
    same[0]["model"] = same[1]["response"]["model"]
    df = nf.read_responses(same)
    assert tokens(df, 0) == tokens(df, 1)


def test_a_streamed_final_chunk_is_a_response_and_earlier_chunks_are_skipped():
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": STAMP, "model": "x-ai/grok-4.3",
             "choices": [{"delta": {"content": "Hi"}}]}  # fmt: skip
    final = {**chunk, "choices": [{"delta": {}, "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 10, "completion_tokens": 2,
                       "prompt_tokens_details": {"cached_tokens": 4}},
             "x_nanogpt_pricing": {"cost": 1e-05}}  # fmt: skip
    df = nf.read_responses([chunk, chunk, final])
    assert len(df) == 1 and tokens(df) == [6, 4, 0, 2]
    assert df["response_shape"].iloc[0] == "openai_stream"
    assert df.attrs["skipped_reasons"] == {"stream chunk without usage": 2}


def test_pricing_with_only_amount_and_text_numbers():
    df = nf.read_responses([openai(amount="0.0031"), openai(cost=None, amount=0.5), openai()])
    assert df["billed_usd"].tolist()[:2] == [0.0031, 0.5]
    assert pd.isna(df["billed_usd"].iloc[2])  # no pricing logged: unknown, not 0


def test_bills_carry_no_binary_noise():
    df = nf.read_responses([openai(cost=0.1 + 0.2), openai(amount="0.30000000000000004")])
    assert df["billed_usd"].tolist() == [0.3, 0.3]


def test_a_bill_in_another_currency_is_not_read_as_usd():
    df = nf.read_responses([openai(amount=12.0, currency="XNO")])
    assert pd.isna(df["billed_usd"].iloc[0]) and "XNO" in df.attrs["problems"][0]


def test_non_response_lines_are_skipped_and_counted_never_fatal(tmp_path):
    lines = [json.dumps(openai(cost=0.1)), "", "not json {", "[1, 2]", '{"event": "sent"}',
             json.dumps({"error": {"message": "Insufficient balance"}}),
             json.dumps({**openai(), "model": None}),
             json.dumps({k: v for k, v in openai().items() if k != "created"}),
             json.dumps({**openai(), "created": "yesterday"})]  # fmt: skip
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n")
    df = nf.read_responses(path)
    assert len(df) == 1 and df.attrs["lines"] == 9 and df.attrs["skipped"] == 8
    assert df.attrs["skipped_reasons"] == {
        "blank line": 1, "error response": 1, "not a JSON object": 1, "not a response": 1,
        "not valid JSON": 1, "response with an unreadable time": 1,
        "response without a model": 1,
        "response without a time (no created, timestamp or ts)": 1}  # fmt: skip


def test_gzipped_logs_read_the_same(tmp_path):
    plain = sample_responses_path().read_bytes()
    packed = tmp_path / "responses.jsonl.gz"
    packed.write_bytes(gzip.compress(plain))
    pd.testing.assert_frame_equal(
        nf.read_responses(packed), nf.read_responses(sample_responses_path())
    )


def test_bad_counts_are_unknown_never_zero():
    odd = openai(prompt=100, cached=300)  # cached above prompt: cannot be uncached input
    neg = openai(prompt=-5)
    df = nf.read_responses([odd, neg])
    assert df["input_tokens"].isna().all() and "exceed" in df.attrs["problems"][0]


def test_missing_files_and_wrong_types():
    with pytest.raises(PayloadError, match="does not exist"):
        nf.read_responses("/no/such/log.jsonl")
    with pytest.raises(ConfigError):
        nf.read_responses(42)  # type: ignore[arg-type]


@given(prompt=st.integers(0, 10**9), cached=st.integers(0, 10**9), completion=st.integers(0, 10**9))
def test_openai_uncached_input_is_prompt_minus_cached(prompt, cached, completion):
    df = nf.read_responses([openai(prompt=prompt, cached=cached, completion=completion)])
    if cached <= prompt:
        assert int(df["input_tokens"].iloc[0]) == prompt - cached
        assert int(df["cached_tokens"].iloc[0]) == cached
    else:
        assert pd.isna(df["input_tokens"].iloc[0])


# ---- match_labels -------------------------------------------------------------------------------


def test_match_labels_each_verdict_on_the_sample():
    models = nf.load("sample")
    out = nf.match_labels(
        ["GPT-5.2", "gpt-4o  mini", "Cydonia 24B v4.1", "GPT-4o mini (2024-07-18)"], models
    ).set_index("label")
    assert out["match"].tolist() == ["exact", "normalized", "ambiguous", "none"]
    assert out.loc["GPT-5.2", "id"] == "openai/gpt-5.2"
    assert out.loc["gpt-4o  mini", "id"] == "openai/gpt-4o-mini"
    assert pd.isna(out.loc["Cydonia 24B v4.1", "id"])  # never one picked silently
    assert (
        out.loc["Cydonia 24B v4.1", "ids"]
        == "TheDrummer/cydonia-24b-v4.1, thedrummer/cydonia-24b-v4.1"
    )
    assert out.loc["Cydonia 24B v4.1", "candidates"] == 2
    unknown = out.loc["GPT-4o mini (2024-07-18)"]
    assert pd.isna(unknown["ids"]) and "no catalog model" in unknown["explanation"]


def test_match_labels_takes_an_account_usage_frame_and_refuses_other_things():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)
        spend = nf.load_account_usage(source="sample")
    out = nf.match_labels(spend, nf.sample_history())
    assert set(out["match"]) == {"exact", "none"} and out["label"].is_unique
    with pytest.raises(ConfigError):
        nf.match_labels(spend, pd.DataFrame({"id": ["a"]}))


# ---- reconcile: each status ---------------------------------------------------------------------


def costed_of(*records, **kw):
    return nf.cost_usage(nf.read_responses(list(records)), "sample", **kw)


def test_reconcile_match_over_under_with_tolerance():
    # gpt-5.2 at 1.75 / 14 per 1M on 2026-07-20 12:00 (after that day's 06:00 snapshot)
    later = {"created": STAMP + 12 * 3600}
    exact = (200 * 1.75 + 800 * 1.75 + 50 * 14) / 1e6
    rows = [
        {**openai(cost=exact * 1.005), **later},
        {**openai(cost=exact * 1.2), **later, "model": "openai/gpt-5.2-codex"},
        {**openai(cost=exact * 0.5), **later, "model": "openai/gpt-5.2:low"},
    ]
    out = nf.reconcile(costed_of(*rows)).set_index("model")
    assert out.loc["openai/gpt-5.2", "status"] == "match"
    assert out.loc["openai/gpt-5.2-codex", "status"] == "over"
    assert out.loc["openai/gpt-5.2:low", "status"] == "under"
    assert out.loc["openai/gpt-5.2-codex", "difference_usd"] == pytest.approx(exact * 0.2)
    assert out.loc["openai/gpt-5.2-codex", "relative_difference"] == pytest.approx(0.2)
    assert out.loc["openai/gpt-5.2-codex", "explanation"].startswith("unexplained:")
    strict = nf.reconcile(costed_of(*rows), tolerance=0.001).set_index("model")
    assert strict.loc["openai/gpt-5.2", "status"] == "over"


def test_reconcile_unpriced_and_unbilled_are_never_zero():
    rows = [{**openai(cost=0.1), "model": "no/such-model"}, openai()]
    out = nf.reconcile(costed_of(*rows)).set_index("model")
    assert out.loc["no/such-model", "status"] == "unpriced"
    assert pd.isna(out.loc["no/such-model", "expected_usd"])
    assert "unknown model" in out.loc["no/such-model", "explanation"]
    assert out.loc["openai/gpt-5.2", "status"] == "unbilled"
    assert pd.isna(out.loc["openai/gpt-5.2", "billed_usd"])
    assert pd.isna(out.loc["openai/gpt-5.2", "difference_usd"])


def test_reconcile_needs_a_bill_and_a_costed_frame():
    with pytest.raises(ConfigError, match="billed_usd"):
        nf.reconcile(nf.cost_usage(nf.sample_usage(), "sample"))
    with pytest.raises(ConfigError, match="costed frame"):
        nf.reconcile(nf.read_responses([openai(cost=1)]))
    with pytest.raises(ConfigError, match="tolerance"):
        nf.reconcile(costed_of(openai(cost=1)), tolerance=float("nan"))
    with pytest.raises(ConfigError, match="models="):
        nf.reconcile(costed_of(openai(cost=1)), billed=pd.DataFrame({"model": [], "cost_usd": []}))


#: The discrepancies tools/make_account_sample.py plants (data/README.md lists them).
PLANTED = {
    ("2026-07-08", "moonshotai/kimi-k2.5"): ("unpriced", "provider route not loaded"),
    ("2026-07-12", "moonshotai/kimi-k2.5"): ("over", "likely: the subscription did not cover"),
    ("2026-07-16", "claude-sonnet-4-5-20250929"): ("under", "likely: the subscription covered"),
    ("2026-07-20", "openai/gpt-5.2"): ("under", "likely: a price change within the day"),
    ("2026-07-25", "x-ai/grok-4.3"): ("over", "unexplained:"),
    ("2026-07-28", "google/gemini-2.5-flash"): ("unbilled", "carry no x_nanogpt_pricing"),
    ("2026-07-30", "openai/gpt-4o-mini-2024-07-18"): ("unpriced", "unknown model"),
}


@pytest.fixture(scope="module")
def sample_costed():
    log = nf.read_responses(sample_responses_path())
    return nf.cost_usage(log, nf.sample_history())


def test_the_sample_log_against_the_sample_history_finds_exactly_the_planted(sample_costed):
    assert sample_costed.attrs["skipped"] == 5  # the non-response lines planted among them
    out = nf.reconcile(sample_costed)
    found = {
        (row.day.isoformat(), row.model): (row.status, row.explanation)
        for row in out.itertuples()
        if row.status != "match"
    }
    assert set(found) == set(PLANTED)
    for key, (status, words) in PLANTED.items():
        assert found[key][0] == status, key
        assert found[key][1].startswith(words) or words in found[key][1], (key, found[key][1])
    assert (out["status"] == "match").sum() == len(out) - len(PLANTED)


def test_a_chosen_provider_is_unpriced_without_routes_and_matches_at_the_route_price(
    sample_costed,
):
    out = nf.reconcile(sample_costed).set_index(["day", "model"])
    key = (pd.Timestamp("2026-07-08").date(), "moonshotai/kimi-k2.5")
    said = out.loc[key, "explanation"]
    assert out.loc[key, "status"] == "unpriced" and pd.isna(out.loc[key, "expected_usd"])
    assert "chose a provider (fireworks)" in said and "pass routes=" in said
    assert "the other 2 request(s) match their bill" in said  # the rest of the group is fine
    log = nf.read_responses(sample_responses_path())
    routes = nf.load_routes(source="sample")
    routed = nf.reconcile(nf.cost_usage(log, nf.sample_history(), routes=routes))
    found = {(r.day.isoformat(), r.model): r.status for r in routed.itertuples()
             if r.status != "match"}  # fmt: skip
    planted = {k: s for k, (s, _) in PLANTED.items() if k != ("2026-07-08", "moonshotai/kimi-k2.5")}
    assert found == planted  # at the route's price (fireworks, 1.3125x) the bill matches
    fireworks = routes[(routes["model_id"] == "moonshotai/kimi-k2.5")
                       & (routes["provider"] == "fireworks")]  # fmt: skip
    unknown = nf.reconcile(
        nf.cost_usage(log, nf.sample_history(), routes=routes.drop(fireworks.index))
    )
    row = unknown[(unknown["model"] == "moonshotai/kimi-k2.5") & (unknown["day"] == key[0])]
    assert row["status"].tolist() == ["unpriced"]
    assert "moonshotai/kimi-k2.5 via fireworks" in row["explanation"].iloc[0]


def test_responses_are_costed_with_cached_tokens_counted_once():
    # grok-4.3 on 2026-07-20 12:00: 1.25 prompt, 3.0 completion, 0.2 cache read per 1M
    later = STAMP + 12 * 3600
    body = {**openai(prompt=1000, cached=800, completion=50), "created": later,
            "model": "x-ai/grok-4.3"}  # fmt: skip
    wrapped = anthropic()
    wrapped["response"].update(model="x-ai/grok-4.3", usage={
        "input_tokens": 200, "output_tokens": 50, "cache_read_input_tokens": 800})  # fmt: skip
    wrapped["ts"] = "2026-07-20T12:00:00Z"
    costed = nf.cost_usage(nf.read_responses([body, wrapped]), nf.sample_history())
    assert costed.attrs["input_includes_cached"] is False  # read_responses gives uncached input
    exact = round((200 * 1.25 + 800 * 0.2 + 50 * 3.0) / 1e6, 12)
    assert costed["list_cost"].tolist() == [exact, exact]


def test_a_response_with_unreadable_counts_is_unpriced_never_zero():
    rows = [{**openai(prompt=100, cached=300, cost=0.01), "created": STAMP + 12 * 3600}]
    out = nf.reconcile(costed_of(*rows))
    assert out["status"].tolist() == ["unpriced"] and pd.isna(out["expected_usd"].iloc[0])
    assert "token count missing" in out["explanation"].iloc[0]


def test_totals_add_up(sample_costed):
    out = nf.reconcile(sample_costed)
    totals = out.attrs["totals"]
    assert totals["requests"] == len(sample_costed) == out["requests"].sum()
    assert totals["difference_usd"] == pytest.approx(
        totals["compared_billed_usd"] - totals["compared_expected_usd"], abs=1e-9)  # fmt: skip
    assert totals["expected_usd"] == pytest.approx(out["expected_usd"].sum(), abs=1e-9)
    assert sum(totals["by_status"].values()) == len(out)
    by_model = nf.reconcile(sample_costed, by="model")
    assert by_model["requests"].sum() == totals["requests"]
    whole = nf.reconcile(sample_costed, by=())
    assert len(whole) == 1 and whole["status"].iloc[0] == "unpriced"


def test_the_sample_log_against_the_sample_usage_api(sample_costed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)
        spend = nf.load_account_usage(source="sample")
    out = nf.reconcile(sample_costed, spend, models=nf.sample_history())
    status = {(r.day.isoformat(), r.model): (r.status, r.explanation) for r in out.itertuples()}
    assert status[("2026-07-05", "Claude Sonnet 4.5")][1].startswith("likely: refunds")
    assert status[("2026-07-30", "GPT-4o mini (2024-07-18)")][0] == "unmatched"
    assert status[("2026-07-30", "openai/gpt-4o-mini-2024-07-18")][0] == "unpriced"
    july31 = [v for k, v in status.items() if k[0] == "2026-07-31"]
    assert july31 and all(s == "unbilled" and "missing rollup day" in e for s, e in july31)
    assert status[("2026-07-12", "Kimi K2.5")][1].startswith("likely: the subscription did not")
    assert status[("2026-07-20", "GPT-5.2")][1].startswith("likely: a price change")
    assert status[("2026-07-28", "Gemini 2.5 Flash")][0] == "match"  # the API billed them
    assert {s for s, _ in status.values()} >= {"match", "over", "under", "unmatched", "unbilled"}
    planted = {  # the log's planted bills, the usage answer's own plants, the missing day
        ("2026-07-05", "Claude Sonnet 4.5"): "over", ("2026-07-08", "Kimi K2.5"): "unpriced",
        ("2026-07-12", "Kimi K2.5"): "over", ("2026-07-16", "Claude Sonnet 4.5"): "under",
        ("2026-07-20", "GPT-5.2"): "under", ("2026-07-25", "Grok 4.3"): "over",
        ("2026-07-30", "GPT-4o mini (2024-07-18)"): "unmatched",
        ("2026-07-30", "openai/gpt-4o-mini-2024-07-18"): "unpriced",
        **{("2026-07-31", m): "unbilled" for m in ("Claude Sonnet 4.5", "Gemini 2.5 Flash",
                                                    "GLM 4.6", "GPT-5.2", "Grok 4.3", "Kimi K2.5")},
    }  # fmt: skip
    assert {k: s for k, (s, _) in status.items() if s != "match"} == planted


# ---- the command line ---------------------------------------------------------------------------


def test_cli_reconcile_a_log_against_a_history_root(tmp_path, capsys):
    from nanogpt_frame.cli import cli_logic

    history = nf.sample_history()
    for stamp in history["snapshot_at"].unique():
        nf.write_snapshot(history[history["snapshot_at"] == stamp], tmp_path / "hist")
    log = str(sample_responses_path())
    assert (
        cli_logic(["reconcile", log, "--history", str(tmp_path / "hist"), "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    found = {(r["day"][:10], r["model"]): r["status"] for r in rows if r["status"] != "match"}
    assert found == {key: status for key, (status, _) in PLANTED.items()}
    routes = tmp_path / "routes"
    nf.write_snapshot(nf.load_routes(source="sample"), routes)
    argv = ["reconcile", log, "--history", str(tmp_path / "hist"), "--routes", str(routes)]
    assert cli_logic([*argv, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    routed = {(r["day"][:10], r["model"]): r["status"] for r in rows if r["status"] != "match"}
    assert routed == {k: s for k, s in found.items() if k[0] != "2026-07-08"}  # route-priced
    assert cli_logic(argv[:4]) == 0  # without --routes the table says what would price them
    assert "--routes" in capsys.readouterr().out


def test_cli_reconcile_against_spend_fits_80_columns_and_says_the_totals(capsys, monkeypatch):
    from nanogpt_frame.cli import cli_logic

    monkeypatch.setenv("COLUMNS", "80")
    assert cli_logic(["reconcile", "--sample", "--spend"]) == 0
    captured = capsys.readouterr()
    assert max(map(len, captured.out.splitlines())) <= 80
    assert "likely: refunds" in captured.out and "unmatched" in captured.out
    assert "missing rollup days: 2026-07-31" in " ".join(captured.err.split())  # wrapped
    assert max(map(len, captured.err.splitlines())) <= 80
    assert cli_logic(["spend", "--sample", "--from", "2026-07-01", "--to", "2026-07-07",
                      "--format", "json"]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)  # the frame's rows, as in every format
    assert {r["day"] for r in rows} == {f"2026-07-0{d}" for d in range(1, 8)}
    assert cli_logic(["spend", "--sample", "--from", "2026-07-01", "--to", "2026-07-07"]) == 0
    table = capsys.readouterr().out
    assert f"{sum(r['requests'] for r in rows)} requests, cost" in table  # the totals line


def test_cli_spend_live_without_a_key_is_one_line(capsys):
    from nanogpt_frame.cli import cli_logic

    assert cli_logic(["spend"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NANOGPT_API_KEY" in err
    assert cli_logic(["spend", "--sample", "--from", "2026-07-09", "--to", "2026-07-01"]) == 1
    assert "after end" in capsys.readouterr().err


_CATALOG: list = []


@settings(deadline=None, max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0.0, 0.5, 0.995, 1.0, 1.2, 3.0])),
                min_size=1, max_size=12))  # fmt: skip
def test_statuses_follow_the_difference_and_totals_add_up(plan):
    if not _CATALOG:
        _CATALOG.append(nf.load("sample"))
    later = STAMP + 12 * 3600
    models = ["openai/gpt-5.2", "openai/gpt-5.2-codex", "x-ai/grok-4.3", "z-ai/glm-4.6"]
    rows = []
    for i, (which, _) in enumerate(plan):
        body = {**openai(prompt=1000 + i, cached=100), "created": later, "model": models[which]}
        rows.append(body)
    costed = nf.cost_usage(nf.read_responses(rows), _CATALOG[0])
    costed["billed_usd"] = costed["cost"].astype(float) * [f for _, f in plan]
    out = nf.reconcile(costed, by="model")
    for row in out.itertuples():
        gap = row.billed_usd - row.expected_usd
        small = abs(gap) <= max(1e-6, 0.01 * max(row.expected_usd, row.billed_usd))
        assert row.status == ("match" if small else "over" if gap > 0 else "under")
    totals = out.attrs["totals"]
    assert totals["requests"] == len(plan) and sum(totals["by_status"].values()) == len(out)
    assert totals["difference_usd"] == pytest.approx(
        totals["compared_billed_usd"] - totals["compared_expected_usd"], abs=1e-9)  # fmt: skip
