"""The reminder due scan at district scale: seed N residents (seed-demo data: progress, answers, some
unreachable), give them review cards from their wrong answers and a history of reminders, then time the
scan as `python -m bot run` runs it every 15 minutes.

    python -m bench.bench_reminders [--users 50000] [--runs 5] [--database sqlite|postgresql|both]

Figures (printed, never asserted):
- "find everyone due": the scan's SELECT over every resident, without the batch limit, plus the
  policy's verdict on each resident it returns (bot/reminders/scan.find_due), median of --runs, on
  the read connection the bot uses;
- "first start": scans of one batch each (find + queue), as the service runs them 30 s apart,
  until everything due is queued: how many, and the longest single scan;
- "scan every 15 min after that": the steady state, median of --runs, when the slots are queued
  already and little new is due.

Seed-demo residents live on the "demo" channel, which is never sent anything; here they are moved to
"telegram" so that the scan sees them as it would see real residents. PostgreSQL uses the database of
TEST_DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test), whose schema is reset.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, cast, func, literal, select, text, update

from bot.broadcast.schedule import parse_quiet_hours
from bot.config import get_settings
from bot.content import load_catalog
from bot.reminders.policy import Rules
from bot.reminders.scan import BATCH, find_due, scan
from bot.reports.queries import read_snapshot
from bot.seed import seed_database
from bot.storage.db import create_engine, session_factory
from bot.storage.migrate import upgrade
from bot.storage.models import Answer, Broadcast, Delivery, Reminder, Resident, ReviewCard
from bot.storage.vocabulary import BroadcastStatus, Channel, DeliveryStatus, ReminderReason
from bot.testing.databases import fresh_database_url

NOW = datetime(2026, 3, 18, 3, 0, tzinfo=UTC)  # 10:00 in Thái Nguyên: outside quiet hours


async def prepare(url: str, users: int) -> None:
    settings = get_settings(database_url=url, _env_file=None)
    catalog, _ = load_catalog(settings.lessons_dir, settings.default_language)
    engine = create_engine(url)
    await upgrade(engine)
    started = time.perf_counter()
    async with engine.begin() as connection:
        seeded = await seed_database(
            connection,
            catalog.modules(settings.default_language),
            settings.communes,
            users=users,
            seed=7,
            force=True,
            now=NOW,
        )
        await connection.execute(update(Resident).values(channel=Channel.TELEGRAM, is_demo=False))
        # Every question a resident got wrong is in their deck, box 1, due 2 days after the answer.
        wrong = (
            select(
                Answer.resident_id,
                Answer.module_id,
                Answer.question_id,
                literal(1),
                func.max(Answer.answered_at),
                literal(0),
                func.min(Answer.answered_at),
            )
            .where(Answer.correct.is_(False))
            .group_by(Answer.resident_id, Answer.module_id, Answer.question_id)
        )
        await connection.execute(
            ReviewCard.__table__.insert().from_select(
                ["resident_id", "module_id", "question_id", "box", "due_at", "rounds", "added_at"], wrong
            )
        )
        await connection.execute(
            text("UPDATE review_cards SET due_at = added_at + interval '2 days'")
            if connection.dialect.name == "postgresql"
            else text("UPDATE review_cards SET due_at = datetime(added_at, '+2 days')")
        )
        # Broadcasts: one to everyone ten days ago, one to a seventh of the district this morning.
        for days, every in ((10, 1), (0.25, 7)):
            sent = NOW - timedelta(days=days)
            broadcast = await connection.execute(
                Broadcast.__table__.insert().values(
                    kind="text", text="…", status=BroadcastStatus.DONE, scheduled_at=sent, created_at=sent
                )
            )
            deliveries = select(
                literal(broadcast.inserted_primary_key[0]), Resident.id, literal(DeliveryStatus.SENT), literal(sent)
            ).where(Resident.id % every == 0)
            columns = ["broadcast_id", "resident_id", "status", "sent_at"]
            await connection.execute(Delivery.__table__.insert().from_select(columns, deliveries))
        # A reminder history: one resident in ten was reminded in the last week.
        history = select(
            Resident.id,
            literal("bench:") + cast(Resident.id, String),
            literal(ReminderReason.MODULE),
            literal(NOW - timedelta(days=3)),
        ).where(Resident.id % 10 == 0)
        await connection.execute(
            Reminder.__table__.insert().from_select(["resident_id", "slot_key", "reason", "created_at"], history)
        )
        await connection.execute(text("ANALYZE"))
    async with engine.connect() as connection:
        cards = await connection.scalar(select(func.count()).select_from(ReviewCard))
        delivered = await connection.scalar(select(func.count()).select_from(Delivery))
        reminded = await connection.scalar(select(func.count()).select_from(Reminder))
    await engine.dispose()
    print(
        f"  seeded {seeded.residents:,} residents, {seeded.progress:,} progress rows, {seeded.answers:,} answers, "
        f"{cards:,} review cards, {delivered:,} broadcast deliveries, {reminded:,} past reminders "
        f"in {time.perf_counter() - started:.1f} s"
    )


async def measure(url: str, runs: int) -> None:
    settings = get_settings(database_url=url, _env_file=None)
    catalog, _ = load_catalog(settings.lessons_dir, settings.default_language)
    rules = Rules(idle=timedelta(days=2), quiet=parse_quiet_hours("21:00-07:00"), tz=settings.tz)
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            async with read_snapshot(engine) as connection:
                due = await find_due(connection, rules, NOW)
            times.append(time.perf_counter() - started)
        reasons = ", ".join(f"{sum(1 for d in due if d.decision.reason == r):,} {r}" for r in ReminderReason)
        print(f"  find everyone due (no batch): {_median(times)}; due now: {len(due):,} ({reasons})")
        scans, queued, longest, started = 0, 0, 0.0, time.perf_counter()
        while True:  # a first start: scans of one batch each, as the service runs them 30 s apart
            began = time.perf_counter()
            result = await scan(engine, sessions, rules, catalog, NOW)
            longest = max(longest, time.perf_counter() - began)
            scans, queued = scans + 1, queued + result.queued
            if not result.more:
                break
        print(
            f"  first start: {queued:,} reminders queued in {scans} scans of at most {BATCH:,}, "
            f"{time.perf_counter() - started:.1f} s of scanning in all, the longest scan {longest:.3f} s"
        )
        times = []
        for run in range(runs):  # steady state: every 15 minutes, nothing new (or little) due
            started = time.perf_counter()
            result = await scan(engine, sessions, rules, catalog, NOW + timedelta(minutes=15 * (run + 1)))
            times.append(time.perf_counter() - started)
        print(f"  scan every 15 min after that: {_median(times)}, {result.queued:,} queued by the last")
    finally:
        await engine.dispose()


def _median(times: list[float]) -> str:
    shown = ", ".join(f"{t:.3f}" for t in times)
    return f"median {statistics.median(times):.3f} s ({shown})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    options = parser.parse_args()
    databases = ("sqlite", "postgresql") if options.database == "both" else (options.database,)
    with tempfile.TemporaryDirectory() as folder:
        for database in databases:
            print(f"{database}, {options.users:,} residents:")
            url = await fresh_database_url(database, folder)
            await prepare(url, options.users)
            await measure(url, options.runs)


if __name__ == "__main__":
    asyncio.run(main())
