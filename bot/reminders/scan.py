"""The due scan: who should get a reminder now, found in one set-based query, queued in the outbox.

One SELECT finds the residents the policy may remind now: its WHERE clause is the policy's timing rules
written in SQL (consented, reachable, reminders on, idle long enough, a module in progress or review
cards due, nothing sent to them in 23 hours, under the caps), each an index probe on that resident's
few rows, so that in steady state it returns the handful who are due rather than every idle resident.
For those it reads the facts the policy needs and the module to resume; `policy.decide` then rules on
each row, the one authority. At most a batch is queued per scan, longest idle first, with two
multi-row INSERT ... ON CONFLICT DO NOTHING (the ledger and the outbox, both keyed by the slot), so a
second scan, a second process or a restart queues nothing twice. Reminders are queued when due (never
at night: the policy says so), and the paced sender delivers them like any direct message, giving way
to residents' replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.broadcast.schedule import send_time
from bot.content import Catalog
from bot.learning.actions import OpenModule, SetReminders, ShowMenu, StartReview
from bot.messages import Button, Reply, reply_to_json
from bot.reminders.policy import GAP, IGNORED_LIMIT, PER_WINDOW, WINDOW, Decision, Facts, Rules, decide
from bot.reports.queries import read_snapshot
from bot.storage.models import Delivery, DirectMessage, ModuleProgress, Reminder, Resident, ReviewCard
from bot.storage.upsert import upsert_template
from bot.storage.vocabulary import Channel, DeliveryStatus, ModuleStatus, ReminderReason
from bot.texts import t

KIND = "reminder"  # direct_messages.kind
UNSENDABLE = (Channel.DEMO, Channel.CONSOLE)
# Reminders queued per scan, longest idle first; a full batch brings the next scan in 30 seconds
# (bot/reminders/service.py). Telegram takes about 25 messages a second, so queueing a district's
# 36,000 at once would deliver none sooner, and would hold SQLite's write lock for seconds.
BATCH = 1000  # synthetic residents and the terminal have no outbox route


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder to queue: who, why, and the words in their language."""

    resident_id: int
    language: str
    decision: Decision
    module_id: str | None


def candidates(rules: Rules, now: datetime) -> Select[Any]:
    """Everyone the policy may remind now, with the facts it rules on: one query, no loop.

    The WHERE clause is `policy.earliest(...) <= now` written in SQL, so that at district scale the
    scan reads only the residents who are due rather than every idle one (in steady state, after a
    first start, a handful of 40,000). Its tests are sets computed once each from an index range (who
    got a broadcast or a direct message in the last 23 hours, who had two reminders in 7 days, who
    ignored three), not probes repeated for every resident: at 50,000 residents PostgreSQL spent about
    5 µs on each of 170,000 probes. `policy.decide` still rules on every row returned; this filter
    never admits fewer (tests/test_reminder_scan.py).
    """
    r = Resident
    gap_cutoff = now - GAP
    window_start = now - WINDOW
    learning = select(ModuleProgress.resident_id).where(ModuleProgress.status == ModuleStatus.IN_PROGRESS)
    reviewing = select(ReviewCard.resident_id).where(ReviewCard.due_at <= now)
    broadcast_lately = select(Delivery.resident_id).where(Delivery.sent_at > gap_cutoff)
    # A pending or sent direct message counts from when it went (or, unsent, from when it was queued):
    # coalesce(sent_at, created_at) > cutoff, written so that the sent_at index finds both kinds.
    counted = DirectMessage.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENT))
    direct_lately = select(DirectMessage.resident_id).where(
        counted,
        or_(
            DirectMessage.sent_at > gap_cutoff,
            and_(DirectMessage.sent_at.is_(None), DirectMessage.created_at > gap_cutoff),
        ),
    )
    window_full = (
        select(Reminder.resident_id)
        .where(Reminder.created_at > window_start)
        .group_by(Reminder.resident_id)
        .having(func.count() >= PER_WINDOW)
    )
    seen = aliased(Resident)  # its own FROM: not correlated to the resident being tested
    ignored = (
        select(Reminder.resident_id)
        .join(seen, seen.id == Reminder.resident_id)
        .where(Reminder.created_at > seen.last_seen_at)
        .group_by(Reminder.resident_id)
        .having(func.count() >= IGNORED_LIMIT)
    )
    # Read for the residents returned only: the facts `decide` rules on, and the module to resume.
    since_activity = (
        select(func.count()).where(Reminder.resident_id == r.id, Reminder.created_at > r.last_seen_at).scalar_subquery()
    )
    in_window = (
        select(func.count()).where(Reminder.resident_id == r.id, Reminder.created_at > window_start).scalar_subquery()
    )
    oldest_in_window = (
        select(func.min(Reminder.created_at))
        .where(Reminder.resident_id == r.id, Reminder.created_at > window_start)
        .scalar_subquery()
    )
    last_broadcast = select(func.max(Delivery.sent_at)).where(Delivery.resident_id == r.id).scalar_subquery()
    # The status test sits inside the aggregate, not in WHERE: so PostgreSQL reads this resident's few
    # rows by ix_direct_messages_resident_id instead of scanning the status index for every resident.
    contact_moment = func.coalesce(DirectMessage.sent_at, DirectMessage.created_at)
    last_direct = (
        select(func.max(case((counted, contact_moment)))).where(DirectMessage.resident_id == r.id).scalar_subquery()
    )
    review_due = (
        select(func.count())
        .where(ReviewCard.resident_id == r.id, ReviewCard.due_at <= now)
        .correlate(r)
        .scalar_subquery()
    )
    # The module the menu's ▶️ would open: the one in progress touched last.
    module_to_resume = (
        select(ModuleProgress.module_id)
        .where(ModuleProgress.resident_id == r.id, ModuleProgress.status == ModuleStatus.IN_PROGRESS)
        .order_by(ModuleProgress.updated_at.desc(), ModuleProgress.module_id)
        .limit(1)
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
        module_to_resume,
        review_due,
    ).where(
        # The resident's own columns first: the cheap tests that rule most residents out.
        r.reminders.is_(True),
        r.consent_at.is_not(None),
        r.unreachable_at.is_(None),
        r.channel.not_in(UNSENDABLE),
        # Idle long enough, and the bot's reply to that last activity was a contact too.
        r.last_seen_at <= min(rules.idle_cutoff(now), gap_cutoff),
        or_(r.id.in_(learning), r.id.in_(reviewing)),
        r.id.not_in(broadcast_lately),
        r.id.not_in(direct_lately),
        r.id.not_in(window_full),
        r.id.not_in(ignored),
    )


async def find_due(connection: AsyncConnection, rules: Rules, now: datetime, limit: int | None = None) -> list[Due]:
    """The reminders due now (the `limit` longest idle, when given): the scan's one query and the
    policy's verdict on each row it returns."""
    if not rules.enabled or send_time(now, rules.tz, rules.quiet) > now:
        return []  # off, or night: nothing can be due before the morning, so the query is not run
    if connection.dialect.name == "postgresql":
        # Measured at 50,000 residents: asyncpg prepares the query, and from its sixth run PostgreSQL
        # switched to a generic plan, blind to the instants, that took 240 s instead of 0.45 s; and the
        # correlated probes make the cost estimate so large that it first spent 0.9 s compiling it with JIT.
        await connection.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        await connection.execute(text("SET LOCAL jit = off"))
    query = candidates(rules, now)
    if limit is not None:
        query = query.order_by(Resident.last_seen_at, Resident.id).limit(limit)
    found: list[Due] = []
    for row in await connection.execute(query):
        rid, language, seen, broadcast, direct, since, in_window, oldest, module_id, review = row
        contacts = [moment for moment in (broadcast, direct) if moment is not None]
        facts = Facts(
            resident_id=rid,
            last_activity=seen,
            last_contact=max(contacts) if contacts else None,
            reminders_since_activity=int(since or 0),
            reminders_in_window=int(in_window or 0),
            oldest_in_window=oldest,
            module_in_progress=module_id is not None,
            review_due=int(review or 0),
        )
        decision = decide(facts, rules, now)
        if decision is not None:
            found.append(Due(rid, language, decision, module_id if decision.reason is ReminderReason.MODULE else None))
    return found


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


@dataclass(frozen=True, slots=True)
class ScanResult:
    queued: int  # reminders queued by this scan
    more: bool  # the batch was full: more may be due now


async def scan(
    db: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    rules: Rules,
    catalog: Catalog,
    now: datetime,
    batch: int = BATCH,
) -> ScanResult:
    """Find what is due, at most `batch` (a read that never blocks residents' writes on SQLite), and
    queue it in a short write transaction. Splitting the two is safe: the slot keys make queueing
    idempotent, and a resident who tapped in between is only a reminder early by a few milliseconds, in
    a slot the policy had allowed."""
    if not rules.enabled:
        return ScanResult(0, more=False)
    async with read_snapshot(db) as connection:
        found = await find_due(connection, rules, now, limit=batch)
    if not found:
        return ScanResult(0, more=False)
    async with sessions.begin() as session:
        queued = await queue(session, found, catalog, now)
    return ScanResult(queued, more=len(found) >= batch)


async def queue(session: AsyncSession, found: Sequence[Due], catalog: Catalog, now: datetime) -> int:
    """Queue these reminders: ledger + outbox, both keyed by the slot, in two multi-row INSERTs."""
    ledger: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    # A reminder's words depend on its language, reason, wording and module only: drawn once each.
    payloads: dict[tuple[str, ReminderReason, int, str | None], dict[str, Any] | None] = {}
    for due in found:
        shape = (due.language, due.decision.reason, due.decision.variant, due.module_id)
        if shape not in payloads:
            reply = reminder_message(due, catalog)
            payloads[shape] = None if reply is None else reply_to_json(reply)
        payload = payloads[shape]
        if payload is None:
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
                "payload": payload,
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "created_at": now,
                "due_at": now,
            }
        )
    if not ledger:
        return 0
    # Core statements on the session's connection: the ORM's bulk path costs more than the INSERTs.
    connection = await session.connection()
    dialect = connection.dialect.name
    await connection.execute(upsert_template(dialect, Reminder.__table__, ("slot_key",)), ledger)
    await connection.execute(upsert_template(dialect, DirectMessage.__table__, ("dedupe_key",)), messages)
    return len(ledger)
