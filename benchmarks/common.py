"""What every benchmark shares: the timing helpers, the report rows, the listings server.

One module, imported by ``run.py`` and ``more.py`` alike, so every row lands in one table.
"""

from __future__ import annotations

import gc
import json
import statistics
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STAMP = "2026-08-24T00:00:00Z"
ROWS: list[dict] = []


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def median_pair(
    ours: Callable[[], object], theirs: Callable[[], object], repeat: int, warmup: int = 1
) -> tuple[float, float]:
    """Medians of ours and theirs, measured interleaved (A, B, A, B, ...) so drift on a busy
    machine hits both alike."""
    for _ in range(warmup):
        ours()
        theirs()
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((ours, a), (theirs, b)):
            gc.collect()
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def report(
    name: str,
    ours: float,
    theirs: float | None,
    target: str,
    unit: str = "s",
    ok: bool | None = None,
) -> None:
    ratio = ours / theirs if theirs else None
    ROWS.append(
        {
            "benchmark": name,
            "ours": ours,
            "alternative": theirs,
            "ratio": ratio,
            "target": target,
            "unit": unit,
            "ok": ok,
        }
    )
    shown_ratio = f"{ratio:.2f}x" if ratio is not None else "-"
    alt = f"{theirs:.4f}" if theirs is not None else "-"
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(
        f"  {name}: ours {ours:.4f} {unit}, alternative {alt}, ratio {shown_ratio} "
        f"(target {target}) {verdict}",
        flush=True,
    )


class Server:
    """A loopback server answering the three listings after a fixed latency."""

    def __init__(self, listings: dict[str, dict], latency: float):
        bodies = {
            "/api/v1/models": json.dumps(listings["canonical"]).encode(),
            "/api/subscription/v1/models": json.dumps(listings["subscription"]).encode(),
            "/api/paid/v1/models": json.dumps(listings["paid"]).encode(),
        }
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                outer.hits += 1
                time.sleep(latency)
                body = bodies[self.path.split("?")[0]]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
