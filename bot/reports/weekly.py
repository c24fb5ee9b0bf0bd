"""The Monday report for admins: last week (Monday to Sunday, local time) and where things stand.

This module decides what to send, to whom and whether it is due; the Telegram channel checks at
Monday 07:30 local and every hour (a bot that was down at 07:30 catches up later that week) and sends
it. The `job_runs` table makes it go once a week, whatever the restarts. An admin switches it off
with /weeklyreport off (the `weekly_report` column).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot import clock
from bot.reports import text
from bot.reports.figures import Report
from bot.reports.queries import ReportContext, build_report, completions_between, monday_of, read_snapshot
from bot.storage.models import JobRun, Resident
from bot.storage.upsert import insert_for
from bot.storage.vocabulary import Channel, Role

CHANNEL = Channel.TELEGRAM
JOB = "weekly-report"
SEND_AT = time(7, 30)  # Monday, local time


@dataclass(frozen=True)
class WeeklyDigest:
    monday: date  # the week reported on
    text: str
    chart: bytes | None  # PNG; None when there is nothing to draw
    chat_ids: tuple[int, ...]


def previous_week(now: datetime, tz: ZoneInfo) -> tuple[date, datetime, datetime]:
    """The last complete local week before `now`: its Monday, and its [start, end) instants."""
    monday = monday_of(now.astimezone(tz).date()) - timedelta(days=7)
    start = datetime.combine(monday, time(0), tz)
    return monday, start, start + timedelta(days=7)


def due_week(now: datetime, tz: ZoneInfo) -> date | None:
    """The Monday of the week whose report is due at `now`: from this Monday 07:30 local on, last week.
    None before 07:30 on a Monday (last week's report is not due yet, and the one before is too old)."""
    local = now.astimezone(tz)
    if local < datetime.combine(monday_of(local.date()), SEND_AT, tz):
        return None
    return previous_week(now, tz)[0]


async def week_reported(session: AsyncSession, monday: date) -> bool:
    found = await session.scalar(select(JobRun.ran_at).where(JobRun.name == JOB, JobRun.period == monday.isoformat()))
    return found is not None


async def had_residents_before(session: AsyncSession, moment: datetime) -> bool:
    """Did anyone agree to learn before `moment`? A week before the first resident has nothing to report
    (a new installation would otherwise send admins a report of zeros a minute after its first start)."""
    found = await session.scalar(select(Resident.id).where(Resident.consent_at < moment).limit(1))
    return found is not None


async def claim_week(session: AsyncSession, monday: date) -> bool:
    """Record that this week's report goes out; False if it already has (here or in another process)."""
    result = await session.execute(
        insert_for(session, JobRun)
        .values(name=JOB, period=monday.isoformat(), ran_at=clock.now())
        .on_conflict_do_nothing(index_elements=["name", "period"])
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def recipients(engine: AsyncEngine, admin_ids: list[int]) -> tuple[int, ...]:
    """Admins (by role or ADMIN_IDS) who have not switched the report off and can still be reached.

    An ADMIN_IDS admin who never opened the bot has no row: they get it, in their private chat (whose
    id is their user id), until they switch it off.
    """
    async with read_snapshot(engine) as connection:
        rows = await connection.execute(
            select(
                Resident.external_id,
                Resident.chat_id,
                Resident.role,
                Resident.weekly_report,
                Resident.unreachable_at,
            ).where(
                Resident.channel == CHANNEL,
                or_(Resident.role == Role.ADMIN, Resident.external_id.in_(admin_ids)),
            )
        )
        known = rows.all()
    chats = [row.chat_id for row in known if row.weekly_report and row.unreachable_at is None]
    have_rows = {row.external_id for row in known}
    chats += [admin_id for admin_id in admin_ids if admin_id not in have_rows]
    return tuple(dict.fromkeys(chats))


def _chart(report: Report, tz: ZoneInfo) -> bytes:
    from bot.reports.charts import overview_png  # in the worker thread: a first import never blocks the loop

    return overview_png(report, tz)


async def build_weekly(
    engine: AsyncEngine, context: ReportContext, admin_ids: list[int], now: datetime
) -> WeeklyDigest:
    monday, start, end = previous_week(now, context.tz)
    async with read_snapshot(engine) as connection:
        report = await build_report(connection, context, now=now)
        completions, new_residents = await completions_between(connection, None, start, end)
    ordered = {m.id: completions[m.id] for m in report.modules if completions.get(m.id)}
    message = text.weekly(report, context.tz, monday, ordered, new_residents)
    chart = None
    if not report.suppressed and report.modules:
        chart = await asyncio.to_thread(_chart, report, context.tz)
    return WeeklyDigest(monday, message, chart, await recipients(engine, admin_ids))
