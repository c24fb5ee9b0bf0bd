"""The paced outbox sender: runs inside `python -m bot run` and delivers every pending delivery.

How it holds up:
- Pace: all workers share one `Pacer` at BROADCAST_RATE; a 429 (RetryAfter) pauses all of them.
  A few workers send concurrently so that round-trip latency does not cap the rate.
- Persistence: a feeder claims pending rows in small batches (short read transactions); each answer
  from the API is written at once by a group-committing writer (one transaction for whatever answers
  arrived meanwhile), and the worker waits for that commit before taking its next message. So after a
  SIGKILL only the messages in flight (at most one per worker, in practice rate x round trip) can go
  twice, and none is lost: a restart resumes every 'sending' broadcast from its pending rows.
- Quiet hours: a broadcast still going when QUIET_HOURS begin stops within a fraction of a second and
  goes on where it stopped when they end; what was queued stays pending.
- One sender per database: with a `lease` (bot/broadcast/lease.py) a second bot process on the same
  database stands by instead of sending the same rows, and takes over when the first one stops.
- Control: the feeder re-reads the broadcast's status every 0.2 s, so a pause or cancel from the CLI
  (another process) stops it within a fraction of a second; one from the chat halts it at once
  (`note_status`). Jobs already queued are dropped, not sent, and stay pending for a resume.
- Outcomes: RetryAfter waits and retries; Forbidden and "chat not found" mark the resident
  unreachable (never retried, and later audiences skip them); ChatMigrated updates the chat id and
  resends; network errors retry with exponential backoff, then fail with the reason.
- Outages: when a channel's API fails several sends in a row, the channel, not the messages, is the
  problem: all sending on it pauses with a growing backoff and tries again, spending no message's
  attempts, however long the outage lasts; the first answer resumes everything.
- Direct messages (reminders, a helper's answers; `direct_messages`) go through the same workers and
  pacing, before broadcasts and between their batches, one at a time per resident so they arrive in
  order; their creators chose when they are due, so quiet hours do not hold them.
- Channels: each resident's deliveries go through their channel's `Route` (transport and pace). A
  route with a `window` (Zalo: free messages reach only people who wrote within 7 days) sends nothing to
  a resident outside it: the delivery is recorded `outside_window`, counted apart, never retried, and
  the resident stays reachable (their next message opens the window again). The channel saying so
  itself (Kind.OUTSIDE_WINDOW, Zalo's -230) is recorded the same way.

The sender never imports `telegram`: it talks to a `Transport` (see bot/channels/telegram/transport.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from bot import clock
from bot.broadcast import outbox
from bot.broadcast.content import Content, ContentError, render
from bot.broadcast.lease import Lease, NoLease
from bot.broadcast.outbox import FAILED, OUTSIDE_WINDOW, SENDING, SENT, UNREACHABLE, Outcome, Sessions
from bot.broadcast.pacing import Pacer
from bot.broadcast.schedule import QuietHours, quiet_until
from bot.content import Catalog
from bot.messages import Reply, reply_from_json
from bot.storage.models import Broadcast
from bot.storage.vocabulary import Channel

log = logging.getLogger(__name__)
WRITE_BATCH_MAX = 500
WINDOW_REASON = "outside the channel's window"
STATUS_REFRESH = 0.2  # seconds between reads of a sending broadcast's status


class Kind(StrEnum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # flood control: wait `seconds`, then send again
    UNREACHABLE = "unreachable"  # blocked, deactivated, chat not found: never retry
    MIGRATED = "migrated"  # the chat has a new id: store it and send again
    TRANSIENT = "transient"  # network trouble: retry with backoff
    FAILED = "failed"  # the API refused this message for good (bad photo, too long, ...)
    OUTSIDE_WINDOW = "outside_window"  # the channel's free-message window is closed for this person: never retry


@dataclass(frozen=True, slots=True)
class SendResult:
    kind: Kind
    seconds: float = 0.0
    new_chat_id: int | None = None
    reason: str | None = None
    message_id: int | None = None  # the channel's id of the message sent (a reply to it is matched by it)


class Transport(Protocol):
    """One message to one chat; every failure comes back as a `SendResult`, never as an exception."""

    async def send(self, chat_id: int, message: Reply) -> SendResult: ...

    async def probe(self) -> bool:
        """Whether the channel's API answers at all (a cheap call), asked after a network failure."""
        ...


@dataclass
class Route:
    """How messages reach the residents of one channel: its transport and its own pace."""

    transport: Transport
    rate: float
    yield_to: Callable[[], float] | None = None  # replies residents are waiting for, on that channel
    window: timedelta | None = None  # free messages reach only people who wrote within this (Zalo: 7 days)


@dataclass
class _Channel:
    route: Route
    pacer: Pacer
    outage: float = 0.0  # the current outage backoff in seconds, 0 while the API answers
    probing: asyncio.Lock = field(default_factory=asyncio.Lock)


ProgressHook = Callable[[int, bool], Awaitable[None]]  # (broadcast id, final)


@dataclass
class SenderStats:
    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    retry_after: int = 0  # 429s received
    transient: int = 0  # network errors retried
    migrated: int = 0
    outside_window: int = 0  # not sent: outside their channel's free-message window


@dataclass
class _Job:
    broadcast_id: int | None  # None for a direct message
    resident_id: int
    chat_id: int
    language: str
    channel: str = Channel.TELEGRAM
    message_id: int | None = None  # the direct message
    payload: dict[str, Any] | None = None  # the direct message as stored
    attempts: int = 0
    last_seen_at: datetime | None = None

    @property
    def key(self) -> tuple[str, int, int]:
        if self.message_id is not None:
            return ("direct", self.message_id, self.resident_id)
        assert self.broadcast_id is not None
        return ("broadcast", self.broadcast_id, self.resident_id)


def default_workers(rate: float) -> int:
    """Enough concurrent sends that a ~200 ms round trip does not cap `rate`, and few: each one in flight is
    a message that could go twice after a SIGKILL, and httpx's pool gets slower with many waiting
    requests (bench/bench_broadcast.py measured 8 beating 32 at the ceiling)."""
    return max(2, min(16, math.ceil(rate / 5)))


def default_batch(rate: float) -> int:
    """About a quarter second of sending: status changes are seen that quickly."""
    return max(10, min(250, math.ceil(rate / 4)))


class Sender:
    def __init__(
        self,
        sessions: Sessions,
        transport: Transport | Mapping[str, Route],
        catalog: Catalog,
        *,
        rate: float,
        workers: int | None = None,
        batch: int | None = None,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        poll_interval: float = 1.0,
        progress_interval: float = 2.0,
        on_progress: ProgressHook | None = None,
        quiet: QuietHours | None = None,
        tz: ZoneInfo | None = None,
        lease: Lease | None = None,
        yield_to: Callable[[], float] | None = None,
    ) -> None:
        self.sessions = sessions
        routes = transport if isinstance(transport, Mapping) else {Channel.TELEGRAM: Route(transport, rate, yield_to)}
        # Each channel paces itself: gives way to replies residents are waiting for, pauses on its 429s.
        self._channels = {
            name: _Channel(route, Pacer(route.rate, yield_to=route.yield_to)) for name, route in routes.items()
        }
        self.catalog = catalog
        self.rate = rate
        self.workers = workers or default_workers(rate)
        self.batch = batch or default_batch(rate)
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.poll_interval = poll_interval
        self.progress_interval = progress_interval
        self.on_progress = on_progress
        self.quiet = quiet
        self.tz = tz or ZoneInfo("UTC")
        self.lease = lease or NoLease()
        self.standing_by = False  # another process holds the lease
        self.stats = SenderStats()
        # A short queue: jobs queued are jobs that go out even if a pause arrives meanwhile.
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=self.workers)
        self._results: asyncio.Queue[tuple[Outcome, asyncio.Future[None]]] = asyncio.Queue()
        self._inflight: set[tuple[str, int, int]] = set()  # claimed and not yet finally recorded
        self._outstanding: Counter[int] = Counter()  # the same, per broadcast
        self._direct_residents: set[int] = set()  # residents with a direct message in flight
        self._no_direct = asyncio.Event()  # set while no direct message is in flight
        self._no_direct.set()
        self._idle: dict[int, asyncio.Event] = {}
        self._status: dict[int, str] = {}
        self._night = False  # inside quiet hours: nothing goes out until they end
        self._contents: dict[int, Content] = {}
        self._messages: dict[tuple[int, str], Reply] = {}
        self._hooks: dict[int, asyncio.Task[None]] = {}
        self._retries: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()

    # -- life cycle --------------------------------------------------------------------------------

    def wake(self) -> None:
        """A broadcast was created or resumed in this process: look now rather than at the next poll."""
        self._wake.set()

    def note_status(self, broadcast_id: int, status: str) -> None:
        """A pause or cancel made in this process: halt at once instead of at the next status read."""
        if broadcast_id in self._status:
            self._status[broadcast_id] = status
        self._wake.set()

    async def stop(self) -> None:
        """Ask `run` to finish what is in flight and return (a graceful shutdown)."""
        self._stop.set()
        self._wake.set()

    async def run(self, *, drain_timeout: float = 10.0) -> None:
        """Send until stopped. Cancelling this task instead of calling `stop` is a crash: answers not yet
        committed are lost and those messages go again on the next run, as after a SIGKILL."""
        helpers = [asyncio.create_task(self._write_loop(), name="broadcast-writer")]
        helpers += [asyncio.create_task(self._work_loop(), name=f"broadcast-worker-{i}") for i in range(self.workers)]
        try:
            database_down = False
            while not self._stop.is_set():
                try:
                    busy = await self._hold_lease() and await self._tick()
                    if database_down:
                        log.warning("broadcast sender: database back, sending again")
                        database_down = False
                except (SQLAlchemyError, OSError) as error:
                    if not database_down:  # once per outage, not once a second while it lasts
                        log.warning("broadcast sender: database unavailable (%s), retrying", type(error).__name__)
                        database_down = True
                    busy = False
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.poll_interval)
                    self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait_all_settled(), drain_timeout)
            hooks = [task for task in self._hooks.values() if not task.done()]
            if hooks:
                await asyncio.wait(hooks, timeout=drain_timeout)
        finally:
            pending = helpers + list(self._retries) + list(self._hooks.values())
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await asyncio.shield(self.lease.release())

    async def _hold_lease(self) -> bool:
        held = await self.lease.acquire()
        if held == self.standing_by:  # it changed: say so once, not at every poll
            if held:
                log.info("broadcast sender: this process now sends broadcasts")
            else:
                log.warning("broadcast sender: another bot process on this database sends; this one stands by")
        self.standing_by = not held
        return held

    def pacer_interval(self, channel: str = Channel.TELEGRAM) -> float:
        """Seconds between sends now: 1 / rate, longer while the bot is busy answering residents."""
        return self._channels[channel].pacer.current_interval()

    def resumes_at(self) -> datetime | None:
        """During quiet hours, when sending goes on (UTC); otherwise None."""
        return quiet_until(clock.now(), self.tz, self.quiet)

    def _check_night(self) -> bool:
        self._night = self.resumes_at() is not None
        return self._night

    async def _tick(self) -> bool:
        await outbox.promote_due(self.sessions, clock.now())
        direct = await self._feed_direct()
        if self._check_night():
            return direct
        broadcast = await outbox.next_sending(self.sessions)
        if broadcast is None:
            return direct
        return await self._drain(broadcast) or direct

    async def _feed_direct(self) -> bool:
        """Queue the direct messages due now (they go before broadcasts); True if any was queued."""
        claimed = await outbox.claim_direct(self.sessions, clock.now(), self.batch, self._direct_residents)
        skipped: list[Outcome] = []
        for row in claimed:
            if row.unreachable_reason is not None:
                skipped.append(
                    Outcome(
                        None, row.resident_id, UNREACHABLE, reason=row.unreachable_reason, message_id=row.message_id
                    )
                )
                continue
            if self._outside_window(row.channel, row.last_seen_at):
                self.stats.outside_window += 1
                skipped.append(
                    Outcome(None, row.resident_id, OUTSIDE_WINDOW, reason=WINDOW_REASON, message_id=row.message_id)
                )
                continue
            job = _Job(None, row.resident_id, row.chat_id, "", row.channel, row.message_id, row.payload)
            if job.key in self._inflight:
                continue
            self._track(job)
            await self._queue.put(job)
        if skipped:
            await asyncio.gather(*(self._write(outcome) for outcome in skipped))
        return bool(claimed)

    # -- the feeder --------------------------------------------------------------------------------

    async def _drain(self, broadcast: Broadcast) -> bool:
        """Send one broadcast's pending deliveries until none is left, or it is paused or cancelled."""
        bid = broadcast.id
        self._contents[bid] = outbox.content_of(broadcast)
        cursor, progressed = 0, False
        last_progress = time.monotonic()
        while not self._stop.is_set():
            if self._check_night():
                await self._wait_settled(bid)  # queued jobs are dropped and stay pending for the morning
                log.info("broadcast %s waits for the end of quiet hours (%s)", bid, self.quiet)
                self._progress(bid, final=False)
                return progressed
            status, rows = await outbox.claim(self.sessions, bid, cursor, self.batch)
            self._status[bid] = status or outbox.CANCELLED
            status_read = time.monotonic()
            if status != SENDING:
                if progressed:
                    self._progress(bid, final=False)  # paused or cancelled, perhaps from the CLI: show it
                return progressed
            if not rows:
                await self._wait_settled(bid)
                if self._status.get(bid) != SENDING:
                    continue  # paused while the last ones were in flight: the next claim says so
                if await outbox.has_pending(self.sessions, bid):
                    cursor = 0  # rows reset by "resend to failed" behind the cursor: another pass
                    continue
                if await outbox.finish(self.sessions, bid, clock.now()):
                    log.info("broadcast %s done: %s", bid, self.stats)
                    self._progress(bid, final=True)
                return True
            cursor = rows[-1].resident_id
            await self._feed_direct()  # a helper's answer does not wait behind a long broadcast
            skipped: list[Outcome] = []
            for row in rows:
                if time.monotonic() - status_read > STATUS_REFRESH:
                    # A pause or cancel from another process (the CLI) is seen within this much time.
                    self._status[bid] = await outbox.status_of(self.sessions, bid) or outbox.CANCELLED
                    self._check_night()
                    status_read = time.monotonic()
                if self._halted(bid):
                    break
                if ("broadcast", bid, row.resident_id) in self._inflight:
                    continue
                if row.unreachable_reason is not None:
                    # Became unreachable after the outbox was made (blocked the bot meanwhile): skip.
                    skipped.append(Outcome(bid, row.resident_id, UNREACHABLE, reason=row.unreachable_reason))
                    continue
                if self._outside_window(row.channel, row.last_seen_at):
                    self.stats.outside_window += 1
                    skipped.append(Outcome(bid, row.resident_id, OUTSIDE_WINDOW, reason=WINDOW_REASON))
                    continue
                job = _Job(bid, row.resident_id, row.chat_id, row.language, row.channel)
                self._track(job)
                await self._queue.put(job)
                progressed = True
            if skipped:
                self.stats.unreachable += sum(1 for outcome in skipped if outcome.status == UNREACHABLE)
                await asyncio.gather(*(self._write(outcome) for outcome in skipped))
            if time.monotonic() - last_progress >= self.progress_interval:
                last_progress = time.monotonic()
                self._progress(bid, final=False)
        return progressed

    async def _wait_settled(self, bid: int) -> None:
        """Wait until nothing of this broadcast is in flight, re-reading its status now and then so a
        pause during a long network backoff is still honoured."""
        while self._outstanding.get(bid):
            event = self._idle.setdefault(bid, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), 1.0)
            except TimeoutError:
                self._status[bid] = await outbox.status_of(self.sessions, bid) or outbox.CANCELLED

    async def _wait_all_settled(self) -> None:
        for bid in list(self._outstanding):
            await self._wait_settled(bid)
        # Direct messages in flight too: one sent but not yet recorded would stay pending and go again at
        # the next start. Queued ones not yet taken are released unsent by the workers (the stop halts them).
        await self._no_direct.wait()

    def _track(self, job: _Job) -> None:
        self._inflight.add(job.key)
        if job.broadcast_id is None:
            self._direct_residents.add(job.resident_id)
            self._no_direct.clear()
            return
        self._outstanding[job.broadcast_id] += 1

    def _release(self, job: _Job) -> None:
        if job.key not in self._inflight:
            return  # already released (a crash report after the outcome was written)
        self._inflight.discard(job.key)
        if job.broadcast_id is None:
            self._direct_residents.discard(job.resident_id)
            if not self._direct_residents:
                self._no_direct.set()
            return
        self._outstanding[job.broadcast_id] -= 1
        if self._outstanding[job.broadcast_id] <= 0:
            del self._outstanding[job.broadcast_id]
            event = self._idle.pop(job.broadcast_id, None)
            if event is not None:
                event.set()

    def _halted(self, bid: int | None) -> bool:
        if bid is None:  # a direct message: only a stop holds it (its creator chose when it is due)
            return self._stop.is_set()
        return self._stop.is_set() or self._night or self._status.get(bid) != SENDING

    # -- the workers -------------------------------------------------------------------------------

    async def _work_loop(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._deliver(job)
            except Exception:
                # A bug, not a Telegram answer: record it so the broadcast can still finish.
                log.exception("%s: delivery to resident %s crashed", _what(job), job.resident_id)
                self.stats.failed += 1
                await self._settle(job, FAILED, "internal error")
            finally:
                self._queue.task_done()

    async def _deliver(self, job: _Job) -> None:
        channel = self._channels.get(job.channel)
        if channel is None:
            self.stats.failed += 1
            await self._settle(job, FAILED, f"no {job.channel} channel in this process")
            return
        while True:
            if self._halted(job.broadcast_id):
                self._release(job)  # stays pending in the database for the next pass or run
                return
            await channel.pacer.acquire()
            if self._halted(job.broadcast_id):
                self._release(job)
                return
            try:
                message = self._message(job)
            except ContentError as error:
                self.stats.failed += 1
                await self._settle(job, FAILED, str(error))
                return
            result = await channel.route.transport.send(job.chat_id, message)
            job.attempts += 1
            if result.kind is not Kind.TRANSIENT:
                self._api_answered(job.channel, channel)
            if result.kind is Kind.SENT:
                self.stats.sent += 1
                await self._settle(job, SENT, sent_message_id=result.message_id)
                return
            if result.kind is Kind.RETRY_AFTER:
                self.stats.retry_after += 1
                job.attempts -= 1  # flood control is about the bot, not this message
                channel.pacer.pause(result.seconds)
                log.warning("%s: flood control, all sends wait %.1fs", job.channel, result.seconds)
                continue
            if result.kind is Kind.UNREACHABLE:
                self.stats.unreachable += 1
                await self._settle(job, UNREACHABLE, result.reason, resident_gone=True)
                return
            if result.kind is Kind.OUTSIDE_WINDOW:
                self.stats.outside_window += 1
                await self._settle(job, OUTSIDE_WINDOW, result.reason or WINDOW_REASON)
                return
            if result.kind is Kind.MIGRATED and result.new_chat_id and job.attempts < self.max_attempts:
                self.stats.migrated += 1
                await self._write(
                    Outcome(
                        job.broadcast_id, job.resident_id, "chat", chat_id=result.new_chat_id, message_id=job.message_id
                    )
                )
                job.chat_id = result.new_chat_id
                continue
            if result.kind is Kind.TRANSIENT:
                self.stats.transient += 1
                if await self._api_down(job.channel, channel):
                    job.attempts -= 1  # the API is down, not this chat: wait with everyone, spend nothing
                    continue
                if job.attempts < self.max_attempts:
                    self._retry_later(job, self._backoff(job.attempts))
                    return
            self.stats.failed += 1
            await self._settle(job, FAILED, result.reason or str(result.kind))
            return

    async def _api_down(self, name: str, channel: _Channel) -> bool:
        """After a network failure: is the channel's whole API down (not just this chat)? Then every send
        on it pauses with a growing backoff, and the next send after the pause is the next probe."""
        async with channel.probing:  # many workers fail at once in an outage: one probe answers them all
            if channel.outage == 0.0 and await channel.route.transport.probe():
                return False  # the API answers: this chat's trouble, retried with its own attempts
            if channel.outage == 0.0:
                log.warning("%s: the API is not answering; sending pauses until it does", name)
                channel.outage = self.backoff_base
            elif channel.pacer.paused_for <= 0:  # the first failure after a pause: the next pause is longer
                channel.outage = min(self.backoff_cap, channel.outage * 2)
            if channel.pacer.paused_for <= 0:
                channel.pacer.pause(channel.outage * random.uniform(0.8, 1.2))
            return True

    def _api_answered(self, name: str, channel: _Channel) -> None:
        if channel.outage:
            log.warning("%s: the API answers again; sending goes on", name)
            channel.outage = 0.0

    def _message(self, job: _Job) -> Reply:
        if job.broadcast_id is None:
            assert job.payload is not None
            return reply_from_json(job.payload)
        key = (job.broadcast_id, job.language)
        message = self._messages.get(key)
        if message is None:
            message = self._messages[key] = render(self._contents[job.broadcast_id], job.language, self.catalog)
        return message

    def _outside_window(self, channel: str, last_seen_at: datetime | None) -> bool:
        known = self._channels.get(channel)
        window = known.route.window if known is not None else None
        return window is not None and last_seen_at is not None and last_seen_at < clock.now() - window

    def _backoff(self, attempts: int) -> float:
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempts - 1))
        return delay * random.uniform(0.8, 1.2)  # jitter: retries of many chats do not line up

    def _retry_later(self, job: _Job, delay: float) -> None:
        async def requeue() -> None:
            # Waiting on the stop event: a shutdown does not sit out a long backoff.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            await self._queue.put(job)

        task = asyncio.create_task(requeue())
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _settle(
        self,
        job: _Job,
        status: str,
        reason: str | None = None,
        *,
        resident_gone: bool = False,
        sent_message_id: int | None = None,
    ) -> None:
        outcome = Outcome(
            job.broadcast_id,
            job.resident_id,
            status,
            job.attempts,
            reason,
            resident_gone=resident_gone,
            message_id=job.message_id,
            sent_message_id=sent_message_id,
        )
        try:
            await self._write(outcome)
        finally:
            self._release(job)

    # -- the writer ----------------------------------------------------------------------------------

    async def _write(self, outcome: Outcome) -> None:
        """Hand an outcome to the writer and wait until it is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._results.put_nowait((outcome, done))
        await done

    async def _write_loop(self) -> None:
        while True:
            batch = [await self._results.get()]
            while not self._results.empty() and len(batch) < WRITE_BATCH_MAX:
                batch.append(self._results.get_nowait())
            delay = 0.1
            while True:
                try:
                    await outbox.record(self.sessions, [outcome for outcome, _ in batch], clock.now())
                    break
                except (SQLAlchemyError, OSError) as error:
                    # Keep the answers and try again: the workers wait, so sending pauses with the database.
                    log.warning("broadcast sender: cannot record outcomes (%s), retrying", type(error).__name__)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    # -- progress --------------------------------------------------------------------------------------

    def _progress(self, bid: int, *, final: bool) -> None:
        """Tell the hook (the officer's live message) without ever making the sender wait for it."""
        if self.on_progress is None:
            return
        previous = self._hooks.get(bid)
        if previous is not None and not previous.done() and not final:
            return  # the last update is still going out; skip this one
        hook = self.on_progress

        async def call() -> None:
            if previous is not None and not previous.done():
                with contextlib.suppress(Exception):
                    await previous
            try:
                await hook(bid, final)
            except Exception:
                log.warning("broadcast %s: progress report failed", bid, exc_info=True)

        self._hooks[bid] = asyncio.create_task(call())


def _what(job: _Job) -> str:
    return f"direct message {job.message_id}" if job.message_id is not None else f"broadcast {job.broadcast_id}"
