"""Media catalogs (issue 19): the four feeds over a loopback server with latency and faults, every
pricing shape and job rule by known answers, snapshots, diff, the key, the sample."""

from __future__ import annotations

import json
import threading
import time
import traceback
from pathlib import Path

import httpx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanogpt_frame as nf
from nanogpt_frame._http import client as http
from nanogpt_frame.analysis.media_price_lines import pricing_lines
from nanogpt_frame.media.flatten_media import media_frame
from nanogpt_frame.schema import (
    MEDIA_COLUMN_NAMES,
    MEDIA_SHAPES,
    media_arrow_schema,
    media_prices_arrow_schema,
)
from tests.conftest import send_json
from tests.media_catalog import media_catalog

KEY = "sk-media-7f8e9d0c1b2a3948"
STAMP = "2026-08-24T00:00:00Z"


def assert_media_dtypes(df: pd.DataFrame, schema=None) -> None:
    schema = schema or media_arrow_schema()
    assert list(df.columns) == schema.names
    for field in schema:
        assert df[field.name].dtype == pd.ArrowDtype(field.type), field.name


def _lines(prices: pd.DataFrame) -> dict[tuple[str, str], list[tuple]]:
    got: dict[tuple[str, str], list[tuple]] = {}
    for row in prices.itertuples(index=False):
        values = (row.billable, row.resolution, row.duration_seconds, row.variant, row.price_usd)
        line = tuple(None if v is None or v is pd.NA else v for v in values)
        got.setdefault((row.feed, row.id), []).append(line)
    return {key: sorted(lines, key=repr) for key, lines in got.items()}


# ---- the generated catalog over a loopback server --------------------------------------------


class FeedServer:
    """Serves the generated feeds with latency, counting requests in flight at once."""

    def __init__(self, feeds, latency=0.5, faults=None, slow=None):
        self.bodies = {f: json.dumps(b).encode() for f, b in feeds.items()}
        self.latency = latency
        self.faults = dict(faults or {})  # feed -> status, answered once
        self.slow = slow or {}
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.paths: list[str] = []
        self.keys: list[str | None] = []

    def __call__(self, handler) -> None:
        path = handler.path
        feed = path.split("/v1/", 1)[-1].split("-models", 1)[0]
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.paths.append(path)
            self.keys.append(handler.headers.get("Authorization"))
            fault = self.faults.pop(feed, None)
        try:
            time.sleep(self.slow.get(feed, self.latency))
        finally:
            with self.lock:
                self.in_flight -= 1
        if fault == 429:
            body = {"code": "rate_limited", "message": "Rate limit exceeded"}
            send_json(handler, 429, body, {"Retry-After": "1"})
        elif fault:
            send_json(handler, fault, {"error": {"message": "upstream hiccup", "type": "server"}})
        else:
            send_json(handler, 200, self.bodies[feed])


def test_generated_catalog_over_a_loopback_server_with_latency_and_faults(
    loopback_server, monkeypatch
):
    monkeypatch.setattr(http, "_sleep", lambda s: None)  # the retry waits, not the server's latency
    feeds, expected = media_catalog(1_000)
    api = FeedServer(feeds, latency=0.5, faults={"image": 429, "video": 503})
    server = loopback_server(api)
    df = nf.load_media(base_url=server.base_url, max_age=0, api_key=KEY)
    # the four feeds went out at once: one round trip of wall time, not four
    assert api.most_in_flight == 4
    assert sorted(p.split("?")[0] for p in api.paths) == sorted(
        ["/api/v1/image-models"] * 2
        + ["/api/v1/video-models"] * 2
        + ["/api/v1/audio-models", "/api/v1/embedding-models"]
    )
    assert "/api/v1/image-models?detailed=true" in api.paths
    assert "/api/v1/audio-models?type=all" in api.paths
    assert set(api.keys) == {f"Bearer {KEY}"}
    assert_media_dtypes(df)
    assert df.groupby("feed").size().to_dict() == {
        "image": 450,
        "video": 250,
        "audio": 200,
        "embedding": 100,
    }
    assert df["snapshot_at"].nunique() == 1 and df.attrs["table"] == "media"
    assert (
        df.attrs["feed_meta"]["audio"]["filter"] == "all"
        and "embedding" not in df.attrs["feed_meta"]
    )
    # nothing served is dropped: the pricing object as served, unknown fields in extra_json
    served = {(f, m["id"]): m for f, body in feeds.items() for m in body["data"]}
    for feed, model, text in zip(df["feed"], df["id"], df["pricing_json"], strict=True):
        assert json.loads(text) == served[(feed, model)]["pricing"]
    extra = df[df["extra_json"].notna()]
    kept = [set(json.loads(t)) for t in extra["extra_json"]]
    assert set().union(*kept) == {"providers", "settings", "supported_parameters"}
    assert sum("providers" in k for k in kept) == sum(
        1 for body in feeds.values() for m in body["data"] if "providers" in m
    )
    speeds = df[df["id"].str.startswith("img-speeds")]
    assert all("rendering_speed" in t for t in speeds["extra_json"])
    mixed = df[df["id"].str.startswith("img-mixed")]["resolutions"]
    assert not mixed.str.contains("*", regex=False).any()  # resolutions normalised
    # every line of every model, exactly
    prices = nf.media_prices(df)
    assert_media_dtypes(prices, media_prices_arrow_schema())
    assert _lines(prices) == expected
    unknown = prices[~prices["shape"].isin(MEDIA_SHAPES)]
    assert unknown["price_usd"].isna().all() and len(unknown)
    problems = nf.media_quality(df)
    flagged = set(problems.loc[problems["problem"] == "unknown pricing shape", "id"])
    assert flagged == set(unknown["id"])
    assert KEY not in df.to_csv() + json.dumps(df.attrs, default=str)


def test_a_slow_feed_ends_at_the_deadline_with_a_clear_error(loopback_server):
    feeds, _ = media_catalog(40)
    server = loopback_server(FeedServer(feeds, latency=0.0, slow={"video": 5.0}))
    with pytest.raises(nf.FetchError, match=r"timed out|deadline"):
        nf.load_media(base_url=server.base_url, max_age=0, timeout=0.5, deadline=1.0, retries=0)


def test_feeds_are_cached_and_a_fresh_cache_needs_no_request(
    loopback_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(tmp_path))
    feeds, _ = media_catalog(40)
    api = FeedServer(feeds, latency=0.0)
    server = loopback_server(api)
    first = nf.load_media(base_url=server.base_url, api_key=KEY)
    again = nf.load_media(base_url=server.base_url, api_key=KEY)
    assert len(api.paths) == 4 and again.attrs["from_cache"] == sorted(feeds)
    pd.testing.assert_frame_equal(
        first.drop(columns="snapshot_at"), again.drop(columns="snapshot_at")
    )


# ---- the key ---------------------------------------------------------------------------------


def _chain(exc):
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def test_a_server_echoing_the_key_in_a_200_body_leaks_it_nowhere(
    loopback_server, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(cache))

    def echo(handler):
        auth = handler.headers.get("Authorization", "")
        model = {"id": "echo", "description": f"you sent {auth}", "name": auth.split()[-1],
                 "pricing": {"per_image": {auth.split()[-1]: 0.01}}}  # fmt: skip
        send_json(handler, 200, {"object": "list", "data": [model]})

    server = loopback_server(echo)
    df = nf.load_media("image", base_url=server.base_url, api_key=KEY)
    assert KEY not in df.to_csv() + json.dumps(df.attrs, default=str) + repr(df)
    assert KEY not in nf.media_prices(df).to_csv()
    path = nf.write_snapshot(df, tmp_path / "snaps")
    assert KEY.encode() not in Path(path).read_bytes()
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files and all(KEY.encode() not in p.read_bytes() for p in files)


@pytest.mark.parametrize("status", [401, 500])
def test_a_server_echoing_the_key_in_an_error_body_leaks_it_nowhere(
    loopback_server, status, monkeypatch
):
    monkeypatch.setattr(http, "_sleep", lambda s: None)

    def echo(handler):
        auth = handler.headers.get("Authorization", "")
        send_json(handler, status, {"error": {"message": f"bad key {auth} ({auth[7:]})"}})

    server = loopback_server(echo)
    with pytest.raises(nf.FetchError) as info:
        nf.load_media(base_url=server.base_url, api_key=KEY, max_age=0, retries=1)
    for link in _chain(info.value):
        assert KEY not in str(link) and KEY not in repr(link)
    assert KEY not in "".join(traceback.format_exception(info.value))


def test_a_body_that_is_not_a_feed_is_a_payload_error_without_the_key():
    def page(request):
        return httpx.Response(200, content=b'{"data": [' + KEY.encode())

    with (
        httpx.Client(transport=httpx.MockTransport(page)) as client,
        pytest.raises(nf.PayloadError) as info,
    ):
        nf.load_media(
            "video", client=client, base_url="http://h.example/api", api_key=KEY, max_age=0
        )
    assert KEY not in str(info.value) and info.value.__context__ is None


# ---- every pricing shape, by known answer -----------------------------------------------------

SHAPES = [
    # (pricing as served, expected lines: billable, resolution, duration, variant, unit, price, shape, key)
    ({"per_image": {"1024*1024": 0.005, "1376*768": 0.005}, "currency": "USD"},
     [("image", "1024x1024", None, None, None, 0.005, "per_image", "1024*1024"),
      ("image", "1376x768", None, None, None, 0.005, "per_image", "1376*768")]),
    ({"per_image": {"1k": 0.14, "2k": 0.14, "4k": 0.24}, "currency": "USD"},
     [("image", "1k", None, None, None, 0.14, "per_image", "1k"),
      ("image", "2k", None, None, None, 0.14, "per_image", "2k"),
      ("image", "4k", None, None, None, 0.24, "per_image", "4k")]),
    ({"per_image": {"auto": 0.06}, "currency": "USD"},
     [("image", "auto", None, None, None, 0.06, "per_image", "auto")]),
    ({"per_image": {"16:9": 0.06, "19.5:9": "0.07", "720p": 0.0030000000000000005}},
     [("image", "16:9", None, None, None, 0.06, "per_image", "16:9"),
      ("image", "19.5:9", None, None, None, 0.07, "per_image", "19.5:9"),
      ("image", "720p", None, None, None, 0.003, "per_image", "720p")]),
    ({"per_image": {"default": 0.06, "by_rendering_speed": {"turbo": {"default": 0.03}, "flash": {"1024x1024": 0.01}}}},
     [("image", "default", None, None, None, 0.06, "per_image", "default"),
      ("image", "default", None, "turbo", None, 0.03, "per_image", "default"),
      ("image", "1024x1024", None, "flash", None, 0.01, "per_image", "1024x1024")]),
    ([{"billable": "output_image", "unit": "image", "cost_usd": 0.04, "resolution": "1024*1024"}],
     [("image", "1024x1024", None, None, None, 0.04, "per_image", "cost_usd")]),
    ({"per_video": 0.15, "fixed_duration_seconds": 5},
     [("video", None, 5.0, None, None, 0.15, "per_video", "per_video")]),
    ({"per_duration": {"5": 0.35}, "unit": "per_video"},
     [("video", None, 5.0, None, None, 0.35, "per_duration", "5")]),
    ({"per_second_by_resolution": {"480p": 0.04, "720p": 0.08}, "default_duration": 5, "default_resolution": "480p"},
     [("second", "480p", None, None, None, 0.04, "per_second_by_resolution", "480p"),
      ("second", "720p", None, None, None, 0.08, "per_second_by_resolution", "720p")]),
    ({"per_resolution": {"480p": 0.2, "720p": 0.4}, "frame_multiplier": 1.25, "frame_threshold": 81},
     [("video", "480p", None, None, None, 0.2, "per_resolution", "480p"),
      ("video", "720p", None, None, None, 0.4, "per_resolution", "720p")]),
    ({"raw": {"type": "wan27-video-dynamic", "pricesPerSecond": {"720p": 0.0588, "1080p": 0.0882}, "defaultDuration": 5, "defaultResolution": "720p"}},
     [("second", "720p", None, None, None, 0.0588, "raw:wan27-video-dynamic", "720p"),
      ("second", "1080p", None, None, None, 0.0882, "raw:wan27-video-dynamic", "1080p")]),
    ({"raw": {"type": "resolution-duration-audio-toggle", "withAudioPrices": {"720p": {"5": 0.26, "10": 0.53}}, "withoutAudioPrices": {"720p": {"5": 0.13}}}},
     [("video", "720p", 5.0, "with_audio", None, 0.26, "raw:resolution-duration-audio-toggle", "5"),
      ("video", "720p", 10.0, "with_audio", None, 0.53, "raw:resolution-duration-audio-toggle", "10"),
      ("video", "720p", 5.0, "without_audio", None, 0.13, "raw:resolution-duration-audio-toggle", "5")]),
    ({"raw": {"type": "resolution-per-second-audio-toggle", "withAudioPricesPerSecond": {"720p": 0.0235}, "withoutAudioPricesPerSecond": {"720p": 0.0118}}},
     [("second", "720p", None, "with_audio", None, 0.0235, "raw:resolution-per-second-audio-toggle", "720p"),
      ("second", "720p", None, "without_audio", None, 0.0118, "raw:resolution-per-second-audio-toggle", "720p")]),
    ({"per_thousand_chars": 0.015},
     [("thousand_chars", None, None, None, None, 0.015, "per_thousand_chars", "per_thousand_chars")]),
    ({"per_minute": 0.006},
     [("minute", None, None, None, None, 0.006, "per_minute", "per_minute")]),
    ({"per_second": 0.0004, "minimum": 0.05},
     [("second", None, None, None, None, 0.0004, "per_second", "per_second")]),
    ({"per_second": 0, "minimum": 0.05},
     [("second", None, None, None, None, 0.0, "per_second", "per_second")]),
    ({"per_prompt_char_block": 0.09, "prompt_char_block_size": 300, "minimum": 0.09},
     [("char_block", None, None, None, 300.0, 0.09, "per_prompt_char_block", "per_prompt_char_block")]),
    ({"per_generation": 0.04136000000000001},
     [("generation", None, None, None, None, 0.04136, "per_generation", "per_generation")]),
    ({"per_million_tokens": "0.02", "currency": "USD"},
     [("million_tokens", None, None, None, None, 0.02, "per_million_tokens", "per_million_tokens")]),
    # unknown shapes: kept, unpriced, shape as served
    ({"per_megapixel": 0.012}, [(None, None, None, None, None, None, "per_megapixel", "per_megapixel")]),
    ({"raw": {"type": "credit-pack", "credits": 3}}, [(None, None, None, None, None, None, "raw:credit-pack", "raw")]),
    ({"per_image": {"1024x1024": -1, "2048x2048": "n/a"}},
     [("image", "1024x1024", None, None, None, None, "per_image", "1024x1024"),
      ("image", "2048x2048", None, None, None, None, "per_image", "2048x2048")]),
]  # fmt: skip


@pytest.mark.parametrize(("pricing", "lines"), SHAPES)
def test_every_pricing_shape_by_known_answer(pricing, lines):
    assert sorted(pricing_lines(pricing), key=repr) == sorted(lines, key=repr)
    media = media_frame({"video": {"data": [{"id": "m", "pricing": pricing}]}}, snapshot_at=STAMP)
    prices = nf.media_prices(media)
    assert len(prices) == len(lines)
    minimum = pricing.get("minimum") if isinstance(pricing, dict) else None
    assert prices["minimum_usd"].tolist() == [minimum if minimum is not None else pd.NA] * len(
        lines
    )


def test_unknown_shapes_are_reported_by_media_quality():
    body = {"data": [{"id": "a", "pricing": {"per_megapixel": 0.012}},
                     {"id": "b", "pricing": {"per_image": {"1024x1024": "n/a"}}},
                     {"id": "c"},
                     {"id": "d", "pricing": {"per_image": {"1024x1024": 0.01, "1024*1024": 0.02}}},
                     {"id": "e", "created": "soon", "pricing": {"per_image": {"auto": 0.01}}}]}  # fmt: skip
    problems = nf.media_quality(media_frame({"image": body}, snapshot_at=STAMP))
    found = set(zip(problems["id"], problems["problem"], strict=True))
    assert found == {
        ("a", "unknown pricing shape"),
        ("b", "unreadable price"),
        ("c", "no pricing"),
        ("d", "conflicting prices"),
        ("e", "unreadable field"),
    }


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_any_pricing_gives_lines_without_raising_and_drops_no_key(pricing):
    lines = pricing_lines(pricing)
    for line in lines:
        assert line[5] is None or (line[5] >= 0 and line[5] == line[5])
    if isinstance(pricing, dict):
        from nanogpt_frame.analysis.media_price_lines import SETTINGS_KEYS

        priced = {line[7] for line in lines} | {line[6] for line in lines}
        for key in pricing:
            if key not in SETTINGS_KEYS and key not in (
                "per_image",
                "per_duration",
                "per_second_by_resolution",
                "per_resolution",
                "raw",
            ):
                assert key in priced


# ---- every media_cost rule, by known answer ---------------------------------------------------

JOBS = [
    ({"model": "qwen-image", "images": 100, "resolution": "1024*1024"}, 0.5, None),
    ({"model": "qwen-image", "images": 3, "resolution": "1184x896"}, None, "no price for resolution 1184x896"),
    ({"model": "gpt-image-1.5", "images": 3, "resolution": "1536x1024"}, 0.18, None),  # auto line
    ({"model": "ideogram-v3", "images": 2, "resolution": "1344x768"}, 0.12, None),  # default line
    ({"model": "ideogram-v3", "images": 2, "variant": "turbo"}, 0.06, None),
    ({"model": "seedream-4", "images": 1, "resolution": "1024x1024"}, 0.03, None),  # two keys, one price
    ({"model": "nano-banana-pro", "images": 1}, None, "resolution needed"),
    ({"model": "kling-v2.1-standard", "seconds": 5}, 0.15, None),
    ({"model": "kling-v2.1-standard", "seconds": 12}, 0.45, None),  # 3 videos of 5 s
    ({"model": "hailuo-02", "seconds": 5, "videos": 2}, 0.7, None),
    ({"model": "seedance-1-pro", "seconds": 10, "resolution": "1080p", "with_audio": True}, 1.04, None),
    ({"model": "seedance-1-pro", "seconds": 7, "resolution": "720p", "with_audio": False}, None, "no price for a 7 s video"),
    ({"model": "seedance-1-pro", "seconds": 5, "resolution": "720p"}, None, "with_audio needed"),
    ({"model": "wan-2.2-t2v", "seconds": 5}, 0.2, None),  # default_resolution 480p
    ({"model": "wan-2.2-t2v", "seconds": 5, "resolution": "720p"}, 0.4, None),
    ({"model": "wan-2.7", "seconds": 10, "resolution": "1080p"}, 0.882, None),
    ({"model": "veo-3.1-fast", "seconds": 8, "resolution": "720p", "with_audio": True}, 0.188, None),
    ({"model": "wan-2.1-i2v", "resolution": "720p", "frames": 81}, 0.4, None),
    ({"model": "wan-2.1-i2v", "resolution": "720p", "frames": 121}, 0.5, None),  # x1.25
    ({"model": "wan-2.1-i2v", "resolution": "720p"}, None, "frames needed"),
    ({"model": "tts-1", "characters": 2500}, 0.0375, None),
    ({"model": "tts-1", "minutes": 2}, None, "priced per thousand_chars"),
    ({"model": "whisper-large-v3", "minutes": 30}, 0.18, None),
    ({"model": "stable-audio-2.5", "seconds": 30}, 0.05, None),  # minimum
    ({"model": "stable-audio-2.5", "seconds": 300}, 0.12, None),
    ({"model": "lyria-2", "seconds": 30}, 0.06, None),  # 0 per second, minimum
    ({"model": "elevenlabs-music", "characters": 301}, 0.18, None),  # 2 blocks of 300
    ({"model": "elevenlabs-music", "characters": 10}, 0.09, None),
    ({"model": "suno-v4.5"}, 0.04136, None),
    ({"model": "text-embedding-3-small", "tokens": 2_500_000}, 0.05, None),
    ({"model": "recraft-v3-vector", "images": 1}, None, "price unknown (shape per_megapixel)"),
    ({"model": "pika-2.5-credits", "seconds": 5}, None, "price unknown"),
    ({"model": "no-such-model", "images": 1}, None, "unknown model"),
    ({"model": "text-embedding-3-small"}, None, "priced per million_tokens; the job gives nothing"),
]  # fmt: skip


@pytest.fixture(scope="module")
def sample_media():
    return nf.load_media(source="sample")


@pytest.mark.parametrize(("job", "cost", "reason"), JOBS)
def test_every_job_rule_by_known_answer(job, cost, reason, sample_media):
    out = nf.media_cost([job], sample_media).iloc[0]
    if cost is None:
        assert pd.isna(out["cost"]) and reason in out["unpriced_reason"]
    else:
        assert out["cost"] == pytest.approx(cost, abs=1e-12) and pd.isna(out["unpriced_reason"])
        assert out["cost"] == round(out["cost"], 12)


def test_media_cost_keeps_the_jobs_and_refuses_bad_quantities(sample_media):
    jobs = pd.DataFrame({"model": ["tts-1", "qwen-image"], "characters": [1000, None],
                         "images": [None, 2], "resolution": [None, "1024x1024"]}, index=["a", "b"])  # fmt: skip
    out = nf.media_cost(jobs, nf.media_prices(sample_media))
    assert list(out.index) == ["a", "b"] and out["cost"].tolist() == [0.015, 0.01]
    assert list(out.columns[:4]) == list(jobs.columns) and "cost" not in jobs.columns
    assert out["cost"].dtype == pd.ArrowDtype(media_prices_arrow_schema().field("price_usd").type)
    with pytest.raises(nf.ConfigError, match="images"):
        nf.media_cost([{"model": "qwen-image", "images": -1}], sample_media)
    with pytest.raises(nf.ConfigError, match="model"):
        nf.media_cost([{"images": 1}], sample_media)


def test_cheapest_media_ranks_with_ties_sharing_one(sample_media):
    best = nf.cheapest_media(sample_media, feed="image", resolution="1024*1024")
    assert best["id"].is_unique
    assert best[["id", "price_usd", "rank"]].head(5).values.tolist() == [
        ["sdxl-lightning", 0.002, 1],
        ["flux-schnell", 0.003, 2],
        ["qwen-image", 0.005, 3],
        ["ideogram-v3", 0.03, 4],
        ["seedream-4", 0.03, 4],
    ]
    speech = nf.cheapest_media(sample_media, feed="audio", billable="minute")
    assert speech["rank"].tolist() == [1, 1]
    audio = nf.cheapest_media(sample_media, feed="video", variant="with_audio")
    assert set(audio["id"]) == {"seedance-1-pro", "veo-3.1-fast"}
    with pytest.raises(nf.ConfigError):
        nf.cheapest_media(sample_media, feed="text")


# ---- sample, snapshots, diff ------------------------------------------------------------------


def test_the_sample_is_offline_covers_every_shape_and_equals_its_folder(sample_media):
    from nanogpt_frame.media.load_media import media_sample_dir

    assert_media_dtypes(sample_media)
    shapes = set(nf.media_prices(sample_media)["shape"])
    assert set(MEDIA_SHAPES) <= shapes and shapes - set(MEDIA_SHAPES)  # and an unknown one
    folder = nf.load_media(
        source=media_sample_dir(), snapshot_at=sample_media["snapshot_at"].iloc[0]
    )
    pd.testing.assert_frame_equal(folder, sample_media)
    only = nf.load_media(["embedding"], source="sample")
    assert set(only["feed"]) == {"embedding"} and (only["owned_by"] == "nanogpt").all()
    with pytest.raises(nf.ConfigError):
        nf.load_media("text", source="sample")


def test_snapshot_round_trip_kinds_and_diff(tmp_path, sample_media):
    root = tmp_path / "media"
    path = nf.write_snapshot(sample_media, root)
    back = nf.read_snapshots(root)
    pd.testing.assert_frame_equal(back, sample_media)
    assert nf.read_snapshot_file(path).attrs["table"] == "media"
    latest = nf.load_media(source=root)
    pd.testing.assert_frame_equal(latest, sample_media) and latest.attrs["source"] == "snapshot"
    with pytest.raises(nf.SnapshotError, match="media snapshots"):
        nf.write_snapshot(nf.load("sample"), root)
    models = tmp_path / "models"
    nf.write_snapshot(nf.load("sample"), models)
    with pytest.raises(nf.SnapshotError, match="models snapshots"):
        nf.write_snapshot(sample_media, models)
    with pytest.raises(nf.PayloadError, match="not media"):
        nf.load_media(source=models)
    later = sample_media.copy()
    later["snapshot_at"] = pd.Series(
        [pd.Timestamp("2026-09-01", tz="UTC")] * len(later), dtype=later["snapshot_at"].dtype
    )
    pricing = later["pricing_json"].astype(object)
    pricing[later["id"] == "qwen-image"] = '{"per_image":{"1024*1024":0.01,"2048*2048":0.02}}'
    later["pricing_json"] = pd.array(pricing, dtype=sample_media["pricing_json"].dtype)
    later = later[later["id"] != "tts-1"].reset_index(drop=True)
    nf.write_snapshot(later, root)
    history = nf.read_snapshots(root)
    assert history["snapshot_at"].nunique() == 2
    changes = nf.diff(sample_media, later)
    rows = set(zip(changes["change"], changes["id"], changes["line"], strict=True))
    assert rows == {
        ("added", "qwen-image", "per_image 2048*2048"),
        ("removed", "qwen-image", "per_image 1376*768"),
        ("removed", "tts-1", "per_thousand_chars"),
        ("changed", "qwen-image", "per_image 1024*1024"),
    }
    moved = changes[changes["change"] == "changed"].iloc[0]
    assert (moved["old"], moved["new"], moved["relative_change"], moved["review"]) == (
        "0.005",
        "0.01",
        1.0,
        True,
    )
    assert nf.diff(sample_media, sample_media).empty
    # a history prices jobs at each model's latest snapshot
    cost = nf.media_cost([{"model": "qwen-image", "images": 1, "resolution": "1024x1024"}], history)
    assert cost["cost"].tolist() == [0.01]
    with pytest.raises(nf.ConfigError):
        nf.diff(sample_media, nf.load("sample"))


def test_columns_follow_the_contract():
    assert MEDIA_COLUMN_NAMES[:4] == ("snapshot_at", "feed", "position", "id")
    assert MEDIA_COLUMN_NAMES[-3:] == ("price_currency", "icon_url", "extra_json")


# ---- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--feed", "image", "--resolution", "1024*1024"],
        ["--images", "100", "--resolution", "1024x1024"],
        ["--seconds", "30", "--resolution", "720p", "--with-audio"],
        ["--characters", "5000"],
        ["--minutes", "60"],
        ["--tokens", "1e6"],
        ["--feed", "video"],
    ],
)
def test_cli_media_fits_80_columns(argv, capsys, monkeypatch):
    from nanogpt_frame.cli import cli_logic

    monkeypatch.setenv("COLUMNS", "80")
    assert cli_logic(["media", "--sample", *argv]) == 0
    out = capsys.readouterr().out
    assert out.strip() and max(map(len, out.splitlines())) <= 80


def test_cli_media_job_formats_and_snapshot_kind(capsys, tmp_path):
    from nanogpt_frame.cli import cli_logic

    assert cli_logic(["media", "--sample", "--images", "100", "--resolution", "1024x1024",
                      "--format", "json"]) == 0  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"rank": 1, "id": "sdxl-lightning", "billable": "image",
                       "line_resolution": "1024x1024", "line_variant": None, "price_usd": 0.002,
                       "units": 100.0, "cost": 0.2, "reason": None}  # fmt: skip
    unpriced = [r for r in rows if r["cost"] is None]
    assert unpriced and all(r["reason"] for r in unpriced)  # listed with a reason, never as 0
    assert cli_logic(["media", "--sample", "--minutes", "10", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith(",0.06,")
    root = tmp_path / "media"
    assert cli_logic(["snapshot", "--sample", "--kind", "media", "--out", str(root),
                      "--format", "json"]) == 0  # fmt: skip
    written = json.loads(capsys.readouterr().out)
    assert written["rows"] == {"image": 10, "video": 8, "audio": 8, "embedding": 6}
    assert nf.read_snapshots(root)["feed"].nunique() == 4
    assert cli_logic(["snapshot", "--sample", "--out", str(root)]) == 1  # a root of one kind
    assert "media snapshots" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        cli_logic(["media", "--sample", "--images", "-1"])
    assert usage.value.code == 2


def test_unreadable_values_and_bad_utf8_are_kept_not_fatal():
    body = (
        b'{"object": "list", "data": [{"id": "x\xff", "name": 5, "max_tokens": 1.5, '
        b'"tags": ["a", 2], "supports_dimensions": "yes", "created": -3, '
        b'"pricing": {"per_million_tokens": 0.02}}, 7, {"name": "no id"}]}'
    )
    with pytest.warns(nf.CatalogWarning) as caught:
        df = media_frame({"embedding": body}, snapshot_at=STAMP)
    assert len(df) == 1 and df.attrs["skipped_items"] == {"embedding": 2}
    assert any("UTF-8" in str(w.message) for w in caught)
    invalid = json.loads(df.loc[0, "extra_json"])["_invalid"]
    assert set(invalid) >= {"name", "max_tokens", "tags", "supports_dimensions", "created"}
    assert df.loc[0, ["name", "max_tokens", "tags"]].isna().all()
    assert nf.media_prices(df)["price_usd"].tolist() == [0.02]


@pytest.mark.parametrize("count", [40, 1_000])
def test_the_columnar_and_row_by_row_readers_give_the_same_frame(count, monkeypatch):
    import nanogpt_frame.media.flatten_media as flatten

    feeds, _ = media_catalog(count, seed=count)
    feeds["image"]["data"][0]["tags"] = "image"  # a plain string: the row reader keeps it
    fast = media_frame(feeds, snapshot_at=STAMP)
    monkeypatch.setattr(flatten, "ROW_BY_ROW", True)
    pd.testing.assert_frame_equal(media_frame(feeds, snapshot_at=STAMP), fast)
    sample = nf.load_media(source="sample")
    monkeypatch.setattr(flatten, "ROW_BY_ROW", False)
    pd.testing.assert_frame_equal(nf.load_media(source="sample"), sample)


_ODD = st.none() | st.booleans() | st.integers(-3, 2**65) | st.floats() | st.text(max_size=4)
_FIELD = (
    _ODD
    | st.lists(_ODD | st.text(max_size=3), max_size=3)
    | st.dictionaries(
        st.sampled_from(
            ["modality", "input_modalities", "resolutions", "max_images", "voices", "x"]
        ),
        _ODD | st.lists(st.text(max_size=3), max_size=2),
        max_size=3,
    )
)
_KEYS = ["name", "created", "architecture", "supported_parameters", "capabilities", "tags",
         "dimensions", "max_tokens", "supports_dimensions", "pricing", "icon_url", "extra"]  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"id": st.text(min_size=1, max_size=5)}, optional=dict.fromkeys(_KEYS, _FIELD)
        ),
        max_size=6,
    )
)
def test_any_records_flatten_the_same_both_ways_without_raising(records):
    import warnings

    import nanogpt_frame.media.flatten_media as flatten

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nf.CatalogWarning)
        fast = media_frame({"image": {"data": records}}, snapshot_at=STAMP)
        flatten.ROW_BY_ROW = True
        try:
            slow = media_frame({"image": {"data": records}}, snapshot_at=STAMP)
        finally:
            flatten.ROW_BY_ROW = False
    pd.testing.assert_frame_equal(fast, slow)
    assert len(fast) == len(records)
    nf.media_prices(fast)  # every pricing object reads into lines without raising


def test_a_price_table_carries_the_frame_rule_and_one_without_it_is_not_guessed(sample_media):
    job = [{"model": "wan-2.1-i2v", "resolution": "720p", "frames": 121}]
    table = nf.media_prices(sample_media)
    assert nf.media_cost(job, table)["cost"].tolist() == [0.5]  # x1.25 from the table's rules
    bare = table.copy()
    bare.attrs = {}
    out = nf.media_cost(job, bare).iloc[0]
    assert pd.isna(out["cost"]) and "frame rule unknown" in out["unpriced_reason"]
    plain = nf.media_cost([{"model": "qwen-image", "images": 2, "resolution": "1024x1024"}], bare)
    assert plain["cost"].tolist() == [0.01]


@pytest.mark.parametrize(
    ("record", "column", "path"),
    [
        ({"tags": ["a", None]}, "tags", "tags"),
        (
            {"supported_parameters": {"voices": ["a", None]}},
            "voices",
            "supported_parameters.voices",
        ),
    ],
)
def test_a_null_inside_a_served_list_is_kept_not_dropped(record, column, path):
    """Found by hypothesis in CI: the columnar reader joined ``[None]`` to nothing."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nf.CatalogWarning)
        frame = media_frame({"image": {"data": [{"id": "m", **record}]}}, snapshot_at=STAMP)
    assert pd.isna(frame.loc[0, column])
    assert json.loads(frame.loc[0, "extra_json"])["_invalid"][path] == ["a", None]
