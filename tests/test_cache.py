"""Response cache semantics: reuse, expiry, bypass, 304s, corrupt entries, and no key on disk."""

from __future__ import annotations

import json
import os
import time

import httpx
import pytest

import nanogpt_frame as nf
from nanogpt_frame._http.cache import ResponseCache
from nanogpt_frame.settings import default_cache_dir
from tests.conftest import listing

BASE = "https://nano-gpt.example/api"
KEY = "sk-cache-test-0123456789abcdef"


class Api:
    """A MockTransport API that counts requests and can answer 304 to a matching ETag."""

    def __init__(self, etag: str | None = None):
        self.etag = etag
        self.requests: list[httpx.Request] = []
        self.price = 1.0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.etag and request.headers.get("if-none-match") == self.etag:
            return httpx.Response(304, headers={"ETag": self.etag})
        headers = {"ETag": self.etag} if self.etag else {}
        body = listing({"id": "a/b", "pricing": {"prompt": self.price, "completion": 2}})
        return httpx.Response(200, json=body, headers=headers)

    def load(self, **kwargs):
        with httpx.Client(transport=httpx.MockTransport(self)) as client:
            return nf.load(client=client, base_url=BASE, endpoints="canonical", **kwargs)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(folder))
    return folder


def entries(folder):
    return sorted(folder.glob("*.listing"))


def age_entries(folder, seconds: float) -> None:
    for path in entries(folder):
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        header["stored_at"] -= seconds
        path.write_bytes(json.dumps(header).encode() + b"\n" + body)


def test_fresh_entry_is_reused_without_a_request(cache_dir):
    api = Api()
    first = api.load(max_age=300)
    second = api.load(max_age=300)
    assert len(api.requests) == 1
    assert second.attrs["from_cache"] == ["canonical"] and first.attrs["from_cache"] == []
    assert second["price_prompt"].tolist() == first["price_prompt"].tolist()
    assert len(entries(cache_dir)) == 1


def test_default_max_age_is_five_minutes(cache_dir):
    api = Api()
    api.load()
    api.load()
    assert len(api.requests) == 1
    age_entries(cache_dir, 301)
    api.load()
    assert len(api.requests) == 2


def test_stale_entry_is_refetched(cache_dir):
    api = Api()
    api.load(max_age=300)
    age_entries(cache_dir, 400)
    api.price = 9.0
    df = api.load(max_age=300)
    assert len(api.requests) == 2 and df["price_prompt"].tolist() == [9.0]
    assert api.load(max_age=300)["price_prompt"].tolist() == [9.0]  # the new answer is cached
    assert len(api.requests) == 2


def test_max_age_zero_always_fetches_and_writes_nothing(cache_dir):
    api = Api()
    api.load(max_age=0)
    api.load(max_age=0)
    assert len(api.requests) == 2
    assert entries(cache_dir) == []


def test_304_reuses_the_cached_body_and_renews_it(cache_dir):
    api = Api(etag='"v1"')
    api.load(max_age=300)
    age_entries(cache_dir, 400)
    df = api.load(max_age=300)
    assert api.requests[-1].headers["if-none-match"] == '"v1"'
    assert len(api.requests) == 2 and df["price_prompt"].tolist() == [1.0]
    assert df.attrs["from_cache"] == ["canonical"]
    api.load(max_age=300)  # renewed by the 304: fresh again
    assert len(api.requests) == 2


@pytest.mark.parametrize(
    ("damage", "drop_frame"),
    [
        (lambda raw: raw[: len(raw) // 2], True),  # truncated body, no frame to fall back on
        (lambda raw: b"not json\n" + raw, False),  # broken header
        (lambda raw: b"", False),  # empty file
        (lambda raw: raw.replace(b'"data"', b'"dada"'), True),  # not a listing any more
    ],
)
def test_corrupt_entry_is_ignored_and_replaced(cache_dir, damage, drop_frame, caplog):
    api = Api()
    api.load(max_age=300)
    (path,) = entries(cache_dir)
    path.write_bytes(damage(path.read_bytes()))
    if drop_frame:
        path.with_suffix(".arrow").unlink()
    df = api.load(max_age=300)
    assert len(api.requests) == 2 and df["id"].tolist() == ["a/b"]
    assert ResponseCache(cache_dir).get(f"{BASE}/v1/models", {"detailed": "true"}, None)
    api.load(max_age=300)
    assert len(api.requests) == 2


def _rewrite_header(path, change) -> None:
    head, _, body = path.read_bytes().partition(b"\n")
    header = change(json.loads(head))
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)


@pytest.mark.parametrize(
    "change",
    [
        lambda h: [h],
        lambda h: "a string",
        lambda h: None,
        lambda h: {**h, "stored_at": "yesterday"},
        lambda h: {**h, "stored_at": None},
        lambda h: {**h, "stored_at": 1e309},  # json.dumps writes Infinity
        lambda h: {**h, "stored_at": float("nan")},
        lambda h: {**h, "stored_at": True},
        lambda h: {**h, "stored_at": 1e300},  # far in the future
        lambda h: {**h, "etag": '"v1"\r\nX-Injected: 1'},
        lambda h: {**h, "etag": ["a"]},
        lambda h: {**h, "size": -1},
        lambda h: {**h, "token": None},
    ],
)
def test_corrupt_header_is_ignored_refetched_and_replaced(cache_dir, change):
    api = Api(etag='"v1"')
    api.load(max_age=300)
    (path,) = entries(cache_dir)
    _rewrite_header(path, change)
    df = api.load(max_age=300)
    assert df["id"].tolist() == ["a/b"] and len(api.requests) == 2
    assert "if-none-match" not in api.requests[-1].headers  # nothing from the bad header is sent
    api.load(max_age=300)  # replaced by a good entry
    assert len(api.requests) == 2


def test_warm_load_reads_the_stored_frame_and_builds_no_client(cache_dir, monkeypatch):
    api = Api()
    first = api.load(max_age=300)

    def no_client(*args, **kwargs):
        raise AssertionError("an httpx.Client was built for a cache hit")

    monkeypatch.setattr(httpx, "Client", no_client)
    again = nf.load(base_url=BASE, endpoints="canonical", max_age=300)
    assert again.attrs["from_cache"] == ["canonical"]
    assert again.drop(columns="snapshot_at").equals(first.drop(columns="snapshot_at"))
    assert (cache_dir / entries(cache_dir)[0].with_suffix(".arrow").name).is_file()


def test_missing_or_corrupt_frame_is_rebuilt_from_the_body_without_a_request(cache_dir):
    api = Api()
    first = api.load(max_age=300)
    (path,) = entries(cache_dir)
    frame = path.with_suffix(".arrow")
    for damage in (lambda: frame.write_bytes(b"ARROW1 garbage"), frame.unlink):
        damage()
        again = api.load(max_age=300)
        assert len(api.requests) == 1
        assert again.drop(columns="snapshot_at").equals(first.drop(columns="snapshot_at"))
        assert frame.is_file()  # stored again


def test_frame_of_another_column_contract_is_not_used(cache_dir, monkeypatch):
    import pyarrow as pa
    import pyarrow.ipc as ipc

    api = Api()
    api.load(max_age=300)
    (path,) = entries(cache_dir)
    frame = path.with_suffix(".arrow")
    with pa.OSFile(str(frame)) as source:
        table = ipc.open_file(source).read_all()
    old = (
        table.drop_columns(["open_weights"])
        if "open_weights" in table.column_names
        else (table.drop_columns(["extra_json"]))
    )  # an older contract: one column fewer
    old = old.replace_schema_metadata(table.schema.metadata)
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, old.schema) as writer:
        writer.write_table(old)
    frame.write_bytes(sink.getvalue().to_pybytes())
    df = api.load(max_age=300)
    assert len(api.requests) == 1  # re-flattened from the stored body
    assert list(df.columns) == list(table.column_names)


def test_a_frame_from_another_response_is_not_used(cache_dir):
    api = Api()
    api.load(max_age=300)
    (path,) = entries(cache_dir)
    stale_frame = path.with_suffix(".arrow").read_bytes()
    age_entries(cache_dir, 400)
    api.price = 5.0
    assert api.load(max_age=300)["price_prompt"].tolist() == [5.0]
    path.with_suffix(".arrow").write_bytes(stale_frame)  # token of the older response
    assert api.load(max_age=300)["price_prompt"].tolist() == [5.0]
    assert len(api.requests) == 2


def test_unwritable_cache_is_not_fatal(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(blocker / "cache"))
    api = Api()
    assert api.load(max_age=300)["id"].tolist() == ["a/b"]
    assert api.load(max_age=300)["id"].tolist() == ["a/b"]
    assert len(api.requests) == 2


def test_entries_keyed_by_query_and_key_fingerprint_never_by_the_key(cache_dir):
    api = Api()
    api.load(max_age=300)
    api.load(max_age=300, api_key=KEY)
    api.load(max_age=300, api_key=KEY)  # the same key: served from its own entry
    api.load(max_age=300, api_key=KEY + "other")  # another key never gets KEY's answer
    api.load(max_age=300, sort="mostused")
    assert len(api.requests) == 4
    assert len(entries(cache_dir)) == 4
    for path in cache_dir.rglob("*"):
        assert KEY.encode() not in path.read_bytes()
        assert KEY not in path.name


def test_one_keys_catalog_is_never_served_to_another_key(cache_dir):
    def by_key(request):
        auth = request.headers.get("authorization", "")
        ids = ["sub-only"] if auth.endswith("A") else ["sub-only", "paid-too"]
        return httpx.Response(200, json=listing(*({"id": i} for i in ids)))

    with httpx.Client(transport=httpx.MockTransport(by_key)) as client:
        a = nf.load(client=client, base_url=BASE, endpoints="canonical", api_key="key-A")
        b = nf.load(client=client, base_url=BASE, endpoints="canonical", api_key="key-B")
    assert a["id"].tolist() == ["sub-only"] and b["id"].tolist() == ["sub-only", "paid-too"]


def test_writes_are_atomic_no_temporary_files_left(cache_dir):
    Api().load(max_age=300)
    assert sorted(p.suffix for p in cache_dir.iterdir()) == [".arrow", ".listing"]


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NANOGPT_CACHE_DIR", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x"
    monkeypatch.delenv("NANOGPT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert default_cache_dir() == tmp_path / "xdg" / "nanogpt-frame"


def test_entry_age_is_measured(cache_dir):
    Api().load(max_age=300)
    cache = ResponseCache(cache_dir)
    entry = cache.get(f"{BASE}/v1/models", {"detailed": "true"}, None)
    assert 0 <= entry.age() < 5 and entry.received_at.year >= 2026
    assert time.time() - entry.header["stored_at"] < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_place_of_an_entry_is_passed_over(cache_dir):
    api = Api()
    api.load(max_age=300)
    (path,) = entries(cache_dir)
    frame = path.with_suffix(".arrow")
    for victim in (frame, path):
        victim.unlink()
        os.mkfifo(victim)  # a read would block forever
        assert api.load(max_age=300)["id"].tolist() == ["a/b"]
        victim.unlink()
        api.load(max_age=0)
        api.load(max_age=300)


# ---- issue 17: no cache file can crash a warm load or bypass the number rules -------------------

_WARM_LOADS = r"""
import json, shutil, sys
from pathlib import Path

import httpx

import nanogpt_frame as nf


def refuse(request):
    raise AssertionError("a warm load made a request")


arrow, variants = Path(sys.argv[1]), json.loads(sys.argv[2])
for variant in variants:
    shutil.copyfile(variant, arrow)
    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        df = nf.load(client=client, base_url=sys.argv[3], endpoints="canonical", max_age=300)
    print(json.dumps([df["id"].tolist(), df["price_prompt"].tolist()]), flush=True)
"""


def _retag(listing_path, arrow_bytes: bytes) -> None:
    """Make the entry's checksum match ``arrow_bytes``: a deliberate edit, not an accident."""
    import zlib

    _rewrite_header(listing_path, lambda h: {**h, "frame_crc32": zlib.crc32(arrow_bytes)})


def _tampered(table, column: str, value) -> bytes:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    meta = table.schema.metadata
    if isinstance(value, str):
        table = table.set_column(
            table.column_names.index(column), column, pa.array([value] * len(table))
        )
    else:
        table = table.set_column(
            table.column_names.index(column), column, pa.array([value] * len(table), pa.float64())
        )
    table = table.replace_schema_metadata(meta)
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def test_17_no_damaged_or_tampered_cache_file_crashes_or_is_served(cache_dir, tmp_path):
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.ipc as ipc

    api = Api()
    first = api.load(max_age=300)
    (listing_path,) = entries(cache_dir)
    arrow = listing_path.with_suffix(".arrow")
    good = arrow.read_bytes()
    table = ipc.open_file(pa.BufferReader(good)).read_all()
    variants = []

    def add(name: str, data: bytes) -> None:
        path = tmp_path / f"{len(variants)}-{name}.arrow"
        path.write_bytes(data)
        variants.append(str(path))

    for cut in (0, 6, 8, 64, len(good) // 3, len(good) // 2, len(good) - 8, len(good) - 1):
        add("truncated", good[:cut])
    for position in range(0, len(good), max(1, len(good) // 80)):  # ~80 single-bit flips
        flipped = bytearray(good)
        flipped[position] ^= 1 << (position % 8)
        add("flipped", bytes(flipped))
    add("good", good)
    # tampered with the checksum fixed up: only validation and the number rules stand in the way
    tampered = [
        _tampered(table, "price_prompt", -1.0),
        _tampered(table, "price_prompt", 1e300 * 10),
        _tampered(table, "price_prompt", 0.12345678912345),
        _tampered(table, "price_prompt", "free"),
    ]
    script = tmp_path / "warm.py"
    script.write_text(_WARM_LOADS)
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(nf.__file__).resolve().parents[1])}
    run = subprocess.run(
        [sys.executable, str(script), str(arrow), json.dumps(variants), BASE],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]  # a segfault is -11
    expected = [first["id"].tolist(), first["price_prompt"].tolist()]
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) == len(variants) and all(r == expected for r in results)
    for data in tampered:
        arrow.write_bytes(data)
        _retag(listing_path, data)
        df = api.load(max_age=300)
        assert len(api.requests) == 1  # rebuilt from the stored body, not asked again
        assert df["price_prompt"].tolist() == first["price_prompt"].tolist()


def test_17_a_checked_table_is_checked_again_once_its_file_changes(cache_dir):
    api = Api()
    first = api.load(max_age=300)
    api.load(max_age=300)  # checked and remembered
    (listing_path,) = entries(cache_dir)
    arrow = listing_path.with_suffix(".arrow")
    import pyarrow as pa
    import pyarrow.ipc as ipc

    data = _tampered(ipc.open_file(pa.BufferReader(arrow.read_bytes())).read_all(),
                     "price_prompt", -5.0)  # fmt: skip
    arrow.write_bytes(data)
    _retag(listing_path, data)
    df = api.load(max_age=300)
    assert df["price_prompt"].tolist() == first["price_prompt"].tolist()
