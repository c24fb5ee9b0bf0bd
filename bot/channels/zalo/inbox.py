"""Webhook events kept durably, so that each is handled once.

Zalo retries an event it believes went unanswered. Each event is recorded under its key (the message's
`msg_id`; follow and unfollow have none, so their kind, user and time) before the webhook answers 200:
a retry finds the key and changes nothing, also after a restart. The event's body is kept until it has
been handled, so an event received just before a crash is handled at the next start, then cleared
(it holds what the resident typed). Old keys are pruned after a week: Zalo's retries stop long before.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import clock
from bot.storage.db import uninterruptible
from bot.storage.models import ZaloEvent
from bot.storage.upsert import insert_for

Sessions = async_sessionmaker[AsyncSession]
KEY_MAX = 128
KEEP = timedelta(days=7)
REPLAY_WITHIN = timedelta(hours=1)  # an older unhandled event would answer something long past


def key_of(event: dict[str, Any]) -> str | None:
    """The event's dedupe key, or None when it has nothing to key it by."""
    message = event.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    if msg_id:
        return f"msg:{msg_id}"[:KEY_MAX]
    follower = event.get("follower")
    user = follower.get("id") if isinstance(follower, dict) else None
    sender = event.get("sender")
    user = user or (sender.get("id") if isinstance(sender, dict) else None)
    name, timestamp = event.get("event_name"), event.get("timestamp")
    if not (name and user and timestamp):
        return None
    return f"{name}:{user}:{timestamp}"[:KEY_MAX]


@uninterruptible
async def record(sessions: Sessions, key: str, event: dict[str, Any]) -> bool:
    """Keep the event; False when this key was seen before (a retry), which then changes nothing."""
    async with sessions.begin() as session:
        statement = (
            insert_for(session, ZaloEvent)
            .values(event_key=key, received_at=clock.now(), payload=event)
            .on_conflict_do_nothing(index_elements=["event_key"])
        )
        result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]


@uninterruptible
async def still_unhandled(sessions: Sessions, key: str) -> dict[str, Any] | None:
    """The event's body when it was recorded but not handled yet, else None. A retry needs it when the
    first delivery's record committed after the webhook had already answered 503 (its time ran out)."""
    async with sessions() as session:
        payload = await session.scalar(
            select(ZaloEvent.payload).where(ZaloEvent.event_key == key, ZaloEvent.handled_at.is_(None))
        )
        return dict(payload) if payload else None


@uninterruptible
async def mark_handled(sessions: Sessions, key: str) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(ZaloEvent).where(ZaloEvent.event_key == key).values(handled_at=clock.now(), payload=None)
        )


@uninterruptible
async def unhandled(sessions: Sessions) -> list[tuple[str, dict[str, Any]]]:
    """Events received but not handled (the process stopped first), oldest first; older ones than
    REPLAY_WITHIN are closed without an answer, and keys older than KEEP are pruned."""
    now = clock.now()
    async with sessions.begin() as session:
        await session.execute(delete(ZaloEvent).where(ZaloEvent.received_at < now - KEEP))
        await session.execute(
            update(ZaloEvent)
            .where(ZaloEvent.handled_at.is_(None), ZaloEvent.received_at < now - REPLAY_WITHIN)
            .values(handled_at=now, payload=None)
        )
        rows = await session.execute(
            select(ZaloEvent.event_key, ZaloEvent.payload)
            .where(ZaloEvent.handled_at.is_(None))
            .order_by(ZaloEvent.received_at, ZaloEvent.event_key)
        )
        return [(key, dict(payload or {})) for key, payload in rows]
