"""Messages to one resident outside a reply (reminders, a helper's answers) go through the outbox and
the paced sender: queued once, sent in order, before broadcasts; and an API outage of any length
spends no message's attempts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot import clock
from bot.broadcast import outbox, service
from bot.broadcast.audience import Audience
from bot.broadcast.content import TEXT, Content
from bot.channels.telegram.testing.broadcasting import (
    delivery_counts,
    make_sender,
    seed_residents,
    sends_per_chat,
    until,
    wait_for_status,
)
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi
from bot.learning.actions import OpenModule
from bot.messages import Button, Reply
from bot.runtime import Runtime
from bot.storage.models import DirectMessage, Resident


async def resident_ids(runtime: Runtime) -> dict[int, int]:
    """chat id -> resident id"""
    async with runtime.sessions() as session:
        return {chat: rid for chat, rid in await session.execute(select(Resident.chat_id, Resident.id))}


async def queue(runtime: Runtime, resident_id: int, key: str, text: str, **kw: object) -> bool:
    async with runtime.sessions.begin() as session:
        reply = Reply(text, ((Button("▶️ Học tiếp", OpenModule("email")),),))
        return await outbox.enqueue(session, resident_id, "relay", key, reply, kw.get("due", clock.now()))  # type: ignore[arg-type]


async def statuses(runtime: Runtime) -> dict[str, str]:
    async with runtime.sessions() as session:
        return {
            key: status for key, status in await session.execute(select(DirectMessage.dedupe_key, DirectMessage.status))
        }


async def test_direct_messages_are_queued_once_and_arrive_in_order(
    runtime: Runtime, api: FakeBotApi, wall_clock: clock.SteppingClock
) -> None:
    chats = await seed_residents(runtime.sessions, 3)
    ids = await resident_ids(runtime)
    a, b, gone = chats
    async with runtime.sessions.begin() as session:
        await session.execute(
            Resident.__table__.update().where(Resident.chat_id == gone).values(unreachable_at=clock.now())
        )
    for n in range(5):
        assert await queue(runtime, ids[a], f"a{n}", f"tin {n}")
    assert not await queue(runtime, ids[a], "a0", "tin 0 again")  # a retried job queues nothing twice
    assert await queue(runtime, ids[b], "b0", "later", due=clock.now() + timedelta(hours=2))
    assert await queue(runtime, ids[gone], "g0", "to nobody")
    api.latency = 0.005
    sender = await make_sender(runtime.sessions, api, runtime.catalog, workers=4)
    task = asyncio.create_task(sender.run())
    try:
        await until(lambda: sends_per_chat(api)[a] == 5)
        assert [m.text for m in api.chat_messages(a)] == [f"tin {n}" for n in range(5)]
        assert api.last_message(a).buttons() == [("▶️ Học tiếp", "1|open:email")]
        assert sends_per_chat(api)[b] == 0  # not due yet
        wall_clock.advance(timedelta(hours=2, minutes=1))
        sender.wake()
        await until(lambda: sends_per_chat(api)[b] == 1)
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)
    found = await statuses(runtime)
    assert found == {**{f"a{n}": "sent" for n in range(5)}, "b0": "sent", "g0": "unreachable"}
    assert sends_per_chat(api)[gone] == 0


async def test_a_helpers_answer_does_not_wait_behind_a_long_broadcast(runtime: Runtime, api: FakeBotApi) -> None:
    chats = await seed_residents(runtime.sessions, 200)
    ids = await resident_ids(runtime)
    created = await service.create(
        runtime.sessions,
        service.Draft(Content(TEXT, text="Họp thôn"), Audience("all"), None),
        actor=None,
        catalog=runtime.catalog,
        tz=runtime.settings.tz,
        quiet=None,
    )
    api.latency = 0.002
    sender = await make_sender(runtime.sessions, api, runtime.catalog, rate=200, workers=2)
    task = asyncio.create_task(sender.run())
    try:
        await until(lambda: sum(sends_per_chat(api).values()) >= 20)
        last = chats[-1]
        assert await queue(runtime, ids[last], "answer", "Cán bộ trả lời: ...")
        sender.wake()
        await until(lambda: any(m.text.startswith("Cán bộ") for m in api.chat_messages(last)))
        broadcast_sent = sum(sends_per_chat(api).values())
        assert broadcast_sent < 200  # the answer went out while the broadcast was still going
        await wait_for_status(runtime.sessions, created.id)
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)


async def test_an_outage_of_the_whole_api_spends_no_attempts_and_the_broadcast_completes_after_it(
    runtime: Runtime, api: FakeBotApi
) -> None:
    chats = await seed_residents(runtime.sessions, 30)
    created = await service.create(
        runtime.sessions,
        service.Draft(Content(TEXT, text="Lịch tiêm"), Audience("all"), None),
        actor=None,
        catalog=runtime.catalog,
        tz=runtime.settings.tz,
        quiet=None,
    )
    sender = await make_sender(
        runtime.sessions, api, runtime.catalog, max_attempts=3, backoff_base=0.02, backoff_cap=0.05
    )
    api.down = True  # the Bot API stops answering before the first send
    task = asyncio.create_task(sender.run())
    try:
        # Long enough for every message's 3 attempts many times over (backoff 0.02 s, capped at 0.05 s)...
        await until(lambda: sender.stats.transient >= 12)
        await asyncio.sleep(0.3)
        assert await delivery_counts(runtime.sessions, created.id) == {"pending": 30}  # ...and none failed
        api.down = False
        await wait_for_status(runtime.sessions, created.id)
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)
    assert sends_per_chat(api) == dict.fromkeys(chats, 1)
    assert await delivery_counts(runtime.sessions, created.id) == {"sent": 30}
