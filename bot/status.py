"""`python -m bot status [--json]`: is everything in order, in one look, for whoever keeps the bot running.

Read only: it migrates nothing and takes no write lock, so it is safe beside a running bot. Exit 0
when the database answers at the newest migration and every lesson is valid, 1 otherwise, so a cron
job or a monitoring probe can use it as it is.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from bot import clock
from bot.broadcast.lease import lease_for
from bot.broadcast.outbox import PAUSED, PENDING, SCHEDULED, SENDING
from bot.config import Settings
from bot.content import load_catalog
from bot.reports.weekly import JOB as WEEKLY_JOB
from bot.storage.db import create_engine, sqlite_path
from bot.storage.migrate import current_revision, head_revision
from bot.storage.models import Broadcast, Delivery, JobRun, Resident


@dataclass
class Status:
    database: str = "unreachable"  # ok | behind | missing (no SQLite file yet) | unreachable
    revision: str | None = None
    newest_revision: str | None = None
    lessons: dict[str, int] = field(default_factory=dict)  # language -> modules
    lesson_faults: list[str] = field(default_factory=list)
    residents: int | None = None
    unreachable_residents: int | None = None
    broadcasts: dict[str, int] = field(default_factory=dict)  # status -> how many (scheduled, sending, paused)
    pending_deliveries: int | None = None
    last_weekly_report: str | None = None  # the Monday of the last week reported
    sender_running: bool | None = None  # a bot process holds the broadcast lease (None: cannot tell)

    @property
    def healthy(self) -> bool:
        return self.database == "ok" and not self.lesson_faults


HINTS = {
    "behind": "run `python -m bot db upgrade` (a running bot does it at start)",
    "missing": "no database file yet: `python -m bot db upgrade` or the first `python -m bot run` makes it",
    "unreachable": "the database does not answer: check DATABASE_URL and that the server runs",
    "lessons": "run `python -m bot lessons validate` and fix the files it names",
}


def collect(settings: Settings) -> Status:
    status = Status(newest_revision=head_revision())
    catalog, faults = load_catalog(settings.lessons_dir, settings.default_language)
    status.lessons = {language: len(modules) for language, modules in sorted(catalog.lessons.items())}
    status.lesson_faults = [str(fault) for fault in faults]
    database_file = sqlite_path(settings.database_url)
    if database_file is not None and not database_file.exists():
        status.database = "missing"  # and stays so: opening it here would create an empty file
        return status
    asyncio.run(_read_database(settings, status))
    return status


async def _read_database(settings: Settings, status: Status) -> None:
    engine = create_engine(settings.database_url)
    try:
        status.revision = await current_revision(engine)
        status.database = "ok" if status.revision == status.newest_revision else "behind"
        if status.revision is None:
            return  # a new database: nothing more to read until `db upgrade` or the first start
        async with engine.connect() as connection:
            consented = Resident.consent_at.is_not(None)
            status.residents = await connection.scalar(select(func.count()).where(consented))
            status.unreachable_residents = await connection.scalar(
                select(func.count()).where(consented, Resident.unreachable_at.is_not(None))
            )
            rows = await connection.execute(
                select(Broadcast.status, func.count())
                .where(Broadcast.status.in_((SCHEDULED, SENDING, PAUSED)))
                .group_by(Broadcast.status)
            )
            status.broadcasts = {state: int(number) for state, number in rows}
            status.pending_deliveries = await connection.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == PENDING)
            )
            status.last_weekly_report = await connection.scalar(
                select(func.max(JobRun.period)).where(JobRun.name == WEEKLY_JOB)
            )
        status.sender_running = await _sender_running(engine)
    except (DBAPIError, OSError):
        status.database = "unreachable"
    finally:
        await engine.dispose()


async def _sender_running(engine: object) -> bool | None:
    """Try the broadcast sender's lease without keeping it: taken means a bot process is running."""
    lease = lease_for(engine)  # type: ignore[arg-type]
    try:
        free = await lease.acquire()
    except (DBAPIError, OSError):
        return None
    await lease.release()
    return not free


def run_status(settings: Settings, as_json: bool) -> int:
    status = collect(settings)
    if as_json:
        print(json.dumps({**asdict(status), "healthy": status.healthy}, ensure_ascii=False))
        return 0 if status.healthy else 1
    print(f"checked at {clock.local_now(settings.tz):%d/%m/%Y %H:%M}")
    revision = f"revision {status.revision} (newest {status.newest_revision})"
    print(f"database      {status.database}, {revision}")
    lessons = ", ".join(f"{language}: {count}" for language, count in status.lessons.items()) or "none"
    print(f"lessons       {lessons} modules; {len(status.lesson_faults)} fault(s)")
    for fault in status.lesson_faults:
        print(f"  {fault}")
    if status.residents is not None:
        print(f"residents     {status.residents} consented, {status.unreachable_residents} unreachable")
        waiting = ", ".join(f"{state} {number}" for state, number in status.broadcasts.items()) or "none"
        print(f"broadcasts    {waiting}; {status.pending_deliveries} messages pending")
        print(f"weekly report last sent for the week of {status.last_weekly_report or '(never)'}")
    running = {True: "yes (holds the broadcast lease)", False: "no", None: "cannot tell"}[status.sender_running]
    if status.database in ("ok", "behind"):
        print(f"bot running   {running}")
    if not status.healthy:
        print(f"NOT OK: {HINTS.get(status.database, HINTS['lessons'])}", file=sys.stderr)
    return 0 if status.healthy else 1
