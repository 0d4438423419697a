"""nanogpt_frame benchmarks: medians and ratios against the obvious alternatives.

    python benchmarks/run.py            # everything (about two minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer repeats
    python benchmarks/run.py --only flatten,history
    python benchmarks/run.py --only duckdb_100m,pandas_10m,spark_5m   # the engines (minutes;
                                                                     # not in the default run)

Prints a Markdown table; each row has our median, the alternative's, their ratio and the target.
Nothing here is a test: timings vary by machine. Results and the machine are in README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from common import ROWS, STAMP, Server, median_pair, median_time, report  # noqa: E402
from synthetic import synthetic_listings  # noqa: E402

# ---- flattening ------------------------------------------------------------------------------


def bench_flatten(repeat: int) -> None:
    import pandas as pd

    import nanogpt_frame as nf

    for count in (1_000, 20_000):
        payload = synthetic_listings(count)["canonical"]
        ours, theirs = median_pair(
            lambda payload=payload: nf.frame_from_payload(
                payload, source_endpoint="canonical", snapshot_at=STAMP
            ),
            lambda payload=payload: pd.json_normalize(payload["data"]).convert_dtypes(
                dtype_backend="pyarrow"
            ),
            repeat * 2,
        )
        target = count == 20_000  # the target is on the 20,000-model listing
        report(
            f"flatten {count:,} models vs pd.json_normalize+convert_dtypes",
            ours,
            theirs,
            "<= 0.5x" if target else "info",
            ok=ours / theirs <= 0.5 if target else None,
        )
        try:
            import polars as pl
        except ImportError:
            pass
        else:
            polars_time = median_time(
                lambda payload=payload: pl.json_normalize(payload["data"]), repeat
            )
            report(f"flatten {count:,} models vs polars.json_normalize", ours, polars_time, "info")
    try:
        import duckdb
    except ImportError:
        return
    body = json.dumps(synthetic_listings(20_000)["canonical"]).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "canonical.json"
        path.write_bytes(body)

        def ours_from_bytes() -> None:
            nf.frame_from_payload(path.read_bytes(), source_endpoint="canonical", snapshot_at=STAMP)

        def duck() -> None:
            duckdb.sql(
                f"SELECT unnest(data, recursive := true) FROM read_json('{path}', "
                "maximum_object_size=100000000)"
            ).to_arrow_table()

        report(
            "parse+flatten 20,000 models from a file vs DuckDB read_json+unnest",
            median_time(ours_from_bytes, repeat),
            median_time(duck, repeat),
            "info",
        )


def bench_memory() -> None:
    """Peak memory added by flattening: Python heap (tracemalloc) plus Arrow's pool."""
    code = """
import json, sys, tracemalloc
import pandas as pd, pyarrow as pa, nanogpt_frame as nf
data = json.loads(open(sys.argv[1], "rb").read())
nf.frame_from_payload({"data": data[:10]}, source_endpoint="canonical")  # warm imports
pd.json_normalize(data[:10]).convert_dtypes(dtype_backend="pyarrow")
pool = pa.default_memory_pool()
before_arrow = pool.bytes_allocated()
tracemalloc.start()
if sys.argv[2] == "ours":
    df = nf.frame_from_payload({"data": data}, source_endpoint="canonical")
else:
    df = pd.json_normalize(data).convert_dtypes(dtype_backend="pyarrow")
_, python_peak = tracemalloc.get_traced_memory()
arrow_peak = pool.max_memory() - before_arrow
print((python_peak + max(arrow_peak, 0)) / 2**20)
"""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.json"
        path.write_text(json.dumps(synthetic_listings(20_000)["canonical"]["data"]))
        peaks = {}
        for which in ("ours", "json_normalize"):
            out = subprocess.run(
                [sys.executable, "-c", code, str(path), which],
                capture_output=True,
                text=True,
                check=True,
                cwd=HERE.parent,
            )
            peaks[which] = float(out.stdout.strip())
    report(
        "peak memory added by flattening 20,000 models vs json_normalize",
        peaks["ours"],
        peaks["json_normalize"],
        "info",
        unit="MiB",
    )


# ---- the network -----------------------------------------------------------------------------


def bench_fetch(repeat: int, latency: float = 0.3) -> None:
    import nanogpt_frame as nf

    server = Server(synthetic_listings(1_000), latency)
    try:
        url = server.base_url
        one = median_time(lambda: nf.load(base_url=url, endpoints="canonical", max_age=0), repeat)
        three = median_time(lambda: nf.load(base_url=url, max_age=0), repeat)
        sequential = median_time(
            lambda: [
                nf.load(base_url=url, endpoints=e, max_age=0)
                for e in ("canonical", "subscription", "paid")
            ],
            repeat,
        )
        report(
            f"three listings concurrently vs one listing ({latency:g} s latency)",
            three,
            one,
            "<= 1.6x",
            ok=three / one <= 1.6,
        )
        report("three listings concurrently vs one after another", three, sequential, "info")
    finally:
        server.close()


def bench_media(repeat: int) -> None:
    """``load_media`` of a 1,000-model set of the four feeds from bytes vs ``json.loads``."""
    import httpx

    import nanogpt_frame as nf
    from nanogpt_frame.media.flatten_media import media_frame
    from tests.media_catalog import media_catalog

    feeds, _ = media_catalog(1_000)
    bodies = {feed: json.dumps(body).encode() for feed, body in feeds.items()}
    by_path = {f"/api/v1/{feed}-models": body for feed, body in bodies.items()}

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=by_path[request.url.path])

    client = httpx.Client(transport=httpx.MockTransport(api))
    base = "http://bench.invalid/api"

    folder = Path(tempfile.mkdtemp(prefix="nanogpt-media-bench-"))
    for feed, body in bodies.items():
        (folder / f"{feed}.json").write_bytes(body)

    def ours() -> None:  # the four feeds' bytes, read and flattened by load_media
        nf.load_media(source=str(folder), snapshot_at=STAMP)

    def over_http() -> None:  # the same through the transport (httpx.MockTransport, 4 threads)
        nf.load_media(client=client, base_url=base, max_age=0, snapshot_at=STAMP)

    def floor() -> None:
        for body in bodies.values():
            json.loads(body)

    try:
        mine, theirs = median_pair(ours, floor, max(repeat, 9))
        report(
            "load_media of 1,000 models (four feed files) vs json.loads of the same bytes",
            mine,
            theirs,
            "<= 3x",
            ok=mine / theirs <= 3,
        )
        wire, theirs = median_pair(over_http, floor, max(repeat, 9))
        report(
            "load_media of the same over httpx.MockTransport (four requests) vs json.loads",
            wire,
            theirs,
            "info",
        )
        flat, theirs = median_pair(
            lambda: media_frame(bodies, snapshot_at=STAMP), floor, max(repeat, 9)
        )
        report("media_frame(bytes) alone (no transport) vs json.loads", flat, theirs, "info")
        frame = media_frame(bodies, snapshot_at=STAMP)
        lines = median_time(lambda: nf.media_prices(frame), repeat)
        report("media_prices of that frame (~2,000 lines)", lines, None, "info")
    finally:
        client.close()
        shutil.rmtree(folder, ignore_errors=True)


# ---- start-up --------------------------------------------------------------------------------


def bench_import(repeat: int) -> None:
    def run(*args: str) -> Callable[[], None]:
        return lambda: subprocess.run(
            [sys.executable, *args], check=True, capture_output=True, cwd=HERE.parent
        )

    runs = max(repeat, 7)
    bare = median_time(run("-c", "pass"), runs)  # the interpreter's own start, taken off both
    pandas = median_time(run("-c", "import pandas"), runs) - bare
    ours = median_time(run("-c", "import nanogpt_frame"), runs) - bare
    report(
        "import nanogpt_frame vs import pandas (interpreter start taken off both)",
        ours,
        pandas,
        "<= 0.25x",
        ok=ours / pandas <= 0.25,
    )
    both = median_time(run("-c", "import nanogpt_frame as nf; nf.load"), runs) - bare
    report(
        "import nanogpt_frame + first use of load (pandas, pyarrow) vs import pandas",
        both,
        pandas,
        "info",
    )
    help_time = median_time(run("-m", "nanogpt_frame", "--help"), runs)
    report("nanogpt-frame --help", help_time, None, "< 0.3 s", ok=help_time < 0.3)


# ---- snapshots and history -------------------------------------------------------------------


def bench_history(repeat: int, days: int = 365, window: int = 30) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    import nanogpt_frame as nf
    from nanogpt_frame.catalog.combine import frames_from_listings

    listings = synthetic_listings(600)
    raw = sum(len(json.dumps(body, separators=(",", ":")).encode()) for body in listings.values())
    base = frames_from_listings(listings, snapshot_at="2025-01-01T06:00:00Z")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "history"
        start = pd.Timestamp("2025-01-01T06:00:00Z")
        started = time.perf_counter()
        prompt = base["price_prompt"].copy()
        for day in range(days):
            frame = base.copy()
            frame["snapshot_at"] = pd.Series(
                start + pd.Timedelta(days=day), index=frame.index
            ).astype(base["snapshot_at"].dtype)
            changed = frame.index % 97 == day % 97  # a few price changes every day
            prompt = prompt.where(~changed, prompt * 1.05)
            frame["price_prompt"] = prompt
            path = nf.write_snapshot(frame, root)
        write_each = (time.perf_counter() - started) / days
        size = Path(path).stat().st_size
        report(
            f"one snapshot of a 600-model catalog ({len(base):,} rows) vs its raw JSON "
            f"({raw / 1024:.0f} KiB)",
            size / 1024,
            raw / 1024,
            "<= 0.15x",
            unit="KiB",
            ok=size / raw <= 0.15,
        )
        report("write_snapshot (each of 365)", write_each, None, "info")
        since = (start + pd.Timedelta(days=days - window)).date()
        schema = pa.schema([pa.field("snapshot_date", pa.date32())])

        def direct() -> object:
            dataset = ds.dataset(
                root, format="parquet", partitioning=ds.partitioning(schema, flavor="hive")
            )
            return dataset.to_table(filter=ds.field("snapshot_date") >= pa.scalar(since))

        def ours() -> object:
            return nf.read_snapshots(root, since=since)

        rows = len(ours())
        assert rows == direct().num_rows == window * len(base), (rows, direct().num_rows)
        ours_time, direct_time = median_pair(ours, direct, repeat)
        report(
            f"read_snapshots {window} of {days} days ({rows:,} rows) vs pyarrow.dataset",
            ours_time,
            direct_time,
            "<= 1.5x",
            ok=ours_time / direct_time <= 1.5,  # decided on the figures printed
        )
        try:
            import duckdb
        except ImportError:
            pass
        else:

            def duck() -> object:
                return duckdb.sql(
                    f"SELECT * FROM read_parquet('{root}/*/*.parquet', hive_partitioning=true) "
                    f"WHERE snapshot_date >= DATE '{since}'"
                ).to_arrow_table()

            report(
                f"read_snapshots {window} of {days} days vs DuckDB read_parquet",
                median_time(ours, repeat),
                median_time(duck, repeat),
                "info",
            )
        from more import bench_tools

        bench_tools(repeat, root, days * len(base))


def bench_responses(repeat: int, count: int = 20_000) -> None:
    """read_responses of 20,000 logged responses against json.loads of the same lines alone."""
    import nanogpt_frame as nf
    from nanogpt_frame.sample import sample_responses_path

    sample = [  # the sample's logged lines, but the one planted truncated line
        line for line in sample_responses_path().read_bytes().splitlines() if line.endswith(b"}")
    ]
    lines = (sample * (count // len(sample) + 1))[:count]
    ours, theirs = median_pair(
        lambda: nf.read_responses(lines),
        lambda: [json.loads(line) for line in lines],
        repeat,
    )
    report(
        f"read_responses of {count:,} logged responses vs json.loads of the lines",
        ours,
        theirs,
        "<= 3x",
        ok=ours / theirs <= 3,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        from_file = median_time(lambda: nf.read_responses(path), repeat)
    report(f"read_responses of a {count:,}-line file (read, split, parse, frame)", from_file,
           None, "info")  # fmt: skip


def _more(name: str) -> Callable[[int], None]:
    def run(repeat: int) -> None:
        import more

        getattr(more, f"bench_{name}")(repeat)

    return run


BENCHES = {
    "flatten": bench_flatten,
    "parse": _more("parse"),
    "memory": lambda repeat: bench_memory(),
    "fetch": bench_fetch,
    "cache": _more("warm"),
    "import": bench_import,
    "history": bench_history,
    "routes": _more("routes"),
    "usage": _more("usage"),
    "media": bench_media,
    "responses": bench_responses,
}
#: The engines at scale (issue 21): selectable with --only, never in the default run.
ENGINE_ROWS = {"duckdb_100m": 100_000_000}
ENGINES = {
    "duckdb_100m": lambda repeat: __import__("engines").bench_duckdb(ENGINE_ROWS["duckdb_100m"]),
    "pandas_10m": lambda repeat: __import__("engines").bench_pandas(10_000_000),
    "spark_5m": lambda repeat: __import__("engines").bench_spark(5_000_000),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", default=",".join(BENCHES), help="comma-separated benchmarks")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument(
        "--engine-rows",
        type=int,
        default=ENGINE_ROWS["duckdb_100m"],
        metavar="N",
        help="usage rows of the duckdb_100m benchmark (default 100,000,000)",
    )
    args = parser.parse_args()
    ENGINE_ROWS["duckdb_100m"] = args.engine_rows
    BENCHES.update(ENGINES)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHES)}")
    repeat = 3 if args.quick else 7
    import pandas
    import pyarrow

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pandas {pandas.__version__}, pyarrow "
        f"{pyarrow.__version__}",
        flush=True,
    )
    for name in names:
        print(f"[{name}]", flush=True)
        BENCHES[name](repeat)
    print(
        "\n| benchmark | ours | alternative | ratio | target | result |\n|---|---|---|---|---|---|"
    )
    for row in ROWS:
        alt = f"{row['alternative']:.4g} {row['unit']}" if row["alternative"] else "-"
        ratio = f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-"
        verdict = {None: "", True: "pass", False: "FAIL"}[row["ok"]]
        print(
            f"| {row['benchmark']} | {row['ours']:.4g} {row['unit']} | {alt} | {ratio} | "
            f"{row['target']} | {verdict} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(ROWS, indent=1))
    if any(row["ok"] is False for row in ROWS):
        sys.exit(1)


if __name__ == "__main__":
    main()
