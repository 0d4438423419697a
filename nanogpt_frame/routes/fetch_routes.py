"""Fetch provider routes, one request per model, evenly spaced under the API's rate limit.

``GET <base>/models/<id, one URL-encoded path segment>/providers`` for each distinct id, on a few
worker threads that share one ``Pacer`` (so no one-second window holds more than ``rate + 1``
requests, retries included, even after a stall) and one ``Requester`` (deadline, retries, key
hygiene). A failing model is recorded, never fatal, unless every model fails for want of a
network. Fresh responses come from the cache (one entry per model and key scope). The call
returns by its deadline and joins every worker before it returns (also on ``KeyboardInterrupt``);
bodies and failures come back in the order the ids were given.
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
from nanogpt_frame._http.client import MAX_BODY_BYTES, Requester, join_all
from nanogpt_frame._http.options import MAX_SECONDS, check_rate
from nanogpt_frame._http.pacing import Pacer
from nanogpt_frame.errors import FetchError
from nanogpt_frame.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from nanogpt_frame._http.cache import ResponseCache

__all__ = ("RouteReplies", "fetch_routes", "id_problem", "route_url")

log = logging.getLogger("nanogpt_frame")


def id_problem(model_id: Any) -> str | None:
    """Why ``model_id`` cannot be asked for (``None`` when it can).

    >>> id_problem("a/b"), id_problem(None), id_problem(float("nan"))
    (None, 'not a model id: missing', 'not a model id: missing')
    >>> id_problem(7)
    'not a model id: int, not a string'
    """
    if not isinstance(model_id, str):
        try:
            missing = model_id is None or bool(model_id != model_id)  # NaN
        except (TypeError, ValueError):  # pandas' NA has no truth value
            missing = True
        if missing:
            return "not a model id: missing"
        return f"not a model id: {type(model_id).__name__}, not a string"
    if not model_id:
        return "not a model id: empty"
    try:
        model_id.encode("utf-8")
    except UnicodeEncodeError:
        return "not a model id: not valid Unicode (a lone surrogate)"
    return None


def route_url(settings: Settings, model_id: str) -> str:
    """The routes URL of one model: the id is exactly one fully URL-encoded path segment.

    Dots are encoded too when the whole id is ``.`` or ``..`` (which a URL would otherwise read
    as "this folder" or "the parent folder", escaping the segment).

    >>> route_url(Settings(), "moonshotai/kimi-k2.6")
    'https://nano-gpt.com/api/models/moonshotai%2Fkimi-k2.6/providers'
    >>> route_url(Settings(), "..")
    'https://nano-gpt.com/api/models/%2E%2E/providers'
    """
    segment = quote(model_id, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return f"{settings.base_url}/models/{segment}/providers"


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
        ConfigError: ``rate``, ``timeout`` or ``deadline`` out of range.
        FetchError: every request failed without an HTTP answer (the network is down).
    """
    check_rate(rate)
    out = RouteReplies()
    asked: list[str] = []
    for model_id in dict.fromkeys(ids):
        problem = id_problem(model_id)
        if problem is None:
            asked.append(model_id)
        else:  # skipped and reported, never sent
            out.failed[repr(model_id) if isinstance(model_id, str) else str(model_id)] = problem
    scope = key_fingerprint(settings.api_key)
    todo: list[str] = []
    for model_id in asked:
        entry = cache.get(route_url(settings, model_id), {}, scope) if cache else None
        body = entry.body() if entry is not None and max_age and entry.age() < max_age else None
        if body is not None and (validate is None or validate(body) is None):
            out.bodies[model_id] = body
            out.from_cache += 1
        else:
            todo.append(model_id)
    if not todo:
        return _in_order(out, asked)
    if deadline is None:
        deadline = min(MAX_SECONDS, len(todo) / rate * 1.5 + 2 * timeout)
    pacer = Pacer(rate)
    jobs: queue.SimpleQueue[str] = queue.SimpleQueue()
    for model_id in todo:
        jobs.put(model_id)
    transport_failures: list[FetchError] = []
    lock = threading.Lock()
    finished = threading.Event()  # set once the caller stopped waiting: late answers are dropped
    bar = _progress(len(todo), progress)

    def work(requester: Requester) -> None:
        try:
            while not requester.cancel.is_set():
                try:
                    model_id = jobs.get_nowait()
                except queue.Empty:
                    return
                fetch_one(requester, model_id)
        except BaseException:  # never a traceback from a worker thread into the user's process
            log.debug("routes worker stopped", exc_info=True)
            requester.abort()

    def fetch_one(requester: Requester, model_id: str) -> None:
        url = route_url(settings, model_id)
        problem = None
        try:
            reply = requester.get(url, pacer=pacer)
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
        try:
            for thread in threads:
                thread.start()
            for thread in threads:  # all by the deadline, not the deadline per thread
                thread.join(max(0.0, requester.remaining()))
        finally:
            requester.abort()  # late requests end now; pacer waits end at once
            join_all(threads)
            with lock:
                finished.set()
            if bar is not None:
                bar.close()
    out.received_at = datetime.now(UTC)
    fetched_failures = [m for m in todo if m in out.failed]
    if not out.bodies and transport_failures and len(transport_failures) == len(fetched_failures):
        first = transport_failures[0]
        raise FetchError(f"no provider route could be fetched: {first}", url=first.url)
    missing = [m for m in todo if m not in out.bodies and m not in out.failed]
    for model_id in missing:  # the deadline passed before their turn
        out.failed[model_id] = (
            f"not fetched: the deadline of {requester.deadline:g}s for the whole load was "
            f"reached after {requester.elapsed():.1f}s"
        )
    return _in_order(out, asked)


def _in_order(out: RouteReplies, asked: list[str]) -> RouteReplies:
    """``out`` with bodies and failures in the order the ids were asked (not completion order)."""
    out.bodies = {m: out.bodies[m] for m in asked if m in out.bodies}
    skipped = {m: why for m, why in out.failed.items() if m not in asked}
    out.failed = {**skipped, **{m: out.failed[m] for m in asked if m in out.failed}}
    return out
