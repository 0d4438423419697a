"""load() on the bundled sample, folders and files of raw listings, and bad sources."""

from __future__ import annotations

import json
import pathlib
import shutil

import pandas as pd
import pytest

import nanogpt_frame as nf
from nanogpt_frame.sample import sample_dir


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return nf.load("sample")


def test_sample_size_and_listings(sample):
    counts = sample.groupby("source_endpoint").size()
    assert counts["canonical"] >= 120
    assert counts["subscription"] + counts["paid"] == counts["canonical"]


def test_sample_subscription_and_paid_are_disjoint_and_cover_canonical(sample):
    ids = {e: set(g) for e, g in sample.groupby("source_endpoint")["id"]}
    assert not ids["subscription"] & ids["paid"]
    assert ids["subscription"] | ids["paid"] == ids["canonical"]
    canonical = sample[sample["source_endpoint"] == "canonical"]
    assert canonical["in_subscription"].notna().all()
    assert set(canonical.loc[canonical["in_subscription"] == True, "id"]) == ids["subscription"]  # noqa: E712


def test_sample_exercises_the_quirks(sample):
    c = sample[sample["source_endpoint"] == "canonical"]
    assert c["price_cache_read"].notna().sum() >= 5 and c["price_cache_write"].notna().any()
    assert c["context_length"].isna().any() and c["max_output_tokens"].isna().any()
    assert c["cap_pdf_upload"].isna().any()  # a missing capability key
    estimate = c["cost_estimate"].dropna()
    assert estimate.str.startswith("{").any() and estimate.str.startswith("$").any()
    assert pd.to_numeric(estimate, errors="coerce").notna().any()
    assert {"thinking", "32000", "low"} <= set(c["variant"].dropna())
    assert c["id_namespace"].isna().any() and (c["id_namespace"] == "TEE").any()
    lowered = c["id"].str.lower()
    assert lowered.duplicated().any()  # a case pair
    assert set(c["distillation_status"].dropna()) == {"allowed", "disallowed", "unknown"}
    assert c["extra_json"].notna().any()
    assert (c["max_output_tokens"] > c["context_length"]).any()
    assert {"google", "gemini"} <= set(c["owned_by"])
    # schema 2 fields, and the real catalog's surprises (facts file, 623-model catalog)
    assert {"text", "text,image"} <= set(c["output_modalities"].dropna())
    assert (c["price_note"] == "varies_by_modality").any()
    assert set(c["open_weights"].dropna()) == {True, False} and c["open_weights"].isna().any()
    assert {"linkup-research-high", "nano-gpt-help", "auto-model"} <= set(c["id"])


def test_sample_attrs(sample):
    attrs = sample.attrs
    assert attrs["source"] == "sample" and attrs["authenticated"] is False
    assert attrs["sample_as_of"] == "2026-08-24"
    assert attrs["schema_version"] == "2" and "package_version" in attrs
    assert pd.Timestamp(attrs["fetched_at"]) == sample["snapshot_at"].iloc[0]
    assert sample["snapshot_at"].nunique() == 1


def test_sample_files_are_raw_listing_responses():
    for name in ("canonical", "subscription", "paid"):
        body = json.loads((sample_dir() / f"{name}.json").read_text())
        assert body["object"] == "list" and isinstance(body["data"], list)


def test_folder_of_raw_listings_uses_the_same_path(tmp_path, sample):
    for name in ("canonical", "paid"):
        shutil.copy(sample_dir() / f"{name}.json", tmp_path / f"{name}.json")
    stamp = sample["snapshot_at"].iloc[0]
    df = nf.load(tmp_path, snapshot_at=stamp)
    expected = nf.load("sample", endpoints=("canonical", "paid"), snapshot_at=stamp)
    pd.testing.assert_frame_equal(df, expected)
    # Without the subscription listing, canonical ids not in paid stay unknown (SPEC).
    canonical = df[df["source_endpoint"] == "canonical"]
    assert canonical["in_subscription"].isna().any()
    assert not (canonical["in_subscription"] == True).any()  # noqa: E712
    assert df.attrs["source"] == str(tmp_path)


def test_single_listing_file(tmp_path):
    path = tmp_path / "paid-2026-08-24.json"
    shutil.copy(sample_dir() / "paid.json", path)
    df = nf.load(path)
    assert set(df["source_endpoint"]) == {"paid"} and (df["in_subscription"] == False).all()  # noqa: E712


def test_endpoints_subset_of_the_sample():
    df = nf.load("sample", endpoints=["subscription"])
    assert set(df["source_endpoint"]) == {"subscription"}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"source": "/no/such/folder"}, nf.ConfigError),
        ({"source": "sample", "endpoints": ("free",)}, nf.ConfigError),
        ({"source": "sample", "endpoints": ()}, nf.ConfigError),
        ({"source": "sample", "sort": "newest"}, nf.ConfigError),
    ],
)
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        nf.load(**kwargs)


def test_folder_without_listings_is_a_payload_error(tmp_path):
    (tmp_path / "canonical.json").write_text('{"oops": 1}')
    with pytest.raises(nf.PayloadError, match=r"canonical\.json"):
        nf.load(tmp_path)


def test_import_is_lazy():
    import subprocess
    import sys

    code = (
        "import sys, nanogpt_frame; "
        "print(sorted(m for m in ('httpx', 'matplotlib', 'pyarrow.dataset', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---- one source rule (snapshots/source.py): every loader and the CLI classify alike --------------


def sample_at(when: str) -> pd.DataFrame:
    return nf.load("sample", snapshot_at=when)


def test_the_sample_and_a_copy_of_its_folder_give_the_same_frame(tmp_path, sample):
    for path in sample_dir().iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    stamp = sample["snapshot_at"].iloc[0]
    copy = nf.load(tmp_path, snapshot_at=stamp)
    pd.testing.assert_frame_equal(nf.load("sample", snapshot_at=stamp), copy)
    pd.testing.assert_frame_equal(nf.load(str(tmp_path), snapshot_at=stamp), copy)
    # one provenance helper: the same attrs, bar where the frame came from
    ours = {k: v for k, v in sample.attrs.items() if k not in ("source", "sample_as_of")}
    theirs = {k: v for k, v in copy.attrs.items() if k != "source"}
    assert ours.keys() == theirs.keys() and copy.attrs["source"] == str(tmp_path)


def test_classify_source_names_every_kind(tmp_path):
    from nanogpt_frame.snapshots.source import MODEL_FILES, ROUTE_FILES, classify_source

    def kind(source, raw=MODEL_FILES):
        return classify_source(source, raw_names=raw).kind

    assert kind("live") == "live" and kind("sample") == "sample"
    assert classify_source("sample").path == sample_dir()
    assert kind(sample_dir()) == "raw_folder" and kind(sample_dir() / "paid.json") == "raw_file"
    assert kind(sample_dir(), ROUTE_FILES) == "raw_folder"
    path = nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    assert kind(path) == "snapshot_file" and classify_source(path).table == "models"
    root = classify_source(tmp_path)
    assert (root.kind, root.table, root.day) == ("snapshot_root", "models", None)
    day = classify_source(tmp_path / "snapshot_date=2026-08-01")
    assert (day.kind, day.location, day.day) == ("snapshot_root", str(tmp_path), "2026-08-01")
    assert day.table == "models" and day.name == str(tmp_path / "snapshot_date=2026-08-01")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert classify_source(empty).table is None
    with pytest.raises(nf.ConfigError, match="does not exist"):
        classify_source(pathlib.Path("live"))  # a path, never the word
    with pytest.raises(nf.ConfigError, match="not int"):
        classify_source(3)


def test_uri_day_folders_and_files_are_classified_by_name(monkeypatch):
    from nanogpt_frame.snapshots import source

    monkeypatch.setattr(source, "_table_of", lambda *args: "models")  # no store to reach
    day = source.classify_source("s3://b/h/snapshot_date=2026-08-24?region=x")
    assert (day.kind, day.location, day.day) == ("snapshot_root", "s3://b/h?region=x", "2026-08-24")
    assert day.is_uri and source.classify_source("s3://b/h/").day is None
    assert source.classify_source("s3://b/h/x.parquet?region=x").kind == "snapshot_file"


def test_a_day_folder_of_a_root_loads_that_days_latest_snapshot(tmp_path):
    nf.write_snapshot(sample_at("2026-08-01T00:00:00Z"), tmp_path)
    noon = nf.write_snapshot(sample_at("2026-08-01T12:00:00Z"), tmp_path)
    nf.write_snapshot(sample_at("2026-08-02T00:00:00Z"), tmp_path)
    day = nf.load(tmp_path / "snapshot_date=2026-08-01")  # no "not a snapshot" warning (-W error)
    assert day.attrs["snapshot_path"] == noon
    assert day["snapshot_at"].iloc[0] == pd.Timestamp("2026-08-01T12:00:00Z")
    assert nf.load(tmp_path)["snapshot_at"].iloc[0] == pd.Timestamp("2026-08-02", tz="UTC")


def test_routes_snapshots_given_to_load_say_where_they_go(tmp_path):
    routes = nf.load_routes(source="sample")
    path = nf.write_snapshot(routes, tmp_path)
    for source in (tmp_path, path, pathlib.Path(path).parent):
        with pytest.raises(nf.SnapshotError, match=r"holds routes snapshots.*load_routes"):
            nf.load(source)
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    with pytest.raises(nf.SnapshotError, match="no snapshots yet"):
        nf.load(empty)
