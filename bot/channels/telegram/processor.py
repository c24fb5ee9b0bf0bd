"""Updates of one person in order, different people concurrently, and no one person able to crowd out
the rest.

PTB's default is one update at a time for everybody; fully concurrent processing would let two quick
taps of one resident race. A lock per resident keeps each resident's updates in arrival order (asyncio
locks are FIFO) while residents proceed in parallel.

Fairness: a global slot (at most `max_concurrent_updates` updates running at once) is taken only once
an update holds its resident's lock, i.e. when it is about to run. PTB's own BaseUpdateProcessor takes
the slot first; then 500 taps from one resident, waiting their turn on that resident's lock, held all
256 slots and another resident's /progress waited 50 s behind them (issue 15). Now one resident uses
at most one slot, however many updates they have queued.

Flood cap: beyond `per_resident_queue` updates waiting or running for one resident, new ones are
dropped (a stuck client, a bored child or a script; a person tapping quickly never has that many
waiting). The first drop of such a burst calls `on_overflow` once, for a kind word; the burst is over
when that resident's updates are all handled. The check (`admit`) runs where an update enters the
application's queue (bot.channels.telegram.update_queue), so a dropped update never becomes a task; with
a plain queue it runs here instead.

Giving way: a resident with more than `BACKLOG` updates waiting is flooding, and their next update
starts only when no other resident's update is running (or after `GIVE_WAY_MAX` at most, so a flood
still moves under steady traffic). With one slot each, a flooder still took half of a CPU-bound bot:
at a 0 ms API round trip another resident's reply took 4 times as long during a flood (bench_flood).
A person tapping quickly twice is never held back.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)
PER_RESIDENT_QUEUE = 20  # updates one resident may have waiting or running; more are dropped
BACKLOG = 3  # more updates than this waiting or running: a flood, which gives way to other residents
GIVE_WAY_MAX = 1.0  # seconds a flooder's update waits for other residents' updates at most
NO_KEY = 0  # updates that belong to nobody (an unreadable update skipped as a bare id): never capped

Overflow = Callable[[Update], Awaitable[None]]


def resident_key(update: object) -> int:
    """Whose update this is: the user, else the chat; NO_KEY for what belongs to nobody."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return NO_KEY


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 256,
        per_resident_queue: int = PER_RESIDENT_QUEUE,
        on_overflow: Overflow | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.per_resident_queue = per_resident_queue
        self.on_overflow = on_overflow  # set by the application once the bot exists
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}  # each resident's updates admitted and not yet handled
        self._dropped: dict[int, int] = {}  # residents over the cap in this burst -> updates dropped
        self._kind_words: set[asyncio.Task[None]] = set()
        self.admits_at_intake = False  # set once the update queue calls `admit` as updates arrive
        self._others_running = 0  # updates running for residents who are not flooding
        self._others_idle = asyncio.Event()
        self._others_idle.set()

    def admit(self, update: object) -> bool:
        """Count this update in for its resident, or drop it (False) when they have too many waiting."""
        key = resident_key(update)
        if key != NO_KEY and self._queued.get(key, 0) >= self.per_resident_queue:
            self._drop(key, update)
            return False
        self._queued[key] = self._queued.get(key, 0) + 1
        return True

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not self.admits_at_intake and not self.admit(update):
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never run: close it so Python does not warn that it was never awaited
            return
        key = resident_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:  # the resident's turn first, only then a global slot
                flooding = key != NO_KEY and self._queued[key] > BACKLOG
                if flooding:
                    await self._give_way()
                else:
                    self._others_running += 1
                    self._others_idle.clear()
                try:
                    async with self._slots:
                        await coroutine
                finally:
                    if not flooding:
                        self._others_running -= 1
                        if not self._others_running:
                            self._others_idle.set()
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:  # forget idle residents so the tables do not grow forever
                del self._queued[key]
                del self._locks[key]
                dropped = self._dropped.pop(key, 0)
                if dropped:
                    log.warning("a resident sent too much at once: %d update(s) were dropped", dropped)

    async def _give_way(self) -> None:
        """Wait until no other resident's update runs, for GIVE_WAY_MAX at most."""
        # Updates fetched in the same batch as this one are tasks that have not started yet: let them
        # start (and be counted) before looking.
        await asyncio.sleep(0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._others_idle.wait(), GIVE_WAY_MAX)

    def _drop(self, key: int, update: object) -> None:
        first = key not in self._dropped
        self._dropped[key] = self._dropped.get(key, 0) + 1
        if first and self.on_overflow is not None and isinstance(update, Update):
            task = asyncio.create_task(self._say_kind_word(update))
            self._kind_words.add(task)
            task.add_done_callback(self._kind_words.discard)

    async def _say_kind_word(self, update: Update) -> None:
        assert self.on_overflow is not None
        try:
            await self._give_way()  # the flooder's kind word is flooder's work too: others first
            await self.on_overflow(update)
        except Exception as error:  # a kind word that cannot be sent must not become an unhandled error
            log.warning("could not ask a flooding resident to wait: %s", type(error).__name__)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Not used: process_update above orders the lock and the slot itself. Kept for the abstract API.
        await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        for task in list(self._kind_words):
            task.cancel()
        # Updates still queued at a stop are dropped by PTB unhandled: forget them, or a resident could
        # find themselves at the cap when this application is started again.
        self._queued.clear()
        self._locks.clear()
        self._dropped.clear()
