"""Pacing requests across threads at the API's rate limit (``Pacer``, ``MAX_RATE``)."""

from __future__ import annotations

import math
import threading
import time

from nanogpt_frame._http.options import MAX_RATE, check_rate

__all__ = ("MAX_RATE", "Pacer")

#: Requests are paced at this share of ``rate``: room for scheduling and network jitter (a new
#: connection's first request arrives late, the next on time), so the server never counts more
#: than ``rate + 1`` in a second. Measured on a loopback server at rate 25: 25 at most.
_PACE_SHARE = 0.95
_clock = time.monotonic
_sleep = time.sleep


class Pacer:
    """Spaces calls at least ``1 / rate`` seconds apart (a little more: see ``_PACE_SHARE``),
    across threads.

    A caller holds the lock while it waits for its turn, so turns are taken one at a time and
    never booked ahead: after a stall the next call goes at once and the one after waits a full
    interval, so no burst can follow. Any window of one second sees at most ``rate + 1`` calls.

    A wait never outlasts ``stop_at`` (a ``time.monotonic`` instant) and ends when ``cancel`` is
    set: a turn that would come after the deadline is refused at once, without sleeping.

    >>> Pacer(rate=20).wait()
    True
    """

    def __init__(self, rate: float):
        self.interval = 1.0 / (check_rate(rate) * _PACE_SHARE)
        self._lock = threading.Lock()
        self._last = -math.inf

    def wait(self, stop_at: float = math.inf, cancel: threading.Event | None = None) -> bool:
        """Wait for the next turn; ``False`` (no turn taken) past ``stop_at`` or on ``cancel``."""
        left = stop_at - time.monotonic()
        if left <= 0:
            return False
        if not self._lock.acquire(timeout=min(left, threading.TIMEOUT_MAX)):
            return False
        try:
            now = _clock()
            turn = self._last + self.interval
            if turn > now:
                if time.monotonic() + (turn - now) > stop_at:
                    return False
                if cancel is not None:
                    if cancel.wait(turn - now):
                        return False
                else:
                    _sleep(turn - now)
                now = _clock()
            if cancel is not None and cancel.is_set():
                return False
            self._last = now
            return True
        finally:
            self._lock.release()
