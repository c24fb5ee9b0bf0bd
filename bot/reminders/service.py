"""The due scan as background work of `python -m bot run`: at start, then every REMINDER_SCAN_MINUTES
(at most 15), or 30 seconds after a scan that found a full batch due (a first start on a district). What
it queues goes out through the outbox and the channel's paced sender, so a reminder survives a restart
and a scan repeated by a restart or by a second process queues nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot import clock
from bot.broadcast.schedule import parse_quiet_hours
from bot.config import Settings
from bot.reminders.policy import Rules
from bot.reminders.scan import BATCH, ScanResult, scan
from bot.runtime import Runtime
from bot.storage.db import uninterruptible

log = logging.getLogger(__name__)
CATCH_UP = 30.0  # seconds to the next scan after a full batch: 1,000 in 30 s outpaces Telegram's ~25 a second


def rules_from(settings: Settings) -> Rules:
    return Rules(
        idle=timedelta(days=settings.reminder_idle_days),
        quiet=parse_quiet_hours(settings.quiet_hours),
        tz=settings.tz,
        enabled=settings.reminders,
    )


@uninterruptible
async def scan_once(runtime: Runtime, batch: int = BATCH) -> ScanResult:
    """One scan now (shielded: a stop never cuts its write transaction in half)."""
    rules = rules_from(runtime.settings)
    return await scan(runtime.db, runtime.sessions, rules, runtime.catalog, clock.now(), batch)


class ReminderService:
    name = "reminders"

    def __init__(self, runtime: Runtime, batch: int = BATCH, catch_up: float = CATCH_UP) -> None:
        self.runtime = runtime
        self.interval = runtime.settings.reminder_scan_minutes * 60
        self.batch = batch
        self.catch_up = catch_up
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="reminder-scan")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stop.is_set():
            pause = self.interval
            try:
                result = await scan_once(self.runtime, self.batch)
                if result.queued:
                    log.info("reminders: %d queued%s", result.queued, ", more due" if result.more else "")
                if result.more:
                    pause = min(self.interval, self.catch_up)
            except (SQLAlchemyError, OSError) as error:  # the database is away: the next scan tries again
                log.warning("reminder scan failed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), pause)
