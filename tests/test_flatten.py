"""The flattener against the column contract (SPEC.md) and the quirks of the facts file."""

from __future__ import annotations

import json
import math

import pandas as pd
import pyarrow as pa
import pytest

import nanogpt_frame as nf
from nanogpt_frame.catalog.combine import frames_from_listings
from nanogpt_frame.catalog.flatten import parse_listing
from nanogpt_frame.errors import CatalogWarning
from tests.conftest import listing

STAMP = "2026-08-24T12:00:00Z"

# Written out from SPEC.md on purpose (not imported from schema.py): this is the contract.
SPEC_TYPES = {
    "snapshot_at": pa.timestamp("us", tz="UTC"),
    "source_endpoint": pa.string(), "position": pa.int32(), "id": pa.string(),
    "id_namespace": pa.string(), "base_id": pa.string(), "variant": pa.string(),
    "name": pa.string(), "description": pa.string(), "owned_by": pa.string(),
    "object": pa.string(), "category": pa.string(), "created": pa.timestamp("us", tz="UTC"),
    "context_length": pa.int64(), "max_output_tokens": pa.int64(),
    "input_modalities": pa.string(),
    "cap_vision": pa.bool_(), "cap_reasoning": pa.bool_(), "cap_tool_calling": pa.bool_(),
    "cap_parallel_tool_calls": pa.bool_(), "cap_structured_output": pa.bool_(),
    "cap_pdf_upload": pa.bool_(), "cap_video_input": pa.bool_(), "cap_audio_input": pa.bool_(),
    "reasoning_efforts": pa.string(),
    "price_prompt": pa.float64(), "price_completion": pa.float64(),
    "price_cache_read": pa.float64(), "price_cache_write": pa.float64(),
    "price_currency": pa.string(), "price_unit": pa.string(), "cost_estimate": pa.string(),
    "in_subscription": pa.bool_(), "subscription_input_multiplier": pa.float64(),
    "distillation_status": pa.string(), "distillation_label": pa.string(),
    "distillation_basis": pa.string(), "distillation_source_url": pa.string(),
    "distillation_note": pa.string(), "icon_url": pa.string(), "extra_json": pa.string(),
    # schema 2, appended
    "output_modalities": pa.string(), "price_note": pa.string(), "open_weights": pa.bool_(),
}  # fmt: skip


def flat(payload, endpoint="canonical"):
    return nf.frame_from_payload(payload, source_endpoint=endpoint, snapshot_at=STAMP)


def row(df: pd.DataFrame, model_id: str) -> pd.Series:
    matches = df[df["id"] == model_id]
    assert len(matches) == 1, f"{model_id}: {len(matches)} rows"
    return matches.iloc[0]


def is_na(value) -> bool:
    return value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value))


def assert_spec_dtypes(df: pd.DataFrame) -> None:
    assert list(df.columns) == list(SPEC_TYPES)
    for column, arrow_type in SPEC_TYPES.items():
        assert df[column].dtype == pd.ArrowDtype(arrow_type), column


def test_every_spec_column_with_its_type_on_live_shaped_data(live_shaped):
    assert_spec_dtypes(flat(live_shaped))


def test_every_spec_column_with_its_type_on_the_sample():
    assert_spec_dtypes(nf.load("sample"))


def test_empty_listing_gives_typed_empty_frame():
    df = flat(listing())
    assert len(df) == 0
    assert_spec_dtypes(df)


def test_golden_values_of_a_real_record(live_shaped):
    r = row(flat(live_shaped), "anthropic/claude-sonnet-4.6")
    assert r["snapshot_at"] == pd.Timestamp(STAMP)
    assert r["source_endpoint"] == "canonical"
    assert r["position"] == 0
    assert (r["id_namespace"], r["base_id"]) == ("anthropic", "anthropic/claude-sonnet-4.6")
    assert is_na(r["variant"])
    assert r["created"] == pd.Timestamp(1736966400, unit="s", tz="UTC")
    assert (r["context_length"], r["max_output_tokens"]) == (1_000_000, 128_000)
    assert r["input_modalities"] == "text,image,pdf"
    assert r["price_prompt"] == 2.992
    assert r["price_completion"] == 14.994  # float noise rounded to 9 significant digits
    assert (r["price_currency"], r["price_unit"]) == ("USD", "per_million_tokens")
    assert r["cap_vision"] is True and r["cap_reasoning"] is False
    assert is_na(r["cap_video_input"])  # key not served: unknown, not False
    assert r["distillation_status"] == "disallowed"
    assert r["distillation_source_url"].startswith("https://")
    assert r["cost_estimate"] == "$$"
    assert is_na(r["extra_json"])
    assert is_na(r["in_subscription"])  # canonical alone cannot tell


def test_cache_prices_per_1k_become_per_1m(live_shaped):
    df = flat(live_shaped)
    assert row(df, "claude-opus-4-1-thinking:32000")["price_cache_read"] == 1.5
    qwen = row(df, "alibaba/qwen3.6-flash")
    assert (qwen["price_cache_read"], qwen["price_cache_write"]) == (0.02, 0.24)
    assert row(df, "TEE/glm-5.2:thinking")["price_cache_read"] == 0.5
    assert is_na(row(df, "anthropic/claude-sonnet-4.6")["price_cache_read"])


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        (14.993999999999998, 14.994),
        (0.49299999999999994, 0.493),
        (0.27999999999999997, 0.28),
        (0.060000000000000005, 0.06),
        ("0.42000000000000004", 0.42),
        (" 3 ", 3.0),
        (0, 0.0),
        (123456.7891234, 123456.789),
    ],
)
def test_price_numbers_and_numeric_strings(served, expected):
    df = flat(listing({"id": "m", "pricing": {"prompt": served}}))
    assert df["price_prompt"].iloc[0] == expected


@pytest.mark.parametrize("served", [-1, -0.5, "-2", "NaN", "inf", "free", True, [1], {"a": 1}])
def test_unreadable_or_negative_price_is_na_and_kept(served):
    df = flat(listing({"id": "m", "pricing": {"prompt": served, "completion": 1}}))
    assert is_na(df["price_prompt"].iloc[0])
    assert df["price_completion"].iloc[0] == 1.0
    kept = json.loads(df["extra_json"].iloc[0])["_invalid"]
    assert kept == {"pricing.prompt": served}


def test_limits_null_zero_and_strings(live_shaped):
    df = flat(live_shaped)
    qwen = row(df, "alibaba/qwen3.6-flash")
    assert is_na(qwen["context_length"]) and is_na(qwen["max_output_tokens"])
    drummer = row(df, "thedrummer/cydonia-24b-v4.1")
    assert is_na(drummer["context_length"])  # 0 is not a limit
    assert drummer["max_output_tokens"] == 32768  # numeric string read
    assert json.loads(drummer["extra_json"])["_invalid"] == {"context_length": 0}


def test_missing_capability_keys_are_unknown_not_false(live_shaped):
    df = flat(live_shaped)
    opus = row(df, "claude-opus-4-1-thinking:32000")
    assert opus["cap_vision"] is True
    assert all(is_na(opus[f"cap_{c}"]) for c in ("tool_calling", "pdf_upload", "audio_input"))
    qwen = row(df, "alibaba/qwen3.6-flash")
    assert qwen["cap_video_input"] is True and qwen["cap_audio_input"] is False
    tee = row(df, "TEE/glm-5.2:thinking")  # no capabilities object at all
    assert all(is_na(tee[c]) for c in df.columns if c.startswith("cap_"))


def test_ids_kept_exactly_and_split():
    ids = [
        "TEE/glm-5.2:thinking",
        "claude-opus-4-1-thinking:32000",
        "auto-model",
        "openai/gpt-5.2:low",
        "NousResearch/hermes-4-70b",
        "nousresearch/hermes-4-70b",
    ]
    df = flat(listing(*({"id": i} for i in ids)))
    assert df["id"].tolist() == ids  # case pair stays two rows, nothing lower-cased
    got = df[["id_namespace", "base_id", "variant"]].astype(object)
    got = got.where(got.notna(), None).values.tolist()
    assert got == [
        ["TEE", "TEE/glm-5.2", "thinking"],
        [None, "claude-opus-4-1-thinking", "32000"],
        [None, "auto-model", None],
        ["openai", "openai/gpt-5.2", "low"],
        ["NousResearch", "NousResearch/hermes-4-70b", None],
        ["nousresearch", "nousresearch/hermes-4-70b", None],
    ]


def test_cost_estimate_in_all_three_forms(live_shaped):
    df = flat(live_shaped)
    assert row(df, "anthropic/claude-sonnet-4.6")["cost_estimate"] == "$$"
    assert row(df, "claude-opus-4-1-thinking:32000")["cost_estimate"] == '{"cheap":false}'
    assert row(df, "alibaba/qwen3.6-flash")["cost_estimate"] == "0.0058"


def test_unknown_fields_kept_in_extra_json(live_shaped):
    df = flat(live_shaped)
    drummer = json.loads(row(df, "TheDrummer/cydonia-24b-v4.1")["extra_json"])
    assert drummer == {  # schema 2: open_weights has a column of its own
        "_invalid": {"pricing.completion": -1},
        "providers": ["a", "b"],
    }
    assert row(df, "TheDrummer/cydonia-24b-v4.1")["open_weights"] is True
    raw = row(df, "alibaba/qwen3.6-flash")["extra_json"]
    assert raw == '{"capabilities":{"web_search":true}}'  # compact, sorted keys


def test_schema_2_columns_leave_extra_json():
    df = flat(listing(
        {"id": "img", "architecture": {"input_modalities": ["text"],
                                       "output_modalities": ["text", "image"]},
         "pricing": {"currency": "USD", "unit": "per_million_tokens",
                     "note": "varies_by_modality"}, "open_weights": False},
        {"id": "plain", "pricing": {"prompt": 1, "completion": 2}},
    ))  # fmt: skip
    img, plain = row(df, "img"), row(df, "plain")
    assert img["output_modalities"] == "text,image" and img["price_note"] == "varies_by_modality"
    assert img["open_weights"] is False and is_na(img["extra_json"])
    assert is_na(plain["output_modalities"]) and is_na(plain["price_note"])
    assert is_na(plain["open_weights"])  # not served: unknown, never False


def test_unknown_nested_keys_and_non_object_sections():
    df = flat(listing({
        "id": "m",
        "pricing": {"prompt": 1, "imagePer1k": 2},
        "architecture": {"input_modalities": ["text"], "tokenizer": "x"},
        "distillationPolicy": {"status": "allowed", "reviewed": "2026-01-01"},
        "capabilities": "all",
    }))  # fmt: skip
    extra = json.loads(df["extra_json"].iloc[0])
    assert extra == {
        "_invalid": {"capabilities": "all"},
        "architecture": {"tokenizer": "x"},
        "distillationPolicy": {"reviewed": "2026-01-01"},
        "pricing": {"imagePer1k": 2},
    }


def test_subscription_object_and_multiplier(live_shaped):
    r = row(flat(live_shaped), "thedrummer/cydonia-24b-v4.1")
    assert r["in_subscription"] is True
    assert r["subscription_input_multiplier"] == 2.0


def test_in_subscription_resolved_across_listings():
    a, b, c = {"id": "a"}, {"id": "b"}, {"id": "c", "subscription": {"included": True}}
    df = frames_from_listings(
        {"canonical": listing(a, b, c), "subscription": listing(a), "paid": listing(b)},
        snapshot_at=STAMP,
    )
    got = {(e, i): v for e, i, v in df[["source_endpoint", "id", "in_subscription"]].values}
    assert got == {
        ("canonical", "a"): True,
        ("canonical", "b"): False,
        ("canonical", "c"): True,  # from the model's own subscription.included
        ("subscription", "a"): True,
        ("paid", "b"): False,
    }
    assert df["in_subscription"].dtype == pd.ArrowDtype(pa.bool_())
    assert df["snapshot_at"].nunique() == 1


def test_malformed_items_skipped_counted_and_named():
    body = listing({"id": "ok"}, "not-a-model", {"name": "no id"}, {"id": 7}, None)
    with pytest.warns(CatalogWarning, match=r"skipped 4 malformed.*#1 \(not an object: str\)"):
        df = flat(body, endpoint="paid")
    assert df["id"].tolist() == ["ok"]
    assert df.attrs["skipped_items"] == {"paid": 4}


def test_positions_follow_the_served_order():
    df = flat(listing({"id": "z"}, {"id": "a"}, {"id": "m"}))
    assert df["position"].tolist() == [0, 1, 2]
    assert df["id"].tolist() == ["z", "a", "m"]


def test_created_bad_values_are_na():
    df = flat(listing({"id": "a", "created": "1736966400"}, {"id": "b", "created": -5},
                      {"id": "c", "created": 1.7e15}))  # fmt: skip
    assert df["created"].iloc[0] == pd.Timestamp(1736966400, unit="s", tz="UTC")
    assert df["created"].iloc[1:].isna().all()


def test_listing_meta_kept_in_attrs(live_shaped):
    assert flat(live_shaped).attrs["listing_meta"] == {
        "canonical": {"meta": {"distillation": "all"}}
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"object": "list", "data": [{"id": "a"}', "truncated"),
        ("<!DOCTYPE html><html>Cloudflare</html>", "HTML page"),
        ('{"object": "list"}', "no 'data' list"),
        ('{"models": ["a", "b"]}', "legacy"),
        ('{"error": {"message": "Service down"}}', "Service down"),
        ("[1, 2]", "expected a JSON object"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_payload_errors(body, message):
    with pytest.raises(nf.PayloadError, match=message):
        parse_listing(body)


def test_bad_source_endpoint_is_a_config_error():
    with pytest.raises(nf.ConfigError, match="source_endpoint"):
        nf.frame_from_payload(listing(), source_endpoint="free")


def test_bytes_str_and_dict_payloads_agree(live_shaped):
    text = json.dumps(live_shaped)
    frames = [flat(live_shaped), flat(text), flat(text.encode())]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_naive_snapshot_time_is_utc():
    df = nf.frame_from_payload(listing({"id": "a"}), source_endpoint="paid",
                               snapshot_at="2026-08-24 12:00:00")  # fmt: skip
    assert df["snapshot_at"].iloc[0] == pd.Timestamp(STAMP)


def test_large_listing_across_chunks_keeps_rows_aligned():
    from nanogpt_frame.catalog.record_batch import CHUNK

    count = CHUNK * 2 + 17
    models = [{"id": f"m/{i}", "pricing": {"prompt": i / 100}} for i in range(count)]
    models[CHUNK + 5]["pricing"]["prompt"] = -3  # an unreadable value in the second chunk
    models[2 * CHUNK + 1]["surprise"] = {"x": 1}  # an unknown field in the third
    models.insert(CHUNK, "junk")  # a skipped item shifts later positions by one
    with pytest.warns(CatalogWarning, match="skipped 1"):
        df = flat(listing(*models))
    assert len(df) == count and df["id"].is_unique
    row = df[df["id"] == f"m/{CHUNK + 5}"].iloc[0]
    assert is_na(row["price_prompt"]) and row["position"] == CHUNK + 6
    assert json.loads(row["extra_json"]) == {"_invalid": {"pricing.prompt": -3}}
    assert json.loads(
        row_extra := df.loc[df["id"] == f"m/{2 * CHUNK + 1}", "extra_json"].iloc[0]
    ) == {"surprise": {"x": 1}}, row_extra
    assert df["extra_json"].notna().sum() == 2
    assert df.loc[df["id"] == "m/7", "price_prompt"].iloc[0] == 0.07


def test_the_fast_parse_and_the_standard_one_agree(live_shaped):
    """Bytes go through orjson; a dict was parsed by json. Every value must come out the same."""
    from nanogpt_frame.sample import sample_dir

    for raw in (json.dumps(live_shaped).encode(), (sample_dir() / "canonical.json").read_bytes()):
        fast = flat(raw)
        standard = flat(json.loads(raw))
        pd.testing.assert_frame_equal(fast, standard)
    huge = b'{"data": [{"id": "a", "big": -123456789012345678901, "p": 0.00030000000000000003}]}'
    extra = json.loads(flat(huge)["extra_json"].iloc[0])
    assert extra == {"big": -123456789012345678901, "p": 0.00030000000000000003}  # exact


def test_a_byte_order_mark_is_not_an_error():
    body = b'\xef\xbb\xbf{"data": [{"id": "a"}]}'
    assert flat(body)["id"].tolist() == ["a"]
    assert flat(body.decode("utf-8"))["id"].tolist() == ["a"]
