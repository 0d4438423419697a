"""Pacing requests across threads at the API's rate limit (``Pacer``, ``MAX_RATE``)."""

from __future__ import annotations

import math
import threading
import time

__all__ = ("MAX_RATE", "Pacer")

#: The API's global limit, in requests per second.
MAX_RATE = 25.0
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
    """

    def __init__(self, rate: float):
        self.interval = 1.0 / (rate * _PACE_SHARE)
        self._lock = threading.Lock()
        self._last = -math.inf

    def wait(self) -> None:
        with self._lock:
            now = _clock()
            turn = self._last + self.interval
            if turn > now:
                _sleep(turn - now)
                now = _clock()
            self._last = now
