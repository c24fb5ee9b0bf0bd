"""The one place the bot asks what time it is.

Every "now" in the product (timestamps written, schedules, quiet hours, "inactive for 30 days", the
weekly report's week) comes from `now()`, which asks the installed clock. Production runs on the
system clock; tests install a `SteppingClock` set to the instant they need (a Sunday evening in UTC,
New Year's Eve) instead of depending on the machine's date, hour or time zone.

Monotonic time (pacing, timeouts) is not "now" and stays with `time.monotonic()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SteppingClock:
    """A clock that starts at a chosen instant and then runs at the real pace (from the monotonic
    clock), so code that waits a second sees a second go by; `advance` jumps forward, `set` jumps to."""

    def __init__(self, start: datetime) -> None:
        self._lock = threading.Lock()
        self.set(start)

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("a clock's instant must carry a time zone")
        with self._lock:
            self._base = instant.astimezone(UTC)
            self._started = time.monotonic()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)

    def now(self) -> datetime:
        with self._lock:
            return self._base + timedelta(seconds=time.monotonic() - self._started)


SYSTEM_CLOCK = SystemClock()
_installed: Clock = SYSTEM_CLOCK


def now() -> datetime:
    """The current instant (UTC, aware) from the installed clock."""
    return _installed.now()


def local_now(zone: tzinfo) -> datetime:
    return now().astimezone(zone)


def install(clock: Clock) -> Clock:
    """Make `clock` the source of "now" for the whole process; returns the one it replaces."""
    global _installed
    previous, _installed = _installed, clock
    return previous


@contextmanager
def installed(clock: Clock) -> Iterator[Clock]:
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)
