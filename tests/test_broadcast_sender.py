"""The paced sender against a fake Bot API that answers 200, 429, 403, 400 and drops connections."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot import clock
from bot.broadcast import outbox, service
from bot.broadcast.audience import Audience
from bot.broadcast.content import LESSON, TEXT, Content
from bot.broadcast.lease import lease_for
from bot.broadcast.schedule import QuietHours
from bot.channels.telegram.testing.broadcasting import (
    broadcast_row,
    deliveries,
    delivery_counts,
    hours,
    make_sender,
    quiet_api,
    run_to_end,
    seed_residents,
    sends_per_chat,
    until,
    wait_for_status,
)
from bot.channels.telegram.testing.fake_bot_api import Failure, FakeBotApi
from bot.config import Settings
from bot.runtime import Runtime
from bot.storage.models import Resident
from tests.support.settings import make_settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, quiet_hours="")  # tests run at any hour: no quiet hours here


async def announce(runtime: Runtime, audience: str = "all", text: str = "Họp thôn 8h sáng mai", **kw: object) -> int:
    kind, _, value = audience.partition(":")
    created = await service.create(
        runtime.sessions,
        service.Draft(Content(TEXT, text=text), Audience(kind, value or None), kw.get("at")),  # type: ignore[arg-type]
        actor=None,
        catalog=runtime.catalog,
        tz=runtime.settings.tz,
        quiet=None,
    )
    return created.id


async def test_every_reachable_resident_gets_one_message_and_the_rest_are_marked(
    runtime: Runtime, api: FakeBotApi
) -> None:
    chats = await seed_residents(runtime.sessions, 30)
    blocked, missing, flaky, moved = chats[3], chats[7], chats[11], chats[13]
    api.blocked.add(blocked)
    api.missing.add(missing)
    api.network_failures[flaky] = 2
    api.migrated[moved] = moved + 10_000_000
    # Never an audience: a role-only row (no consent), a synthetic demo resident, a console user.
    await seed_residents(runtime.sessions, 1, first_id=9_000_000, consent=False, role="officer")
    await seed_residents(runtime.sessions, 1, first_id=9_000_001, is_demo=True)
    await seed_residents(runtime.sessions, 1, first_id=9_000_002, channel="console")

    broadcast_id = await announce(runtime)
    assert (await broadcast_row(runtime.sessions, broadcast_id)).total == 30
    sender = await make_sender(runtime.sessions, api, runtime.catalog)
    await run_to_end(sender, runtime.sessions, broadcast_id)

    per_chat = sends_per_chat(api)
    reachable = [chat for chat in chats if chat not in (blocked, missing, moved)]
    assert all(per_chat[chat] == 1 for chat in reachable), per_chat
    assert per_chat[moved + 10_000_000] == 1 and per_chat[moved] == 0
    assert set(per_chat) == {*reachable, moved + 10_000_000}  # nobody outside the audience
    assert api.last_message(reachable[0]).text == "Họp thôn 8h sáng mai"

    rows = await deliveries(runtime.sessions, broadcast_id)
    assert rows[blocked].status == "unreachable" and rows[blocked].last_error == "blocked"
    assert rows[missing].status == "unreachable" and rows[missing].last_error == "chat not found"
    assert rows[flaky].status == "sent" and rows[flaky].attempts == 3
    assert rows[moved + 10_000_000].status == "sent"  # the resident's chat id was updated
    assert await delivery_counts(runtime.sessions, broadcast_id) == {"sent": 28, "unreachable": 2}
    async with runtime.sessions() as session:
        rows_gone = await session.execute(
            select(Resident.external_id, Resident.unreachable_reason).where(Resident.unreachable_at.is_not(None))
        )
        gone = dict(rows_gone.all())
    assert gone == {blocked: "blocked", missing: "chat not found"}

    report = await service.report(runtime.sessions, broadcast_id, actor=None)
    assert report.status == "done" and report.percent == 100
    assert dict(report.unreachable_reasons) == {"blocked": 1, "chat not found": 1}

    # The next broadcast does not target them again, and the API never hears of them.
    calls_before = len(api.calls)
    second = await announce(runtime, text="Lịch tiêm chủng")
    assert (await broadcast_row(runtime.sessions, second)).total == 28
    await run_to_end(await make_sender(runtime.sessions, api, runtime.catalog), runtime.sessions, second)
    later = [int(call.params["chat_id"]) for call in api.calls[calls_before:] if call.method == "sendMessage"]
    assert blocked not in later and missing not in later
    assert sorted(later) == sorted([*reachable, moved + 10_000_000])


async def test_network_errors_retry_then_fail_with_the_reason_and_resend_recovers(
    runtime: Runtime, api: FakeBotApi
) -> None:
    chats = await seed_residents(runtime.sessions, 5)
    api.network_failures[chats[0]] = 1000  # down for good
    broadcast_id = await announce(runtime)
    sender = await make_sender(runtime.sessions, api, runtime.catalog, max_attempts=3)
    await run_to_end(sender, runtime.sessions, broadcast_id)

    rows = await deliveries(runtime.sessions, broadcast_id)
    assert rows[chats[0]].status == "failed"
    assert rows[chats[0]].attempts == 3
    assert rows[chats[0]].last_error == "network: NetworkError"
    report = await service.report(runtime.sessions, broadcast_id, actor=None)
    assert report.counts["failed"] == 1 and report.status == "done"
    assert report.failed_reasons == [("network: NetworkError", 1)]

    api.network_failures[chats[0]] = 0  # the network is back
    assert await service.resend_failed(runtime.sessions, broadcast_id, actor=None) == 1
    assert (await broadcast_row(runtime.sessions, broadcast_id)).status == "sending"
    await run_to_end(await make_sender(runtime.sessions, api, runtime.catalog), runtime.sessions, broadcast_id)
    assert sends_per_chat(api) == {chat: 1 for chat in chats}
    assert await delivery_counts(runtime.sessions, broadcast_id) == {"sent": 5}
    with pytest.raises(service.BroadcastError):
        await service.resend_failed(runtime.sessions, broadcast_id, actor=None)  # nothing failed any more


async def test_a_permanent_bad_request_fails_without_retrying(runtime: Runtime, api: FakeBotApi) -> None:
    chats = await seed_residents(runtime.sessions, 3)
    api.scripted.append(("sendMessage", Failure(400, "Bad Request: can't parse entities")))
    broadcast_id = await announce(runtime)
    sender = await make_sender(runtime.sessions, api, runtime.catalog, workers=1)
    await run_to_end(sender, runtime.sessions, broadcast_id)
    counts = await delivery_counts(runtime.sessions, broadcast_id)
    assert counts == {"sent": 2, "failed": 1}
    assert len(api.calls_of("sendMessage")) == 3  # the failed one was tried once
    assert sum(sends_per_chat(api).values()) == 2 and set(sends_per_chat(api)) < set(chats)


async def test_retry_after_pauses_every_worker_and_loses_nothing(runtime: Runtime, api: FakeBotApi) -> None:
    chats = await seed_residents(runtime.sessions, 20)
    api.scripted.append(("sendMessage", Failure(429, "Too Many Requests: retry after 1", {"retry_after": 1})))
    broadcast_id = await announce(runtime)
    sender = await make_sender(runtime.sessions, api, runtime.catalog, workers=4)
    await run_to_end(sender, runtime.sessions, broadcast_id)

    assert sends_per_chat(api) == {chat: 1 for chat in chats}
    assert sender.stats.retry_after == 1
    sends = api.calls_of("sendMessage")
    throttled_at = next(call.at for call in sends if call.status == 429)
    # Only the other workers' sends already on their way may land during the pause; nothing new starts.
    during_pause = [call for call in sends if throttled_at < call.at < throttled_at + 0.9]
    assert len(during_pause) <= sender.workers - 1


async def test_pacing_at_the_api_limit_draws_no_429(runtime: Runtime, settings: Settings) -> None:
    api = FakeBotApi(rate_limit=200)
    chats = await seed_residents(runtime.sessions, 150)
    broadcast_id = await announce(runtime)
    sender = await make_sender(runtime.sessions, api, runtime.catalog, rate=200, workers=8)
    await run_to_end(sender, runtime.sessions, broadcast_id)
    assert api.throttled == 0 and sender.stats.retry_after == 0
    assert sends_per_chat(api) == {chat: 1 for chat in chats}


async def test_lesson_invitation_speaks_each_residents_language(runtime: Runtime, api: FakeBotApi) -> None:
    vi = await seed_residents(runtime.sessions, 2, language="vi")
    en = await seed_residents(runtime.sessions, 2, first_id=600_000, language="en")
    created = await service.create(
        runtime.sessions,
        service.Draft(Content(LESSON, module_id="e-payment"), Audience("all")),
        actor=None,
        catalog=runtime.catalog,
        tz=runtime.settings.tz,
        quiet=None,
    )
    await run_to_end(await make_sender(runtime.sessions, api, runtime.catalog), runtime.sessions, created.id)
    vi_title = runtime.catalog.get("e-payment", "vi").title  # type: ignore[union-attr]
    en_title = runtime.catalog.get("e-payment", "en").title  # type: ignore[union-attr]
    assert api.last_message(vi[0]).text.startswith(f"📚 Bài học mới: {vi_title}")
    assert api.last_message(en[1]).text.startswith(f"📚 New lesson: {en_title}")
    assert api.last_message(vi[0]).buttons() == [("▶️ Học ngay", "1|open:e-payment")]
    assert api.last_message(en[0]).buttons() == [("▶️ Learn now", "1|open:e-payment")]


async def test_scheduled_broadcast_waits_for_its_time(
    runtime: Runtime, api: FakeBotApi, wall_clock: clock.SteppingClock
) -> None:
    chats = await seed_residents(runtime.sessions, 3)
    start = clock.now()
    broadcast_id = await announce(runtime, at=start + hours(2))
    sender = await make_sender(runtime.sessions, api, runtime.catalog)
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.sleep(0.3)  # several polls
        assert await delivery_counts(runtime.sessions, broadcast_id) == {"pending": 3}
        assert (await broadcast_row(runtime.sessions, broadcast_id)).status == "scheduled"
        assert not api.calls_of("sendMessage")
        wall_clock.set(start + hours(2))
        await wait_for_status(runtime.sessions, broadcast_id)
    finally:
        await sender.stop()
        await task
    assert sends_per_chat(api) == {chat: 1 for chat in chats}


async def test_pause_holds_resume_continues_cancel_stops(runtime: Runtime, api: FakeBotApi) -> None:
    """Pause and cancel straight in the database, as the CLI in another process does."""
    chats = await seed_residents(runtime.sessions, 60)
    api.latency = 0.01
    broadcast_id = await announce(runtime)
    sender = await make_sender(runtime.sessions, api, runtime.catalog, rate=100, workers=2)
    task = asyncio.create_task(sender.run())
    try:
        await until(lambda: sum(sends_per_chat(api).values()) >= 10)
        await service.pause(runtime.sessions, broadcast_id, actor=None)
        held = await quiet_api(api)
        assert held < 60
        await asyncio.sleep(0.4)  # many batches' worth of time at 100/s
        assert sum(sends_per_chat(api).values()) == held
        assert await delivery_counts(runtime.sessions, broadcast_id) == {"sent": held, "pending": 60 - held}

        await service.resume(runtime.sessions, broadcast_id, actor=None)
        sender.wake()
        await wait_for_status(runtime.sessions, broadcast_id)
        assert sends_per_chat(api) == {chat: 1 for chat in chats}

        second = await announce(runtime, text="Thông báo thứ hai")
        sender.wake()
        await until(lambda: len(api.calls_of("sendMessage")) >= 60 + 5)
        await service.cancel(runtime.sessions, second, actor=None)
        stopped = await quiet_api(api)
        await asyncio.sleep(0.3)
        assert sum(sends_per_chat(api).values()) == stopped < 120
    finally:
        await sender.stop()
        await task
    counts = await delivery_counts(runtime.sessions, second)
    assert counts == {"sent": stopped - 60, "cancelled": 120 - stopped}
    assert (await broadcast_row(runtime.sessions, second)).status == "cancelled"
    with pytest.raises(service.BroadcastError):
        await service.resume(runtime.sessions, second, actor=None)


@pytest.mark.parametrize("workers", [1, 4])
async def test_killed_mid_run_the_next_run_finishes_without_loss(
    runtime: Runtime, api: FakeBotApi, workers: int
) -> None:
    """Cancelling the sender task is a crash: answers not yet committed are lost, like after SIGKILL.
    Nothing may be lost; at most the messages in flight (one per worker) may go twice."""
    chats = await seed_residents(runtime.sessions, 80)
    api.blocked.update(chats[::10])
    api.latency = 0.002
    broadcast_id = await announce(runtime)
    first = await make_sender(runtime.sessions, api, runtime.catalog, rate=400, workers=workers)
    crashed = asyncio.create_task(first.run())
    await until(lambda: sum(sends_per_chat(api).values()) >= 35, every=0.001)
    crashed.cancel()  # no graceful stop: whatever was in flight is lost
    with pytest.raises(asyncio.CancelledError):
        await crashed
    assert (await broadcast_row(runtime.sessions, broadcast_id)).status == "sending"
    assert (await delivery_counts(runtime.sessions, broadcast_id))["pending"] > 0

    second = await make_sender(runtime.sessions, api, runtime.catalog, rate=400, workers=workers)
    await run_to_end(second, runtime.sessions, broadcast_id)
    per_chat = sends_per_chat(api)
    reachable = [chat for chat in chats if chat not in api.blocked]
    assert all(per_chat[chat] >= 1 for chat in reachable), "a reachable resident got nothing"
    duplicates = sum(per_chat[chat] - 1 for chat in reachable)
    assert duplicates <= workers
    assert await delivery_counts(runtime.sessions, broadcast_id) == {"sent": 72, "unreachable": 8}
    assert not any(per_chat[chat] for chat in api.blocked)


async def test_outbox_is_idempotent(runtime: Runtime) -> None:
    await seed_residents(runtime.sessions, 4)
    broadcast_id = await announce(runtime)
    async with runtime.sessions.begin() as session:
        again = await outbox.fill(session, broadcast_id, Audience("all"), None, clock.now())
    assert again == 4
    assert await delivery_counts(runtime.sessions, broadcast_id) == {"pending": 4}


async def test_quiet_hours_hold_a_running_broadcast_until_morning(
    runtime: Runtime, api: FakeBotApi, wall_clock: clock.SteppingClock
) -> None:
    """Started at 20:59 local time, a broadcast stops when quiet hours begin, sends nothing during the
    night, and goes on in the morning from where it stopped: everybody exactly once."""
    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    wall_clock.set(datetime(2026, 11, 27, 20, 0, tzinfo=vietnam))
    chats = await seed_residents(runtime.sessions, 60)
    api.latency = 0.002
    broadcast_id = await announce(runtime)
    sender = await make_sender(
        runtime.sessions,
        api,
        runtime.catalog,
        rate=200,
        workers=2,
        quiet=QuietHours(time(21), time(7)),
        tz=vietnam,
    )
    task = asyncio.create_task(sender.run())
    try:
        await until(lambda: sum(sends_per_chat(api).values()) >= 15, every=0.001)
        wall_clock.set(datetime(2026, 11, 27, 21, 0, tzinfo=vietnam))
        await until(lambda: sender.resumes_at() is not None and not sender._outstanding)
        at_nightfall = sum(sends_per_chat(api).values())
        assert at_nightfall < len(chats), "the test clock changed too late to see the night"
        await asyncio.sleep(0.5)  # the night: nothing goes out, and the broadcast is still on
        assert sum(sends_per_chat(api).values()) == at_nightfall
        assert (await broadcast_row(runtime.sessions, broadcast_id)).status == "sending"
        assert sender.resumes_at() == datetime(2026, 11, 28, 7, 0, tzinfo=vietnam)

        wall_clock.set(datetime(2026, 11, 28, 7, 0, tzinfo=vietnam))
        sender.wake()
        await wait_for_status(runtime.sessions, broadcast_id)
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)
    assert sends_per_chat(api) == dict.fromkeys(chats, 1)
    assert await delivery_counts(runtime.sessions, broadcast_id) == {"sent": 60}


async def test_a_broadcast_due_during_quiet_hours_waits(
    runtime: Runtime, api: FakeBotApi, wall_clock: clock.SteppingClock
) -> None:
    """A broadcast already sending (say, made with quiet hours off, or left from the evening) does not
    start in the middle of the night when the bot restarts."""
    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    await seed_residents(runtime.sessions, 5)
    wall_clock.set(datetime(2026, 11, 27, 23, 30, tzinfo=vietnam))
    broadcast_id = await announce(runtime)
    sender = await make_sender(runtime.sessions, api, runtime.catalog, quiet=QuietHours(time(21), time(7)), tz=vietnam)
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(0.5)
    await sender.stop()
    await asyncio.wait_for(task, 10)
    assert not sends_per_chat(api)
    assert await delivery_counts(runtime.sessions, broadcast_id) == {"pending": 5}


async def test_two_bot_processes_on_one_database_send_each_message_once(runtime: Runtime, api: FakeBotApi) -> None:
    """Two senders with their own leases (a file lock on SQLite, an advisory lock on PostgreSQL) stand
    for two `bot run` processes: one sends, the other stands by and takes over when the first stops."""
    chats = await seed_residents(runtime.sessions, 40)
    api.latency = 0.001
    first = await make_sender(runtime.sessions, api, runtime.catalog, rate=400, lease=lease_for(runtime.db))
    second = await make_sender(runtime.sessions, api, runtime.catalog, rate=400, lease=lease_for(runtime.db))
    assert await first.lease.acquire()  # the first process started first
    first_task = asyncio.create_task(first.run())
    second_task = asyncio.create_task(second.run())
    try:
        morning = await announce(runtime)
        await wait_for_status(runtime.sessions, morning)
        assert sends_per_chat(api) == dict.fromkeys(chats, 1)
        assert (first.stats.sent, second.stats.sent) == (40, 0)
        assert second.standing_by

        await first.stop()
        await asyncio.wait_for(first_task, 10)  # releases the lease, as a dying process would
        evening = await announce(runtime, text="Lịch tiêm chủng tuần sau")
        await wait_for_status(runtime.sessions, evening)
        assert second.stats.sent == 40 and not second.standing_by
        assert sends_per_chat(api) == dict.fromkeys(chats, 2)
    finally:
        for sender, task in ((first, first_task), (second, second_task)):
            await sender.stop()
            await asyncio.wait_for(task, 10)


class FlakyDatabase:
    """The sender's sessions, failing like a database server that went away while `down` is set."""

    def __init__(self, sessions: outbox.Sessions) -> None:
        self.sessions = sessions
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database is down"))

    def __call__(self):  # type: ignore[no-untyped-def]
        self._check()
        return self.sessions()

    def begin(self):  # type: ignore[no-untyped-def]
        self._check()
        return self.sessions.begin()


async def test_a_database_outage_pauses_sending_says_so_once_and_loses_nothing(
    runtime: Runtime, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    chats = await seed_residents(runtime.sessions, 20)
    flaky = FlakyDatabase(runtime.sessions)
    flaky.down = True
    broadcast_id = await announce(runtime)
    sender = await make_sender(flaky, api, runtime.catalog, poll_interval=0.02)  # type: ignore[arg-type]
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(0.5)  # about 25 polls against a database that does not answer
    assert not sends_per_chat(api)
    flaky.down = False
    try:
        await wait_for_status(runtime.sessions, broadcast_id)
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)
    assert sends_per_chat(api) == dict.fromkeys(chats, 1)
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.broadcast.sender"]
    assert sum("database unavailable" in m for m in messages) == 1
    assert sum("database back" in m for m in messages) == 1
