"""Benchmarks of round 2 and schema 2: parsing, the warm load, history tools, routes, usage.

Each measures ours against its floor or peer in the same run (see run.py for the table).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import STAMP, Server, median_pair, median_time, report
from synthetic import synthetic_listings


def bench_parse(repeat: int) -> None:
    """End to end from bytes (parse under the GC guard + flatten) against json.loads alone."""
    import nanogpt_frame as nf

    body = json.dumps(synthetic_listings(20_000)["canonical"]).encode()
    ours, floor = median_pair(
        lambda: nf.frame_from_payload(body, source_endpoint="canonical", snapshot_at=STAMP),
        lambda: json.loads(body),
        repeat * 2,
    )
    report(
        "frame_from_payload(bytes) of 20,000 models vs json.loads of the same bytes",
        ours,
        floor,
        "<= 1.5x",
        ok=ours / floor <= 1.5,
    )


def bench_warm(repeat: int) -> None:
    """A warm load() (cache hit) against reading the same flattened frame from Feather."""
    import pandas as pd
    import pyarrow.feather as feather

    import nanogpt_frame as nf

    server = Server(synthetic_listings(1_000), 0.0)
    saved = os.environ.get("NANOGPT_CACHE_DIR")
    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["NANOGPT_CACHE_DIR"] = folder
            frame = nf.load(base_url=server.base_url, max_age=300)
            path = Path(folder) / "floor.feather"
            feather.write_feather(frame, path)
            hits = server.hits
            warm, floor = median_pair(
                lambda: nf.load(base_url=server.base_url, max_age=300),
                lambda: feather.read_table(path).to_pandas(types_mapper=pd.ArrowDtype),
                max(repeat, 15),
            )
            requests = server.hits - hits
        report(
            f"warm load() of 1,000 models vs a Feather read of the frame ({requests} requests)",
            warm,
            floor,
            "<= 4x, 0 requests",
            ok=warm / floor <= 4 and requests == 0,
        )
    finally:
        server.close()
        if saved is None:
            os.environ.pop("NANOGPT_CACHE_DIR", None)
        else:
            os.environ["NANOGPT_CACHE_DIR"] = saved


def bench_tools(repeat: int, root: Path, history_len: int) -> None:
    """price_history, diff and write_snapshot, on the history bench_history wrote."""
    import pyarrow as pa
    from legacy import legacy_diff

    import nanogpt_frame as nf

    history = nf.read_snapshots(root)
    periods, read = median_pair(
        lambda: nf.price_history(history), lambda: nf.read_snapshots(root), max(3, repeat // 2)
    )
    report(
        f"price_history of {history_len:,} rows vs read_snapshots of that history",
        periods,
        read,
        "<= 0.35x",
        ok=periods / read <= 0.35,
    )

    old = nf.frame_from_payload(
        synthetic_listings(20_000)["canonical"], source_endpoint="canonical", snapshot_at=STAMP
    )
    new = old.copy()
    for column in ("price_prompt", "price_completion"):
        new[column] = new[column] * 1.1
    ours, merge = median_pair(
        lambda: nf.diff(old, new), lambda: old.merge(new, on="id", how="outer"), repeat
    )
    before = median_time(lambda: legacy_diff(old, new), max(1, repeat // 2))
    assert len(nf.diff(old, new)) == len(legacy_diff(old, new))
    report(
        "diff of two 20,000-model catalogs (every price changed) vs a plain merge",
        ours,
        merge,
        f"<= {before / merge / 3:.2f}x (a third of 0.1's)",
        ok=ours / merge <= before / merge / 3,
    )
    report("diff of release 0.1 (per-cell reads) vs a plain merge", before, merge, "info")

    frame = nf.load("sample")
    from nanogpt_frame.schema import arrow_schema
    from nanogpt_frame.snapshots.write import _table

    ours = median_time(lambda: _table(frame, "models"), repeat * 3)
    theirs = median_time(
        lambda: pa.Table.from_pandas(frame, schema=arrow_schema(), preserve_index=False), repeat * 3
    )
    report(
        "write_snapshot's Arrow table from the frame's columns vs Table.from_pandas",
        ours,
        theirs,
        "info",
    )


def _serve_routes(latency: float, ports, stop, results) -> None:
    """A /models/{id}/providers server in its own process (no GIL shared with the client)."""
    times: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            times.append(time.monotonic())
            time.sleep(latency)
            model = self.path.split("/models/")[1].split("/")[0]
            body = json.dumps(
                {
                    "canonicalId": model,
                    "supportsProviderSelection": True,
                    "defaultPrice": {"inputPer1kTokens": 0.0004, "outputPer1kTokens": 0.00175},
                    "providers": [{"provider": "p", "available": True}],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ports.put(httpd.server_address[1])
    stop.wait()
    httpd.shutdown()
    results.put(times)


class RoutesServer:
    """The routes server in a child process; ``close()`` returns the arrival times it saw."""

    def __init__(self, latency: float):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        ports, self._results = context.Queue(), context.Queue()
        self._stop = context.Event()
        self._process = context.Process(
            target=_serve_routes, args=(latency, ports, self._stop, self._results)
        )
        self._process.start()
        self.base_url = f"http://127.0.0.1:{ports.get(timeout=30)}/api"
        self.times: list[float] = []

    def close(self) -> None:
        self._stop.set()
        self.times = self._results.get(timeout=30)
        self._process.join(timeout=30)


def bench_routes(repeat: int, count: int = 600, rate: float = 20.0) -> None:
    """Routes of a 600-model catalog at 20/s against a 0.05 s-latency server."""
    import nanogpt_frame as nf

    server = RoutesServer(0.05)
    try:
        ids = [f"org/model-{i}" for i in range(count)]
        started = time.perf_counter()
        routes = nf.load_routes(ids, base_url=server.base_url, rate=rate, max_age=0, progress=False)
        wall = time.perf_counter() - started
    finally:
        server.close()
    times = sorted(server.times)
    busiest = max(
        sum(1 for t in times[i : i + int(rate) + 5] if t - s < 1.0) for i, s in enumerate(times)
    )
    assert routes["model_id"].nunique() == count
    ideal = count / rate
    report(
        f"load_routes of {count} models at {rate:g}/s (0.05 s latency) vs the ideal N / rate "
        f"(busiest second: {busiest} requests)",
        wall,
        ideal,
        "<= 1.15x",
        ok=wall / ideal <= 1.15 and busiest <= rate + 1,
    )


def bench_usage(repeat: int, rows: int = 1_000_000, days: int = 365, models: int = 600) -> None:
    """1M usage rows priced against a 365-snapshot history vs DuckDB's ASOF JOIN."""
    import numpy as np
    import pandas as pd

    import nanogpt_frame as nf
    from nanogpt_frame.catalog.combine import frames_from_listings

    listings = synthetic_listings(models)
    base = frames_from_listings({"canonical": listings["canonical"]}, snapshot_at=STAMP)
    start = pd.Timestamp("2025-01-01T06:00:00Z")
    frames = []
    for day in range(days):
        frame = base.copy()
        frame["snapshot_at"] = pd.Series(start + pd.Timedelta(days=day), index=frame.index).astype(
            base["snapshot_at"].dtype
        )
        frames.append(frame)
    history = pd.concat(frames, ignore_index=True)
    rng = np.random.default_rng(7)
    ids = base["id"].astype(object).to_numpy()
    seconds = rng.integers(0, days * 86_400, rows)
    usage = pd.DataFrame(
        {
            "timestamp": start + pd.to_timedelta(np.sort(seconds), unit="s"),
            "model": pd.array(ids[rng.integers(0, len(ids), rows)], dtype="string[pyarrow]"),
            "input_tokens": rng.integers(0, 20_000, rows),
            "output_tokens": rng.integers(0, 2_000, rows),
        }
    )
    try:
        import duckdb
    except ImportError:
        ours = median_time(lambda: nf.cost_usage(usage, history), max(1, repeat // 2))
        report("cost_usage of 1,000,000 rows (DuckDB not installed)", ours, None, "info")
        return
    prices = history[["snapshot_at", "id", "price_prompt", "price_completion"]]

    def duck():
        con = duckdb.connect()
        con.register("usage", usage)
        con.register("prices", prices)
        return con.sql("""
            SELECT u.*, p.snapshot_at AS price_snapshot_at, p.price_prompt, p.price_completion,
                   (u.input_tokens * p.price_prompt + u.output_tokens * p.price_completion) / 1e6
                       AS list_cost
            FROM usage u ASOF LEFT JOIN prices p
              ON u.model = p.id AND u.timestamp >= p.snapshot_at
        """).df()

    ours, theirs = median_pair(lambda: nf.cost_usage(usage, history), duck, max(3, repeat // 2))
    report(
        f"cost_usage of {rows:,} rows vs {days} snapshots x {models} models, vs DuckDB ASOF "
        f"JOIN to pandas (ours {ours:.2f} s, DuckDB {theirs:.2f} s)",
        ours,
        theirs,
        "<= 0.75x",
        ok=ours / theirs <= 0.75,
    )
