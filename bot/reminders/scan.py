"""The due scan: who should get a reminder now, found in one set-based query, queued in the outbox.

One SELECT gathers, for every resident who could be due (consented, reachable, reminders on, idle long
enough, with a module in progress or review cards due), the facts the policy needs: their last
activity, the last message the bot sent them outside a reply, their reminders since that activity and
in the last 7 days. `policy.decide` then rules on each row in memory; the module to resume is read for
the due ones only, and their reminders are queued with two multi-row INSERT ... ON CONFLICT DO NOTHING
(the ledger and the outbox, both keyed by the slot), so a second scan, a second process or a restart
queues nothing twice. Reminders are queued when due (never at night: the policy says so), and the paced
sender delivers them like any direct message, giving way to residents' replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from bot.content import Catalog
from bot.learning.actions import OpenModule, SetReminders, ShowMenu, StartReview
from bot.messages import Button, Reply, reply_to_json
from bot.reminders.policy import WINDOW, Decision, Facts, Rules, decide
from bot.reports.queries import read_snapshot
from bot.storage.models import Delivery, DirectMessage, ModuleProgress, Reminder, Resident, ReviewCard
from bot.storage.upsert import insert_for
from bot.storage.vocabulary import Channel, DeliveryStatus, ModuleStatus, ReminderReason
from bot.texts import t

KIND = "reminder"  # direct_messages.kind
CHUNK = 2000  # residents per IN (...) list: well under SQLite's and asyncpg's parameter limits
UNSENDABLE = (Channel.DEMO, Channel.CONSOLE)  # synthetic residents and the terminal have no outbox route


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder to queue: who, why, and the words in their language."""

    resident_id: int
    language: str
    decision: Decision
    module_id: str | None


def candidates(rules: Rules, now: datetime) -> Select[Any]:
    """Everyone who could be due now, with the facts the policy rules on: one query, no loop."""
    r = Resident
    in_progress = exists().where(ModuleProgress.resident_id == r.id, ModuleProgress.status == ModuleStatus.IN_PROGRESS)
    review_due = (
        select(func.count())
        .where(ReviewCard.resident_id == r.id, ReviewCard.due_at <= now)
        .correlate(r)
        .scalar_subquery()
    )
    last_broadcast = select(func.max(Delivery.sent_at)).where(Delivery.resident_id == r.id).scalar_subquery()
    last_direct = (
        select(func.max(func.coalesce(DirectMessage.sent_at, DirectMessage.created_at)))
        .where(
            DirectMessage.resident_id == r.id,
            DirectMessage.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENT)),
        )
        .scalar_subquery()
    )
    since_activity = (
        select(func.count()).where(Reminder.resident_id == r.id, Reminder.created_at > r.last_seen_at).scalar_subquery()
    )
    window_start = now - WINDOW
    in_window = (
        select(func.count()).where(Reminder.resident_id == r.id, Reminder.created_at > window_start).scalar_subquery()
    )
    oldest_in_window = (
        select(func.min(Reminder.created_at))
        .where(Reminder.resident_id == r.id, Reminder.created_at > window_start)
        .scalar_subquery()
    )
    return select(
        r.id,
        r.language,
        r.last_seen_at,
        last_broadcast,
        last_direct,
        since_activity,
        in_window,
        oldest_in_window,
        in_progress,
        review_due,
    ).where(
        r.reminders.is_(True),
        r.consent_at.is_not(None),
        r.unreachable_at.is_(None),
        r.channel.not_in(UNSENDABLE),
        r.last_seen_at <= rules.idle_cutoff(now),
        or_(in_progress, review_due > 0),
    )


async def find_due(session: AsyncSession | AsyncConnection, rules: Rules, now: datetime) -> list[Due]:
    """The reminders due now: the scan's one query, the policy's verdicts, the modules to resume."""
    if not rules.enabled:
        return []
    due: list[tuple[int, str, Decision, bool]] = []
    for row in await session.execute(candidates(rules, now)):
        rid, language, seen, broadcast, direct, since, in_window, oldest, in_progress, review = row
        contacts = [moment for moment in (broadcast, direct) if moment is not None]
        facts = Facts(
            resident_id=rid,
            last_activity=seen,
            last_contact=max(contacts) if contacts else None,
            reminders_since_activity=int(since or 0),
            reminders_in_window=int(in_window or 0),
            oldest_in_window=oldest,
            module_in_progress=bool(in_progress),
            review_due=int(review or 0),
        )
        decision = decide(facts, rules, now)
        if decision is not None:
            due.append((rid, language, decision, bool(in_progress)))
    modules = await _modules_to_resume(session, [rid for rid, _, d, _ in due if d.reason is ReminderReason.MODULE])
    return [
        Due(rid, language, decision, modules.get(rid) if decision.reason is ReminderReason.MODULE else None)
        for rid, language, decision, _ in due
    ]


async def _modules_to_resume(session: AsyncSession | AsyncConnection, resident_ids: Sequence[int]) -> dict[int, str]:
    """Each resident's most recently touched module in progress (the one the menu's ▶️ would open)."""
    latest: dict[int, tuple[datetime, str]] = {}
    for start in range(0, len(resident_ids), CHUNK):
        chunk = resident_ids[start : start + CHUNK]
        rows = await session.execute(
            select(ModuleProgress.resident_id, ModuleProgress.module_id, ModuleProgress.updated_at).where(
                ModuleProgress.resident_id.in_(chunk), ModuleProgress.status == ModuleStatus.IN_PROGRESS
            )
        )
        for rid, module_id, updated in rows:
            if rid not in latest or updated > latest[rid][0]:
                latest[rid] = (updated, module_id)
    return {rid: module_id for rid, (_, module_id) in latest.items()}


def reminder_message(due: Due, catalog: Catalog) -> Reply | None:
    """The reminder as the resident will see it, or None when its module is gone from the catalogue."""
    language, variant = due.language, due.decision.variant
    off = Button(t(language, "btn_reminders_off"), SetReminders("off"))
    menu = Button(t(language, "btn_menu"), ShowMenu())
    if due.decision.reason is ReminderReason.MODULE:
        lesson = catalog.get(due.module_id or "", language)
        if lesson is None:
            return None
        text = t(language, f"reminder_module_{variant}", title=lesson.title)
        go = Button(t(language, "btn_reminder_resume"), OpenModule(lesson.id))
    else:
        text = t(language, f"reminder_review_{variant}")
        go = Button(t(language, "btn_reminder_review"), StartReview())
    return Reply(f"{text}\n\n{t(language, 'reminder_footer')}", ((go,), (menu, off)))


async def scan(
    db: AsyncEngine, sessions: async_sessionmaker[AsyncSession], rules: Rules, catalog: Catalog, now: datetime
) -> int:
    """Find what is due (a read that never blocks residents' writes on SQLite) and queue it in a short
    write transaction; the number of reminders found due. Splitting the two is safe: the slot keys make
    queueing idempotent, and a resident who tapped in between is only a reminder early by a few
    milliseconds, in a slot the policy had allowed."""
    if not rules.enabled:
        return 0
    async with read_snapshot(db) as connection:
        found = await find_due(connection, rules, now)
    if not found:
        return 0
    async with sessions.begin() as session:
        return await queue(session, found, catalog, now)


async def queue(session: AsyncSession, found: Sequence[Due], catalog: Catalog, now: datetime) -> int:
    """Queue these reminders: ledger + outbox, both keyed by the slot, in two multi-row INSERTs."""
    ledger: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for due in found:
        reply = reminder_message(due, catalog)
        if reply is None:
            continue
        key = due.decision.slot_key
        ledger.append(
            {
                "resident_id": due.resident_id,
                "slot_key": key,
                "reason": due.decision.reason,
                "module_id": due.module_id,
                "created_at": now,
            }
        )
        messages.append(
            {
                "resident_id": due.resident_id,
                "kind": KIND,
                "dedupe_key": key,
                "payload": reply_to_json(reply),
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "created_at": now,
                "due_at": now,
            }
        )
    if not ledger:
        return 0
    await session.execute(insert_for(session, Reminder).on_conflict_do_nothing(index_elements=["slot_key"]), ledger)
    await session.execute(
        insert_for(session, DirectMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]), messages
    )
    return len(ledger)
