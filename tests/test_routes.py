"""Provider routes: the fetch (throttle, failures, key, cache), the flattener's quirks, the
analysis helpers, snapshots and diffs of routes (issue 12)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from urllib.parse import unquote

import httpx
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame._http import client as http
from nanogpt_frame._http import pacing
from nanogpt_frame.cli import cli_logic
from nanogpt_frame.routes.fetch_routes import route_url
from nanogpt_frame.routes.flatten_routes import routes_frame
from nanogpt_frame.settings import Settings
from tests.conftest import send_json

KEY = "sk-routes-0a1b2c3d4e5f60718293"
BASE = "http://routes.example/api"

# Written out from SPEC.md ("Provider routes"), not imported: this is the contract.
SPEC_ROUTE_TYPES = {
    "snapshot_at": pa.timestamp("us", tz="UTC"),
    "model_id": pa.string(),
    "canonical_id": pa.string(),
    "display_name": pa.string(),
    "supports_provider_selection": pa.bool_(),
    "default_price_prompt": pa.float64(),
    "default_price_completion": pa.float64(),
    "provider": pa.string(),
    "available": pa.bool_(),
    "price_prompt": pa.float64(),
    "price_completion": pa.float64(),
    "quantization": pa.string(),
    "supports_prompt_caching": pa.bool_(),
    "distillation_status": pa.string(),
    "distillation_label": pa.string(),
    "distillation_basis": pa.string(),
    "distillation_source_url": pa.string(),
    "distillation_note": pa.string(),
    "effective_distillation_status": pa.string(),
    "extra_json": pa.string(),
}


def response(model_id: str, n: int = 2, **top) -> dict:
    """A routes response: default 0.40/1.75 per 1M, providers at 0.42/1.8375 (5% markup)."""
    return {
        "canonicalId": model_id,
        "displayName": model_id.split("/")[-1],
        "supportsProviderSelection": True,
        "defaultPrice": {"inputPer1kTokens": 0.0004, "outputPer1kTokens": 0.00175},
        "providers": [
            {
                "provider": f"p{k}",
                "available": True,
                "pricing": {"inputPer1kTokens": 0.00042, "outputPer1kTokens": 0.0018375},
            }
            for k in range(n)
        ],
        **top,
    }


def assert_route_dtypes(df: pd.DataFrame) -> None:
    assert list(df.columns) == list(SPEC_ROUTE_TYPES)
    for column, kind in SPEC_ROUTE_TYPES.items():
        assert df[column].dtype == pd.ArrowDtype(kind), column


# ---- the fetch, against a real server ------------------------------------------------------------


def test_120_models_against_a_loopback_server(loopback_server):
    ids = [f"org{i % 7}/model-{i}:v{i % 3}" for i in range(120)]
    missing = {ids[5], ids[50], ids[99]}
    limited_once = {ids[10]}
    times: list[float] = []
    served_keys: list[str | None] = []
    lock = threading.Lock()

    def respond(handler):
        with lock:
            times.append(time.monotonic())
            served_keys.append(handler.headers.get("Authorization"))
        encoded = handler.path.split("/models/", 1)[1].split("/providers", 1)[0]
        model_id = unquote(encoded)
        assert "/" not in encoded  # one path segment
        if model_id in missing:
            send_json(handler, 404, {"error": {"message": f"model {model_id} not found"}})
        elif model_id in limited_once:
            limited_once.discard(model_id)
            send_json(
                handler,
                429,
                {"code": "rate_limited", "message": "Rate limit exceeded"},
                {"Retry-After": "1"},
            )
        else:
            send_json(handler, 200, response(model_id, n=1 + len(model_id) % 3))

    server = loopback_server(respond)
    with pytest.warns(nf.CatalogWarning, match="no routes for 3 model"):
        df = nf.load_routes(ids, base_url=server.base_url, api_key=KEY, rate=25, max_age=0)
    assert_route_dtypes(df)
    assert set(df.attrs["failed"]) == missing
    assert all("not found" in message for message in df.attrs["failed"].values())
    assert set(df["model_id"]) == set(ids) - missing
    assert (df["price_prompt"] == 0.42).all() and (df["default_price_completion"] == 1.75).all()
    assert len(times) == 120 + 1  # one GET per id, one retry after the 429, no retry on 404
    assert all(key == f"Bearer {KEY}" for key in served_keys)
    times.sort()
    busiest = max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))
    assert busiest <= 25 + 1, f"{busiest} requests in one second"
    text = json.dumps(df.attrs, default=str) + df.to_csv()
    assert KEY not in text


def test_the_pacer_never_bursts_after_a_stall(monkeypatch):
    now = [100.0]
    sent: list[float] = []
    monkeypatch.setattr(pacing, "_clock", lambda: now[0])
    monkeypatch.setattr(pacing, "_sleep", lambda s: now.__setitem__(0, now[0] + s))
    pacer = pacing.Pacer(rate=20)
    for _ in range(10):
        pacer.wait()
        sent.append(now[0])
    now[0] += 30  # a stall: nothing for 30 s
    for _ in range(30):
        pacer.wait()
        sent.append(now[0])
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 0.05 - 1e-9
    windows = [sum(1 for t in sent if s <= t < s + 1) for s in sent]
    assert max(windows) <= 21


def test_rate_above_the_api_limit_is_refused():
    with pytest.raises(nf.ConfigError, match="25"):
        nf.load_routes(["a"], rate=26)
    with pytest.raises(nf.ConfigError):
        nf.load_routes(["a"], source="sample", rate=0)


def test_network_down_for_every_model_is_a_fetch_error(monkeypatch):
    monkeypatch.setattr(http, "_sleep", lambda s: None)
    with pytest.raises(nf.FetchError, match="no provider route could be fetched") as info:
        nf.load_routes(
            ["a/b", "c/d"], base_url="http://127.0.0.1:9/api", max_age=0, retries=0, api_key=KEY
        )
    assert KEY not in str(info.value) and info.value.__context__ is None


# ---- quirks, through MockTransport ---------------------------------------------------------------


class Api:
    def __init__(self, answers: dict):
        self.answers = answers
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.raw_path.decode())
        model_id = unquote(request.url.raw_path.decode().split("/models/")[1].split("/")[0])
        answer = self.answers.get(model_id)
        if answer is None:
            return httpx.Response(404, json={"error": "Model not found", "status": 404})
        return httpx.Response(200, json=answer)

    def load(self, models, **kwargs):
        with httpx.Client(transport=httpx.MockTransport(self)) as client:
            return nf.load_routes(models, client=client, base_url=BASE, max_age=0, **kwargs)


def test_every_quirk_of_the_facts_file():
    catalog = nf.frame_from_payload(
        {
            "data": [
                {"id": "open/m", "distillationPolicy": {"status": "allowed"}},
                {"id": "closed/m", "distillationPolicy": {"status": "disallowed"}},
                {"id": "bare/m"},
            ]
        },
        source_endpoint="canonical",
        snapshot_at="2026-08-24",
    )
    api = Api(
        {
            "open/m": response(
                "open/m",
                providers=[
                    {
                        "provider": "strict",
                        "available": True,
                        "pricing": {"inputPer1kTokens": 0.001, "outputPer1kTokens": 0.002},
                        "distillationPolicy": {"status": "disallowed", "label": "no"},
                    },
                    {"provider": "unpriced", "available": True},
                    {
                        "provider": "down",
                        "available": False,
                        "quantization": "fp8",
                        "supportsPromptCaching": True,
                        "pricing": {"inputPer1kTokens": 0, "outputPer1kTokens": "0.0005"},
                    },
                    {
                        "provider": "review",
                        "available": True,
                        "distillationPolicy": {"label": "tbd"},
                        "pricing": {"inputPer1kTokens": 0.0004, "outputPer1kTokens": 0.0019},
                        "region": "eu",
                    },
                ],
            ),
            "closed/m": {
                "canonicalId": "closed/m-canonical",
                "supportsProviderSelection": False,
                "defaultPrice": {"inputPer1kTokens": 0.003, "outputPer1kTokens": 0.015},
                "providers": [],
            },
            "bare/m": response(
                "bare/m",
                providers=[
                    {
                        "provider": "free",
                        "available": True,
                        "pricing": {"inputPer1kTokens": 0.0001, "outputPer1kTokens": 0.0002},
                        "distillationPolicy": {"status": "allowed"},
                    }
                ],
            ),
        }
    )
    df = api.load(catalog)
    assert_route_dtypes(df)
    by = {
        (m, p): row
        for m, p, row in zip(
            df["model_id"], df["provider"].astype(object), df.to_dict("records"), strict=True
        )
    }
    assert by[("open/m", "strict")]["effective_distillation_status"] == "disallowed"  # override
    assert by[("bare/m", "free")]["effective_distillation_status"] == "allowed"  # route says more
    assert by[("open/m", "review")]["effective_distillation_status"] == "allowed"  # no status
    assert by[("open/m", "review")]["distillation_label"] == "tbd"
    assert pd.isna(by[("open/m", "unpriced")]["price_prompt"])  # never 0, never the default
    assert by[("open/m", "down")]["price_prompt"] == 0.0  # a served 0 stays 0
    assert (
        by[("open/m", "down")]["price_completion"] == 0.5
        and not by[("open/m", "down")]["available"]
    )
    assert json.loads(by[("open/m", "review")]["extra_json"]) == {"region": "eu"}
    closed = df[df["model_id"] == "closed/m"]
    assert len(closed) == 1 and pd.isna(closed["provider"].iloc[0])  # one row, provider <NA>
    assert closed["canonical_id"].iloc[0] == "closed/m-canonical"  # model_id is what was asked
    assert not closed["supports_provider_selection"].iloc[0]
    assert closed["default_price_prompt"].iloc[0] == 3.0
    assert closed["effective_distillation_status"].iloc[0] == "disallowed"  # the model's own
    assert sorted(api.paths) == sorted(
        f"/api/models/{p}/providers" for p in ("open%2Fm", "closed%2Fm", "bare%2Fm")
    )


def test_one_request_per_distinct_id_and_plain_ids_have_no_fallback():
    api = Api({"a/b:thinking": response("a/b:thinking")})
    with pytest.warns(nf.CatalogWarning, match="Model not found"):
        df = api.load(
            ["a/b:thinking", "a/b:thinking", "A/B:thinking"], progress=False
        )  # a duplicate and a case pair
    assert api.paths.count("/api/models/a%2Fb%3Athinking/providers") == 1
    assert len(api.paths) == 2 and set(df.attrs["failed"]) == {"A/B:thinking"}
    assert df["effective_distillation_status"].isna().all()


def test_hostile_route_bodies_are_failures_not_crashes():
    api = Api(
        {"ok": response("ok"), "list": ["not", "an", "object"], "prov": {"providers": "many"}}
    )
    with pytest.warns(nf.CatalogWarning):
        df = api.load(["ok", "list", "prov"])
    assert set(df["model_id"]) == {"ok"} and set(df.attrs["failed"]) == {"list", "prov"}
    odd = routes_frame(
        {
            "x": {
                "providers": [
                    {
                        "provider": "p\ud800",
                        "available": "yes",
                        "pricing": {"inputPer1kTokens": 1e306},
                    }
                ]
            }
        }
    )
    assert pd.isna(odd["available"].iloc[0]) and pd.isna(odd["price_prompt"].iloc[0])
    assert "_invalid" in json.loads(odd["extra_json"].iloc[0])


def test_progress_bar_switch(capsys):
    api = Api({"a": response("a"), "b": response("b")})
    api.load(["a", "b"], progress=True)
    assert "provider routes" in capsys.readouterr().err
    api.load(["a", "b"])  # not a terminal, not a notebook: no bar by default
    api.load(["a", "b"], progress=False)
    assert "provider routes" not in capsys.readouterr().err


def test_routes_are_cached_per_model_and_key(tmp_path, monkeypatch):
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(tmp_path))
    api = Api({"a": response("a"), "b": response("b")})
    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        nf.load_routes(["a", "b"], client=client, base_url=BASE, api_key=KEY)
        again = nf.load_routes(["a", "b"], client=client, base_url=BASE, api_key=KEY)
        nf.load_routes(["a"], client=client, base_url=BASE, api_key=KEY + "x")
    assert len(api.paths) == 3 and again.attrs["from_cache"] == 2
    for path in tmp_path.rglob("*"):
        assert KEY.encode() not in path.read_bytes()


# ---- analysis, snapshots, diff, CLI --------------------------------------------------------------


def test_cheapest_routes_picks_the_lowest_available_priced_route():
    sample = nf.load_routes(source="sample")
    best = nf.cheapest_routes(sample)
    assert best["model_id"].is_unique
    marked = nf.route_markup(sample)
    usable = marked[marked["available"].fillna(False) & marked["blended_price"].notna()]
    expected = usable.groupby("model_id")["blended_price"].min()
    assert dict(zip(best["model_id"], best["blended_price"], strict=True)) == expected.to_dict()
    allowed = nf.cheapest_routes(sample, distillation="allowed")
    assert (allowed["effective_distillation_status"] == "allowed").all()
    models = nf.load("sample")
    vision = nf.cheapest_routes(sample, models, require="vision")
    caps = models.drop_duplicates("id").set_index("id")["cap_vision"]
    assert all(caps[m] is True for m in vision["model_id"])
    with pytest.raises(nf.ConfigError, match="models frame"):
        nf.cheapest_routes(sample, require="vision")
    spread = nf.route_spread(sample)
    assert spread["model_id"].is_unique and (spread["routes_available"] <= spread["routes"]).all()


def test_routes_snapshot_round_trip_and_diff(tmp_path):
    first = nf.load_routes(source="sample", snapshot_at="2026-08-01T00:00:00Z")
    nf.write_snapshot(first, tmp_path)
    second = nf.load_routes(source="sample", snapshot_at="2026-08-02T00:00:00Z")
    second.loc[second["provider"] == "fireworks", "price_prompt"] *= 2
    second = second[~((second["model_id"] == "zai-org/glm-4.7") & (second["provider"] == "novita"))]
    nf.write_snapshot(second.reset_index(drop=True), tmp_path)
    history = nf.read_snapshots(tmp_path)
    assert_route_dtypes(history)
    pd.testing.assert_frame_equal(
        history[history["snapshot_at"] == history["snapshot_at"].min()].reset_index(drop=True),
        first,
        check_like=False,
    )
    latest = nf.load_routes(source=str(tmp_path))
    assert latest["snapshot_at"].nunique() == 1 and latest.attrs["source"] == "snapshot"
    changes = nf.diff(first, second)
    assert ("removed", "zai-org/glm-4.7", "novita") in set(
        zip(changes["change"], changes["id"], changes["provider"].astype(object), strict=True)
    )
    repriced = changes[changes["field"] == "price_prompt"]
    assert set(repriced["provider"]) == {"fireworks"} and repriced["review"].all()
    with pytest.raises(nf.SnapshotError, match="routes snapshots"):
        nf.write_snapshot(nf.load("sample"), tmp_path)
    with pytest.raises(nf.ConfigError):
        nf.diff(first, nf.load("sample"))


def test_cli_routes_table_and_snapshot(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert cli_logic(["routes", "--sample", "--distillation", "allowed"]) == 0
    out = capsys.readouterr().out
    assert "allowed" in out and max(map(len, out.splitlines())) <= 80
    assert (
        cli_logic(["routes", "--sample", "--snapshot-out", str(tmp_path), "--format", "json"]) == 0
    )
    written = json.loads(capsys.readouterr().out)
    assert written["models"] == 24 and nf.read_snapshots(tmp_path)["model_id"].nunique() == 24


# ---- one source rule: the same data from any source, the same frame ------------------------------


def copy_sample(folder, names=("routes.json", "canonical.json", "manifest.json")):
    import shutil

    from nanogpt_frame.sample import sample_dir

    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(sample_dir() / name, folder / name)
    return folder


def test_the_sample_and_the_same_files_give_the_same_routes(tmp_path):
    from nanogpt_frame.sample import sample_dir

    sample = nf.load_routes(source="sample")
    copy = copy_sample(tmp_path / "copy")
    for source in (sample_dir(), sample_dir() / "routes.json", copy, copy / "routes.json"):
        same = nf.load_routes(source=source)
        pd.testing.assert_frame_equal(sample, same)  # effective_distillation_status included
        assert same.attrs["source"] == str(source)
    some = ["moonshotai/kimi-k2.5", "zai-org/glm-4.7"]
    pd.testing.assert_frame_equal(
        nf.load_routes(some, source="sample"), nf.load_routes(some, source=copy)
    )
    # the catalog's policies come from the canonical.json beside the routes: without it, the
    # routes carry only their own (what the path source used to give for four models)
    bare = copy_sample(tmp_path / "bare", ("routes.json", "manifest.json"))
    own = nf.load_routes(source=bare)["effective_distillation_status"].astype(object)
    differs = sample["effective_distillation_status"].astype(object).fillna("-") != own.fillna("-")
    assert sample["model_id"][differs].nunique() >= 1
    # a models frame given still wins over the catalog beside the files
    models = nf.load("sample", endpoints="canonical")
    models = models[models["id"].isin(sample["model_id"])]
    pd.testing.assert_frame_equal(
        nf.load_routes(models, source=bare), nf.load_routes(models, source="sample")
    )


def test_per_model_route_files_take_the_catalog_beside_them(tmp_path):
    from urllib.parse import quote

    sample = nf.load_routes(source="sample")
    mapping = json.loads((copy_sample(tmp_path / "src") / "routes.json").read_text())
    folder = copy_sample(tmp_path / "per-id", ("canonical.json",))
    for model_id, body in mapping.items():
        (folder / f"{quote(model_id, safe='')}.json").write_text(json.dumps(body))
    per_id = nf.load_routes(source=folder, snapshot_at=sample["snapshot_at"].iloc[0])
    assert "canonical" not in set(per_id["model_id"])  # the listing is not a route response
    key = ["model_id", "provider"]
    left = sample.sort_values(key, kind="stable").reset_index(drop=True)
    right = per_id.sort_values(key, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)


def test_models_snapshots_given_as_routes_say_where_they_go(tmp_path):
    path = nf.write_snapshot(nf.load("sample", snapshot_at="2026-08-01T00:00:00Z"), tmp_path)
    for source in (tmp_path, path, tmp_path / "snapshot_date=2026-08-01"):
        with pytest.raises(nf.SnapshotError, match=r"holds models snapshots.*load\(\)"):
            nf.load_routes(source=source)
    assert cli_logic(["routes", "--source", str(tmp_path)]) == 1


def test_a_day_folder_of_a_routes_root_is_that_days_latest(tmp_path, capsys):
    first = nf.load_routes(source="sample", snapshot_at="2026-08-01T00:00:00Z")
    nf.write_snapshot(first, tmp_path)
    nf.write_snapshot(nf.load_routes(source="sample", snapshot_at="2026-08-02T00:00:00Z"), tmp_path)
    day = nf.load_routes(source=tmp_path / "snapshot_date=2026-08-01")
    assert day["snapshot_at"].unique().tolist() == [pd.Timestamp("2026-08-01", tz="UTC")]
    pd.testing.assert_frame_equal(day, first, check_like=False)
    argv = ["routes", "--source", str(tmp_path / "snapshot_date=2026-08-01"), "--format", "csv"]
    assert cli_logic(argv) == 0
    assert cli_logic(["routes", "--sample", "--format", "csv"]) == 0
    from_day, from_sample = capsys.readouterr().out.split("model_id,", 2)[1:]
    assert from_day == from_sample


def test_cli_routes_sample_and_source_of_the_same_files_agree(tmp_path, capsys):
    copy = copy_sample(tmp_path / "copy")
    outputs = []
    for argv in (["--sample"], ["--source", str(copy)], ["--source", str(copy / "routes.json")]):
        assert cli_logic(["routes", *argv, "--format", "json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1] == outputs[2]
    assert {"effective_distillation_status"} <= set(outputs[0][0])


# ---- issue 17: ids, bad entries, order ---------------------------------------------------------

_TRICKY = st.sampled_from([".", "..", "...", "%2E", "%2e%2E", "a/../b", "./", "/..", "?x#y",
                           "%", "%%2F", "~", "é/ü", "a?b=c#d", "\u2215", " ", "..%2F"])  # fmt: skip
_ID_ALPHABET = st.characters(codec="utf-8") | st.sampled_from("/.%?#&=;: \\")


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TRICKY, st.text(_ID_ALPHABET, min_size=1, max_size=30)))
def test_17_every_id_is_exactly_one_path_segment(model_id):
    url = route_url(Settings(base_url=BASE), model_id)
    path = httpx.Request("GET", url).url.raw_path.decode("ascii")  # what goes on the wire
    assert path.startswith("/api/models/") and path.endswith("/providers")
    segment = path[len("/api/models/") : -len("/providers")]
    assert segment and "/" not in segment and "?" not in segment and "#" not in segment
    assert segment not in (".", "..")
    assert unquote(segment) == model_id


def test_17_dot_ids_never_request_another_path(loopback_server):
    seen: list[str] = []

    def answer(handler):
        seen.append(handler.path)
        send_json(handler, 200, response("m"))

    server = loopback_server(answer)
    df = nf.load_routes([".", "..", "a/b"], base_url=server.base_url, max_age=0, api_key=KEY)
    wanted = ["/api/models/%2E/providers", "/api/models/%2E%2E/providers"]
    assert sorted(seen) == sorted([*wanted, "/api/models/a%2Fb/providers"])
    assert "/api/providers" not in seen and "/api/models/providers" not in seen
    assert df["model_id"].unique().tolist() == [".", "..", "a/b"]


def test_17_entries_that_are_not_ids_are_skipped_and_reported():
    api = Api({"a": response("a"), "b": response("b")})
    given_ids = ["a", None, pd.NA, float("nan"), "", "\ud800", "b"]
    with pytest.warns(nf.CatalogWarning, match="not a model id"):
        df = api.load(given_ids)
    assert df["model_id"].unique().tolist() == ["a", "b"]
    failed = df.attrs["failed"]
    assert len(failed) == 5 and all(why.startswith("not a model id") for why in failed.values())
    assert sorted(api.paths) == ["/api/models/a/providers", "/api/models/b/providers"]


def test_17_a_models_frame_with_a_missing_id_loses_only_that_row():
    models = nf.load("sample", endpoints="canonical")
    models.loc[0, "id"] = pd.NA
    wanted = list(dict.fromkeys(models["id"].dropna()))
    api = Api({m: response(m) for m in wanted})
    with pytest.warns(nf.CatalogWarning, match="not a model id"):
        df = api.load(models)
    assert df["model_id"].unique().tolist() == wanted
    assert list(df.attrs["failed"].values()) == ["not a model id: missing"]


def test_17_rows_come_back_in_the_order_the_ids_were_asked():
    ids = [f"org/m{i}" for i in range(12)]

    def slow_first(request):
        model_id = unquote(request.url.raw_path.decode().split("/models/")[1].split("/")[0])
        time.sleep(0.08 * (12 - ids.index(model_id)))  # the first asked answers last
        return httpx.Response(200, json=response(model_id, n=2))

    with httpx.Client(transport=httpx.MockTransport(slow_first)) as client:
        df = nf.load_routes(ids, client=client, base_url=BASE, max_age=0, rate=25)
    assert df["model_id"].unique().tolist() == ids


def test_17_a_turn_due_after_the_deadline_is_refused_without_sleeping(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(pacing, "_sleep", slept.append)
    pacer = pacing.Pacer(rate=1)
    assert pacer.wait() is True  # the first turn goes at once
    assert pacer.wait(stop_at=time.monotonic() + 0.5) is False  # due in ~1.05 s: past it
    assert slept == []
    cancel = threading.Event()
    cancel.set()
    assert pacer.wait(stop_at=time.monotonic() + 60, cancel=cancel) is False  # abandoned
    assert pacer.wait(stop_at=time.monotonic() - 1) is False
