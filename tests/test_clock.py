"""The product's one clock: what it writes and decides follows the installed clock, not the machine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import clock
from bot.channels.telegram.testing.fake_bot_api import FakeUser
from bot.runtime import Runtime
from bot.storage.models import ModuleProgress, Resident
from tests.support.journey import onboard

SUNDAY_EVENING_UTC = datetime(2026, 12, 6, 20, 45, tzinfo=UTC)  # already Monday 03:45 in Vietnam


def test_a_stepping_clock_starts_where_it_is_set_and_runs_on() -> None:
    stepping = clock.SteppingClock(SUNDAY_EVENING_UTC)
    first = stepping.now()
    assert SUNDAY_EVENING_UTC <= first < SUNDAY_EVENING_UTC + timedelta(seconds=5)
    assert stepping.now() >= first
    stepping.advance(timedelta(days=2))
    assert stepping.now() - first >= timedelta(days=2)
    assert stepping.now().tzinfo is UTC


def test_installed_clock_is_restored_afterwards() -> None:
    outer = clock.now()
    with clock.installed(clock.SteppingClock(datetime(2001, 1, 1, tzinfo=UTC))):
        assert clock.now().year == 2001
    assert abs(clock.now() - outer) < timedelta(minutes=5)


def test_local_now_is_vietnamese_time_whatever_the_machine(wall_clock: clock.SteppingClock) -> None:
    wall_clock.set(SUNDAY_EVENING_UTC)
    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    local = clock.local_now(vietnam)
    assert local.tzinfo is vietnam
    assert (local.weekday(), local.hour, local.day) == (0, 3, 7)  # Monday 7 December, 03:45


async def test_what_the_bot_stores_is_stamped_by_the_installed_clock(
    make_user: Callable[..., FakeUser], runtime: Runtime, wall_clock: clock.SteppingClock
) -> None:
    wall_clock.set(SUNDAY_EVENING_UTC)
    user = make_user(1701, "Mai")
    await onboard(user)
    await user.press("Thư điện tử")
    async with runtime.sessions() as session:
        resident = await session.scalar(select(Resident).where(Resident.external_id == 1701))
        progress = await session.scalar(select(ModuleProgress).where(ModuleProgress.module_id == "email"))
    assert resident is not None and progress is not None
    for stamp in (resident.consent_at, resident.created_at, resident.last_seen_at, progress.started_at):
        assert stamp is not None
        assert SUNDAY_EVENING_UTC <= stamp < SUNDAY_EVENING_UTC + timedelta(minutes=1)
