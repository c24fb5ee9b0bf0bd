"""A shared send clock: slots at `rate` a second for all workers, and a global pause on 429.

Telegram's flood limit applies to the whole bot, so one RetryAfter pauses every worker, not just the
one that met it. Slots are handed out on a fixed grid (no burst after idle time beyond a couple of
slots), so the API never sees more than `rate` sends in any second and answers no 429 storm.

The same limit covers the replies residents are waiting for. With `yield_to` (the bot's interactive
messages a second, counted where they leave: bot/channels/telegram/traffic.py) the broadcast gives way:
it sends `rate` minus what residents are being sent, but never less than a fifth of `rate`, so a
lesson invitation that brings hundreds of residents into the bot at once slows the broadcast rather
than making their lessons wait behind it or drawing 429s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

MIN_SLEEP = 0.0005
MIN_SHARE = 0.2  # of `rate`: a broadcast always moves on, however busy the bot is


class Pacer:
    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        yield_to: Callable[[], float] | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("the broadcast rate must be positive")
        self.rate = rate
        self.interval = 1.0 / rate
        self._yield_to = yield_to
        self._clock = clock
        self._sleep = sleep
        self._next = clock()
        self._paused_until = 0.0
        # A little slack lets workers catch up after a late wake-up without bursting after idle time.
        self._slack = 2 * self.interval

    async def acquire(self) -> None:
        """Wait for this caller's slot. No awaits between reading and moving `_next`: asyncio runs one
        coroutine at a time, so two callers never get the same slot."""
        while True:
            now = self._clock()
            slot = max(self._next, now - self._slack, self._paused_until)
            self._next = slot + self.current_interval()
            if slot - now > MIN_SLEEP:  # shorter sleeps cost more than they pace
                await self._sleep(slot - now)
            if self._clock() >= self._paused_until:
                return
            # A 429 arrived while this caller slept: its slot fell inside the pause, take a new one.

    def current_interval(self) -> float:
        if self._yield_to is None:
            return self.interval
        return 1.0 / max(self.rate * MIN_SHARE, self.rate - self._yield_to())

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())
