"""The due scan's SQL against the policy: on random residents (with progress, review cards, broadcasts,
direct messages and past reminders at the instants where the rules turn), the scan finds exactly the
reminders `policy.decide` allows when it is given every resident's facts computed here in Python. Its
WHERE clause repeats the policy's timing rules so that it reads only who is due at district scale; this
is what keeps the two from drifting apart. Then the batch: longest idle first, the rest in later scans,
nobody twice."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import clock
from bot.broadcast.schedule import parse_quiet_hours
from bot.reminders.policy import WINDOW, Facts, Rules, decide
from bot.reminders.scan import find_due, scan
from bot.reminders.service import ReminderService
from bot.runtime import Runtime
from bot.storage.models import Broadcast, Delivery, DirectMessage, ModuleProgress, Reminder, Resident, ReviewCard
from bot.storage.vocabulary import BroadcastStatus, Channel, DeliveryStatus, ModuleStatus, ReminderReason

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET = parse_quiet_hours("21:00-07:00")
MODULES = ("email", "internet-safety", "e-payment")
# Offsets back from "now", in hours, where the rules turn (23 h gap, 2 idle days, 7-day window), and a
# minute either side of each through JITTER.
TURNS = (0, 1, 12, 22, 23, 24, 36, 47, 48, 49, 72, 24 * 7, 24 * 7 + 1, 24 * 10, 24 * 20)
JITTER = (-1, 0, 0, 1)


@dataclass
class Person:
    """One random resident, and everything about them the scan reads."""

    id: int
    channel: str
    reminders: bool
    consent: bool
    unreachable: bool
    last_seen: datetime
    progress: list[tuple[str, str, datetime]] = field(default_factory=list)  # module, status, updated
    cards_due: list[datetime | None] = field(default_factory=list)
    broadcasts_sent: list[datetime | None] = field(default_factory=list)
    direct: list[tuple[str, datetime, datetime | None]] = field(default_factory=list)  # status, created, sent
    reminded: list[datetime] = field(default_factory=list)


def moment(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(hours=rng.choice(TURNS), minutes=rng.choice(JITTER))


def population(rng: random.Random, now: datetime, size: int) -> list[Person]:
    people = []
    for number in range(1, size + 1):
        person = Person(
            id=number,
            channel=rng.choice((Channel.TELEGRAM, Channel.TELEGRAM, Channel.ZALO, Channel.DEMO)),
            reminders=rng.random() > 0.1,
            consent=rng.random() > 0.05,
            unreachable=rng.random() < 0.08,
            last_seen=moment(rng, now),
        )
        for module in rng.sample(MODULES, rng.randint(0, 2)):
            status = rng.choice((ModuleStatus.IN_PROGRESS, ModuleStatus.IN_PROGRESS, ModuleStatus.COMPLETED))
            person.progress.append((module, status, moment(rng, now)))
        person.cards_due = [
            rng.choice((None, moment(rng, now), now + timedelta(days=1))) for _ in range(rng.randint(0, 2))
        ]
        person.broadcasts_sent = [rng.choice((None, moment(rng, now))) for _ in range(rng.randint(0, 1))]
        for _ in range(rng.randint(0, 2)):
            status = rng.choice((DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED))
            created = moment(rng, now)
            person.direct.append((status, created, None if status == DeliveryStatus.PENDING else created))
        # Mostly since their last activity (the "three ignored" count), some before it.
        since = [at for at in (moment(rng, now) for _ in range(12)) if at > person.last_seen] or [now]
        person.reminded = sorted(
            rng.choice(since) if rng.random() < 0.7 else moment(rng, now) for _ in range(rng.choice((0, 1, 2, 3, 4)))
        )
        people.append(person)
    return people


async def store(runtime: Runtime, people: list[Person], now: datetime) -> None:
    async with runtime.sessions.begin() as session:
        broadcast = Broadcast(kind="text", text="tin", status=BroadcastStatus.DONE, created_at=now)
        session.add(broadcast)
        await session.flush()
        for person in people:
            session.add(
                Resident(
                    id=person.id,
                    channel=person.channel,
                    external_id=person.id,
                    chat_id=person.id,
                    language="vi",
                    reminders=person.reminders,
                    consent_at=now - timedelta(days=30) if person.consent else None,
                    unreachable_at=now - timedelta(days=1) if person.unreachable else None,
                    last_seen_at=person.last_seen,
                    created_at=now - timedelta(days=30),
                )
            )
        await session.flush()
        for person in people:
            for module, status, updated in person.progress:
                session.add(ModuleProgress(resident_id=person.id, module_id=module, status=status, updated_at=updated))
            for index, due in enumerate(person.cards_due):
                session.add(ReviewCard(resident_id=person.id, module_id="email", question_id=f"q{index}", due_at=due))
            for sent in person.broadcasts_sent:
                status = DeliveryStatus.SENT if sent else DeliveryStatus.PENDING
                session.add(Delivery(broadcast_id=broadcast.id, resident_id=person.id, status=status, sent_at=sent))
            for index, (status, created, sent) in enumerate(person.direct):
                session.add(
                    DirectMessage(
                        resident_id=person.id,
                        kind="relay",
                        dedupe_key=f"test:{person.id}:{index}",
                        payload={"text": "x", "buttons": [], "media": None},
                        status=status,
                        created_at=created,
                        due_at=created,
                        sent_at=sent,
                    )
                )
            for index, created in enumerate(person.reminded):
                session.add(
                    Reminder(
                        resident_id=person.id,
                        slot_key=f"test:{person.id}:{index}",
                        reason=ReminderReason.MODULE,
                        created_at=created,
                    )
                )


def expected(people: list[Person], rules: Rules, now: datetime) -> set[tuple[int, str, str, str | None]]:
    """What the policy allows, from every resident's facts computed in Python (no SQL pre-filter)."""
    allowed = set()
    for person in people:
        if not (person.reminders and person.consent) or person.channel == Channel.DEMO:
            continue
        contacts = [sent for sent in person.broadcasts_sent if sent is not None]
        contacts += [sent or created for status, created, sent in person.direct if status != DeliveryStatus.FAILED]
        window = [created for created in person.reminded if created > now - WINDOW]
        in_progress = [(updated, module) for module, status, updated in person.progress if status == "in_progress"]
        # The module the menu's ▶️ would open: touched last (the smaller id on a tie).
        module = min(in_progress, key=lambda pair: (-pair[0].timestamp(), pair[1]))[1] if in_progress else None
        facts = Facts(
            resident_id=person.id,
            last_activity=person.last_seen,
            last_contact=max(contacts) if contacts else None,
            reminders_since_activity=sum(1 for created in person.reminded if created > person.last_seen),
            reminders_in_window=len(window),
            oldest_in_window=min(window) if window else None,
            module_in_progress=module is not None,
            review_due=sum(1 for due in person.cards_due if due is not None and due <= now),
            reachable=not person.unreachable,
        )
        decision = decide(facts, rules, now)
        if decision is not None:
            shown = module if decision.reason is ReminderReason.MODULE else None
            allowed.add((person.id, decision.reason, decision.slot_key, shown))
    return allowed


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_scan_finds_exactly_what_the_policy_allows(runtime: Runtime, seed: int) -> None:
    rng = random.Random(seed)
    now = datetime(2026, 12, 9, 10, 0, tzinfo=HANOI).astimezone(UTC)  # a Wednesday morning
    people = population(rng, now, 300)
    await store(runtime, people, now)
    checked = 0
    for idle in (timedelta(days=2), timedelta(hours=12)):  # idle longer, and shorter, than the 23 h gap
        rules = Rules(idle=idle, quiet=QUIET, tz=HANOI)
        for at in (now, now + timedelta(minutes=1), now + timedelta(hours=12)):  # the last is 22:00, night
            async with runtime.db.connect() as connection:
                found = await find_due(connection, rules, at)
            got = {(due.resident_id, due.decision.reason, due.decision.slot_key, due.module_id) for due in found}
            assert got == expected(people, rules, at), (idle, at)
            checked += len(got)
    assert checked > 20  # the draw did make residents due: the comparison was not of two empty sets


def idle_learners(now: datetime, count: int) -> list[Person]:
    """`count` residents idle for three days and more (the higher the id, the longer), each in a module."""
    return [
        Person(
            id=number,
            channel=Channel.TELEGRAM,
            reminders=True,
            consent=True,
            unreachable=False,
            last_seen=now - timedelta(days=3, hours=number),
            progress=[("email", ModuleStatus.IN_PROGRESS, now - timedelta(days=3))],
        )
        for number in range(1, count + 1)
    ]


async def test_a_full_batch_goes_longest_idle_first_and_the_rest_in_later_scans(runtime: Runtime) -> None:
    now = datetime(2026, 12, 9, 10, 0, tzinfo=HANOI).astimezone(UTC)
    await store(runtime, idle_learners(now, 7), now)
    rules = Rules(quiet=QUIET, tz=HANOI)
    order: list[list[int]] = []
    for expect_more in (True, True, False):
        before = await reminded_ids(runtime)
        result = await scan(runtime.db, runtime.sessions, rules, runtime.catalog, now, batch=3)
        assert result.more is expect_more
        order.append(sorted(set(await reminded_ids(runtime)) - set(before)))
        assert result.queued == len(order[-1])
    assert order == [[5, 6, 7], [2, 3, 4], [1]]  # the longest idle first
    again = await scan(runtime.db, runtime.sessions, rules, runtime.catalog, now, batch=3)
    assert (again.queued, again.more) == (0, False)
    async with runtime.db.connect() as connection:
        messages = await connection.scalar(select(func.count()).select_from(DirectMessage))
    assert messages == 7  # one message each, nobody twice


async def reminded_ids(runtime: Runtime) -> list[int]:
    async with runtime.db.connect() as connection:
        return list((await connection.scalars(select(Reminder.resident_id))).all())


async def test_the_service_comes_back_soon_after_a_full_batch(
    runtime: Runtime, wall_clock: clock.SteppingClock
) -> None:
    """A first start on a district: the scans that follow a full batch come 30 s apart, not 15 minutes."""
    now = datetime(2026, 12, 9, 10, 0, tzinfo=HANOI).astimezone(UTC)
    wall_clock.set(now)
    await store(runtime, idle_learners(now, 7), now)
    service = ReminderService(runtime, batch=3, catch_up=0.05)  # the interval stays at 15 minutes
    await service.start()
    try:
        for _ in range(200):
            if len(await reminded_ids(runtime)) == 7:
                break
            await asyncio.sleep(0.02)
    finally:
        await service.stop()
    assert sorted(await reminded_ids(runtime)) == list(range(1, 8))
