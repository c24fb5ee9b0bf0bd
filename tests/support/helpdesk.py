"""What the help desk's tests share: granting the commune teams, running the outbox sender until every
relayed message is out, and reading what the desk stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select

from bot.broadcast.sender import Sender
from bot.channels.telegram.testing.broadcasting import make_sender, until
from bot.channels.telegram.testing.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from bot.runtime import Runtime
from bot.storage.grants import grant
from bot.storage.models import DirectMessage, HelpQuestion
from bot.storage.vocabulary import DeliveryStatus

KNOWN = {"nghia-ta", "example-a", "example-b", "other"}


async def give(runtime: Runtime, role: str, telegram_id: int, *communes: str) -> None:
    async with runtime.sessions.begin() as session:
        await grant(
            session, role=role, telegram_id=telegram_id, communes=list(communes), known_communes=KNOWN, actor=None
        )


@asynccontextmanager
async def sending(runtime: Runtime, api: FakeBotApi) -> AsyncIterator[Sender]:
    """The paced outbox sender, as `python -m bot run` has it (polling fast for the test)."""
    sender = await make_sender(runtime.sessions, api, runtime.catalog, poll_interval=0.02)
    task = asyncio.create_task(sender.run())
    try:
        yield sender
    finally:
        await sender.stop()
        await asyncio.wait_for(task, 10)


async def pending(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(DirectMessage).where(DirectMessage.status == DeliveryStatus.PENDING)
        )
        return int(found or 0)


async def delivered(runtime: Runtime, sender: Sender) -> None:
    """Wait until the outbox holds nothing pending."""
    sender.wake()

    async def empty() -> bool:
        return await pending(runtime) == 0

    await until(empty, limit=20)


async def question(runtime: Runtime, question_id: int = 1) -> HelpQuestion:
    async with runtime.sessions() as session:
        found = await session.get(HelpQuestion, question_id)
        assert found is not None
        return found


def texts(user: FakeUser) -> list[str]:
    return [message.text for message in user.messages()]


def find(user: FakeUser, start: str) -> SentMessage:
    """The newest message to `user` whose text begins with `start`."""
    for message in reversed(user.messages()):
        if message.text.startswith(start):
            return message
    raise AssertionError(f"no message starting {start!r}: {[m.text[:40] for m in user.messages()]}")


def reply_to(api: FakeBotApi, message: SentMessage, **content: Any) -> dict[str, Any]:
    """The `extra` of a Telegram reply to `message` (text=..., or photo/voice/caption)."""
    return {**content, "reply_to_message": message.to_api(api.me)}


def alerts(api: FakeBotApi) -> list[str]:
    return [str(call.params.get("text") or "") for call in api.calls_of("answerCallbackQuery")]
