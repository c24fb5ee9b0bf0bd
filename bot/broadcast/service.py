"""Broadcast operations shared by the CLI and the Telegram officer screens.

Every operation takes the `Actor` behind it (None for the CLI, which runs with the server's rights),
checks it here on the server, and writes an audit row in the same transaction as the change.
The outbox is made when the broadcast is confirmed, so the count an officer sees in the preview is
the count that is sent; residents who block the bot meanwhile are skipped by the sender.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clock
from bot.broadcast import audience as audiences
from bot.broadcast import outbox
from bot.broadcast.audience import Audience
from bot.broadcast.content import LESSON, Content, validate
from bot.broadcast.outbox import CANCELLED, DONE, FAILED, PAUSED, PENDING, SCHEDULED, SENDING, SENT, Sessions
from bot.broadcast.schedule import QuietHours, send_time
from bot.content import Catalog
from bot.reports.privacy import K_ANONYMITY, SMALL_ID, fold_small
from bot.storage import audit
from bot.storage.models import Broadcast, Delivery, ModuleProgress, Resident
from bot.storage.roles import Actor

LESSON_EFFECT_DAYS = 7
ACTIVE = (SCHEDULED, SENDING, PAUSED)


class BroadcastError(ValueError):
    """An operation that cannot be done in the broadcast's current state, or with these inputs."""


class NotAllowed(PermissionError):
    """The actor may not do this: not an officer, not their broadcast, or outside their communes."""


@dataclass(frozen=True, slots=True)
class Draft:
    content: Content
    audience: Audience
    at: datetime | None = None  # the time asked for; None means now


@dataclass(frozen=True, slots=True)
class Plan:
    """What confirming a draft would do."""

    recipients: int
    send_at: datetime  # UTC, after quiet hours
    moved: bool  # quiet hours moved the send to the morning
    outside_window: int = 0  # of the recipients, Zalo residents silent for over 7 days: sent nothing


@dataclass(frozen=True, slots=True)
class Created:
    id: int
    recipients: int
    send_at: datetime


@dataclass(frozen=True, slots=True)
class LessonEffect:
    started: int  # recipients who opened the module after the invitation, within the window
    finished: int  # recipients who completed it within the window
    days: int = LESSON_EFFECT_DAYS


@dataclass(frozen=True, slots=True)
class CommuneDelivery:
    """How a broadcast went in one commune (or in the small communes merged: `commune_id` SMALL_ID)."""

    commune_id: str | None
    recipients: int
    sent: int
    unreachable: int
    failed: int
    merged: int = 1  # how many communes this row stands for


@dataclass(slots=True)
class Report:
    id: int
    kind: str
    module_id: str | None
    audience: str
    status: str
    total: int
    created_by: int | None
    scheduled_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    text: str | None = None
    report_chat_id: int | None = None
    report_message_id: int | None = None
    counts: Counter[str] = field(default_factory=Counter)
    failed_reasons: list[tuple[str, int]] = field(default_factory=list)
    unreachable_reasons: list[tuple[str, int]] = field(default_factory=list)
    lesson: LessonEffect | None = None
    by_commune: list[CommuneDelivery] = field(default_factory=list)  # only in a full report

    @property
    def handled(self) -> int:
        return self.total - self.counts[PENDING]

    @property
    def percent(self) -> int:
        return 100 if not self.total else 100 * self.handled // self.total


def scope_of(actor: Actor | None) -> frozenset[str] | None:
    return None if actor is None else actor.communes


def _check_officer(actor: Actor | None) -> None:
    if actor is not None and not actor.is_officer:
        raise NotAllowed("only officers send broadcasts")


def _check_audience(actor: Actor | None, audience: Audience) -> None:
    scope = scope_of(actor)
    if scope is not None and audience.kind == audiences.COMMUNE and audience.value not in scope:
        raise NotAllowed(f"commune {audience.value} is outside your communes")


def _check_control(actor: Actor | None, broadcast: Broadcast) -> None:
    """Admins (and the CLI) may act on any broadcast, officers on their own."""
    if actor is None or actor.is_admin:
        return
    if not actor.is_officer or actor.resident_id is None or broadcast.created_by != actor.resident_id:
        raise NotAllowed("not your broadcast")


async def plan(
    sessions: Sessions, draft: Draft, *, actor: Actor | None, tz: ZoneInfo, quiet: QuietHours | None, now: datetime
) -> Plan:
    _check_officer(actor)
    _check_audience(actor, draft.audience)
    requested = draft.at or now
    send_at = send_time(requested, tz, quiet)
    async with sessions() as session:
        recipients = await audiences.count(session, draft.audience, scope_of(actor), now)
        outside = await audiences.count_outside_window(session, draft.audience, scope_of(actor), now, send_at)
    return Plan(recipients, send_at, moved=send_at > requested + timedelta(seconds=1), outside_window=outside)


async def create(
    sessions: Sessions,
    draft: Draft,
    *,
    actor: Actor | None,
    catalog: Catalog,
    tz: ZoneInfo,
    quiet: QuietHours | None,
    now: datetime | None = None,
    report_chat_id: int | None = None,
    report_message_id: int | None = None,
) -> Created:
    """Persist the broadcast and its outbox in one transaction; a running sender picks it up when due."""
    now = now or clock.now()
    _check_officer(actor)
    _check_audience(actor, draft.audience)
    validate(draft.content, catalog)
    send_at = send_time(draft.at or now, tz, quiet)
    async with sessions.begin() as session:
        broadcast = Broadcast(
            created_by=actor.resident_id if actor is not None else None,
            kind=draft.content.kind,
            module_id=draft.content.module_id,
            text=(draft.content.text or "").strip() or None,
            photo=draft.content.photo,
            audience=draft.audience.spec,
            scheduled_at=send_at,
            # Due now: straight to sending (the sender's next look finds it); later: the sender promotes it.
            status=SENDING if send_at <= now else SCHEDULED,
            started_at=now if send_at <= now else None,
            report_chat_id=report_chat_id,
            report_message_id=report_message_id,
            created_at=now,
        )
        session.add(broadcast)
        await session.flush()
        scope = scope_of(actor)
        broadcast.total = await outbox.fill(session, broadcast.id, draft.audience, scope, now)
        if not broadcast.total:
            raise BroadcastError("nobody to send to: the audience is empty")  # rolls the whole thing back
        audit.record(
            session,
            actor,
            "broadcast.create",
            broadcast=broadcast.id,
            kind=broadcast.kind,
            module=broadcast.module_id,
            audience=broadcast.audience,
            scope=sorted(scope) if scope is not None else None,
            recipients=broadcast.total,
            send_at=send_at.isoformat(),
        )
        return Created(broadcast.id, broadcast.total, send_at)


async def set_report_message(sessions: Sessions, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """Where the live progress message is, so the sender (maybe after a restart) keeps editing it."""
    async with sessions.begin() as session:
        await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(report_chat_id=chat_id, report_message_id=message_id)
        )


# -- control ---------------------------------------------------------------------------------------------


async def _load_for_control(session: AsyncSession, broadcast_id: int, actor: Actor | None) -> Broadcast:
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise BroadcastError(f"no broadcast #{broadcast_id}")
    _check_control(actor, broadcast)
    return broadcast


async def _move(
    sessions: Sessions, broadcast_id: int, actor: Actor | None, action: str, allowed: tuple[str, ...]
) -> Broadcast:
    async with sessions.begin() as session:
        broadcast = await _load_for_control(session, broadcast_id, actor)
        if broadcast.status not in allowed:
            raise BroadcastError(f"broadcast #{broadcast_id} is {broadcast.status}; cannot {action}")
        before = broadcast.status
        if action == "pause":
            broadcast.status = PAUSED
        elif action == "resume":
            broadcast.status = SENDING if broadcast.started_at is not None else SCHEDULED
        elif action == "cancel":
            broadcast.status = CANCELLED
            broadcast.finished_at = clock.now()
            await session.execute(
                update(Delivery)
                .where(Delivery.broadcast_id == broadcast_id, Delivery.status == PENDING)
                .values(status=CANCELLED)
            )
        audit.record(session, actor, f"broadcast.{action}", broadcast=broadcast_id, before=before)
        return broadcast


async def pause(sessions: Sessions, broadcast_id: int, *, actor: Actor | None) -> Broadcast:
    return await _move(sessions, broadcast_id, actor, "pause", (SCHEDULED, SENDING))


async def resume(sessions: Sessions, broadcast_id: int, *, actor: Actor | None) -> Broadcast:
    return await _move(sessions, broadcast_id, actor, "resume", (PAUSED,))


async def cancel(sessions: Sessions, broadcast_id: int, *, actor: Actor | None) -> Broadcast:
    return await _move(sessions, broadcast_id, actor, "cancel", ACTIVE)


async def resend_failed(sessions: Sessions, broadcast_id: int, *, actor: Actor | None) -> int:
    """Put failed deliveries back in the outbox; a finished broadcast starts sending again."""
    async with sessions.begin() as session:
        broadcast = await _load_for_control(session, broadcast_id, actor)
        if broadcast.status == CANCELLED:
            raise BroadcastError(f"broadcast #{broadcast_id} was cancelled")
        result = await session.execute(
            update(Delivery)
            .where(Delivery.broadcast_id == broadcast_id, Delivery.status == FAILED)
            .values(status=PENDING)
        )
        again = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if not again:
            raise BroadcastError(f"broadcast #{broadcast_id} has no failed deliveries")
        if broadcast.status == DONE:
            broadcast.status, broadcast.finished_at = SENDING, None
        audit.record(session, actor, "broadcast.resend", broadcast=broadcast_id, deliveries=again)
        return again


# -- reports ---------------------------------------------------------------------------------------------


async def report(sessions: Sessions, broadcast_id: int, *, actor: Actor | None) -> Report:
    async with sessions() as session:
        broadcast = await _load_for_control(session, broadcast_id, actor)
        found = _report(broadcast, (await outbox.counts(session, [broadcast_id]))[broadcast_id])
        found.failed_reasons = await _reasons(session, broadcast_id, FAILED)
        found.unreachable_reasons = await _reasons(session, broadcast_id, outbox.UNREACHABLE)
        found.by_commune = await _by_commune(session, broadcast_id)
        if broadcast.kind == LESSON and broadcast.module_id and broadcast.started_at is not None:
            found.lesson = await _lesson_effect(session, broadcast)
        return found


async def recent(sessions: Sessions, *, actor: Actor | None, limit: int = 10) -> list[Report]:
    """The latest broadcasts this actor may see (admins and the CLI: all; officers: their own)."""
    _check_officer(actor)
    async with sessions() as session:
        statement = select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)
        if actor is not None and not actor.is_admin:
            statement = statement.where(Broadcast.created_by == actor.resident_id)
        rows = list(await session.scalars(statement))
        by_id = await outbox.counts(session, [row.id for row in rows])
        return [_report(row, by_id[row.id]) for row in rows]


def _report(broadcast: Broadcast, counts: Counter[str]) -> Report:
    return Report(
        id=broadcast.id,
        kind=broadcast.kind,
        module_id=broadcast.module_id,
        audience=broadcast.audience,
        status=broadcast.status,
        total=broadcast.total,
        created_by=broadcast.created_by,
        scheduled_at=broadcast.scheduled_at,
        started_at=broadcast.started_at,
        finished_at=broadcast.finished_at,
        text=broadcast.text,
        report_chat_id=broadcast.report_chat_id,
        report_message_id=broadcast.report_message_id,
        counts=counts,
    )


async def _reasons(session: AsyncSession, broadcast_id: int, status: str) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(Delivery.last_error, func.count())
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == status)
        .group_by(Delivery.last_error)
        .order_by(func.count().desc())
        .limit(5)
    )
    return [(reason or "?", int(number)) for reason, number in rows]


async def _by_commune(session: AsyncSession, broadcast_id: int) -> list[CommuneDelivery]:
    """Deliveries per commune, counted in SQL; communes with fewer than K recipients are merged (the
    statistics' rule): "1 unreachable in a hamlet of 3" would point at a person."""
    rows = await session.execute(
        select(Resident.commune_id, Delivery.status, func.count())
        .join(Resident, Resident.id == Delivery.resident_id)
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Resident.commune_id, Delivery.status)
    )
    tally: dict[str | None, Counter[str]] = {}
    for commune_id, status, number in rows:
        tally.setdefault(commune_id, Counter())[status] = int(number)
    found = [
        CommuneDelivery(commune, sum(c.values()), c[SENT], c[outbox.UNREACHABLE], c[FAILED])
        for commune, c in tally.items()
    ]
    found.sort(key=lambda row: (-row.recipients, row.commune_id or ""))
    return merge_small(found)


def merge_small(rows: list[CommuneDelivery], k: int = K_ANONYMITY) -> list[CommuneDelivery]:
    """The statistics' rule (`fold_small`): no row stands for fewer than k recipients."""

    def bucket(merged: list[CommuneDelivery]) -> CommuneDelivery:
        return CommuneDelivery(
            SMALL_ID,
            sum(row.recipients for row in merged),
            sum(row.sent for row in merged),
            sum(row.unreachable for row in merged),
            sum(row.failed for row in merged),
            merged=len(merged),
        )

    return fold_small(rows, lambda row: row.recipients, bucket, k)


async def _lesson_effect(session: AsyncSession, broadcast: Broadcast) -> LessonEffect:
    """Recipients who opened / finished the module after their invitation arrived, within 7 days of the
    broadcast starting. 'Opened' means any activity in the module after the message (a first open or
    going on with it): its last activity is after the message and it was begun within the window."""
    assert broadcast.started_at is not None
    end = broadcast.started_at + timedelta(days=LESSON_EFFECT_DAYS)
    joined = (
        select(func.count())
        .select_from(Delivery)
        .join(
            ModuleProgress,
            and_(ModuleProgress.resident_id == Delivery.resident_id, ModuleProgress.module_id == broadcast.module_id),
        )
        .where(Delivery.broadcast_id == broadcast.id, Delivery.status == SENT)
    )
    started = await session.scalar(
        joined.where(ModuleProgress.updated_at >= Delivery.sent_at, ModuleProgress.started_at <= end)
    )
    finished = await session.scalar(
        joined.where(ModuleProgress.completed_at >= Delivery.sent_at, ModuleProgress.completed_at <= end)
    )
    return LessonEffect(int(started or 0), int(finished or 0))
