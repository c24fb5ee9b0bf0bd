"""The help desk from async code (channels, the escalation job): each call one short transaction,
running the synchronous rules of `bot.helpdesk.desk` through `AsyncSession.run_sync`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.helpdesk import desk
from bot.storage.db import uninterruptible
from bot.storage.models import HelpQuestion
from bot.storage.roles import Actor

T = TypeVar("T")
Sessions = async_sessionmaker[AsyncSession]


@uninterruptible
async def _in_transaction(sessions: Sessions, work: Callable[[Session], T]) -> T:
    async with sessions.begin() as session:
        return await session.run_sync(work)


async def claim(sessions: Sessions, actor: Actor, question_id: int, name: str | None) -> desk.Answer:
    return await _in_transaction(sessions, lambda session: desk.claim(session, actor, question_id, name))


async def close(sessions: Sessions, actor: Actor, question_id: int) -> desk.Answer:
    return await _in_transaction(sessions, lambda session: desk.close(session, actor, question_id))


async def reply(
    sessions: Sessions, actor: Actor, replied_to: int, content: desk.Content, name: str | None
) -> desk.Answer:
    return await _in_transaction(sessions, lambda session: desk.reply(session, actor, replied_to, content, name))


async def waiting_for(sessions: Sessions, actor: Actor) -> list[HelpQuestion]:
    return await _in_transaction(sessions, lambda session: desk.waiting_for(session, actor))


async def escalate_due(sessions: Sessions, helpdesk: desk.Desk, now: datetime) -> int:
    return await _in_transaction(sessions, lambda session: desk.escalate_due(session, helpdesk, now))
