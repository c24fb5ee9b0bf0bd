"""Helpers shared by the broadcast tests and the benchmark: residents seeded straight into the
database, a sender on the fake Bot API, and waiting for a broadcast to finish."""

from __future__ import annotations

import asyncio
import inspect
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from telegram import Bot
from telegram.request import BaseRequest

from bot import clock
from bot.broadcast import outbox
from bot.broadcast.sender import Sender
from bot.channels.telegram.testing.fake_bot_api import TOKEN, FakeBotApi
from bot.channels.telegram.transport import TelegramTransport
from bot.content import Catalog
from bot.storage.models import Broadcast, Delivery, Resident

FIRST_ID = 500_000
# Waits only guard against a hang: generous, because a loaded CI machine under libfaketime is slow
# (a 200-resident broadcast once took over 30 s there).
HANG = 120.0


async def seed_residents(
    sessions: outbox.Sessions,
    count: int,
    *,
    first_id: int = FIRST_ID,
    commune: str | None = "nghia-ta",
    language: str = "vi",
    consent: bool = True,
    last_seen: datetime | None = None,
    **columns: Any,
) -> list[int]:
    """Insert residents directly (one statement); returns their Telegram ids, which are also chat ids."""
    now = clock.now()
    ids = list(range(first_id, first_id + count))
    rows = [
        {
            "channel": "telegram",
            "external_id": user_id,
            "chat_id": user_id,
            "display_name": f"R{user_id}",
            "language": language,
            "commune_id": commune,
            "role": "resident",
            "consent_at": now if consent else None,
            "created_at": now,
            "last_seen_at": last_seen or now,
            "weekly_report": True,
            "is_demo": False,
            **columns,
        }
        for user_id in ids
    ]
    if rows:
        async with sessions.begin() as session:
            await session.execute(insert(Resident), rows)
    return ids


async def fake_bot(api: FakeBotApi, request: BaseRequest | None = None) -> Bot:
    from bot.channels.telegram.testing.fake_bot_api import FakeRequest

    bot = Bot(TOKEN, request=request or FakeRequest(api))
    await bot.initialize()
    return bot


async def make_sender(sessions: outbox.Sessions, api: FakeBotApi, catalog: Catalog, **options: Any) -> Sender:
    options.setdefault("rate", 1000)
    options.setdefault("workers", 4)
    options.setdefault("backoff_base", 0.01)
    options.setdefault("poll_interval", 0.05)
    return Sender(sessions, TelegramTransport(await fake_bot(api)), catalog, **options)


async def status(sessions: outbox.Sessions, broadcast_id: int) -> str | None:
    return await outbox.status_of(sessions, broadcast_id)


async def until(condition: Callable[[], object], limit: float = HANG, every: float = 0.01) -> None:
    """Poll `condition` (plain or async) until it holds; `limit` only guards against a hang."""
    async with asyncio.timeout(limit):
        while True:
            result = condition()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return
            await asyncio.sleep(every)


async def wait_for_status(
    sessions: outbox.Sessions, broadcast_id: int, wanted: Iterable[str] = (outbox.DONE,), limit: float = HANG
) -> None:
    wanted = set(wanted)

    async def reached() -> bool:
        return await status(sessions, broadcast_id) in wanted

    await until(reached, limit)


async def quiet_api(api: FakeBotApi, still: float = 0.3) -> int:
    """Wait until the fake API has seen no successful send for `still` seconds; returns the send count."""
    last = -1
    while True:
        count = sum(sends_per_chat(api).values())
        if count == last:
            return count
        last = count
        await asyncio.sleep(still)


async def run_to_end(sender: Sender, sessions: outbox.Sessions, broadcast_id: int) -> None:
    """Run the sender until the broadcast is done, then stop it gracefully."""
    task = asyncio.create_task(sender.run())
    try:
        await wait_for_status(sessions, broadcast_id)
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)


async def deliveries(sessions: outbox.Sessions, broadcast_id: int) -> dict[int, Delivery]:
    """Deliveries of a broadcast by the resident's chat id."""
    async with sessions() as session:
        rows = await session.execute(
            select(Resident.chat_id, Delivery)
            .join(Resident, Resident.id == Delivery.resident_id)
            .where(Delivery.broadcast_id == broadcast_id)
        )
        return {chat_id: delivery for chat_id, delivery in rows}


async def delivery_counts(sessions: outbox.Sessions, broadcast_id: int) -> Counter[str]:
    async with sessions() as session:
        return (await outbox.counts(session, [broadcast_id]))[broadcast_id]


async def broadcast_row(sessions: outbox.Sessions, broadcast_id: int) -> Broadcast:
    async with sessions() as session:
        row = await session.get(Broadcast, broadcast_id)
        assert row is not None
        return row


def sends_per_chat(api: FakeBotApi) -> Counter[int]:
    """Successful sends per chat, as the fake Bot API saw them."""
    return Counter(
        int(call.params["chat_id"])
        for call in api.calls
        if call.method in ("sendMessage", "sendPhoto") and call.status == 200
    )


async def resident_count(sessions: outbox.Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Resident)) or 0)


def hours(number: float) -> timedelta:
    return timedelta(hours=number)
