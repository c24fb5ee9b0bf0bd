"""Updates of one person in order, different people concurrently.

PTB's default is one update at a time for everybody; fully concurrent processing would let two quick
taps of one resident race. A lock per user keeps each resident's updates in arrival order (asyncio
locks are FIFO) while residents proceed in parallel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # how many updates hold or wait for each lock

    @staticmethod
    def _key(update: object) -> int:
        if isinstance(update, Update):
            if update.effective_user is not None:
                return update.effective_user.id
            if update.effective_chat is not None:
                return update.effective_chat.id
        return 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle residents so the table does not grow forever
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
