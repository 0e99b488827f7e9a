"""Keeping web requests fast and correct while Redis (cache or broker) is down or hung.

A committed write must never answer an error because of what happens after the commit, and a hung
Redis must not stall every request by its socket timeout. Each client of Redis goes through a
:class:`Breaker`: the first failure opens it for :data:`COOLDOWN_SECONDS`, during which calls are
skipped at once (the caller's fallback applies: a throttle lets the request through, an enqueue is
left to the periodic sweeps); then one call tries again. Every failure and skip is counted in
:data:`counters` (shown at ``/healthz``) and the opening is logged once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

log = logging.getLogger("portal.resilience")

COOLDOWN_SECONDS = 10.0

_lock = threading.Lock()
counters: Counter = Counter()


def count(name: str, n: int = 1) -> None:
    with _lock:
        counters[name] += n


class Breaker:
    """Open after a failure, for a cooldown; closed again by the first call that succeeds."""

    def __init__(self, name: str, cooldown: float = COOLDOWN_SECONDS):
        self.name, self.cooldown = name, cooldown
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def allow(self) -> bool:
        """May a call go to the service now? Counts the calls skipped while open."""
        if self.is_open:
            count(f"{self.name}.skipped")
            return False
        return True

    def failed(self, exc: BaseException) -> None:
        count(f"{self.name}.failures")
        with self._lock:
            was_open = self.is_open
            self._open_until = time.monotonic() + self.cooldown
        if not was_open:
            log.warning("%s unavailable (%s: %s); skipping it for %.0f s", self.name, type(exc).__name__, exc,
                        self.cooldown)

    def succeeded(self) -> None:
        if self._open_until:
            with self._lock:
                self._open_until = 0.0

    def state(self) -> dict:
        return {"open": self.is_open, "failures": counters[f"{self.name}.failures"],
                "skipped": counters[f"{self.name}.skipped"]}


cache_breaker = Breaker("cache")
broker_breaker = Breaker("broker")
