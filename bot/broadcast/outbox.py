"""The persisted outbox: one `deliveries` row per (broadcast, resident), one `direct_messages` row per
message to one resident outside a reply (reminders, a helper's answers), and the few short
transactions the sender runs on them. Every function here opens and commits its own transaction;
none is ever held open across a call to the Bot API.

Statuses: broadcasts go scheduled -> sending -> done, with paused and cancelled on the side;
deliveries go pending -> sent | unreachable | failed | outside_window (a channel's free-message window,
Zalo's 7 days, had closed) (| cancelled when the broadcast is).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import clock
from bot.broadcast.audience import Audience, conditions
from bot.broadcast.content import Content
from bot.messages import Reply, reply_to_json
from bot.storage.db import uninterruptible
from bot.storage.models import Broadcast, Delivery, DirectMessage, Resident
from bot.storage.upsert import insert_for
from bot.storage.vocabulary import BroadcastStatus, Channel, DeliveryStatus

# Short names for the stored words of bot.storage.vocabulary, as the outbox's callers use them.
SCHEDULED, SENDING, PAUSED, DONE = (
    BroadcastStatus.SCHEDULED,
    BroadcastStatus.SENDING,
    BroadcastStatus.PAUSED,
    BroadcastStatus.DONE,
)
CANCELLED = BroadcastStatus.CANCELLED  # a broadcast's, and its unsent deliveries' (the same word)
OUTSIDE_WINDOW = DeliveryStatus.OUTSIDE_WINDOW
PENDING, SENT, UNREACHABLE, FAILED = (
    DeliveryStatus.PENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.UNREACHABLE,
    DeliveryStatus.FAILED,
)
DELIVERY_STATUSES = tuple(DeliveryStatus)
Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A pending delivery with what is needed to send it."""

    resident_id: int
    chat_id: int
    language: str
    unreachable_reason: str | None  # set when the resident became unreachable after the outbox was made
    channel: str = Channel.TELEGRAM
    last_seen_at: datetime | None = None  # their last message to the bot (a channel's window counts from it)


@dataclass(frozen=True, slots=True)
class ClaimedDirect:
    """A direct message (a reminder, a helper's answer) due now, with what is needed to send it."""

    message_id: int
    resident_id: int
    chat_id: int
    channel: str
    payload: dict[str, Any]
    unreachable_reason: str | None
    last_seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The final word on one delivery (or a chat id change), written by the sender after the API answered."""

    broadcast_id: int | None  # None for a direct message
    resident_id: int
    status: str  # sent | unreachable | failed | chat (a ChatMigrated id change only)
    attempts: int = 0
    reason: str | None = None
    chat_id: int | None = None
    resident_gone: bool = False  # the API said unreachable: mark the resident, so later audiences skip them
    message_id: int | None = None  # the direct message this is about
    sent_message_id: int | None = None  # the channel's id of the direct message sent (helpers reply to it)


async def fill(
    session: AsyncSession, broadcast_id: int, audience: Audience, scope: Collection[str] | None, now: datetime
) -> int:
    """Create the outbox in one INSERT ... SELECT; running it twice adds nobody twice."""
    source = select(literal(broadcast_id, Integer), Resident.id, literal(PENDING, String), literal(0, Integer)).where(
        *conditions(audience, scope, now)
    )  # always a WHERE: SQLite needs one before ON CONFLICT
    statement = (
        insert_for(session, Delivery)
        .from_select(["broadcast_id", "resident_id", "status", "attempts"], source)
        .on_conflict_do_nothing(index_elements=["broadcast_id", "resident_id"])
    )
    await session.execute(statement)
    total = await session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.broadcast_id == broadcast_id)
    )
    return int(total or 0)


def content_of(broadcast: Broadcast) -> Content:
    return Content(broadcast.kind, broadcast.module_id, broadcast.text, broadcast.photo)


@uninterruptible
async def promote_due(sessions: Sessions, now: datetime) -> list[int]:
    """Scheduled broadcasts whose time has come start sending."""
    async with sessions.begin() as session:
        due = list(
            await session.scalars(
                select(Broadcast.id).where(Broadcast.status == SCHEDULED, Broadcast.scheduled_at <= now)
            )
        )
        if due:
            await session.execute(
                update(Broadcast)
                .where(Broadcast.id.in_(due), Broadcast.status == SCHEDULED)
                .values(status=SENDING, started_at=func.coalesce(Broadcast.started_at, now))
            )
        return due


@uninterruptible
async def next_sending(sessions: Sessions) -> Broadcast | None:
    """The oldest broadcast that is sending: broadcasts go out one after another, in order."""
    async with sessions() as session:
        return await session.scalar(
            select(Broadcast).where(Broadcast.status == SENDING).order_by(Broadcast.started_at, Broadcast.id).limit(1)
        )


@uninterruptible
async def claim(sessions: Sessions, broadcast_id: int, after: int, limit: int) -> tuple[str | None, list[Claimed]]:
    """The broadcast's status and its next pending deliveries after resident `after`, in resident order.

    The status is read in the same transaction so that a pause or cancel (from the chat or the CLI,
    perhaps in another process) stops the sender within one batch.
    """
    async with sessions() as session:
        status = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
        if status != SENDING:
            return status, []
        rows = await session.execute(
            select(
                Delivery.resident_id,
                Resident.chat_id,
                Resident.language,
                Resident.unreachable_at,
                Resident.unreachable_reason,
                Resident.channel,
                Resident.last_seen_at,
            )
            .join(Resident, Resident.id == Delivery.resident_id)
            .where(Delivery.broadcast_id == broadcast_id, Delivery.status == PENDING, Delivery.resident_id > after)
            .order_by(Delivery.resident_id)
            .limit(limit)
        )
        return status, [
            Claimed(rid, chat, language, (reason or "unreachable") if gone is not None else None, channel, seen)
            for rid, chat, language, gone, reason, channel, seen in rows
        ]


@uninterruptible
async def status_of(sessions: Sessions, broadcast_id: int) -> str | None:
    async with sessions() as session:
        return await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))


@uninterruptible
async def has_pending(sessions: Sessions, broadcast_id: int) -> bool:
    async with sessions() as session:
        found = await session.scalar(
            select(Delivery.resident_id)
            .where(Delivery.broadcast_id == broadcast_id, Delivery.status == PENDING)
            .limit(1)
        )
        return found is not None


@uninterruptible
async def finish(sessions: Sessions, broadcast_id: int, now: datetime) -> bool:
    """Mark a broadcast done if it is still sending and nothing is left pending."""
    async with sessions.begin() as session:
        pending = exists().where(and_(Delivery.broadcast_id == broadcast_id, Delivery.status == PENDING))
        result = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == SENDING, ~pending)
            .values(status=DONE, finished_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


@uninterruptible
async def record(sessions: Sessions, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Write a batch of outcomes in one transaction (group commit: many answers, one commit)."""
    deliveries = [
        {
            "broadcast_id": o.broadcast_id,
            "resident_id": o.resident_id,
            "status": o.status,
            "attempts": o.attempts,
            "last_error": (o.reason or "")[:255] or None,
            "sent_at": now if o.status == SENT else None,
        }
        for o in outcomes
        if o.status != "chat" and o.message_id is None
    ]
    directs = [
        {
            "id": o.message_id,
            "status": o.status,
            "attempts": o.attempts,
            "last_error": (o.reason or "")[:255] or None,
            "sent_at": now if o.status == SENT else None,
            "sent_message_id": o.sent_message_id,
        }
        for o in outcomes
        if o.status != "chat" and o.message_id is not None
    ]
    gone = [
        {"id": o.resident_id, "unreachable_at": now, "unreachable_reason": (o.reason or "unreachable")[:120]}
        for o in outcomes
        if o.status == UNREACHABLE and o.resident_gone
    ]
    moved = [{"id": o.resident_id, "chat_id": o.chat_id} for o in outcomes if o.status == "chat"]
    async with sessions.begin() as session:
        # ORM bulk UPDATE by primary key: one executemany per kind of change.
        if deliveries:
            await session.execute(update(Delivery), deliveries)
        if directs:
            await session.execute(update(DirectMessage), directs)
        if gone:
            await session.execute(update(Resident), gone)
        if moved:
            await session.execute(update(Resident), moved)


async def enqueue(
    session: AsyncSession, resident_id: int, kind: str, dedupe_key: str, reply: Reply, due_at: datetime
) -> bool:
    """Queue a message to one resident outside a reply; False if this `dedupe_key` was queued already
    (the same reminder slot, the same relayed message), which then changes nothing."""
    statement = (
        insert_for(session, DirectMessage)
        .values(
            resident_id=resident_id,
            kind=kind,
            dedupe_key=dedupe_key[:120],
            payload=reply_to_json(reply),
            status=PENDING,
            attempts=0,
            created_at=clock.now(),
            due_at=due_at,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


@uninterruptible
async def claim_direct(
    sessions: Sessions, now: datetime, limit: int, busy_residents: Collection[int]
) -> list[ClaimedDirect]:
    """Direct messages due now, oldest first, at most one per resident and none for a resident who has
    one in flight: a resident gets a helper's messages in the order they were written."""
    # Who is busy *now*, before the query: the sender's own set changes while it runs, and a message in
    # flight is still pending in the database. Read after the query, a resident whose message finished
    # meanwhile would look free while the rows still show that message pending: it would go twice.
    busy = frozenset(busy_residents)
    async with sessions() as session:
        rows = await session.execute(
            select(
                DirectMessage.id,
                DirectMessage.resident_id,
                Resident.chat_id,
                Resident.channel,
                DirectMessage.payload,
                Resident.unreachable_at,
                Resident.unreachable_reason,
                Resident.last_seen_at,
            )
            .join(Resident, Resident.id == DirectMessage.resident_id)
            .where(DirectMessage.status == PENDING, DirectMessage.due_at <= now)
            .order_by(DirectMessage.id)
            .limit(limit + len(busy))
        )
    claimed: list[ClaimedDirect] = []
    seen = set(busy)
    for message_id, resident_id, chat_id, channel, payload, gone, reason, last_seen in rows:
        if resident_id in seen:
            continue
        seen.add(resident_id)
        unreachable = (reason or "unreachable") if gone is not None else None
        claimed.append(ClaimedDirect(message_id, resident_id, chat_id, channel, dict(payload), unreachable, last_seen))
        if len(claimed) >= limit:
            break
    return claimed


async def counts(session: AsyncSession, broadcast_ids: Sequence[int]) -> dict[int, Counter[str]]:
    """Deliveries by status for each broadcast, counted in SQL."""
    result: dict[int, Counter[str]] = {broadcast_id: Counter() for broadcast_id in broadcast_ids}
    if not broadcast_ids:
        return result
    rows = await session.execute(
        select(Delivery.broadcast_id, Delivery.status, func.count())
        .where(Delivery.broadcast_id.in_(broadcast_ids))
        .group_by(Delivery.broadcast_id, Delivery.status)
    )
    for broadcast_id, status, number in rows:
        result[broadcast_id][status] = int(number)
    return result
