"""Fetch provider routes, one request per model, evenly spaced under the API's rate limit.

``GET <base>/models/<id, one URL-encoded path segment>/providers`` for each distinct id, on a few
worker threads that share one ``Pacer`` (so no one-second window holds more than ``rate + 1``
requests, retries included, even after a stall) and one ``Requester`` (deadline, retries, key
hygiene). A failing model is recorded, never fatal, unless every model fails for want of a
network. Fresh responses come from the cache (one entry per model and key scope).
"""

from __future__ import annotations

import logging
import math
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nanogpt_frame._http.cache import key_fingerprint
from nanogpt_frame._http.client import MAX_BODY_BYTES, Requester
from nanogpt_frame._http.pacing import MAX_RATE, Pacer
from nanogpt_frame.errors import ConfigError, FetchError
from nanogpt_frame.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from nanogpt_frame._http.cache import ResponseCache

__all__ = ("RouteReplies", "fetch_routes", "route_url")

log = logging.getLogger("nanogpt_frame")


def route_url(settings: Settings, model_id: str) -> str:
    """The routes URL of one model: the id is one fully URL-encoded path segment.

    >>> route_url(Settings(), "moonshotai/kimi-k2.6")
    'https://nano-gpt.com/api/models/moonshotai%2Fkimi-k2.6/providers'
    """
    return f"{settings.base_url}/models/{quote(model_id, safe='')}/providers"


@dataclass
class RouteReplies:
    """What a routes fetch got: bodies per model id, failures, and where from."""

    bodies: dict[str, bytes] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    from_cache: int = 0
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _progress(total: int, show: bool | None) -> Any:
    """A tqdm bar (``tqdm.auto``: a widget in Jupyter), or ``None`` when not wanted."""
    if show is None:
        show = sys.stderr.isatty() or _in_notebook()
    if not show or total == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="provider routes", unit="model", leave=True)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    try:
        ip = shell.get_ipython() if shell is not None else None
    except Exception:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def fetch_routes(
    ids: Sequence[str],
    *,
    settings: Settings,
    rate: float = 20.0,
    timeout: float = 30.0,
    deadline: float | None = None,
    retries: int = 4,
    client: httpx.Client | None = None,
    cache: ResponseCache | None = None,
    max_age: float | None = None,
    progress: bool | None = None,
    workers: int | None = None,
    max_bytes: int = MAX_BODY_BYTES,
    validate: Callable[[bytes], str | None] | None = None,
) -> RouteReplies:
    """Fetch the routes response of every id (in order, each once).

    Args:
        ids: model ids as listed in the catalog (case kept).
        rate: requests per second, at most 25 (the API's limit).
        deadline: seconds for everything (default: the time ``rate`` needs, plus slack).
        progress: a progress bar; ``None`` shows one on a terminal or in a notebook only.
        workers: concurrent requests (default: enough to keep ``rate`` busy, at most 16).
        validate: returns why a body is unusable (then it is a failure and is not cached).
        Others: as for ``fetch_listings``.

    Raises:
        ConfigError: ``rate`` is not a number in (0, 25].
        FetchError: every request failed without an HTTP answer (the network is down).
    """
    if not (isinstance(rate, (int, float)) and 0 < rate <= MAX_RATE):
        raise ConfigError(f"rate must be above 0 and at most {MAX_RATE:g} requests/s, not {rate!r}")
    ids = list(dict.fromkeys(ids))
    out = RouteReplies()
    scope = key_fingerprint(settings.api_key)
    todo: list[str] = []
    for model_id in ids:
        entry = cache.get(route_url(settings, model_id), {}, scope) if cache else None
        body = entry.body() if entry is not None and max_age and entry.age() < max_age else None
        if body is not None and (validate is None or validate(body) is None):
            out.bodies[model_id] = body
            out.from_cache += 1
        else:
            todo.append(model_id)
    if not todo:
        return out
    if deadline is None:
        deadline = len(todo) / rate * 1.5 + 2 * timeout
    pacer = Pacer(rate)
    jobs: queue.SimpleQueue[str] = queue.SimpleQueue()
    for model_id in todo:
        jobs.put(model_id)
    transport_failures: list[FetchError] = []
    lock = threading.Lock()
    finished = threading.Event()  # set once the caller stopped waiting: late answers are dropped
    bar = _progress(len(todo), progress)

    def work(requester: Requester) -> None:
        while not requester.cancel.is_set():
            try:
                model_id = jobs.get_nowait()
            except queue.Empty:
                return
            url = route_url(settings, model_id)
            problem = None
            try:
                reply = requester.get(url, before_each=pacer.wait)
            except FetchError as exc:
                problem = exc
            with lock:
                if finished.is_set():
                    return
                if problem is not None:
                    out.failed[model_id] = problem.detail or str(problem)
                    if problem.status is None:
                        transport_failures.append(problem)
                else:
                    why = validate(reply.body) if validate is not None else None
                    if why is None:
                        out.bodies[model_id] = reply.body
                        if cache is not None:
                            cache.put(url, {}, scope, reply.body, reply.headers)
                    else:
                        out.failed[model_id] = why
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(failed=len(out.failed), refresh=False)

    count = max(1, min(16, len(todo), workers or math.ceil(rate / 2)))
    with Requester(
        settings,
        timeout=timeout,
        deadline=deadline,
        retries=retries,
        client=client,
        max_bytes=max_bytes,
    ) as requester:
        threads = [
            threading.Thread(
                target=work, args=(requester,), daemon=True, name=f"nanogpt-routes-{i}"
            )
            for i in range(count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, requester.remaining()) + timeout)
        with lock:
            finished.set()
    if bar is not None:
        bar.close()
    out.received_at = datetime.now(UTC)
    if not out.bodies and transport_failures and len(transport_failures) == len(out.failed):
        first = transport_failures[0]
        raise FetchError(f"no provider route could be fetched: {first}", url=first.url)
    missing = [m for m in todo if m not in out.bodies and m not in out.failed]
    for model_id in missing:  # the deadline passed before their turn
        out.failed[model_id] = "not fetched: the deadline was reached"
    return out
